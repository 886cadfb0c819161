import * as Y from 'yjs';
import { parse as parseYaml } from 'yaml';
import { validateArticleMeta, type ArticleMeta } from '../../domain/article';
import type { BodyNode } from '../../domain/body';
import { validateAgentProfile, validateFloor, validateLocalized } from '../../domain/centre';
import type { AgentProfile, Floor } from '../../domain/centre';
import { docId, KB_SPACE } from '../../domain/ids';
import type { TaxonomyNode } from '../../domain/taxonomy';
import {
	articleSummary,
	initArticle,
	initCentre,
	initSpace,
	putCatalogEntries,
	putDemoRoles
} from '../../schema/index';
import type { SeedFile } from '../seed';
import { SEED_CLIENT_ID, SEED_FORMAT } from '../seed';
import { markdownToBody } from './markdown-to-body';
import { structureProcedure } from './procedure-structure';
import { readDemoRoleGrants, type DemoRoleGrant, type SignedDemoRoles } from './demo-roles';

export interface DemoSource {
	centre: { id: string; name: { fr: string; en: string } };
	floors: Floor[];
	agents: AgentProfile[];
	taxonomy: TaxonomyNode[];
	articles: { id: string; meta: ArticleMeta; body: BodyNode[] }[];
	/** Roles as centre.yaml lists them, and as signed in roles.signed.json (absent until signed). */
	roles: DemoRoleGrant[];
	signedRoles?: SignedDemoRoles;
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

	const articles = readdir(`${dir}/articles`)
		.filter((f) => f.endsWith('.md'))
		.sort()
		.map((file) => {
			const text = read(`${dir}/articles/${file}`);
			const match = text.match(/^---\n([\s\S]*?)\n---\n([\s\S]*)$/);
			if (!match) throw new Error(`${file}: no front matter`);
			const fm = parseYaml(match[1]!) as Record<string, unknown>;
			if (`${fm.id}.md` !== file)
				throw new Error(`${file}: id ${String(fm.id)} does not match the file name`);
			const time = Date.parse(`${String(fm.updated)}T09:00:00Z`);
			if (Number.isNaN(time)) throw new Error(`${file}: bad updated date`);
			const meta = validateArticleMeta({ ...fm, createdAt: time, updatedAt: time });
			if (!nodeIds.has(meta.node)) throw new Error(`${file}: unknown taxonomy node ${meta.node}`);
			const markdown = markdownToBody(match[2]!);
			const body =
				meta.kind === 'procedure'
					? structureProcedure(markdown, meta.locale, floors, fm.id as string)
					: markdown;
			return { id: fm.id as string, meta, body };
		});
	const ids = new Set(articles.map((a) => a.id));
	for (const a of articles)
		if (a.meta.translationOf && !ids.has(a.meta.translationOf))
			throw new Error(`${a.id}: translates unknown article ${a.meta.translationOf}`);
	return {
		centre: { id: centre.id as string, name: validateLocalized(centre.name, 'name') },
		floors,
		agents,
		taxonomy,
		articles,
		roles,
		signedRoles
	};
}

/** One Y.Doc per entity, written by the fixed seed client, encoded as one update each. */
export function encodeDemoCentre(src: DemoSource): SeedFile {
	const docs: Record<string, string> = {};
	const encode = (id: string, write: (doc: Y.Doc) => void) => {
		const doc = new Y.Doc();
		doc.clientID = SEED_CLIENT_ID;
		write(doc);
		docs[id] = Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
	};
	encode(docId('centre', src.centre.id), (doc) => {
		initCentre(doc, src.centre, src.floors, src.taxonomy, src.agents);
		if (src.signedRoles) putDemoRoles(doc, src.signedRoles.founder, src.signedRoles.records);
	});
	for (const a of src.articles) encode(docId('article', a.id), (doc) => initArticle(doc, a.meta, a.body));
	encode(docId('space', KB_SPACE), (doc) => {
		initSpace(doc, {
			id: KB_SPACE,
			kind: 'knowledge-base',
			name: { fr: 'Base de connaissances', en: 'Knowledge base' }
		});
		putCatalogEntries(
			doc,
			src.articles.map((a) => articleSummary(docId('article', a.id), a.meta))
		);
	});
	return { format: SEED_FORMAT, centreId: src.centre.id, docs };
}
