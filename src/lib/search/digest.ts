// A short digest of a document's version: its state vector plus delete set (Y.snapshot). The state
// vector alone misses deletions, so an edit that only removes words would look unchanged.
import * as Y from 'yjs';

export function docDigest(doc: Y.Doc): string {
	return hashBytes(Y.encodeSnapshot(Y.snapshot(doc)));
}

/** cyrb53-style 53-bit hash, as base 36. */
export function hashBytes(bytes: Uint8Array): string {
	let h1 = 0xdeadbeef;
	let h2 = 0x41c6ce57;
	for (let i = 0; i < bytes.length; i++) {
		const b = bytes[i]!;
		h1 = Math.imul(h1 ^ b, 2654435761);
		h2 = Math.imul(h2 ^ b, 1597334677);
	}
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36) + `.${bytes.length.toString(36)}`;
}

export function hashText(text: string): string {
	return hashBytes(new TextEncoder().encode(text));
}
