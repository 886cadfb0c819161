// Device pairing by a one-time code. The first device shows a code (8 characters of Crockford's
// base 32: 40 bits, typed in a few seconds, read aloud without confusion); the second device types
// it and receives the agent's identity and profile.
//
// Both meet on the centre's pairing topic (signaling, already encrypted with the centre key). The
// second device sends a request with a random salt and a check value encrypted with
// PBKDF2(code, salt); a device showing that code can decrypt the check, and answers with the
// identity encrypted under the same key. A code lasts 5 minutes, serves once, and is burnt after
// 20 requests that fail to decrypt under it (so it cannot be guessed online). A device whose code
// expired or was used says so (encrypted, so only the holder of the code learns it); a code nobody
// shows gets no answer, which the second device reports after a few seconds.
import { fromBase64, toBase64 } from '../domain/base64';
import { decryptJson, encryptJson, PBKDF2_ITERATIONS, SECRET_ALPHABET } from './crypto';
import type { SignalingClient } from './signaling-client';

export const PAIRING_CODE_LENGTH = 8;
export const PAIRING_TTL_MS = 5 * 60_000;
export const PAIRING_MAX_ATTEMPTS = 20;

/** Why pairing failed, for a message in the agent's language. */
export class PairingError extends Error {
	constructor(
		readonly reason: 'format' | 'expired' | 'used' | 'no-answer' | 'invalid' | 'offline',
		message: string
	) {
		super(message);
		this.name = 'PairingError';
	}
}

/** A new code, shown as two groups of four: `K3F9-2M7Q`. */
export function newPairingCode(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(PAIRING_CODE_LENGTH));
	const raw = [...bytes].map((b) => SECRET_ALPHABET[b & 31]).join('');
	return formatPairingCode(raw);
}

export function formatPairingCode(canonical: string): string {
	return `${canonical.slice(0, 4)}-${canonical.slice(4)}`.toUpperCase();
}

/** The canonical code (lowercase, no separators; O read as 0, I and L as 1), or PairingError. */
export function parsePairingCode(input: string): string {
	const code = String(input ?? '')
		.toLowerCase()
		.replace(/[\s-]+/g, '')
		.replace(/o/g, '0')
		.replace(/[il]/g, '1');
	if (code.length !== PAIRING_CODE_LENGTH || [...code].some((c) => !SECRET_ALPHABET.includes(c)))
		throw new PairingError(
			'format',
			`A pairing code is ${PAIRING_CODE_LENGTH} letters and digits, like K3F9-2M7Q.`
		);
	return code;
}

/** AES-GCM key of one pairing attempt: PBKDF2-SHA256 over the code, salted per attempt and centre. */
export async function derivePairingKey(code: string, salt: Uint8Array, centreId: string): Promise<CryptoKey> {
	const s = crypto.subtle;
	const base = await s.importKey('raw', new TextEncoder().encode(parsePairingCode(code)), 'PBKDF2', false, [
		'deriveKey'
	]);
	const fullSalt = new TextEncoder().encode(`plateau/pairing/v1/${centreId}/${toBase64(salt)}`);
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
	check: string;
}

export interface PairingAnswer {
	type: 'pair-answer';
	id: string;
	sealed: string;
}

const CHECK = 'plateau-pair-request';

export async function pairingRequest(
	code: string,
	centreId: string
): Promise<{ request: PairingRequest; key: CryptoKey }> {
	const salt = crypto.getRandomValues(new Uint8Array(16));
	const key = await derivePairingKey(code, salt, centreId);
	return { request: { type: 'pair-request', id: toBase64(salt), check: await encryptJson(key, CHECK) }, key };
}

/** The key of a request if it was made with `code`, else undefined. */
export async function openPairingRequest(
	message: unknown,
	code: string,
	centreId: string
): Promise<CryptoKey | undefined> {
	const m = message as Partial<PairingRequest> | null;
	if (m?.type !== 'pair-request' || typeof m.id !== 'string' || typeof m.check !== 'string') return undefined;
	const salt = fromBase64(m.id);
	if (!salt || salt.length !== 16) return undefined;
	const key = await derivePairingKey(code, salt, centreId);
	try {
		return (await decryptJson(key, m.check)) === CHECK ? key : undefined;
	} catch {
		return undefined;
	}
}

export function isPairingRequest(message: unknown): message is PairingRequest {
	return (message as PairingRequest | null)?.type === 'pair-request';
}

/** What an answer holds once decrypted: the identity and profile, or why not. */
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
	const listeners = new Set<(m: unknown) => void>();
	const off = signaling.on('message', (t, payload) => {
		if (t === topic) for (const l of [...listeners]) l(payload);
	});
	return {
		send: (message: unknown) => signaling.publish(topic, message),
		onMessage(listener: (m: unknown) => void) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		close() {
			off();
			listeners.clear();
			signaling.unsubscribe(topic);
		}
	};
}
