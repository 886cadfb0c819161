// Device pairing by a one-time code (domain/codes.ts: 8 characters of Crockford's base 32, 40 bits,
// typed in a few seconds, read aloud without confusion). The new device makes its own key pair
// (never extractable) and asks; a device of the agent showing the code endorses the new device's
// public key and answers with the agent's key chain and profile. No private key ever travels.
//
// Both meet on the centre's pairing topic (signaling, already encrypted with the centre key). The
// new device sends a request with a random salt and, encrypted with PBKDF2(code, salt), a check
// value and its public key; only a device showing that code can read it (and only the holder of
// the code could have written it, so the key endorsed is the one typed-in device's). The answer is
// encrypted under the same key. A code lasts 5 minutes, serves once, and is burnt after 20
// requests that fail to decrypt under it (so it cannot be guessed online). A device whose code
// expired or was used says so (encrypted, so only the holder of the code learns it); a code nobody
// shows gets no answer, which the new device reports after a few seconds.
import { fromBase64, toBase64 } from '../domain/base64';
import { parsePairingCode } from '../domain/codes';
import { Emitter } from '../domain/emitter';
import { subtle } from '../domain/subtle';
import { decryptJson, encryptJson, PBKDF2_ITERATIONS } from './crypto';
import type { SignalingClient } from './signaling-client';

export {
	formatPairingCode,
	newPairingCode,
	PAIRING_CODE_LENGTH,
	PairingError,
	parsePairingCode
} from '../domain/codes';

export const PAIRING_TTL_MS = 5 * 60_000;
export const PAIRING_MAX_ATTEMPTS = 20;

/** AES-GCM key of one pairing attempt: PBKDF2-SHA256 over the code, salted per attempt and centre. */
export async function derivePairingKey(code: string, salt: Uint8Array, centreId: string): Promise<CryptoKey> {
	const s = subtle();
	const base = await s.importKey('raw', new TextEncoder().encode(parsePairingCode(code)), 'PBKDF2', false, [
		'deriveKey'
	]);
	const fullSalt = new TextEncoder().encode(`plateau/pairing/v2/${centreId}/${toBase64(salt)}`);
	return s.deriveKey(
		{ name: 'PBKDF2', salt: fullSalt, iterations: PBKDF2_ITERATIONS, hash: 'SHA-256' },
		base,
		{ name: 'AES-GCM', length: 256 },
		false,
		['encrypt', 'decrypt']
	);
}

export interface PairingRequest {
	type: 'pair-request';
	id: string;
	/** Encrypted under the code's key: { check, device } (the new device's public key, base64). */
	check: string;
}

export interface PairingAnswer {
	type: 'pair-answer';
	id: string;
	sealed: string;
}

const CHECK = 'plateau-pair-request/v2';

/** A request for the code, carrying the new device's public key. */
export async function pairingRequest(
	code: string,
	centreId: string,
	deviceKey: Uint8Array
): Promise<{ request: PairingRequest; key: CryptoKey }> {
	const salt = crypto.getRandomValues(new Uint8Array(16));
	const key = await derivePairingKey(code, salt, centreId);
	const check = await encryptJson(key, { check: CHECK, device: toBase64(deviceKey) });
	return { request: { type: 'pair-request', id: toBase64(salt), check }, key };
}

/** The key of a request and the public key of the device that made it, if it was made with
 *  `code`; else undefined. */
export async function openPairingRequest(
	message: unknown,
	code: string,
	centreId: string
): Promise<{ key: CryptoKey; device: Uint8Array } | undefined> {
	const m = message as Partial<PairingRequest> | null;
	if (m?.type !== 'pair-request' || typeof m.id !== 'string' || typeof m.check !== 'string') return undefined;
	const salt = fromBase64(m.id);
	if (!salt || salt.length !== 16) return undefined;
	const key = await derivePairingKey(code, salt, centreId);
	try {
		const content = (await decryptJson(key, m.check)) as { check?: unknown; device?: unknown } | null;
		if (content?.check !== CHECK || typeof content.device !== 'string') return undefined;
		const device = fromBase64(content.device);
		return device && device.length === 65 ? { key, device } : undefined;
	} catch {
		return undefined;
	}
}

export function isPairingRequest(message: unknown): message is PairingRequest {
	return (message as PairingRequest | null)?.type === 'pair-request';
}

/** What an answer holds once decrypted: the key chain and profile, or why not. */
export async function openPairingAnswer(message: unknown, id: string, key: CryptoKey): Promise<unknown> {
	const m = message as Partial<PairingAnswer> | null;
	if (m?.type !== 'pair-answer' || m.id !== id || typeof m.sealed !== 'string') return undefined;
	try {
		return await decryptJson(key, m.sealed);
	} catch {
		return undefined;
	}
}

export async function pairingAnswer(id: string, key: CryptoKey, content: unknown): Promise<PairingAnswer> {
	return { type: 'pair-answer', id, sealed: await encryptJson(key, content) };
}

/** The centre's pairing channel over signaling: its own topic, next to the mesh's. */
export function signalingPairingChannel(signaling: SignalingClient, topic: string) {
	signaling.subscribe(topic);
	const events = new Emitter<{ message: (m: unknown) => void }>();
	const off = signaling.on('message', (t, payload) => {
		if (t === topic) events.emit('message', payload);
	});
	return {
		send: (message: unknown) => signaling.publish(topic, message),
		onMessage: (listener: (m: unknown) => void) => events.on('message', listener),
		close() {
			off();
			events.clear();
			signaling.unsubscribe(topic);
		}
	};
}
