// A query: Orama finds passages, this groups them per document (a document ranks by its best
// passage), checks how many query words each document covers, counts facets per document and
// builds snippets. Typo tolerance is a second pass, run only when the exact pass leaves a query
// word unmatched: it costs latency and buys little when the words are spelled right.
import { search } from '@orama/orama';
import type { Locale } from '../domain/locale';
import { BOOST, SEARCH_PROPERTIES, type PassageRecord } from './schema-def';
import type { SearchIndex } from './search-index';
import { markText, snippet, type Segment } from './snippet';
import { synonymReadings } from './synonyms';
import { queryWords, type QueryWord } from './tokenizer';

export const FACETS = ['kind', 'node', 'locale', 'floor', 'status'] as const;
export type FacetName = (typeof FACETS)[number];
export type SearchFilters = Partial<Record<FacetName | 'space', string>>;

export interface SearchParams {
	query: string;
	/** The agent's UI language: its stop words apply, and documents in it rank first. */
	locale: Locale;
	filters?: SearchFilters;
	limit?: number;
}

export interface SearchHit {
	docId: string;
	title: string;
	kind: string;
	node: string;
	locale: Locale;
	floor: string;
	status: string;
	updatedAt: number;
	score: number;
	/** Share of the query's words the document contains (0–1). */
	coverage: number;
	/** The best passage: its heading and a marked snippet. */
	heading: string;
	snippet: Segment[];
	titleMarks: Segment[];
}

export interface FacetCount {
	value: string;
	count: number;
}

export interface SearchResults {
	query: string;
	hits: SearchHit[];
	/** Documents matching, before `limit`. */
	total: number;
	/** Per facet, documents matching the query and every *other* facet's filter. */
	facets: Record<FacetName, FacetCount[]>;
	/** Whether typo tolerance was needed. */
	fuzzy: boolean;
	/** The query's content words (for highlighting in the opened document). */
	words: string[];
}

/** Passages fetched per pass: enough for facet counts over every matching document in a large
 *  knowledge base, few enough that a one-letter query stays fast. */
const MAX_PASSAGES = 3000;
/** Documents in the UI language rank this much higher: of an article and its translation that both
 *  match, the agent sees the one in their language first. */
const LOCALE_BOOST = 1.6;

interface DocAgg {
	best: PassageRecord;
	score: number;
	passages: PassageRecord[];
	internal?: number[];
}

/** The query's readings: as typed, and with each synonym phrase in place of the one it matched. */
function readings(query: string, locale: Locale): QueryWord[][] {
	return [queryWords(query, locale), ...synonymReadings(query).map((r) => queryWords(r, locale))];
}

function runPass(index: SearchIndex, term: string, tolerance: number, where: Record<string, unknown>): Map<string, DocAgg> {
	const res = search(index.db, {
		term,
		properties: [...SEARCH_PROPERTIES],
		boost: BOOST,
		tolerance,
		limit: MAX_PASSAGES,
		...(Object.keys(where).length ? { where: where as never } : {})
	}) as { hits: { score: number; document: PassageRecord }[] };
	const docs = new Map<string, DocAgg>();
	for (const h of res.hits) {
		const d = h.document;
		const agg = docs.get(d.docId);
		if (!agg) docs.set(d.docId, { best: d, score: h.score, passages: [d] });
		else {
			agg.passages.push(d);
			if (h.score > agg.score) {
				agg.best = d;
				agg.score = h.score;
			}
		}
	}
	return docs;
}

/** Per query word (by its position in `words`), the passages that contain it. */
type WordSets = Map<string, Set<number>>;

function wordSets(index: SearchIndex, all: QueryWord[][], fuzzy: boolean): WordSets {
	const sets: WordSets = new Map();
	for (const q of all.flat()) {
		if (sets.has(q.word)) continue;
		const set = index.passagesWith(q.forms);
		if (fuzzy && q.word.length >= 4) for (const id of index.passagesWith([q.word], q.word.length >= 8 ? 2 : 1)) set.add(id);
		sets.set(q.word, set);
	}
	return sets;
}

/** Which of the reading's words the document's matching passages contain. */
function found(index: SearchIndex, agg: DocAgg, reading: readonly QueryWord[], sets: WordSets): Set<number> {
	const out = new Set<number>();
	agg.internal ??= agg.passages.map((p) => index.internalId(p.id) ?? -1);
	for (const id of agg.internal) {
		for (let i = 0; i < reading.length; i++) if (!out.has(i) && sets.get(reading[i]!.word)!.has(id)) out.add(i);
		if (out.size === reading.length) break;
	}
	return out;
}

interface Ranked {
	agg: DocAgg;
	cov: number;
	score: number;
}

/** Scores documents: best passage × how much of the query they cover × language. */
function rank(index: SearchIndex, docs: Iterable<DocAgg>, all: QueryWord[][], locale: Locale, fuzzy: boolean, seen?: Set<number>): Ranked[] {
	const out: Ranked[] = [];
	const sets = wordSets(index, all, fuzzy);
	for (const agg of docs) {
		let cov = 0;
		all.forEach((reading, i) => {
			const f = found(index, agg, reading, sets);
			if (i === 0 && seen) for (const w of f) seen.add(w);
			const c = reading.length ? f.size / reading.length : 0;
			// A synonym reading counts only when complete: "automatique" alone is not "guichet automatique".
			if (i === 0 || c === 1) cov = Math.max(cov, c);
		});
		out.push({ agg, cov, score: agg.score * (0.25 + 0.75 * cov * cov) * (agg.best.locale === locale ? LOCALE_BOOST : 1) });
	}
	return out;
}

const EMPTY_FACETS = (): Record<FacetName, FacetCount[]> => ({ kind: [], node: [], locale: [], floor: [], status: [] });

export function runQuery(index: SearchIndex, params: SearchParams): SearchResults {
	const { query, locale, filters = {}, limit = 20 } = params;
	const all = readings(query, locale);
	const base = all[0]!;
	const empty: SearchResults = { query, hits: [], total: 0, facets: EMPTY_FACETS(), fuzzy: false, words: base.map((q) => q.word) };
	if (!base.length) return empty;
	const forms = [...new Set(all.flat().flatMap((q) => q.forms))];
	// The space filter narrows before ranking; other filters apply per document, after facet counts.
	const where: Record<string, unknown> = filters.space ? { space: { eq: filters.space } } : {};

	const docs = runPass(index, forms.join(' '), 0, where);
	const seen = new Set<number>();
	let ranked = rank(index, docs.values(), all, locale, false, seen);
	// Typo pass: only for the words nothing contained, with only their typed form (cheaper than a
	// fuzzy search of every form), its scores added to the exact pass's.
	const missing = base.filter((q, i) => !seen.has(i) && q.word.length >= 4);
	let fuzzy = false;
	if (missing.length) {
		fuzzy = true;
		const longest = Math.max(...missing.map((q) => q.word.length));
		const typo = runPass(index, missing.map((q) => q.word).join(' '), longest >= 8 ? 2 : 1, where);
		for (const [id, t] of typo) {
			const held = docs.get(id);
			if (!held) docs.set(id, t);
			else {
				held.passages.push(...t.passages.filter((p) => !held.passages.some((h) => h.id === p.id)));
				held.internal = undefined;
				held.score += t.score;
			}
		}
		ranked = rank(index, docs.values(), all, locale, true);
	}
	// Nothing of the query, or less than half of a multi-word query, is noise rather than an answer.
	ranked = ranked.filter((r) => r.cov > 0 && (base.length === 1 || r.cov >= 0.5));
	// Archived documents stay out unless asked for.
	if (filters.status !== 'archived') ranked = ranked.filter((r) => r.agg.best.status !== 'archived');
	const facets = EMPTY_FACETS();
	const passes = (r: (typeof ranked)[number], except?: FacetName) =>
		FACETS.every((f) => f === except || !filters[f] || (r.agg.best[f] as string) === filters[f]);
	for (const f of FACETS) {
		const counts = new Map<string, number>();
		for (const r of ranked) if (passes(r, f)) counts.set(r.agg.best[f] as string, (counts.get(r.agg.best[f] as string) ?? 0) + 1);
		facets[f] = [...counts].filter(([value]) => value !== '').map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
	}
	const matching = ranked.filter((r) => passes(r)).sort((a, b) => b.score - a.score || a.agg.best.docId.localeCompare(b.agg.best.docId));
	const hits = matching.slice(0, limit).map(({ agg, cov, score }): SearchHit => {
		const b = agg.best;
		const reading = all.flat();
		return {
			docId: b.docId,
			title: b.docTitle,
			kind: b.kind,
			node: b.node,
			locale: b.locale,
			floor: b.floor,
			status: b.status,
			updatedAt: b.updatedAt,
			score,
			coverage: cov,
			heading: b.heading,
			snippet: snippet(b.text || b.title, reading, b.locale, fuzzy),
			titleMarks: markText(b.docTitle, reading, b.locale, fuzzy)
		};
	});
	return { query, hits, total: matching.length, facets, fuzzy, words: base.map((q) => q.word) };
}
