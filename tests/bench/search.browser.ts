// `npm run bench -- search`: Plateau's search on 10,000 generated articles of ~300 words (vocabulary
// and word frequencies of the demo centre's real articles) in Chromium. Index build (target ≤ 5 s);
// p50/p95 of plain, typo-tolerant and filtered+faceted queries (targets p95 ≤ 2, 5, 15 ms); re-index
// of one edited article (≤ 5 ms); save and restore of the index. MiniSearch runs the same corpus and
// queries in the same run (one record per article, same folding, stemming and stop words).
import { search } from '@orama/orama';
import MiniSearch from 'minisearch';
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { bodyText } from '../../src/lib/domain/body';
import { docId } from '../../src/lib/domain/ids';
import { initArticle, readArticleBody, readArticleMeta, writeBody, bodyFragment } from '../../src/lib/schema/index';
import { serializeIndex, parseSavedIndex } from '../../src/lib/search/persistence';
import { runQuery } from '../../src/lib/search/query';
import { READERS } from '../../src/lib/search/readers';
import { BOOST, INDEX_FORMAT, SEARCH_PROPERTIES } from '../../src/lib/search/schema-def';
import { SearchIndex } from '../../src/lib/search/search-index';
import { indexTokens, queryWords } from '../../src/lib/search/tokenizer';
import { loadDemoSeed } from '../../src/lib/seed/seed';
import { generateSearchArticles, rng } from './generate';
import { percentile, report } from './report';

const COUNT = 10_000;
const QUERIES = 200;
const NODES = ['compte.acces.mot-de-passe', 'bourse.ordres.rejete', 'versements.virement-sortant.refuse', 'technique.application', 'enveloppes.pea', 'fiscalite.ifu'];

/** The demo articles' words, most frequent first. */
async function demoVocabulary(): Promise<string[]> {
	const seed = await loadDemoSeed();
	const counts = new Map<string, number>();
	for (const [id, b64] of Object.entries(seed.docs)) {
		if (!id.startsWith('article/')) continue;
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
		const text = `${readArticleMeta(doc).title} ${bodyText(readArticleBody(doc))}`.toLowerCase();
		for (const w of text.split(/[^\p{L}\p{N}]+/u)) if (w.length > 2) counts.set(w, (counts.get(w) ?? 0) + 1);
	}
	return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
}

/** One typing mistake: a letter dropped, doubled or two letters swapped. */
function typo(word: string, random: () => number): string {
	const i = 1 + Math.floor(random() * (word.length - 2));
	const r = random();
	if (r < 0.34) return word.slice(0, i) + word.slice(i + 1);
	if (r < 0.67) return word.slice(0, i) + word[i] + word.slice(i);
	return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

function time(fn: () => void): number {
	const t0 = performance.now();
	fn();
	return performance.now() - t0;
}

test('search: 10,000 articles, Orama (Plateau) against MiniSearch', async () => {
	const vocabulary = await demoVocabulary();
	const articles = generateSearchArticles(COUNT, NODES, vocabulary, 300);
	const docs = articles.map((a) => {
		const doc = new Y.Doc();
		initArticle(doc, a.meta, a.body);
		return { id: docId('article', a.id), doc };
	});
	console.log(`search: ${COUNT} articles, vocabulary of ${vocabulary.length} words`);
	const read = READERS.article!;

	// Index build: read every article through the schema, split passages, insert.
	const index = new SearchIndex();
	const build = time(() => {
		for (const { id, doc } of docs) index.put(read(id, doc)!, 'Compte › Accès et connexion');
	});
	report({ bench: 'search.build', value: build, unit: 'ms', target: 5000 });

	const readable = articles.map((a) => ({ id: docId('article', a.id), ...a.meta, text: bodyText(a.body), tags: a.meta.tags.join(' ') }));
	const mini = new MiniSearch({
		fields: ['title', 'text', 'tags'],
		storeFields: ['title', 'kind', 'node', 'locale', 'floor', 'status'],
		processTerm: (term, _field) => indexTokens(term, 'fr')
	});
	const miniBuild = time(() => mini.addAll(readable));
	report({ bench: 'search.build.minisearch', value: miniBuild, unit: 'ms' });

	// Queries: one or two words of a random article's title; the typo set misspells the longest.
	const random = rng(99);
	const plain = Array.from({ length: QUERIES }, () => {
		const words = articles[Math.floor(random() * COUNT)]!.meta.title.toLowerCase().split(' ');
		const start = Math.floor(random() * (words.length - 1));
		return words.slice(start, start + 1 + Math.floor(random() * 2)).join(' ');
	});
	const typos = plain.map((q) => {
		const words = q.split(' ');
		const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
		return longest.length >= 5 ? q.replace(longest, typo(longest, random)) : q;
	});
	const filters = { kind: 'procedure', locale: 'fr' } as const;

	const miniQuery = (q: string, fuzzy: boolean, filtered: boolean) => {
		const terms = queryWords(q, 'fr').flatMap((w) => w.forms);
		const res = mini.search(terms.join(' '), {
			prefix: true,
			fuzzy: fuzzy ? 0.2 : false,
			boost: { title: 3, tags: 1.5 },
			filter: filtered ? (r) => r.kind === filters.kind && r.locale === filters.locale : undefined
		});
		if (filtered) {
			// Facet counts, as Plateau computes them.
			const counts: Record<string, Map<string, number>> = {};
			for (const f of ['kind', 'node', 'locale', 'floor', 'status']) {
				const m = (counts[f] = new Map());
				for (const r of res) m.set(r[f], (m.get(r[f]) ?? 0) + 1);
			}
		}
		return res;
	};

	const measure = (name: string, queries: string[], target: number, fuzzy: boolean, filtered: boolean) => {
		// Warm up both engines on a few queries first, then alternate them query by query.
		for (const q of queries.slice(0, 20)) {
			runQuery(index, { query: q, locale: 'fr', ...(filtered ? { filters } : {}) });
			miniQuery(q, fuzzy, filtered);
		}
		const ours: number[] = [];
		const theirs: number[] = [];
		let found = 0;
		for (const q of queries) {
			let hits = 0;
			ours.push(time(() => (hits = runQuery(index, { query: q, locale: 'fr', ...(filtered ? { filters } : {}) }).total)));
			if (hits > 0) found++;
			theirs.push(time(() => miniQuery(q, fuzzy, filtered)));
		}
		console.log(`search.query.${name}: ${found}/${queries.length} queries with results`);
		report({ bench: `search.query.${name}.p50`, value: percentile(ours, 50), unit: 'ms', peer: 'minisearch', peerValue: percentile(theirs, 50) });
		report({ bench: `search.query.${name}.p95`, value: percentile(ours, 95), unit: 'ms', target, peer: 'minisearch', peerValue: percentile(theirs, 95) });
		return found;
	};
	// Orama's own search call alone (no grouping, coverage or facets): the floor under Plateau's query.
	{
		const raw: number[] = [];
		for (const q of [...plain.slice(0, 20), ...plain]) {
			const term = queryWords(q, 'fr').flatMap((w) => w.forms).join(' ');
			raw.push(time(() => search(index.db, { term, limit: 3000, properties: [...SEARCH_PROPERTIES], boost: BOOST })));
		}
		report({ bench: 'search.query.plain.orama-call.p50', value: percentile(raw.slice(20), 50), unit: 'ms' });
		report({ bench: 'search.query.plain.orama-call.p95', value: percentile(raw.slice(20), 95), unit: 'ms' });
	}
	expect(measure('plain', plain, 2, false, false)).toBeGreaterThan(QUERIES * 0.9);
	expect(measure('typo', typos, 5, true, false)).toBeGreaterThan(QUERIES * 0.8);
	measure('filtered', plain, 15, false, true);

	// Re-index of one edited article (read through the schema, passages replaced).
	const reindex: number[] = [];
	for (let i = 0; i < 50; i++) {
		const { id, doc } = docs[(i * 197) % COUNT]!;
		writeBody(bodyFragment(doc), [...readArticleBody(doc), { type: 'paragraph', content: [{ type: 'text', text: `ajout ${i} zorglub` }] }]);
		reindex.push(time(() => index.put(read(id, doc)!, 'Compte › Accès et connexion')));
	}
	report({ bench: 'search.reindex.p95', value: percentile(reindex, 95), unit: 'ms', target: 5 });
	expect(runQuery(index, { query: 'zorglub', locale: 'fr' }).total).toBe(50);

	// Save and restore (what a reload costs before any re-index).
	let text = '';
	const save = time(() => {
		const { raw, entries } = index.snapshot();
		text = serializeIndex({ format: INDEX_FORMAT, savedAt: 0, taxonomy: '', index: raw, entries, ledger: {} });
	});
	report({ bench: 'search.save', value: save, unit: 'ms' });
	console.log(`search.save.size: ${(text.length / 1e6).toFixed(1)} MB`);
	const restored = new SearchIndex();
	const load = time(() => {
		const parsed = parseSavedIndex(text);
		if (!('saved' in parsed)) throw new Error('unreadable');
		restored.restore(parsed.saved.index, parsed.saved.entries);
	});
	report({ bench: 'search.load', value: load, unit: 'ms' });
	expect(runQuery(restored, { query: plain[0]!, locale: 'fr' }).total).toBe(runQuery(index, { query: plain[0]!, locale: 'fr' }).total);
});
