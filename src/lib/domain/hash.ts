// Plateau's one non-cryptographic fingerprint of bytes: equal inputs give equal strings, so a
// document version (search's ledger) or a state vector (peers comparing documents) is compared by a
// short string instead of whole. FNV-1a on two 32-bit lanes with different multipliers (the
// algorithm repo/sync-protocol.ts's `digest` uses, bit for bit, so it can import this one without
// changing what peers send). Not for anything an attacker chooses: use SHA-256 there.

export function fingerprint(bytes: Uint8Array): string {
	let a = 0x811c9dc5;
	let b = 0x01000193 ^ bytes.length;
	for (let i = 0; i < bytes.length; i++) {
		a = Math.imul(a ^ bytes[i]!, 0x01000193) >>> 0;
		b = Math.imul(b ^ bytes[i]!, 0x5bd1e995) >>> 0;
	}
	return a.toString(36) + '.' + b.toString(36);
}

const encoder = new TextEncoder();

/** The fingerprint of a text's UTF-8 bytes. */
export function fingerprintText(text: string): string {
	return fingerprint(encoder.encode(text));
}
