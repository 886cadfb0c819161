// Base64 for binary carried in JSON (keys, signatures, ciphertext): lib0's encoder (already a
// dependency, browser and Node), with the validation lib0 leaves out — Node's decoder silently
// skips characters that are not base64, and a receiver must be able to tell garbage from data.
import { fromBase64 as decode, toBase64 } from 'lib0/buffer';

export { toBase64 };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of base64 text, or undefined if it is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
	if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
	try {
		return new Uint8Array(decode(text));
	} catch {
		return undefined;
	}
}
