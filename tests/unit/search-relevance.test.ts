// Relevance on a fixed corpus: the demo centre's 60 articles (French and English) plus a few fixed
// articles below for synonyms, long documents and archived content. Each query names the article
// that must come first (or in the top few), as an agent would expect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleMeta } from '../../src/lib/domain/article';
import type { BodyNode } from '../../src/lib/domain/body';
import type { Repo } from '../../src/lib/repo/repo';
import { initArticle } from '../../src/lib/schema/index';
import type { SearchIndexer } from '../../src/lib/search/indexer';
import { runQuery, type SearchParams } from '../../src/lib/search/query';
import { seededRepo, startIndexer } from './search-fixture';

const p = (text: string): BodyNode => ({ type: 'paragraph', content: [{ type: 'text', text }] });
const h = (text: string): BodyNode => ({
	type: 'heading',
	attrs: { level: 2 },
	content: [{ type: 'text', text }]
});

const meta = (title: string, extra: Partial<ArticleMeta> = {}): ArticleMeta => ({
	kind: 'procedure',
	title,
	node: 'versements.virement-sortant',
	locale: 'fr',
	tags: [],
	status: 'published',
	floor: 'gestion-compte',
	createdAt: 1,
	updatedAt: 1,
	...extra
});

const filler = (n: number) =>
	Array.from({ length: n }, (_, i) =>
		p(
			`Paragraphe ${i} de rappel réglementaire sur la conservation des relevés, les délais légaux et les obligations déclaratives du courtier envers ses clients.`
		)
	);

/** Fixed extra articles: what the demo centre lacks to test synonyms, long bodies and archiving. */
const EXTRA: { id: string; meta: ArticleMeta; body: BodyNode[] }[] = [
	{
		id: 'fx-carte-capturee',
		meta: meta('Carte capturée par un distributeur', { node: 'versements' }),
		body: [
			p('Le client signale que le distributeur a conservé sa carte bancaire après un retrait.'),
			h('Étapes'),
			p('Faire opposition si la carte n’est pas restituée sous 48 heures par l’agence.')
		]
	},
	{
		// A long reference whose one section answers "plafond de retrait": passages let it rank.
		id: 'fx-guide-long',
		meta: meta('Guide général du compte espèces', { kind: 'reference', node: 'versements' }),
		body: [
			...filler(40),
			h('Plafond de retrait'),
			p(
				'Le plafond de retrait hebdomadaire est fixé à 20 000 euros ; au-delà, une validation manuelle est requise.'
			),
			...filler(40)
		]
	},
	{
		id: 'fx-archive',
		meta: meta('Ancienne procédure de virement zorglub', { status: 'archived' }),
		body: [p('Procédure remplacée, conservée pour mémoire. Mot rare : zorglub.')]
	}
];

let repo: Repo;
let indexer: SearchIndexer;
const q = (query: string, extra: Partial<SearchParams> = {}) =>
	runQuery(indexer.index, { query, locale: 'fr', ...extra });
const titles = (query: string, extra: Partial<SearchParams> = {}) => q(query, extra).hits.map((x) => x.title);
const top = (query: string, extra: Partial<SearchParams> = {}) => q(query, extra).hits[0];

beforeAll(async () => {
	repo = await seededRepo();
	for (const a of EXTRA) initArticle(await repo.open(`article/${a.id}`), a.meta, a.body);
	indexer = await startIndexer(repo);
});

afterAll(async () => {
	await indexer.destroy();
	await repo.destroy();
});

describe('relevance on the fixed corpus', () => {
	it('indexes every article of the corpus', () => {
		expect(indexer.index.size).toBe(63);
	});

	it('finds "Mot de passe oublié" without accents, and with a typo', () => {
		expect(top('mot de passe oublie')?.docId).toBe('article/proc-mot-de-passe-oublie');
		const typo = q('mot de pase oublié');
		expect(typo.hits[0]?.docId).toBe('article/proc-mot-de-passe-oublie');
	});

	it('finds "Virement refusé" from "virment refusé" by typo tolerance', () => {
		const r = q('virment refusé');
		expect(r.fuzzy).toBe(true);
		expect(r.hits[0]?.title).toBe('Virement refusé');
		expect(r.hits[0]?.coverage).toBe(1);
	});

	it('puts the translation in the UI language first', () => {
		expect(top('forgotten password', { locale: 'en' })?.docId).toBe('article/proc-mot-de-passe-oublie-en');
		// Both language versions mention Nasdaq: the agent's language decides the order.
		expect(top('Nasdaq', { locale: 'en' })?.docId).toBe('article/faq-ordres-nasdaq-en');
		expect(top('Nasdaq', { locale: 'fr' })?.docId).toBe('article/faq-ordres-nasdaq');
		expect(top('rejected order', { locale: 'en' })?.locale).toBe('en');
	});

	it('ranks by stems: plural and inflected forms find the article', () => {
		expect(titles('ordres rejetés').slice(0, 2)).toContain('Ordre rejeté : identifier et traiter le motif');
		expect(titles('virements refusés')[0]).toBe('Virement refusé');
	});

	it('answers as the agent types: a prefix already finds the article', () => {
		expect(top('vir')?.title).toMatch(/^Virement/);
		expect(top('double auth')?.title).toMatch(/double authentification/i);
	});

	it('applies the domain synonyms to queries', () => {
		expect(top('carte avalée')?.docId).toBe('article/fx-carte-capturee');
		expect(top('DAB')?.docId).toBe('article/fx-carte-capturee');
		expect(titles('mdp').slice(0, 2)).toContain('Mot de passe oublié');
		expect(
			titles('2FA')
				.slice(0, 2)
				.some((t) => /double authentification/i.test(t))
		).toBe(true);
		expect(titles('RIB')[0]).toBe('Changement de RIB');
	});

	it('ranks a long document by its best passage, and shows that passage', () => {
		const hit = top('plafond de retrait hebdomadaire');
		expect(hit?.docId).toBe('article/fx-guide-long');
		expect(hit?.heading).toBe('Plafond de retrait');
		expect(hit?.snippet.filter((s) => s.mark).map((s) => s.text.toLowerCase())).toEqual(
			expect.arrayContaining(['plafond', 'retrait', 'hebdomadaire'])
		);
	});

	it('marks the query words in the title', () => {
		expect(
			top('virement refuse')
				?.titleMarks.filter((s) => s.mark)
				.map((s) => s.text)
		).toEqual(['Virement', 'refusé']);
	});

	it('finds nothing for words no article holds, and lets unknown words veto nothing', () => {
		expect(q('xyzzy plugh').total).toBe(0);
		const r = q('virement frobnicate plugh');
		expect(r.hits[0]?.title).toMatch(/^Virement/);
		expect(r.hits[0]?.coverage).toBe(1);
	});
});

describe('filters and facets', () => {
	it('counts documents (not passages) per facet value', () => {
		const r = q('virement', { limit: 100 });
		const byKind = new Map<string, number>();
		for (const hit of r.hits) byKind.set(hit.kind, (byKind.get(hit.kind) ?? 0) + 1);
		expect(new Map(r.facets.kind.map((f) => [f.value, f.count]))).toEqual(byKind);
		expect(r.facets.locale.reduce((s, f) => s + f.count, 0)).toBe(r.total);
		expect(new Set(r.hits.map((x) => x.docId)).size).toBe(r.hits.length);
	});

	it('filters by kind, keeping the counts of the other kinds so the agent can switch', () => {
		const all = q('virement', { limit: 100 });
		const procedures = q('virement', { limit: 100, filters: { kind: 'procedure' } });
		expect(procedures.hits.length).toBeGreaterThan(0);
		expect(procedures.hits.every((x) => x.kind === 'procedure')).toBe(true);
		expect(procedures.total).toBe(all.facets.kind.find((f) => f.value === 'procedure')!.count);
		expect(procedures.facets.kind).toEqual(all.facets.kind);
		// Other facets count within the filtered results.
		expect(procedures.facets.locale.reduce((s, f) => s + f.count, 0)).toBe(procedures.total);
	});

	it('filters by locale, taxonomy node, floor and status together', () => {
		const r = q('transfer', { filters: { locale: 'en', node: 'versements.virement-sortant.refuse' } });
		expect(r.hits.map((x) => x.docId)).toEqual(['article/proc-virement-refuse-en']);
		const floor = q('ordre', { filters: { floor: 'bourse' }, limit: 100 });
		expect(floor.hits.length).toBeGreaterThan(0);
		expect(floor.hits.every((x) => x.floor === 'bourse')).toBe(true);
		expect(
			q('virement', { filters: { status: 'draft' }, limit: 100 }).hits.every((x) => x.status === 'draft')
		).toBe(true);
	});

	it('leaves archived articles out unless asked for', () => {
		expect(q('zorglub').total).toBe(0);
		expect(q('zorglub', { filters: { status: 'archived' } }).hits.map((x) => x.docId)).toEqual([
			'article/fx-archive'
		]);
	});
});
