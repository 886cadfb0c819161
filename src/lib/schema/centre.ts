// The centre document: the centre's name, floors, taxonomy, administrators and agent directory.
// Who may change what (enforced by every peer on what it receives, see centreWriteProblem): its
// administrators change anything; any other proven agent only its own directory entry. An
// administrator is one by a signed role record (schema/roles.ts; the founder's genesis record is
// the root), or, for centres made before role records, one listed in `admins` at creation (that list
// is fixed afterwards). Nobody administers the demo centre, whose fields are therefore fixed.
import * as Y from 'yjs';
import type { AgentProfile, CentreInfo, Floor } from '../domain/centre';
import { validateAgentProfile, validateFloor, validateLocalized } from '../domain/centre';
import type { TaxonomyNode } from '../domain/taxonomy';
import type { Migration } from './version';
import { writeHeader } from './version';

const floorsMap = (doc: Y.Doc) => doc.getMap<unknown>('floors');
const taxonomyMap = (doc: Y.Doc) => doc.getMap<unknown>('taxonomy');
const agentsMap = (doc: Y.Doc) => doc.getMap<unknown>('agents');
/** Administrators listed at creation: agent id → public key (base64, raw P-256; the id is the key's
 *  hash). Fixed after creation: later administrators are granted by signed role records. */
const adminsMap = (doc: Y.Doc) => doc.getMap<unknown>('admins');

export function initCentre(
	doc: Y.Doc,
	info: CentreInfo,
	floors: readonly Floor[],
	taxonomy: readonly TaxonomyNode[],
	agents: readonly AgentProfile[] = [],
	admins: readonly { agentId: string; publicKey: string }[] = []
): void {
	doc.transact(() => {
		writeHeader(doc, 'centre');
		const m = doc.getMap('info');
		m.set('id', info.id);
		m.set('name', info.name);
		// The founder: the first administrator, whose genesis role record is the root of trust.
		if (admins[0]) m.set('founder', admins[0].agentId);
		for (const f of floors) floorsMap(doc).set(f.id, { ...f });
		for (const n of taxonomy) taxonomyMap(doc).set(n.id, { ...n });
		for (const a of agents) agentsMap(doc).set(a.id, { ...a });
		for (const a of admins) adminsMap(doc).set(a.agentId, a.publicKey);
	});
}

export function readCentreInfo(doc: Y.Doc): CentreInfo | undefined {
	const m = doc.getMap('info');
	const id = m.get('id');
	if (typeof id !== 'string') return undefined;
	try {
		return { id, name: validateLocalized(m.get('name'), 'name') };
	} catch {
		return { id, name: { fr: id, en: id } };
	}
}

export function readFloors(doc: Y.Doc): Floor[] {
	const out: Floor[] = [];
	floorsMap(doc).forEach((value) => {
		try {
			out.push(validateFloor(value));
		} catch {
			/* a malformed floor from a peer is skipped */
		}
	});
	return out.sort((a, b) => a.name.fr.localeCompare(b.name.fr));
}

export function readTaxonomy(doc: Y.Doc): TaxonomyNode[] {
	const out: TaxonomyNode[] = [];
	taxonomyMap(doc).forEach((value, id) => {
		if (typeof value !== 'object' || value === null) return;
		const v = value as Record<string, unknown>;
		try {
			out.push({
				id,
				parent: typeof v.parent === 'string' ? v.parent : undefined,
				label: validateLocalized(v.label, 'label'),
				order: typeof v.order === 'number' ? v.order : 0
			});
		} catch {
			/* skipped: see readFloors */
		}
	});
	return out;
}

export function readAgents(doc: Y.Doc): AgentProfile[] {
	const out: AgentProfile[] = [];
	agentsMap(doc).forEach((value) => {
		try {
			out.push(validateAgentProfile(value));
		} catch {
			/* skipped: see readFloors */
		}
	});
	return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function putAgent(doc: Y.Doc, agent: AgentProfile): void {
	agentsMap(doc).set(agent.id, { ...validateAgentProfile(agent, readFloors(doc)) });
}

/** Removes an agent from the directory (a profile that moved to a new id). */
export function removeAgent(doc: Y.Doc, agentId: string): void {
	agentsMap(doc).delete(agentId);
}

/** Observes any change to the centre document; returns the unsubscribe function. */
export function observeCentre(doc: Y.Doc, onChange: () => void): () => void {
	const handler = () => onChange();
	doc.on('update', handler);
	return () => doc.off('update', handler);
}

/** The centre's administrators: agent id → public key (base64). */
export function readAdmins(doc: Y.Doc): Map<string, string> {
	const out = new Map<string, string>();
	adminsMap(doc).forEach((key, id) => {
		if (typeof key === 'string') out.set(id, key);
	});
	return out;
}

/** The agent who proved `publicKey` may change the centre's fields (an administrator). */
export function isCentreAdmin(doc: Y.Doc, agentId: string, publicKey: string | undefined): boolean {
	return !!publicKey && readAdmins(doc).get(agentId) === publicKey;
}

/** Whether the document holds no centre yet (nothing received but directory entries): its first
 *  fields are accepted from any proven peer, trust on first use until centres are created signed. */
export function isCentreUnset(doc: Y.Doc): boolean {
	return typeof doc.getMap('info').get('id') !== 'string' && adminsMap(doc).size === 0;
}

/** Everything of the centre document except one agent's directory entry, as one comparable string:
 *  equal before and after an update means the update changed nothing else. Every root is read
 *  (an unknown root an update creates shows up too), both its entries and any list content. */
export function centreOutsideEntry(doc: Y.Doc, agentId: string): string {
	const roots: unknown[] = [];
	for (const name of [...doc.share.keys()].sort()) {
		const type = doc.getMap<unknown>(name);
		const entries: [string, unknown][] = [];
		for (const [key, item] of [...type._map].sort(([a], [b]) => (a < b ? -1 : 1))) {
			if (item.deleted || (name === 'agents' && key === agentId)) continue;
			if (name === 'roles') continue; // signed role records: judged by rolesWriteProblem
			// Topics' review intervals: signed records, judged by repo/review-intervals.ts.
			if (name === 'reviewIntervals') continue;
			// Synonym groups as signed records: judged by repo/synonym-records.ts.
			if (name === 'synonymRecords') continue;
			entries.push([key, plain(item.content.getContent().at(-1))]);
		}
		const list: unknown[] = [];
		for (let item = type._start; item; item = item.right)
			if (!item.deleted) list.push(...item.content.getContent().map(plain));
		// A root with nothing in it shows nothing (the agent's own entry may be the first one).
		if (entries.length || list.length) roots.push([name, entries, list]);
	}
	return JSON.stringify(roots);
}

/** Why a change of the creation-time administrators list is refused (it is fixed once the centre is
 *  set: later administrators come by signed role records, which peers verify), or undefined. */
export function adminsChangeProblem(before: ReadonlyMap<string, string>, after: Y.Doc): string | undefined {
	const now = readAdmins(after);
	const same = now.size === before.size && [...now].every(([id, key]) => before.get(id) === key);
	return same
		? undefined
		: 'changes the administrators list, which only an administrator may, through a signed role record';
}

/** Why the change from `before` to `after` (the same document, an update applied) is not one the
 *  agent `agentId` may make as a non-administrator, or undefined if it is: only its own directory
 *  entry, set to a valid profile with its own id (or removed). */
export function centreWriteProblem(before: string, after: Y.Doc, agentId: string): string | undefined {
	if (centreOutsideEntry(after, agentId) !== before)
		return 'changes the centre’s fields or another agent’s directory entry, which only an administrator may';
	const entry = agentsMap(after).get(agentId);
	if (entry === undefined) return undefined;
	try {
		if (validateAgentProfile(entry).id !== agentId) return 'writes a directory entry under another id';
	} catch {
		return 'writes a malformed directory entry';
	}
	return undefined;
}

function plain(value: unknown): unknown {
	return value instanceof Y.AbstractType ? value.toJSON() : value;
}

export const centreMigrations: Migration[] = [() => {}];
