// Review-interval records (domain/review-interval.ts): the signer's signature (repo/signed-record.ts,
// the scheme of publications and lifecycle records), and the checks every receiver runs on its own,
// whoever sent the record.
//
// On receipt (CentreSharePolicy, on the centre document's signed entries), a record added by an
// update is refused, with the reason, when: it does not decode; its fields are inconsistent (days
// outside 7–730 and not 0, an unknown kind); it is stored under another id; its key chain does not
// prove the signer (unknown signer); its signature does not verify; it belongs to another centre;
// or — unless the entry's signer administers the centre — it is not the entry signer's own record,
// or its signer may not publish the topic. An update that changes or removes a record is refused,
// from anyone. Signatures are checked before the (synchronous) vetting, results cached by the
// record's bytes (`prepare`), as role records are.
//
// Why administrators' entries are not held to the topic right: an administrator's snapshot of the
// centre document carries everyone's records, and a peer that missed an expert's record and then
// the expert's revocation would otherwise refuse every later snapshot. An administrator could grant
// itself the right anyway. The derivation (countingIntervals) counts only the records whose signer
// may publish the topic NOW, so such a record is kept and does not count.
import type * as Y from 'yjs';
import {
	intervalFieldsProblem,
	type ReviewIntervalFields,
	type ReviewIntervalRecord,
	type StoredReviewInterval
} from '../domain/review-interval';
import {
	addIntervalRecord,
	decodeInterval,
	effectiveRolesNow,
	encodeIntervalFields,
	intervalEntries,
	readCentreInfo
} from '../schema/index';
import { entryChanges } from '../schema/append-only';
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
export function intervalId(f: ReviewIntervalFields): Promise<string> {
	return recordId(encodeIntervalFields(f));
}

/** Signs an interval setting with this device's key: the record, ready to store. */
export async function signInterval(
	identity: AgentIdentity,
	f: Omit<ReviewIntervalFields, 'signer'>
): Promise<ReviewIntervalRecord> {
	const fields: ReviewIntervalFields = { ...f, signer: identity.agentId };
	return {
		...fields,
		chain: identity.publicKey,
		signature: await signRecordFields(identity, encodeIntervalFields(fields))
	};
}

const FORMAT: SignerRecordFormat<ReviewIntervalRecord> = {
	noun: 'a review interval record',
	decode: decodeInterval,
	fieldsProblem: intervalFieldsProblem,
	encodeFields: encodeIntervalFields
};

/** Why a record's bytes do not hold by themselves (decoding, fields, chain, signature), with its
 *  id when they do. */
export function intervalCheck(bytes: unknown): Promise<RecordCheck> {
	return selfCheck(bytes, FORMAT);
}

/** Results of intervalCheck by the record's bytes. */
export class IntervalVerifications extends RecordVerifications {
	constructor(max?: number) {
		super(intervalCheck, max);
	}
}

/** The default cache, shared by every reader (results depend on the bytes alone). */
export const intervalVerifications = new IntervalVerifications();

/** Why one record stored under `key` in the centre document `doc` does not hold, leaving rights
 *  aside, or undefined; `unchecked` when its signature was not checked yet (call verify first). */
function storedProblem(
	key: string,
	value: unknown,
	doc: Y.Doc,
	cache: IntervalVerifications
): string | undefined {
	if (!(value instanceof Uint8Array)) return 'it is not a review interval record';
	const check = cache.get(value);
	if (!check) return 'its signature was not checked';
	if (check.problem) return check.problem;
	if (check.id !== key) return 'it is stored under another id';
	const centre = readCentreInfo(doc)?.id;
	const r = decodeInterval(value)!;
	if (r.centre !== centre) return `it belongs to another centre (${r.centre})`;
	return undefined;
}

/** Why the change of the intervals map from `before` (as `intervalEntries` read it) to `after` (the
 *  centre document, the update applied on a copy) may not be made by `writer`, or undefined. Every
 *  record added must have been checked (IntervalVerifications.verify) before. */
export function intervalsWriteProblem(
	before: ReadonlyMap<string, unknown>,
	after: Y.Doc,
	writer: { agentId: string; administersCentre: boolean },
	cache: IntervalVerifications = intervalVerifications
): string | undefined {
	const { added, altered } = entryChanges(before, intervalEntries(after));
	if (altered) return 'changes or removes a review interval record';
	for (const [key, value] of added) {
		const problem = storedProblem(key, value, after, cache);
		if (problem) return `adds a review interval record that is refused: ${problem}`;
		if (writer.administersCentre) continue;
		const r = decodeInterval(value as Uint8Array)!;
		if (r.signer !== writer.agentId)
			return `adds a review interval record signed by ${r.signer}, which only its signer or an administrator may write`;
		if (!effectiveRolesNow(after).mayPublish(r.signer, r.topic))
			return `adds a review interval record that is refused: ${r.signer} may not set the review interval of topic ${r.topic}`;
	}
	return undefined;
}

/** The records that count: verified, of this centre, kept under their id, signed by someone who may
 *  publish the topic now (`mayPublish`). */
export async function countingIntervals(
	doc: Y.Doc,
	mayPublish: (agentId: string, topic: string) => boolean,
	cache: IntervalVerifications = intervalVerifications
): Promise<StoredReviewInterval[]> {
	return (await verifiedIntervals(doc, cache)).filter((r) => mayPublish(r.signer, r.topic));
}

/** The records that verify (of this centre, under their id), whoever signed them: the caller
 *  keeps those whose signer may publish the topic (rights change without the records changing). */
export async function verifiedIntervals(
	doc: Y.Doc,
	cache: IntervalVerifications = intervalVerifications
): Promise<StoredReviewInterval[]> {
	const entries = intervalEntries(doc);
	await cache.verify(entries.values());
	const out: StoredReviewInterval[] = [];
	for (const [id, value] of entries) {
		if (storedProblem(id, value, doc, cache)) continue;
		const r = decodeInterval(value as Uint8Array)!;
		out.push({
			id,
			centre: r.centre,
			topic: r.topic,
			kind: r.kind,
			days: r.days,
			signer: r.signer,
			signerName: r.signerName,
			time: r.time
		});
	}
	return out;
}

/** Sets a topic's interval for a kind (or all kinds; `days` 0: back to what applies above), signed
 *  by this device, in the centre document; peers verify it on receipt. Throws for a value out of
 *  bounds. Returns the stored record. */
export async function setReviewInterval(
	doc: Y.Doc,
	identity: AgentIdentity,
	p: Pick<ReviewIntervalFields, 'topic' | 'kind' | 'days' | 'signerName'> & { time?: number },
	cache: IntervalVerifications = intervalVerifications
): Promise<StoredReviewInterval & ReviewIntervalRecord> {
	const centre = readCentreInfo(doc)?.id;
	if (!centre) throw new Error('The centre document has no id yet.');
	const fields = {
		centre,
		topic: p.topic,
		kind: p.kind,
		days: p.days,
		signerName: p.signerName.slice(0, 200),
		time: p.time ?? Date.now()
	};
	const problem = intervalFieldsProblem({ ...fields, signer: identity.agentId });
	if (problem) throw new Error(`This review interval is refused: ${problem}.`);
	const record = await signInterval(identity, fields);
	const id = await intervalId(record);
	addIntervalRecord(doc, id, record);
	await cache.verify(intervalEntries(doc).values());
	return { ...record, id };
}
