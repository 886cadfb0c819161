// The centre's synonym groups as signed records (issue 16): a group ("carte avalée", "carte
// capturée") is written by anyone with a role in the centre — an expert of any topic, a knowledge
// manager, an administrator — as a record signed with their key (repo/synonym-records.ts), kept in
// the centre document (schema/synonym-records.ts) and verified by every peer. A later record for the
// same group id supersedes the earlier ones (latest by time, then signer id, then record id: every
// peer the same); a record without phrases retires the group (a signed tombstone). Groups written
// before records, as plain entries by an administrator (schema/centre-synonyms.ts), still count,
// below any record of the same id. Which records count (verified, signer holds a role now) is
// decided by the caller; this file only ranks them.
import type { EffectiveRoles } from './roles';

/** The signed part of a synonym record. */
export interface SynonymRecordFields {
	/** The centre it belongs to: a record cannot be replayed into another centre. */
	centre: string;
	/** The group it writes: records of one group supersede each other. */
	group: string;
	/** The group's phrases, cleaned (2–12); none: the group is retired. */
	phrases: string[];
	signer: string;
	signerName: string;
	time: number;
}

export interface SynonymRecord extends SynonymRecordFields {
	/** The signer's key chain (repo/identity.ts). */
	chain: Uint8Array;
	signature: Uint8Array;
}

/** A record as stored: with its id (its key in the centre document). */
export interface StoredSynonymRecord extends SynonymRecordFields {
	id: string;
}

/** The longest group id a record may carry. */
export const MAX_GROUP_ID = 100;

/** Whether an agent may write synonym groups: any role granted in the centre (expert of a topic,
 *  knowledge manager, administrator). Agents without a role read them. */
export function mayEditSynonyms(roles: EffectiveRoles | undefined, agentId: string): boolean {
	return !!roles && roles.rolesOf(agentId).length > 0;
}

/** Whether `a` takes effect after `b` (time, then signer id, then id: every peer the same). */
export function supersedes(a: StoredSynonymRecord, b: StoredSynonymRecord): boolean {
	if (a.time !== b.time) return a.time > b.time;
	if (a.signer !== b.signer) return a.signer > b.signer;
	return a.id > b.id;
}

/** Per group id, its latest counting record (a tombstone included). */
export function latestByGroup(counting: readonly StoredSynonymRecord[]): Map<string, StoredSynonymRecord> {
	const out = new Map<string, StoredSynonymRecord>();
	for (const r of counting) {
		const held = out.get(r.group);
		if (!held || supersedes(r, held)) out.set(r.group, r);
	}
	return out;
}

/** A live group as search and Settings see it; `record` absent for an administrator's plain entry
 *  written before records. */
export interface LiveSynonymGroup {
	id: string;
	phrases: string[];
	record?: StoredSynonymRecord;
}

/** The live groups, in id order, at most `max`: each group's latest counting record unless it is a
 *  tombstone; a plain (older) group only where no record of its id counts. */
export function liveGroups(
	counting: readonly StoredSynonymRecord[],
	plain: readonly { id: string; phrases: string[] }[],
	max: number
): LiveSynonymGroup[] {
	const latest = latestByGroup(counting);
	const out: LiveSynonymGroup[] = [];
	for (const g of plain) if (!latest.has(g.id)) out.push({ id: g.id, phrases: g.phrases });
	for (const r of latest.values())
		if (r.phrases.length) out.push({ id: r.group, phrases: r.phrases, record: r });
	out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return out.slice(0, max);
}
