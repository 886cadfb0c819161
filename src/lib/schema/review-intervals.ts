// Where the topics' review intervals live (domain/review-interval.ts): a `reviewIntervals` Y.Map of
// the centre document, record id → the record's bytes. The centre document is the one every device
// holds and every peer vets (its entries travel signed, repo/sync-signed.ts), and every article's
// due date needs the intervals of its topic and the topics above. Records are only ever added
// (receivers refuse an update that changes or removes one); each added one must verify and be
// signed by someone who may publish its topic (repo/review-intervals.ts). This file holds their
// byte encoding and the map's reading and writing.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import {
	INTERVAL_KINDS,
	type IntervalKind,
	type ReviewIntervalFields,
	type ReviewIntervalRecord,
	type StoredReviewInterval
} from '../domain/review-interval';
import { mapEntries, readRecords } from './append-only';
import { decodeEnvelope, encodeEnvelope, encodeTaggedFields } from './signed-envelope';

const TAG = 'plateau/review-interval/v1';
/** The map's name in the centre document. */
export const REVIEW_INTERVALS_ROOT = 'reviewIntervals';

/** The canonical encoding of a record's signed fields: a tag, then the fields in a fixed order. */
export function encodeIntervalFields(f: ReviewIntervalFields): Uint8Array {
	return encodeTaggedFields(TAG, (enc) => {
		encoding.writeVarString(enc, f.centre);
		encoding.writeVarString(enc, f.topic);
		encoding.writeVarString(enc, f.kind);
		encoding.writeFloat64(enc, f.days);
		encoding.writeVarString(enc, f.signer);
		encoding.writeVarString(enc, f.signerName);
		encoding.writeFloat64(enc, f.time);
	});
}

export function encodeInterval(r: ReviewIntervalRecord): Uint8Array {
	return encodeEnvelope(encodeIntervalFields(r), r.chain, r.signature);
}

/** A record back from its bytes; undefined when they are not one. */
export function decodeInterval(bytes: Uint8Array): ReviewIntervalRecord | undefined {
	const e = decodeEnvelope(bytes, TAG, (f): ReviewIntervalFields | undefined => {
		const centre = decoding.readVarString(f);
		const topic = decoding.readVarString(f);
		const kind = decoding.readVarString(f);
		if (!(INTERVAL_KINDS as readonly string[]).includes(kind)) return undefined;
		return {
			centre,
			topic,
			kind: kind as IntervalKind,
			days: decoding.readFloat64(f),
			signer: decoding.readVarString(f),
			signerName: decoding.readVarString(f),
			time: decoding.readFloat64(f)
		};
	});
	return e && { ...e.fields, chain: e.chain, signature: e.signature };
}

/** Stores a record (already signed) under its id. */
export function addIntervalRecord(doc: Y.Doc, id: string, record: ReviewIntervalRecord): void {
	doc.getMap(REVIEW_INTERVALS_ROOT).set(id, encodeInterval(record));
}

/** The stored records, in no order, not verified; a value that is not one is skipped. */
export function readIntervalRecords(doc: Y.Doc): (StoredReviewInterval & ReviewIntervalRecord)[] {
	return readRecords(doc, REVIEW_INTERVALS_ROOT, decodeInterval);
}

/** The stored records, id → bytes as found (not decoded, not verified). */
export function intervalEntries(doc: Y.Doc): Map<string, unknown> {
	return mapEntries(doc, REVIEW_INTERVALS_ROOT);
}

/** The byte values an update carries that are interval records (to verify before the update is
 *  vetted, which must not wait). Reading an update never applies it. */
export function intervalBytesInUpdate(update: Uint8Array): Uint8Array[] {
	const out: Uint8Array[] = [];
	try {
		for (const s of Y.decodeUpdate(update).structs) {
			if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentBinary)) continue;
			if (decodeInterval(s.content.content)) out.push(s.content.content);
		}
	} catch {
		/* a malformed update is refused by the sync layer's own checks */
	}
	return out;
}
