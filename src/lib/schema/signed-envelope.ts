// The byte layout shared by the records that sign themselves (publications, schema/revisions.ts;
// lifecycle records, schema/lifecycle.ts; review intervals, schema/review-intervals.ts): a version,
// the signed fields (a domain tag, then the fields in a fixed order: repo/signed-record.ts signs
// exactly these bytes), any unsigned parts the record carries (a publication's snapshot), the
// signer's key chain, the signature. One layout, so the three cannot drift apart.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

const VERSION = 1;

/** The canonical encoding of a record's signed fields: the tag, then what `write` writes. */
export function encodeTaggedFields(tag: string, write: (enc: encoding.Encoder) => void): Uint8Array {
	const enc = encoding.createEncoder();
	encoding.writeVarString(enc, tag);
	write(enc);
	return encoding.toUint8Array(enc);
}

export interface Envelope<F> {
	fields: F;
	/** The parts between the fields and the chain, in order. */
	extras: Uint8Array[];
	chain: Uint8Array;
	signature: Uint8Array;
}

/** A record's bytes from its encoded fields, extra parts, chain and signature. */
export function encodeEnvelope(
	fields: Uint8Array,
	chain: Uint8Array,
	signature: Uint8Array,
	extras: readonly Uint8Array[] = []
): Uint8Array {
	const enc = encoding.createEncoder();
	encoding.writeVarUint(enc, VERSION);
	encoding.writeVarUint8Array(enc, fields);
	for (const part of extras) encoding.writeVarUint8Array(enc, part);
	encoding.writeVarUint8Array(enc, chain);
	encoding.writeVarUint8Array(enc, signature);
	return encoding.toUint8Array(enc);
}

/** A record back from its bytes, its fields read by `read` after the tag (undefined: not one);
 *  undefined when the bytes are not such a record, or hold anything more. */
export function decodeEnvelope<F>(
	bytes: Uint8Array,
	tag: string,
	read: (f: decoding.Decoder) => F | undefined,
	extras = 0
): Envelope<F> | undefined {
	try {
		const d = decoding.createDecoder(bytes);
		if (decoding.readVarUint(d) !== VERSION) return undefined;
		const f = decoding.createDecoder(decoding.readVarUint8Array(d));
		if (decoding.readVarString(f) !== tag) return undefined;
		const fields = read(f);
		if (fields === undefined) return undefined;
		const parts: Uint8Array[] = [];
		for (let i = 0; i < extras; i++) parts.push(decoding.readVarUint8Array(d));
		const chain = decoding.readVarUint8Array(d);
		const signature = decoding.readVarUint8Array(d);
		if (decoding.hasContent(d) || decoding.hasContent(f)) return undefined;
		return { fields, extras: parts, chain, signature };
	} catch {
		return undefined;
	}
}
