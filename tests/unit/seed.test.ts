// The demo centre seed: generated deterministically from src/lib/seed/demo, byte-identical on every device,
// and rich enough to demonstrate every kind of article.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcedure } from '../../src/lib/domain/procedure';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { parse as parseYaml } from 'yaml';
import { encodeDemoCentre, keyedRoleGrants, readDemoSource } from '../../src/lib/seed/encode/demo-source';
import { ARTICLE_KINDS, placeholders, TONES, type ArticleMeta } from '../../src/lib/domain/article';
import { bodyText, type BodyNode } from '../../src/lib/domain/body';
import { docId, KB_SPACE, parseDocId } from '../../src/lib/domain/ids';
import { localized } from '../../src/lib/domain/locale';
import { Repo, type ChangeEvent } from '../../src/lib/repo/repo';
import {
	readArticleBody,
	readArticleMeta,
	readCatalog,
	readAgents,
	readEffectiveRoles,
	readFloors,
	readTaxonomy
} from '../../src/lib/schema/index';
import { demoRolesMatch } from '../../src/lib/seed/encode/demo-roles';
import { applySeed, loadDemoSeed, SEED_CLIENT_ID, type SeedFile } from '../../src/lib/seed/seed';
import { MemoryStorage } from '../../src/lib/storage/memory';

const root = fileURLToPath(new URL('../..', import.meta.url));
const demoDir = join(root, 'src/lib/seed/demo');

function decode(base64: string): Y.Doc {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, new Uint8Array(Buffer.from(base64, 'base64')));
	return doc;
}

describe('seed generation', () => {
	it(
		're-encoding the demo source gives exactly the committed demo-centre.json',
		{ timeout: 60_000 },
		async () => {
			const source = readDemoSource(
				demoDir,
				(p) => readdirSync(p),
				(p) => readFileSync(p, 'utf8')
			);
			const fresh = await encodeDemoCentre(source);
			const committed = JSON.parse(
				readFileSync(join(root, 'src/lib/seed/demo-centre.json'), 'utf8')
			) as SeedFile;
			expect(fresh.format).toBe(committed.format);
			expect(fresh.centreId).toBe(committed.centreId);
			expect(Object.keys(fresh.docs).sort()).toEqual(Object.keys(committed.docs).sort());
			const differing = Object.keys(fresh.docs).filter((id) => fresh.docs[id] !== committed.docs[id]);
			expect(differing, 'documents that differ from the committed seed (run `npm run seed`)').toEqual([]);
		}
	);

	it('writes every seed document with the fixed seed client id only', async () => {
		const seed = await loadDemoSeed();
		for (const [id, base64] of Object.entries(seed.docs)) {
			const clients = [...Y.decodeStateVector(Y.encodeStateVector(decode(base64))).keys()];
			expect(clients, id).toEqual([SEED_CLIENT_ID]);
		}
	});
});

describe('seeding two devices', () => {
	let seed: SeedFile;
	const repos: Repo[] = [];
	let a: Repo;
	let b: Repo;
	let storageB: MemoryStorage;

	beforeAll(async () => {
		seed = await loadDemoSeed();
		a = new Repo({ storage: new MemoryStorage() });
		storageB = new MemoryStorage();
		b = new Repo({ storage: storageB });
		repos.push(a, b);
		const progress: [number, number][] = [];
		await applySeed(a, seed, (done, total) => progress.push([done, total]));
		await applySeed(b, seed);
		const total = Object.keys(seed.docs).length;
		expect(progress).toHaveLength(total);
		expect(progress.at(-1)).toEqual([total, total]);
	});

	afterAll(async () => {
		for (const repo of repos) await repo.destroy();
	});

	it('gives byte-identical documents on both devices', async () => {
		for (const id of Object.keys(seed.docs)) {
			const x = Y.encodeStateAsUpdate(await a.open(id));
			const y = Y.encodeStateAsUpdate(await b.open(id));
			expect(Buffer.from(x).equals(Buffer.from(y)), id).toBe(true);
		}
	});

	it('merges nothing when one device syncs the other', async () => {
		const events: ChangeEvent[] = [];
		const off = b.onChange((e) => events.push(e));
		const chunksBefore = new Map([...storageB.chunks].map(([id, chunks]) => [id, chunks.size]));
		for (const id of Object.keys(seed.docs)) {
			const docB = await b.open(id);
			const before = Y.encodeStateVector(docB);
			await b.apply(id, Y.encodeStateAsUpdate(await a.open(id)), 'peer');
			expect(Y.encodeStateVector(docB), id).toEqual(before);
		}
		await b.flush();
		off();
		expect(events).toEqual([]);
		expect(new Map([...storageB.chunks].map(([id, chunks]) => [id, chunks.size]))).toEqual(chunksBefore);
	});

	it('does not duplicate anything when the seed is applied twice', async () => {
		const id = Object.keys(seed.docs).find((k) => k.startsWith('article/'))!;
		const before = Y.encodeStateAsUpdate(await a.open(id));
		await applySeed(a, seed);
		expect(Buffer.from(Y.encodeStateAsUpdate(await a.open(id))).equals(Buffer.from(before))).toBe(true);
	});
});

describe('demo content', () => {
	let seed: SeedFile;
	let articles: Map<string, { meta: ArticleMeta; body: BodyNode[] }>;
	let centre: Y.Doc;

	beforeAll(async () => {
		seed = await loadDemoSeed();
		centre = decode(seed.docs[docId('centre', seed.centreId)]!);
		articles = new Map();
		for (const [id, base64] of Object.entries(seed.docs)) {
			const parsed = parseDocId(id);
			expect(parsed, id).not.toBeNull();
			if (parsed!.type !== 'article') continue;
			const doc = decode(base64);
			articles.set(parsed!.id, { meta: readArticleMeta(doc), body: readArticleBody(doc) });
		}
	});

	const ofKind = (kind: string) => [...articles].filter(([, a]) => a.meta.kind === kind);

	it('has the three floors', () => {
		expect(
			readFloors(centre)
				.map((f) => f.name.fr)
				.sort()
		).toEqual(['Bourse', 'Gestion de compte', 'Support technique']);
	});

	it('has a taxonomy of at least 30 nodes whose parents all exist', () => {
		const taxonomy = readTaxonomy(centre);
		expect(taxonomy.length).toBeGreaterThanOrEqual(30);
		const ids = new Set(taxonomy.map((n) => n.id));
		for (const n of taxonomy) if (n.parent) expect(ids.has(n.parent), n.id).toBe(true);
		for (const n of taxonomy) expect(localized(n.label, 'en'), n.id).not.toBe('');
	});

	it('has at least 40 articles, with every kind present', () => {
		expect(articles.size).toBeGreaterThanOrEqual(40);
		expect(new Set([...articles.values()].map((a) => a.meta.kind))).toEqual(new Set(ARTICLE_KINDS));
	});

	it('has at least 10 English articles, each translating an existing French one', () => {
		const english = [...articles].filter(([, a]) => a.meta.locale === 'en');
		expect(english.length).toBeGreaterThanOrEqual(10);
		for (const [id, a] of english) {
			expect(a.meta.translationOf, id).toBeDefined();
			const original = articles.get(a.meta.translationOf!);
			expect(original, `${id} translates ${a.meta.translationOf}`).toBeDefined();
			expect(original!.meta.locale, id).toBe('fr');
			expect(original!.meta.kind, id).toBe(a.meta.kind);
		}
	});

	it('gives every procedure structured steps (action and expected result, decisions resolved) and an escalation', () => {
		const procedures = ofKind('procedure');
		expect(procedures.length).toBeGreaterThan(0);
		let decisions = 0;
		for (const [id, a] of procedures) {
			const p = readProcedure(a.body);
			expect(p.steps.length, `${id}: steps`).toBeGreaterThanOrEqual(5);
			for (const s of p.steps) {
				expect(s.action, `${id} step ${s.number}: action`).not.toBe('');
				expect(s.result, `${id} step ${s.number}: result`).not.toMatch(/Résultat attendu|Expected result/);
				if (s.decision) {
					decisions++;
					expect(s.decision.targetNumber, `${id} step ${s.number}: decision target`).toBeGreaterThan(0);
				}
			}
			expect(p.escalation, `${id}: escalation`).not.toBeNull();
			expect(p.escalation!.to, `${id}: escalation destination`).not.toBe('');
			expect(p.escalation!.handover, `${id}: hand-over`).not.toBe('');
		}
		expect(decisions).toBeGreaterThan(10);
	});

	it('gives every standard response a placeholder and a tone chosen by its author', () => {
		const responses = ofKind('response');
		expect(responses.length).toBeGreaterThan(0);
		for (const [id, a] of responses) {
			expect(placeholders(bodyText(a.body)).length, `${id}: placeholders`).toBeGreaterThan(0);
			expect(TONES, id).toContain(a.meta.tone);
			// Declared in the source, not only filled in by the default.
			const source = readFileSync(join(demoDir, 'articles', `${id}.md`), 'utf8');
			const frontMatter = parseYaml(source.split('\n---\n')[0]!.replace(/^---\n/, '')) as Record<
				string,
				unknown
			>;
			expect(TONES, `${id}.md: tone`).toContain(frontMatter.tone);
		}
	});

	it('has a tone guide among the references, at relation.ton', () => {
		const guides = ofKind('reference').filter(
			([, a]) => /ton/i.test(a.meta.title) && a.meta.node === 'relation.ton'
		);
		expect(guides.length).toBeGreaterThan(0);
	});

	it('attaches every article to a node of the taxonomy', () => {
		const ids = new Set(readTaxonomy(centre).map((n) => n.id));
		for (const [id, a] of articles) expect(ids.has(a.meta.node), `${id}: ${a.meta.node}`).toBe(true);
	});

	it('lists every article exactly once in the knowledge base catalog, with its title', () => {
		const space = decode(seed.docs[docId('space', KB_SPACE)]!);
		const invalid: string[] = [];
		const catalog = readCatalog(space, (id) => invalid.push(id));
		expect(invalid).toEqual([]);
		const listed = catalog.map((e) => e.docId).sort();
		expect(listed).toEqual([...articles.keys()].map((id) => docId('article', id)).sort());
		expect(new Set(listed).size).toBe(listed.length);
		for (const e of catalog) {
			const a = articles.get(parseDocId(e.docId)!.id)!;
			expect(e.title, e.docId).toBe(a.meta.title);
			expect([e.kind, e.node, e.locale, e.status, e.translationOf], e.docId).toEqual([
				a.meta.kind,
				a.meta.node,
				a.meta.locale,
				a.meta.status,
				a.meta.translationOf
			]);
		}
	});

	it('ships realistic roles, signed by the demo founder: each floor a knowledge manager and experts of its topics', async () => {
		const source = readDemoSource(
			demoDir,
			(p) => readdirSync(p),
			(p) => readFileSync(p, 'utf8')
		);
		expect(
			demoRolesMatch(source.signedRoles, 'demo', await keyedRoleGrants(source)),
			'run `npm run seed`'
		).toBe(true);
		const roles = await readEffectiveRoles(centre);
		expect(roles.ignored).toEqual([]);
		const agents = readAgents(centre);
		for (const floor of readFloors(centre)) {
			expect(floor.topics?.length, floor.id).toBeGreaterThan(0);
			const members = agents.filter((a) => a.floor === floor.id);
			const managers = members.filter((a) =>
				roles.rolesOf(a.id).some((r) => r.role === 'knowledge-manager' && r.scope.kind === 'floor')
			);
			expect(managers.length, floor.id).toBeGreaterThan(0);
			for (const topic of floor.topics!)
				expect(
					members.some((a) => roles.rolesOf(a.id).some((r) => r.role === 'expert')) &&
						managers.every((m) => roles.mayPublish(m.id, topic)),
					`${floor.id}: ${topic}`
				).toBe(true);
		}
		const claire = agents.find((a) => a.name === 'Claire Martin')!.id;
		expect(roles.mayPublish(claire, 'bourse.ordres.rejete')).toBe(true);
		expect(roles.mayPublish(claire, 'compte.cloture')).toBe(false);
		// Nobody holds the founder's key: nobody administers the demo centre's fields.
		for (const a of agents) expect(roles.administersCentre(a.id), a.id).toBe(false);
		expect(roles.isAdministrator(source.signedRoles!.founder)).toBe(true);
	});
});
