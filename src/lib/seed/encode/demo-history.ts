// The demo centre's history (demo/history.yaml): for each article, its published revisions, oldest
// first, with their change notes, dates and publishers, and a draft in progress where there is one.
// An article file is its draft as it stands; each earlier version is derived from the next by undoing
// that version's `changes` (text replacements of the file, front matter included), so the History
// panel compares versions that really differ (a step added, a wording changed, a threshold moved).
//
// The revisions are signed records like any publication (repo/revisions.ts): each demo agent who
// publishes gets a key made by `npm run seed` and thrown away after signing, so the agent ids of the
// demo directory are key-derived like real ones, and every peer verifies the demo's revisions with
// the same code and the demo's signed roles. demo/history.signed.json keeps what cannot be derived
// again — each agent's key chain and each revision's signature — so the seed encodes the same bytes
// every time; it is signed again (all of it, with fresh keys) only when a signature no longer holds.
import { parse as parseYaml } from 'yaml';
import type { BodyNode } from '../../domain/body';
import { fromBase64, toBase64 } from '../../domain/base64';
import { PROCEDURE_NODES as N } from '../../domain/procedure';
import type { RevisionFields, RevisionRecord } from '../../domain/revision';
import { agentIdOf } from '../../domain/key-chain';
import { generateIdentity, type AgentIdentity } from '../../repo/identity';
import { revisionId, revisionProblem, signRevision, snapshotDigest } from '../../repo/revisions';
import { decodeSnapshot } from '../../domain/revision';
import { encodeRevision } from '../../schema/index';

export const HISTORY_FILE = 'history.yaml';
export const SIGNED_HISTORY_FILE = 'history.signed.json';

/** One text replacement: `now` is in the later version, `was` in the earlier. */
export interface TextChange {
	was: string;
	now: string;
}

export interface HistoryRevision {
	date: string;
	/** Demo agent id as centre.yaml writes it; the article's owner when absent. */
	by: string;
	note: string;
	/** What this revision changed from the one before (absent on the first). */
	changes: TextChange[];
}

export interface ArticleHistory {
	revisions: HistoryRevision[];
	draft?: { date: string; by: string[]; changes: TextChange[] };
}

/** A revision ready to sign or to check: its fields (publisher still a centre.yaml id), its content. */
export interface PlannedRevision {
	articleId: string;
	number: number;
	note: string;
	/** centre.yaml agent id of the publisher. */
	by: string;
	time: number;
	/** The snapshot's canonical bytes (domain/revision.ts encodeSnapshot). */
	snapshot: Uint8Array;
}

/** What demo/history.signed.json holds. */
export interface SignedHistory {
	/** centre.yaml agent id → base64 key chain (the agent's key: its id is the chain's). */
	agents: Record<string, string>;
	/** article id → base64 signature of each revision, in revision order. */
	signatures: Record<string, string[]>;
}

/** The time of a date in the history: 09:00 UTC that day. */
export function historyTime(date: string, what: string): number {
	const time = Date.parse(`${date}T09:00:00Z`);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(time)) throw new Error(`${what}: bad date ${date}`);
	return time;
}

const asText = (v: unknown, what: string): string => {
	if (typeof v !== 'string' || !v) throw new Error(`${what}: expected text`);
	return v;
};

function readChanges(input: unknown, what: string): TextChange[] {
	if (input === undefined) return [];
	if (!Array.isArray(input)) throw new Error(`${what}: changes must be a list`);
	return input.map((c: Record<string, unknown>, i) => ({
		was: typeof c.was === 'string' ? c.was : '',
		now: asText(c.now, `${what} change ${i + 1} (now)`)
	}));
}

/** history.yaml, checked: dates in order, known agents, every article known. */
export function readDemoHistory(
	text: string,
	articles: ReadonlyMap<string, { owner?: string; status: string }>,
	agents: ReadonlySet<string>
): Map<string, ArticleHistory> {
	const input = (parseYaml(text) ?? {}) as Record<string, Record<string, unknown>>;
	const out = new Map<string, ArticleHistory>();
	const agent = (id: unknown, what: string) => {
		const a = asText(id, what);
		if (!agents.has(a)) throw new Error(`${what}: unknown agent ${a}`);
		return a;
	};
	for (const [id, entry] of Object.entries(input)) {
		const article = articles.get(id);
		if (!article) throw new Error(`history: unknown article ${id}`);
		if (article.status !== 'published') throw new Error(`history: ${id} is not published`);
		const list = entry.revisions as Record<string, unknown>[] | undefined;
		if (!Array.isArray(list) || !list.length) throw new Error(`history: ${id} lists no revision`);
		const revisions = list.map((r, i): HistoryRevision => {
			const what = `history: ${id} revision ${i + 1}`;
			const changes = readChanges(r.changes, what);
			if (i > 0 && !changes.length) throw new Error(`${what}: no changes`);
			if (i === 0 && changes.length) throw new Error(`${what}: the first revision has no changes`);
			return {
				date: asText(r.date instanceof Date ? r.date.toISOString().slice(0, 10) : r.date, what),
				by: agent(r.by ?? article.owner, `${what} (by)`),
				note: asText(r.note, `${what} (note)`),
				changes
			};
		});
		const h: ArticleHistory = { revisions };
		const d = entry.draft as Record<string, unknown> | undefined;
		if (d) {
			const what = `history: ${id} draft`;
			const by = (Array.isArray(d.by) ? d.by : [d.by]).map((a) => agent(a, `${what} (by)`));
			h.draft = {
				date: asText(d.date instanceof Date ? d.date.toISOString().slice(0, 10) : d.date, what),
				by,
				changes: readChanges(d.changes, what)
			};
			if (!h.draft.changes.length) throw new Error(`${what}: no changes`);
		}
		const dates = [...revisions.map((r) => r.date), ...(h.draft ? [h.draft.date] : [])];
		for (let i = 1; i < dates.length; i++)
			if (historyTime(dates[i]!, id) <= historyTime(dates[i - 1]!, id))
				throw new Error(`history: ${id}: dates must go forward (${dates[i - 1]} then ${dates[i]})`);
		out.set(id, h);
	}
	return out;
}

/** The earlier version of a text: every change undone (each `now` must occur exactly once). */
export function undoChanges(text: string, changes: readonly TextChange[], what: string): string {
	let out = text;
	for (const c of changes) {
		const at = out.indexOf(c.now);
		if (at < 0) throw new Error(`${what}: "${c.now.slice(0, 60)}" is not in the later version`);
		if (out.indexOf(c.now, at + 1) >= 0)
			throw new Error(`${what}: "${c.now.slice(0, 60)}" occurs more than once`);
		out = out.slice(0, at) + c.was + out.slice(at + c.now.length);
	}
	return out;
}

/** The steps node of a procedure body, if any. */
function stepsOf(body: readonly BodyNode[]): BodyNode[] {
	return body.find((n) => n.type === N.steps)?.content ?? [];
}

function plain(node: BodyNode | undefined): string {
	if (!node) return '';
	if (node.text) return node.text;
	return (node.content ?? []).map(plain).join('');
}

function words(text: string): Set<string> {
	return new Set(
		text
			.toLowerCase()
			.split(/[^\p{L}\p{N}]+/u)
			.filter((w) => w.length >= 4)
	);
}

/** Gives an older version's steps the ids they have in the newer version (a step keeps its id when
 *  another is inserted before it, as in the editor), matched by their action's
 *  words; a step with no
 *  counterpart gets a new id. Decisions are re-pointed accordingly. Changes `older` in place. */
export function keepStepIds(older: BodyNode[], newer: readonly BodyNode[], freshPrefix: string): void {
	const candidates = stepsOf(newer).map((s) => ({
		id: String(s.attrs?.id),
		words: words(plain(s.content?.find((c) => c.type === N.action)))
	}));
	const used = new Set<string>();
	const renamed = new Map<string, string>();
	const steps = stepsOf(older);
	steps.forEach((step, k) => {
		const w = words(plain(step.content?.find((c) => c.type === N.action)));
		let best: { id: string; score: number } | undefined;
		for (const c of candidates) {
			if (used.has(c.id)) continue;
			let common = 0;
			for (const x of w) if (c.words.has(x)) common++;
			// Shared words over the shorter action: a step whose action was rewritten around its
			// words stays the same step.
			const score = common / Math.max(1, Math.min(w.size, c.words.size));
			if (score >= 0.6 && (!best || score > best.score)) best = { id: c.id, score };
		}
		const id = best?.id ?? `${freshPrefix}-s${k + 1}`;
		used.add(id);
		renamed.set(String(step.attrs?.id), id);
		step.attrs = { ...step.attrs, id };
	});
	for (const step of steps)
		for (const part of step.content ?? [])
			if (part.type === N.decision && typeof part.attrs?.target === 'string')
				part.attrs = { ...part.attrs, target: renamed.get(part.attrs.target) ?? null };
}

/** The agents whose keys sign: every publisher of the history. */
export function publishersOf(plans: ReadonlyMap<string, PlannedRevision[]>): string[] {
	const set = new Set<string>();
	for (const list of plans.values()) for (const r of list) set.add(r.by);
	return [...set].sort();
}

/** Agent ids of the signed file's chains (centre.yaml id → key-derived id). */
export async function agentIdsOf(signed: SignedHistory): Promise<Map<string, string>> {
	const out = new Map<string, string>();
	for (const [readable, chain] of Object.entries(signed.agents)) {
		const bytes = fromBase64(chain);
		if (!bytes) throw new Error(`${SIGNED_HISTORY_FILE}: bad chain for ${readable}`);
		out.set(readable, await agentIdOf(bytes.subarray(0, 65)));
	}
	return out;
}

/** The record of a planned revision, with its chain and signature from the signed file. */
export async function recordOf(
	p: PlannedRevision,
	chain: Uint8Array,
	signature: Uint8Array,
	publisher: string,
	publisherName: string
): Promise<{ id: string; record: RevisionRecord }> {
	const snapshot = decodeSnapshot(p.snapshot);
	if (!snapshot) throw new Error(`${p.articleId} revision ${p.number}: not a snapshot`);
	const fields: RevisionFields = {
		articleId: p.articleId,
		number: p.number,
		previous: p.number - 1,
		topic: snapshot.node,
		digest: await snapshotDigest(p.snapshot),
		note: p.note,
		publisher,
		publisherName,
		time: p.time
	};
	return { id: await revisionId(fields), record: { ...fields, snapshot: p.snapshot, chain, signature } };
}

/** The signed records of every planned revision (article id → [id, record] in order), or the reason
 *  the signed file does not hold them (missing, or a signature that no longer verifies: the content
 *  changed). Rights are not judged here: the seed's tests judge them with the demo's roles. */
export async function signedRecords(
	plans: ReadonlyMap<string, PlannedRevision[]>,
	signed: SignedHistory | undefined,
	names: ReadonlyMap<string, string>
): Promise<{ records: Map<string, { id: string; record: RevisionRecord }[]> } | { problem: string }> {
	if (!signed) return { problem: `${SIGNED_HISTORY_FILE} is missing` };
	const ids = await agentIdsOf(signed);
	const records = new Map<string, { id: string; record: RevisionRecord }[]>();
	for (const [articleId, list] of plans) {
		const sigs = signed.signatures[articleId] ?? [];
		if (sigs.length !== list.length) return { problem: `${articleId}: ${list.length} revisions to sign` };
		const out: { id: string; record: RevisionRecord }[] = [];
		for (const [i, p] of list.entries()) {
			const chain = signed.agents[p.by];
			const publisher = ids.get(p.by);
			if (!chain || !publisher) return { problem: `${p.by} has no key` };
			const r = await recordOf(
				p,
				fromBase64(chain)!,
				fromBase64(sigs[i]!)!,
				publisher,
				names.get(p.by) ?? p.by
			);
			const problem = await revisionProblem(encodeRevision(r.record), articleId, () => true, r.id);
			if (problem) return { problem: `${articleId} revision ${p.number}: ${problem}` };
			out.push(r);
		}
		records.set(articleId, out);
	}
	if (Object.keys(signed.signatures).some((id) => !plans.has(id)))
		return { problem: `${SIGNED_HISTORY_FILE} signs articles without history` };
	return { records };
}

/** Signs every planned revision with fresh keys, one per publisher (then forgotten). */
export async function signDemoHistory(
	plans: ReadonlyMap<string, PlannedRevision[]>,
	agents: readonly string[],
	names: ReadonlyMap<string, string>
): Promise<SignedHistory> {
	const keys = new Map<string, AgentIdentity>();
	for (const a of agents) keys.set(a, await generateIdentity());
	const signed: SignedHistory = { agents: {}, signatures: {} };
	for (const [a, identity] of keys) signed.agents[a] = toBase64(identity.publicKey);
	for (const [articleId, list] of plans) {
		const sigs: string[] = [];
		for (const p of list) {
			const identity = keys.get(p.by);
			if (!identity) throw new Error(`${p.by} has no key`);
			const snapshot = decodeSnapshot(p.snapshot)!;
			const record = await signRevision(identity, {
				articleId,
				snapshot,
				number: p.number,
				previous: p.number - 1,
				note: p.note,
				publisherName: names.get(p.by) ?? p.by,
				time: p.time
			});
			sigs.push(toBase64(record.signature));
		}
		signed.signatures[articleId] = sigs;
	}
	return signed;
}
