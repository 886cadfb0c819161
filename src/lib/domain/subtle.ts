// The one access to WebCrypto. Browsers expose `crypto.subtle` only in a secure context (https, or
// http on localhost): Plateau served over plain http on a LAN address has none, and says so.

import { digest } from 'lib0/hash/sha256';

export class WebCryptoUnavailableError extends Error {
	constructor() {
		super(
			'WebCrypto is not available: the browser only offers it on https or localhost pages. Open Plateau over https (or on localhost).'
		);
		this.name = 'WebCryptoUnavailableError';
	}
}

/** Inputs up to this size are hashed by lib0 (node:crypto in Node, plain JavaScript in browsers)
 *  right away; larger ones by WebCrypto. A WebCrypto digest is a round trip however small its
 *  input: 20–240 µs of wall time per digest in Node here against 2–45 µs, which a fill checking
 *  5,000 publication records (three digests each) paid in full (docs/decisions.md). */
const SYNC_DIGEST_BYTES = 64 * 1024;

/** SHA-256 of bytes (record ids, digests of signed content, agent ids). */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
	if (bytes.byteLength <= SYNC_DIGEST_BYTES) return digest(bytes);
	return new Uint8Array(await subtle().digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export function subtle(): SubtleCrypto {
	const s = globalThis.crypto?.subtle;
	if (!s) throw new WebCryptoUnavailableError();
	return s;
}
