// The centre document: the centre's name, floors, taxonomy and agent directory.
import * as Y from 'yjs';
import type { AgentProfile, CentreInfo, Floor } from '../domain/centre';
import { validateAgentProfile, validateFloor, validateLocalized } from '../domain/centre';
import type { TaxonomyNode } from '../domain/taxonomy';
import type { Migration } from './version';
import { writeHeader } from './version';

const floorsMap = (doc: Y.Doc) => doc.getMap<unknown>('floors');
const taxonomyMap = (doc: Y.Doc) => doc.getMap<unknown>('taxonomy');
const agentsMap = (doc: Y.Doc) => doc.getMap<unknown>('agents');

export function initCentre(
	doc: Y.Doc,
	info: CentreInfo,
	floors: readonly Floor[],
	taxonomy: readonly TaxonomyNode[],
	agents: readonly AgentProfile[] = []
): void {
	doc.transact(() => {
		writeHeader(doc, 'centre');
		const m = doc.getMap('info');
		m.set('id', info.id);
		m.set('name', info.name);
		for (const f of floors) floorsMap(doc).set(f.id, { ...f });
		for (const n of taxonomy) taxonomyMap(doc).set(n.id, { ...n });
		for (const a of agents) agentsMap(doc).set(a.id, { ...a });
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

export const centreMigrations: Migration[] = [() => {}];
