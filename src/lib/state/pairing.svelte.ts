// Pairing another device of the same agent. The first device offers a one-time code and answers
// the request made with it by endorsing the new device's own key and sending the agent's profile;
// the new device asks with the code it was given. No private key leaves a device. Protocol and
// crypto: net/pairing.ts; the key chain: repo/identity.ts.
import { toBase64, fromBase64 } from '../domain/base64';
import type { AgentProfile } from '../domain/centre';
import { validateAgentProfile } from '../domain/centre';
import { newPairingCode, PairingError, parsePairingCode } from '../domain/codes';
import { endorseDevice, identityFromChain, newDeviceKey, type AgentIdentity } from '../repo/identity';
import {
	isPairingRequest,
	openPairingAnswer,
	openPairingRequest,
	PAIRING_MAX_ATTEMPTS,
	PAIRING_TTL_MS,
	pairingAnswer,
	pairingRequest
} from '../net/pairing';
import type { PairingChannel } from './sync-session.svelte';

export interface PairingPayload {
	/** The new device's identity: its own key, endorsed into the agent's key chain. */
	identity: AgentIdentity;
	profile: AgentProfile | null;
}

/** The first device: shows a code until it is used, expires, or the offer is closed. */
export class PairingOffer {
	code = $state('');
	expiresAt = $state(0);
	status = $state<'waiting' | 'paired' | 'expired'>('waiting');

	readonly #channel: PairingChannel;
	readonly #identity: AgentIdentity;
	readonly #profile: () => AgentProfile | null;
	readonly #centreId: string;
	readonly #off: () => void;
	readonly #timer: ReturnType<typeof setTimeout>;
	#failures = 0;

	constructor(
		channel: PairingChannel,
		identity: AgentIdentity,
		profile: () => AgentProfile | null,
		centreId: string,
		{ ttlMs = PAIRING_TTL_MS, now = Date.now() } = {}
	) {
		this.#channel = channel;
		this.#identity = identity;
		this.#profile = profile;
		this.#centreId = centreId;
		this.code = newPairingCode();
		this.expiresAt = now + ttlMs;
		this.#timer = setTimeout(() => this.#expire(), ttlMs);
		this.#off = channel.onMessage((m) => void this.#onMessage(m));
	}

	destroy(): void {
		clearTimeout(this.#timer);
		this.#off();
		this.#channel.close();
	}

	#expire(): void {
		if (this.status === 'waiting') this.status = 'expired';
	}

	async #onMessage(message: unknown): Promise<void> {
		if (!isPairingRequest(message) || this.#failures >= PAIRING_MAX_ATTEMPTS) return;
		const opened = await openPairingRequest(message, this.code, this.#centreId);
		if (!opened) {
			// Another device's code, or a guess: after too many, this code is burnt.
			if (++this.#failures >= PAIRING_MAX_ATTEMPTS) this.#expire();
			return;
		}
		if (Date.now() > this.expiresAt) this.#expire();
		if (this.status !== 'waiting') {
			await this.#channel.send(
				await pairingAnswer(message.id, opened.key, { status: this.status === 'paired' ? 'used' : 'expired' })
			);
			return;
		}
		this.status = 'paired';
		const chain = await endorseDevice(this.#identity, opened.device);
		await this.#channel.send(
			await pairingAnswer(message.id, opened.key, {
				status: 'ok',
				chain: toBase64(chain),
				profile: this.#profile()
			})
		);
	}
}

/** The new device: asks with the code and returns its endorsed identity and the agent's profile,
 *  checked. Throws PairingError: a malformed code, an expired or used one, or no device showing it. */
export async function requestPairing(
	channel: PairingChannel,
	code: string,
	centreId: string,
	{ timeoutMs = 8_000 } = {}
): Promise<PairingPayload> {
	parsePairingCode(code);
	const device = await newDeviceKey();
	const { request, key } = await pairingRequest(code, centreId, device.publicKey);
	let off = () => {};
	let timer: ReturnType<typeof setTimeout> | undefined;
	try {
		const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
			off = channel.onMessage((m) => {
				void openPairingAnswer(m, request.id, key).then((content) => {
					if (content && typeof content === 'object') resolve(content as Record<string, unknown>);
				});
			});
			timer = setTimeout(
				() =>
					reject(
						new PairingError('no-answer', 'No device is showing this code: check it, or show a new one.')
					),
				timeoutMs
			);
		});
		if (!(await channel.send(request)))
			throw new PairingError('offline', 'Not connected to the centre: pairing needs the network.');
		const content = await answer;
		if (content.status === 'expired')
			throw new PairingError('expired', 'This code has expired: show a new one on the other device.');
		if (content.status === 'used')
			throw new PairingError('used', 'This code was already used: show a new one on the other device.');
		try {
			const chain = typeof content.chain === 'string' ? fromBase64(content.chain) : undefined;
			if (!chain) throw new Error('no key chain');
			const identity = await identityFromChain(chain, device.publicKey, device.privateKey);
			const profile = content.profile ? validateAgentProfile(content.profile) : null;
			if (profile && profile.id !== identity.agentId) throw new Error('profile of another agent');
			return { identity, profile };
		} catch {
			throw new PairingError('invalid', 'The other device sent an identity this device cannot use.');
		}
	} finally {
		clearTimeout(timer);
		off();
		channel.close();
	}
}
