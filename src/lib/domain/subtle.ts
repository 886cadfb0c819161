// The one access to WebCrypto. Browsers expose `crypto.subtle` only in a secure context (https, or
// http on localhost): Plateau served over plain http on a LAN address has none, and says so.

export class WebCryptoUnavailableError extends Error {
	constructor() {
		super(
			'WebCrypto is not available: the browser only offers it on https or localhost pages. Open Plateau over https (or on localhost).'
		);
		this.name = 'WebCryptoUnavailableError';
	}
}

/** SHA-256 of bytes (record ids, digests of signed content, agent ids). */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
	return new Uint8Array(await subtle().digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export function subtle(): SubtleCrypto {
	const s = globalThis.crypto?.subtle;
	if (!s) throw new WebCryptoUnavailableError();
	return s;
}
