import * as Y from 'yjs';
import { parse as parseYaml } from 'yaml';
import { validateArticleMeta, type ArticleMeta } from '../../domain/article';
import type { BodyNode } from '../../domain/body';
import { validateAgentProfile, validateFloor, validateLocalized } from '../../domain/centre';
import type { AgentProfile, Floor } from '../../domain/centre';
import { docId, KB_SPACE } from '../../domain/ids';
import type { TaxonomyNode } from '../../domain/taxonomy';
import type { CatalogEntry } from '../../domain/catalog';
import { encodeSnapshot, snapshotOf } from '../../domain/revision';
import {
	addRevision,
	articleEntry,
	initArticle,
	initCentre,
	initSpace,
	markDraftEditor,
	putCatalogEntries,
	putDemoRoles,
	readArticleBody,
	readArticleMeta
} from '../../schema/index';
import type { SeedFile } from '../seed';
import { SEED_CLIENT_ID, SEED_FORMAT } from '../seed';
import { markdownToBody } from './markdown-to-body';
import { structureProcedure } from './procedure-structure';
import { readDemoRoleGrants, type DemoRoleGrant, type SignedDemoRoles } from './demo-roles';
import {
	agentIdsOf,
	HISTORY_FILE,
	historyTime,
	keepStepIds,
	readDemoHistory,
	SIGNED_HISTORY_FILE,
	signedRecords,
	undoChanges,
	type ArticleHistory,
	type PlannedRevision,
	type SignedHistory
} from './demo-history';

export interface DemoSource {
	centre: { id: string; name: { fr: string; en: string } };
	floors: Floor[];
	agents: AgentProfile[];
	taxonomy: TaxonomyNode[];
	articles: { id: string; meta: ArticleMeta; body: BodyNode[] }[];
	/** Roles as centre.yaml lists them, and as signed in roles.signed.json (absent until signed). */
	roles: DemoRoleGrant[];
	signedRoles?: SignedDemoRoles;
	/** Published articles' revisions, oldest first (demo/history.yaml). */
	plans: Map<string, PlannedRevision[]>;
	/** Articles with a draft in progress: who is changing it (centre.yaml ids). */
	draftEditors: Map<string, string[]>;
	/** Keys and signatures of the revisions (absent until signed). */
	signedHistory?: SignedHistory;
}

export const SIGNED_ROLES_FILE = 'roles.signed.json';

export function readDemoSource(
	dir: string,
	readdir: (p: string) => string[],
	read: (p: string) => string
): DemoSource {
	const centre = parseYaml(read(`${dir}/centre.yaml`)) as Record<string, unknown>;
	const floors = (centre.floors as unknown[]).map(validateFloor);
	const order = new Map<string, number>();
	const taxonomy = (centre.taxonomy as Record<string, string>[]).map((n) => {
		const parent = n.id!.includes('.') ? n.id!.slice(0, n.id!.lastIndexOf('.')) : undefined;
		const o = order.get(parent ?? '') ?? 0;
		order.set(parent ?? '', o + 1);
		const node: TaxonomyNode = { id: n.id!, label: validateLocalized(n, n.id!), order: o };
		if (parent) node.parent = parent;
		return node;
	});
	const nodeIds = new Set(taxonomy.map((n) => n.id));
	for (const n of taxonomy)
		if (n.parent && !nodeIds.has(n.parent)) throw new Error(`${n.id}: parent ${n.parent} missing`);
	const agents = (centre.agents as unknown[]).map((a) => validateAgentProfile(a, floors));
	const roles = readDemoRoleGrants(
		centre.roles,
		new Set(agents.map((a) => a.id)),
		new Set(floors.map((f) => f.id)),
		nodeIds
	);
	let signedRoles: SignedDemoRoles | undefined;
	try {
		signedRoles = JSON.parse(read(`${dir}/${SIGNED_ROLES_FILE}`)) as SignedDemoRoles;
	} catch {
		signedRoles = undefined; // not signed yet: `npm run seed` signs them
	}

	const files = readdir(`${dir}/articles`)
		.filter((f) => f.endsWith('.md'))
		.sort()
		.map((file) => ({ file, text: read(`${dir}/articles/${file}`) }));
	const parse = (file: string, text: string) => parseArticle(file, text, floors, nodeIds);
	const drafts = files.map(({ file, text }) => ({ ...parse(file, text), file, text }));
	const ids = new Set(drafts.map((a) => a.id));
	for (const a of drafts)
		if (a.meta.translationOf && !ids.has(a.meta.translationOf))
			throw new Error(`${a.id}: translates unknown article ${a.meta.translationOf}`);

	const historyText = (() => {
		try {
			return read(`${dir}/${HISTORY_FILE}`);
		} catch {
			return ''; // no history: every published article gets one revision
		}
	})();
	const history = readDemoHistory(
		historyText,
		new Map(drafts.map((a) => [a.id, a.meta])),
		new Set(agents.map((a) => a.id))
	);
	let signedHistory: SignedHistory | undefined;
	try {
		signedHistory = JSON.parse(read(`${dir}/${SIGNED_HISTORY_FILE}`)) as SignedHistory;
	} catch {
		signedHistory = undefined; // not signed yet: `npm run seed` signs them
	}

	const plans = new Map<string, PlannedRevision[]>();
	const draftEditors = new Map<string, string[]>();
	const articles = drafts.map((a) => {
		if (a.meta.status !== 'published') return { id: a.id, meta: a.meta, body: a.body };
		const h: ArticleHistory = history.get(a.id) ?? {
			revisions: [
				{
					date: new Date(a.meta.updatedAt).toISOString().slice(0, 10),
					by: a.meta.owner ?? '',
					note: a.meta.locale === 'fr' ? 'Première publication' : 'First publication',
					changes: []
				}
			]
		};
		if (!a.meta.owner && !history.has(a.id)) throw new Error(`${a.file}: a published article needs an owner`);
		const last = h.revisions.at(-1)!;
		if (historyTime(last.date, a.id) !== a.meta.updatedAt)
			throw new Error(
				`${a.file}: updated ${String(a.meta.updatedAt)} is not the last publication (${last.date})`
			);
		// Newest first: the draft, then each revision, each derived from the one after it.
		let text = h.draft ? undoChanges(a.text, h.draft.changes, `${a.id} draft`) : a.text;
		let newer = a.body;
		const list: PlannedRevision[] = [];
		for (let n = h.revisions.length; n >= 1; n--) {
			const r = h.revisions[n - 1]!;
			const version = parse(a.file, text);
			if (version.meta.kind === 'procedure' && (n < h.revisions.length || h.draft))
				keepStepIds(version.body, newer, `${a.id}-r${n}`);
			list.unshift({
				articleId: a.id,
				number: n,
				note: r.note,
				by: r.by,
				time: historyTime(r.date, a.id),
				snapshot: canonicalSnapshot(version.meta, version.body)
			});
			newer = version.body;
			text = undoChanges(text, r.changes, `${a.id} revision ${n}`);
		}
		plans.set(a.id, list);
		if (h.draft) draftEditors.set(a.id, h.draft.by);
		const meta: ArticleMeta = {
			...a.meta,
			createdAt: list[0]!.time,
			updatedAt: h.draft ? historyTime(h.draft.date, a.id) : a.meta.updatedAt
		};
		return { id: a.id, meta, body: a.body };
	});
	return {
		centre: { id: centre.id as string, name: validateLocalized(centre.name, 'name') },
		floors,
		agents,
		taxonomy,
		articles,
		roles,
		signedRoles,
		plans,
		draftEditors,
		signedHistory
	};
}

/** One article file: front matter and body (procedures structured). */
function parseArticle(
	file: string,
	text: string,
	floors: Floor[],
	nodeIds: ReadonlySet<string>
): { id: string; meta: ArticleMeta; body: BodyNode[] } {
	const match = text.match(/^---\n([\s\S]*?)\n---\n([\s\S]*)$/);
	if (!match) throw new Error(`${file}: no front matter`);
	const fm = parseYaml(match[1]!) as Record<string, unknown>;
	if (`${fm.id}.md` !== file) throw new Error(`${file}: id ${String(fm.id)} does not match the file name`);
	const time = Date.parse(`${String(fm.updated)}T09:00:00Z`);
	if (Number.isNaN(time)) throw new Error(`${file}: bad updated date`);
	const meta = validateArticleMeta({ ...fm, createdAt: time, updatedAt: time });
	if (!nodeIds.has(meta.node)) throw new Error(`${file}: unknown taxonomy node ${meta.node}`);
	const markdown = markdownToBody(match[2]!);
	const body =
		meta.kind === 'procedure' ? structureProcedure(markdown, meta.locale, floors, fm.id as string) : markdown;
	return { id: fm.id as string, meta, body };
}

/** A version's snapshot as a device reads it back from the article's document (what the reading
 *  view compares with the draft byte for byte). */
function canonicalSnapshot(meta: ArticleMeta, body: BodyNode[]): Uint8Array {
	const doc = new Y.Doc();
	initArticle(doc, meta, body);
	const bytes = encodeSnapshot(snapshotOf(readArticleMeta(doc), readArticleBody(doc)));
	doc.destroy();
	return bytes;
}

/** One Y.Doc per entity, written by the fixed seed client, encoded as one update each. Agents get
 *  their key-derived ids (demo/history.signed.json), articles their signed revisions and, where a
 *  draft is in progress, its editors' marks. Throws when the signed files no longer hold (run
 *  `npm run seed`). */
export async function encodeDemoCentre(src: DemoSource): Promise<SeedFile> {
	const names = new Map(src.agents.map((a) => [a.id, a.name]));
	const signed = await signedRecords(src.plans, src.signedHistory, names);
	if ('problem' in signed) throw new Error(`The demo's revisions must be signed again: ${signed.problem}`);
	const ids = await agentIdsOf(src.signedHistory!);
	const agentId = (readable: string) => {
		const id = ids.get(readable);
		if (!id) throw new Error(`${readable} has no key in ${SIGNED_HISTORY_FILE}`);
		return id;
	};
	const docs: Record<string, string> = {};
	const encode = (id: string, write: (doc: Y.Doc) => void): Y.Doc => {
		const doc = new Y.Doc();
		doc.clientID = SEED_CLIENT_ID;
		write(doc);
		docs[id] = Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
		return doc;
	};
	encode(docId('centre', src.centre.id), (doc) => {
		const agents = src.agents.map((a) => ({ ...a, id: agentId(a.id) }));
		initCentre(doc, src.centre, src.floors, src.taxonomy, agents);
		if (src.signedRoles) putDemoRoles(doc, src.signedRoles.founder, src.signedRoles.records);
	});
	const entries: CatalogEntry[] = [];
	for (const a of src.articles) {
		const id = docId('article', a.id);
		const doc = encode(id, (doc) => {
			const meta = a.meta.owner ? { ...a.meta, owner: agentId(a.meta.owner) } : a.meta;
			initArticle(doc, meta, a.body);
			for (const r of signed.records.get(a.id) ?? []) addRevision(doc, r.id, r.record);
			for (const by of src.draftEditors.get(a.id) ?? []) markDraftEditor(doc, agentId(by), names.get(by)!);
		});
		entries.push(articleEntry(id, doc));
	}
	encode(docId('space', KB_SPACE), (doc) => {
		initSpace(doc, {
			id: KB_SPACE,
			kind: 'knowledge-base',
			name: { fr: 'Base de connaissances', en: 'Knowledge base' }
		});
		putCatalogEntries(doc, entries);
	});
	return { format: SEED_FORMAT, centreId: src.centre.id, docs };
}

/** centre.yaml's role grants with the agents' key-derived ids (what the founder signs). */
export async function keyedRoleGrants(src: DemoSource): Promise<DemoRoleGrant[]> {
	if (!src.signedHistory) return src.roles;
	const ids = await agentIdsOf(src.signedHistory);
	return src.roles.map((g) => ({ ...g, agent: ids.get(g.agent) ?? g.agent }));
}
