// The sealed envelope of every signaling message, and the receiver's replay guard. The relay (and
// anyone on the network) sees topic names, which name the centre, and can capture and re-send any
// ciphertext without knowing the key: replaying one captured offer used to tear two peers apart.
// So what is encrypted with the centre key carries who sent it, when, and a random nonce, and a
// receiver accepts each nonce once and only while it is fresh.
//
// Envelope (JSON, then encryptText with the centre key — crypto.ts):
//   { v: 1, from: <sender peer id>, topic: <topic it was published on>, ts: <sender's clock, ms>,
//     nonce: <16 random bytes, hex>, payload: <the message> }
// Receiver rules, in order: not an envelope → 'malformed'; published on another topic than the
// one sealed inside → 'topic'; |receiver's clock − ts| > freshness window (60 s) → 'stale';
// nonce already accepted, or older than what the bounded memory still covers → 'replay'; a
// payload naming a sender (`from`, as y-webrtc's signaling messages do) other than the envelope's
// → 'sender'.
import { decryptJson, encryptedLength, encryptText } from './crypto';

export const ENVELOPE_VERSION = 1;
/** Accepted clock difference between sender and receiver, either way. Peers of a centre run on
 *  machines kept on time by the network (NTP): minutes of skew would be a broken machine. */
export const FRESHNESS_MS = 60_000;
/** Nonces remembered at most; past it the oldest are forgotten and everything as old refused. */
export const MAX_NONCES = 10_000;
const NONCE_BYTES = 16;
const MAX_ID_LENGTH = 256;

export type EnvelopeRejection = 'malformed' | 'topic' | 'stale' | 'replay' | 'sender';

export interface Envelope {
	v: typeof ENVELOPE_VERSION;
	from: string;
	topic: string;
	ts: number;
	nonce: string;
	payload: unknown;
}

function randomHex(bytes: number): string {
	return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
		b.toString(16).padStart(2, '0')
	).join('');
}

/** A new envelope for `payload`, stamped now with a fresh nonce. */
export function envelope(from: string, topic: string, payload: unknown, now = Date.now()): Envelope {
	return { v: ENVELOPE_VERSION, from, topic, ts: now, nonce: randomHex(NONCE_BYTES), payload };
}

/** Size in bytes of the ciphertext (base64 text) of an envelope serialised as `json`. */
export function sealedLength(json: string): number {
	return encryptedLength(new TextEncoder().encode(json).length);
}

/** Encrypts an envelope serialised as `json` (JSON.stringify of an Envelope). */
export function seal(key: CryptoKey, json: string): Promise<string> {
	return encryptText(key, json);
}

/** Decrypts a sealed envelope. Rejects with DecryptionError only (wrong key, altered, not JSON). */
export function unseal(key: CryptoKey, data: string): Promise<unknown> {
	return decryptJson(key, data);
}

/** The envelope if `value` has its shape, else undefined. */
export function asEnvelope(value: unknown): Envelope | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	const e = value as Partial<Envelope>;
	if (e.v !== ENVELOPE_VERSION) return undefined;
	if (typeof e.from !== 'string' || e.from.length === 0 || e.from.length > MAX_ID_LENGTH) return undefined;
	if (typeof e.topic !== 'string') return undefined;
	if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return undefined;
	if (typeof e.nonce !== 'string' || !/^[0-9a-f]{32}$/.test(e.nonce)) return undefined;
	if (!('payload' in e)) return undefined;
	return e as Envelope;
}

/**
 * Remembers the nonces of accepted envelopes for as long as they are fresh, so a replay within the
 * window is caught and one after it is stale. Memory is bounded: past `maxNonces` the oldest
 * accepted nonce is forgotten and its timestamp becomes a floor — any envelope stamped at or before
 * it is refused as a possible replay. An honest peer's messages are always newer than what was
 * seen before them, so the floor costs it nothing unless a flood pushes it within seconds of now.
 */
export class ReplayGuard {
	/** nonce → envelope timestamp, in acceptance order. */
	readonly #seen = new Map<string, number>();
	#floor = -Infinity;

	constructor(
		readonly freshnessMs = FRESHNESS_MS,
		readonly maxNonces = MAX_NONCES
	) {}

	get size(): number {
		return this.#seen.size;
	}

	/** Accepts the envelope (and remembers its nonce) or says why not. */
	check(e: Envelope, topic: string, now = Date.now()): EnvelopeRejection | undefined {
		if (e.topic !== topic) return 'topic';
		if (Math.abs(now - e.ts) > this.freshnessMs) return 'stale';
		this.#forgetExpired(now);
		if (e.ts <= this.#floor || this.#seen.has(e.nonce)) return 'replay';
		const named = e.payload as { from?: unknown } | null;
		if (typeof named === 'object' && named !== null && 'from' in named && named.from !== e.from)
			return 'sender';
		this.#seen.set(e.nonce, e.ts);
		while (this.#seen.size > this.maxNonces) {
			const [oldest, ts] = this.#seen.entries().next().value as [string, number];
			this.#seen.delete(oldest);
			this.#floor = Math.max(this.#floor, ts);
		}
		return undefined;
	}

	/** Drops nonces from the front of the map whose envelopes are stale by now anyway. Entries are
	 *  roughly in timestamp order; one out of order waits for the cap or the ones before it. */
	#forgetExpired(now: number): void {
		for (const [nonce, ts] of this.#seen) {
			if (now - ts <= this.freshnessMs) break;
			this.#seen.delete(nonce);
		}
	}
}
