// Synonym records (domain/synonym-record.ts): the signer's signature (repo/signed-record.ts, the
// scheme of publications, lifecycle records and review intervals), and the checks every receiver
// runs on its own, whoever sent the record.
//
// On receipt (CentreSharePolicy, on the centre document's signed entries), an update is refused,
// with the reason, when a record it adds: does not decode; has inconsistent fields (a group the app
// would refuse: fewer than 2 or more than 12 phrases, a phrase over 60 characters); is stored under
// another id; has a key chain that does not prove its signer; has a signature that does not verify;
// belongs to another centre; or — unless the entry's signer administers the centre — is not the
// entry signer's own, or its signer holds no role (expert, knowledge manager, administrator). It is
// refused too when it changes a stored record's bytes, or removes a record with no later verified
// record of the same group left in its place, or is a removal by someone without a role (an
// administrator excepted); and a non-administrator may not add a record past MAX_SYNONYM_RECORDS.
// Removal needs no right of the superseding record's signer (only its signature and time): an
// administrator's snapshot, which carries others' compactions, must not be refused later because
// a role was revoked since (the liveness hazard of docs/decisions.md, review intervals).
import type * as Y from 'yjs';
import {
	latestByGroup,
	liveGroups,
	mayEditSynonyms,
	supersedes,
	type LiveSynonymGroup,
	type StoredSynonymRecord,
	type SynonymRecord,
	type SynonymRecordFields
} from '../domain/synonym-record';
import {
	addSynonymRecord,
	decodeSynonymRecord,
	effectiveRolesNow,
	encodeSynonymFields,
	MAX_SYNONYM_RECORDS,
	readAdmins,
	readCentreInfo,
	readEffectiveRoles,
	readSynonyms,
	removeSynonymRecord,
	SYNONYM_LIMITS,
	synonymFieldsProblem,
	synonymRecordEntries,
	validateSynonymPhrases
} from '../schema/index';
import { sameBytes } from '../schema/append-only';
import type { AgentIdentity } from './identity';
import {
	recordId,
	RecordVerifications,
	selfCheck,
	signRecordFields,
	type RecordCheck,
	type SignerRecordFormat
} from './signed-record';

/** The record's id: hex of the first 16 bytes of the SHA-256 of its fields. */
export function synonymRecordId(f: SynonymRecordFields): Promise<string> {
	return recordId(encodeSynonymFields(f));
}

/** Signs a group (or its tombstone: no phrases) with this device's key: the record, ready to store. */
export async function signSynonymRecord(
	identity: AgentIdentity,
	f: Omit<SynonymRecordFields, 'signer'>
): Promise<SynonymRecord> {
	const fields: SynonymRecordFields = { ...f, signer: identity.agentId };
	return {
		...fields,
		chain: identity.publicKey,
		signature: await signRecordFields(identity, encodeSynonymFields(fields))
	};
}

const FORMAT: SignerRecordFormat<SynonymRecord> = {
	noun: 'a synonym record',
	decode: decodeSynonymRecord,
	fieldsProblem: synonymFieldsProblem,
	encodeFields: encodeSynonymFields
};

/** Why a record's bytes do not hold by themselves (decoding, fields, chain, signature), with its
 *  id when they do. */
export function synonymCheck(bytes: unknown): Promise<RecordCheck> {
	return selfCheck(bytes, FORMAT);
}

/** Results of synonymCheck by the record's bytes. */
export class SynonymVerifications extends RecordVerifications {
	constructor(max?: number) {
		super(synonymCheck, max);
	}
}

/** The default cache, shared by every reader. */
export const synonymVerifications = new SynonymVerifications();

/** Whether the agent may write synonym groups in this centre: a role by record, or an
 *  administrator listed at creation. */
export function mayEditSynonymsIn(doc: Y.Doc, agentId: string): boolean {
	return readAdmins(doc).has(agentId) || mayEditSynonyms(effectiveRolesNow(doc), agentId);
}

/** The stored record under `key`, if it holds leaving rights aside (verified, under its id, of
 *  this centre); else why not. Its signature must have been checked (verify first). */
function storedRecord(
	key: string,
	value: unknown,
	doc: Y.Doc,
	cache: SynonymVerifications
): { record?: StoredSynonymRecord; problem?: string } {
	if (!(value instanceof Uint8Array)) return { problem: 'it is not a synonym record' };
	const check = cache.get(value);
	if (!check) return { problem: 'its signature was not checked' };
	if (check.problem) return { problem: check.problem };
	if (check.id !== key) return { problem: 'it is stored under another id' };
	const r = decodeSynonymRecord(value)!;
	const centre = readCentreInfo(doc)?.id;
	if (r.centre !== centre) return { problem: `it belongs to another centre (${r.centre})` };
	const { chain: _c, signature: _s, ...fields } = r;
	return { record: { ...fields, id: key } };
}

/** Why the change of the synonym records from `before` (as `synonymRecordEntries` read it) to
 *  `after` (the centre document, the update applied on a copy) may not be made by `writer`, or
 *  undefined. Every record of `after` must have been checked (SynonymVerifications.verify). */
export function synonymsWriteProblem(
	before: ReadonlyMap<string, unknown>,
	after: Y.Doc,
	writer: { agentId: string; administersCentre: boolean },
	cache: SynonymVerifications = synonymVerifications
): string | undefined {
	const now = synonymRecordEntries(after);
	const mayEdit = () => writer.administersCentre || mayEditSynonymsIn(after, writer.agentId);
	let held: StoredSynonymRecord[] | undefined; // the records left, read once if something is removed
	const left = () => (held ??= [...now].flatMap(([k, v]) => storedRecord(k, v, after, cache).record ?? []));
	for (const [key, value] of before) {
		const kept = now.get(key);
		if (kept !== undefined) {
			if (!(kept instanceof Uint8Array) || !(value instanceof Uint8Array) || !sameBytes(kept, value))
				return 'changes a synonym record';
			continue;
		}
		if (!mayEdit()) return `removes a synonym record, which ${writer.agentId} (no role) may not`;
		const old = value instanceof Uint8Array ? decodeSynonymRecord(value) : undefined;
		if (!old) continue; // not a record at all: anyone with a role may clear it
		const replaced = { ...old, id: key };
		const later = left().some((r) => r.group === old.group && supersedes(r, replaced));
		if (!later) return `removes the synonym record ${key} while no later record of its group replaces it`;
	}
	let added = 0;
	for (const [key, value] of now) {
		if (before.has(key)) continue;
		added++;
		const { problem } = storedRecord(key, value, after, cache);
		if (problem) return `adds a synonym record that is refused: ${problem}`;
		if (writer.administersCentre) continue;
		const r = decodeSynonymRecord(value as Uint8Array)!;
		if (r.signer !== writer.agentId)
			return `adds a synonym record signed by ${r.signer}, which only its signer or an administrator may write`;
		if (!mayEditSynonymsIn(after, r.signer))
			return `adds a synonym record that is refused: ${r.signer} holds no role that may edit synonyms`;
	}
	if (added && !writer.administersCentre && now.size > MAX_SYNONYM_RECORDS)
		return `adds a synonym record beyond the centre's ${MAX_SYNONYM_RECORDS}`;
	return undefined;
}

/** The records that verify (of this centre, under their id), whoever signed them. */
export async function verifiedSynonymRecords(
	doc: Y.Doc,
	cache: SynonymVerifications = synonymVerifications
): Promise<StoredSynonymRecord[]> {
	const entries = synonymRecordEntries(doc);
	await cache.verify(entries.values());
	const out: StoredSynonymRecord[] = [];
	for (const [id, value] of entries) {
		const { record } = storedRecord(id, value, doc, cache);
		if (record) out.push(record);
	}
	return out;
}

/** The centre's live synonym groups, from verified records only — those whose signer holds a role
 *  now — and the plain groups an administrator wrote before records (schema/centre-synonyms.ts). */
export async function verifiedSynonymGroups(
	doc: Y.Doc,
	cache: SynonymVerifications = synonymVerifications
): Promise<LiveSynonymGroup[]> {
	await readEffectiveRoles(doc); // role records verified first: rights below are the current ones
	const counting = (await verifiedSynonymRecords(doc, cache)).filter((r) => mayEditSynonymsIn(doc, r.signer));
	return liveGroups(counting, readSynonyms(doc), SYNONYM_LIMITS.groups);
}

/** Writes a group (phrases validated first: a bad group throws and changes nothing; none retires
 *  it), signed by this device, after every record of the group it holds (its time is later than
 *  theirs whatever this device's clock says), and removes the records it supersedes. Peers check it
 *  on receipt. Returns the stored record. */
export async function writeSynonymGroup(
	doc: Y.Doc,
	identity: AgentIdentity,
	p: { group: string; phrases: readonly string[]; signerName: string; time?: number },
	cache: SynonymVerifications = synonymVerifications
): Promise<StoredSynonymRecord & SynonymRecord> {
	const centre = readCentreInfo(doc)?.id;
	if (!centre) throw new Error('The centre document has no id yet.');
	const phrases = p.phrases.length ? validateSynonymPhrases(p.phrases) : [];
	const verified = await verifiedSynonymRecords(doc, cache);
	const mine = verified.filter((r) => r.group === p.group);
	if (phrases.length) {
		const live = await verifiedSynonymGroups(doc, cache);
		if (!live.some((g) => g.id === p.group) && live.length >= SYNONYM_LIMITS.groups)
			throw new Error(`A centre holds at most ${SYNONYM_LIMITS.groups} synonym groups.`);
		if (!mine.length && synonymRecordEntries(doc).size >= MAX_SYNONYM_RECORDS)
			throw new Error(`A centre holds at most ${MAX_SYNONYM_RECORDS} synonym records.`);
	}
	const latest = latestByGroup(mine).get(p.group);
	const fields = {
		centre,
		group: p.group,
		phrases,
		signerName: p.signerName.slice(0, 200),
		time: Math.max(p.time ?? Date.now(), (latest?.time ?? 0) + 1)
	};
	const problem = synonymFieldsProblem({ ...fields, signer: identity.agentId });
	if (problem) throw new Error(`This synonym group is refused: ${problem}.`);
	const record = await signSynonymRecord(identity, fields);
	const id = await synonymRecordId(record);
	doc.transact(() => {
		addSynonymRecord(doc, id, record);
		for (const r of mine) removeSynonymRecord(doc, r.id);
	});
	await cache.verify(synonymRecordEntries(doc).values());
	return { ...record, id };
}

/** Retires a group: its signed tombstone, in place of its records. */
export function retireSynonymGroup(
	doc: Y.Doc,
	identity: AgentIdentity,
	p: { group: string; signerName: string; time?: number },
	cache: SynonymVerifications = synonymVerifications
): Promise<StoredSynonymRecord & SynonymRecord> {
	return writeSynonymGroup(doc, identity, { ...p, phrases: [] }, cache);
}
