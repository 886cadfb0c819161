// Where the centre's signed synonym records live (domain/synonym-record.ts): a `synonymRecords`
// Y.Map of the centre document, record id → the record's bytes. Keyed by record id, not group id,
// so two people editing one group at once both keep their record and every peer picks the same
// latest (a key per group would let Yjs's merge order, not time, choose). Each added record must
// verify and be signed by someone with a role (repo/synonym-records.ts); a record may be removed
// only once a later record of its group is there (compaction: the editor removes the ones it
// supersedes in the same change, so a group holds one record, its tombstone once retired). This
// file holds their byte encoding, their field checks and the map's reading and writing.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import {
	MAX_GROUP_ID,
	type StoredSynonymRecord,
	type SynonymRecord,
	type SynonymRecordFields
} from '../domain/synonym-record';
import { mapEntries } from './append-only';
import { SYNONYM_LIMITS, validateSynonymPhrases } from './centre-synonyms';

const TAG = 'plateau/synonym-group/v1';
const VERSION = 1;
/** The map's name in the centre document. */
export const SYNONYM_RECORDS_ROOT = 'synonymRecords';
/** Records a centre holds at most: every live group's (500) and as many retired groups'
 *  tombstones. A peer refuses a non-administrator's update that adds a record beyond it. */
export const MAX_SYNONYM_RECORDS = 2 * SYNONYM_LIMITS.groups;

/** Why a record's own fields are inconsistent (before any signature is checked), or undefined. */
export function synonymFieldsProblem(f: SynonymRecordFields): string | undefined {
	if (!f.centre || !f.group || !f.signer) return 'it lacks a centre, a group or a signer';
	if (f.group.length > MAX_GROUP_ID || f.signerName.length > 200)
		return 'its group id or signer name is too long';
	if (!Number.isFinite(f.time) || f.time <= 0) return 'its time is not valid';
	if (f.phrases.length === 0) return undefined; // a tombstone: the group is retired
	let clean: string[];
	try {
		clean = validateSynonymPhrases(f.phrases);
	} catch (err) {
		return (err as Error).message;
	}
	if (clean.length !== f.phrases.length || clean.some((p, i) => p !== f.phrases[i]))
		return 'its phrases are not as the app cleans them (spaces, repeats)';
	return undefined;
}

/** The canonical encoding of a record's signed fields: a tag, then the fields in a fixed order. */
export function encodeSynonymFields(f: SynonymRecordFields): Uint8Array {
	const enc = encoding.createEncoder();
	encoding.writeVarString(enc, TAG);
	encoding.writeVarString(enc, f.centre);
	encoding.writeVarString(enc, f.group);
	encoding.writeVarUint(enc, f.phrases.length);
	for (const p of f.phrases) encoding.writeVarString(enc, p);
	encoding.writeVarString(enc, f.signer);
	encoding.writeVarString(enc, f.signerName);
	encoding.writeFloat64(enc, f.time);
	return encoding.toUint8Array(enc);
}

export function encodeSynonymRecord(r: SynonymRecord): Uint8Array {
	const enc = encoding.createEncoder();
	encoding.writeVarUint(enc, VERSION);
	encoding.writeVarUint8Array(enc, encodeSynonymFields(r));
	encoding.writeVarUint8Array(enc, r.chain);
	encoding.writeVarUint8Array(enc, r.signature);
	return encoding.toUint8Array(enc);
}

/** A record back from its bytes; undefined when they are not one. */
export function decodeSynonymRecord(bytes: Uint8Array): SynonymRecord | undefined {
	try {
		const d = decoding.createDecoder(bytes);
		if (decoding.readVarUint(d) !== VERSION) return undefined;
		const f = decoding.createDecoder(decoding.readVarUint8Array(d));
		if (decoding.readVarString(f) !== TAG) return undefined;
		const centre = decoding.readVarString(f);
		const group = decoding.readVarString(f);
		const count = decoding.readVarUint(f);
		if (count > SYNONYM_LIMITS.phrases) return undefined;
		const phrases: string[] = [];
		for (let i = 0; i < count; i++) phrases.push(decoding.readVarString(f));
		const record: SynonymRecord = {
			centre,
			group,
			phrases,
			signer: decoding.readVarString(f),
			signerName: decoding.readVarString(f),
			time: decoding.readFloat64(f),
			chain: decoding.readVarUint8Array(d),
			signature: decoding.readVarUint8Array(d)
		};
		if (decoding.hasContent(d) || decoding.hasContent(f)) return undefined;
		return record;
	} catch {
		return undefined;
	}
}

/** Stores a record (already signed) under its id. */
export function addSynonymRecord(doc: Y.Doc, id: string, record: SynonymRecord): void {
	doc.getMap(SYNONYM_RECORDS_ROOT).set(id, encodeSynonymRecord(record));
}

/** Removes a stored record (peers accept it only when a later record of its group is there). */
export function removeSynonymRecord(doc: Y.Doc, id: string): void {
	doc.getMap(SYNONYM_RECORDS_ROOT).delete(id);
}

/** The stored records, in no order, not verified; a value that is not one is skipped. */
export function readSynonymRecords(doc: Y.Doc): (StoredSynonymRecord & SynonymRecord)[] {
	const out: (StoredSynonymRecord & SynonymRecord)[] = [];
	doc.getMap(SYNONYM_RECORDS_ROOT).forEach((value, id) => {
		const r = value instanceof Uint8Array ? decodeSynonymRecord(value) : undefined;
		if (r) out.push({ ...r, id });
	});
	return out;
}

/** The stored records, id → bytes as found (not decoded, not verified). */
export function synonymRecordEntries(doc: Y.Doc): Map<string, unknown> {
	return mapEntries(doc, SYNONYM_RECORDS_ROOT);
}

/** The byte values an update carries that are synonym records (to verify before the update is
 *  vetted, which must not wait). Reading an update never applies it. */
export function synonymBytesInUpdate(update: Uint8Array): Uint8Array[] {
	const out: Uint8Array[] = [];
	try {
		for (const s of Y.decodeUpdate(update).structs) {
			if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentBinary)) continue;
			if (decodeSynonymRecord(s.content.content)) out.push(s.content.content);
		}
	} catch {
		/* a malformed update is refused by the sync layer's own checks */
	}
	return out;
}
