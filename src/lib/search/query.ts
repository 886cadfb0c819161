// A query over the index: each query word's forms are looked up as prefixes in the vocabulary, the
// posting lists of the words found are walked once, and each document gets, per query word, the
// best weight of a word standing for it times that query word's rarity (BM25's idf). Then the share
// of the query a document covers, its language, facet counts per document and snippets of the
// passage holding most of the query. Typo tolerance applies only to query words nothing contains:
// it costs latency and buys little when the words are spelled right.
// runQuery runs these steps in order: plan (readings and their words), scoreWords (postings walked),
// rank (readings, coverage, language), filterAndCount (filters and facets), best (top `limit`) and
// hit (snippets, and the words and passage an opened result marks).
import type { Locale } from '../domain/locale';
import { matchWeight, MIN_PREFIX, tolerance, TYPO_WEIGHT } from './match';
import { MAX_WORDS, Scores } from './scores';
import { FACETS, type FacetName, type SearchIndex } from './search-index';
import { markText, snippet, type Segment } from './snippet';
import { synonymReadings } from './synonyms';
import { codeParts, queryWord, queryWords, type QueryWord } from './tokenizer';

export { FACETS, type FacetName };
export type SearchFilters = Partial<Record<FacetName | 'space', string>>;

export interface SearchParams {
	query: string;
	/** The agent's UI language: its stop words apply, and documents in it rank first. */
	locale: Locale;
	filters?: SearchFilters;
	limit?: number;
	/** Only this document: an opened result's words and passage, found again from a link. */
	docId?: string;
	/** The centre's synonym groups (Settings), applied after the built-in table. */
	synonyms?: readonly (readonly string[])[];
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
	/** A note's author. */
	author?: string;
	/** The best passage: its heading and a marked snippet. */
	heading: string;
	snippet: Segment[];
	titleMarks: Segment[];
	/** The index words standing for the query's words that the document holds (what to mark in it:
	 *  a stem, a prefix or a typo already resolved to the words written). */
	words: string[];
	/** The best passage: its number among the document's passages (-1: none) and its text. */
	passage: number;
	passageText: string;
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
	/** The query's content words, folded. */
	words: string[];
	/** The index words that stood for them, in any document. */
	matched: string[];
}

/** Results shown as the agent types: the ten best with their snippets (the count and the facets
 *  tell what else matched). Building snippets is most of a query's cost past the ranking: 20
 *  doubled the p95 latency on 10,000 articles (docs/decisions.md). */
export const RESULTS_SHOWN = 10;
/** Documents in the UI language rank this much higher: of an article and its translation that both
 *  match, the agent sees the one in their language first. */
const LOCALE_BOOST = 2;
/** An unpublished draft's score is scaled down this much: it ranks below every published match. */
const DRAFT_FACTOR = 1e-3;
/** Query words found in a document's other passages than its best one count this much: a long
 *  reference holds every word somewhere, the procedure that answers holds them together. */
const OTHER_PASSAGES = 0.35;
/** A document holding none of the rarer half of the query keeps this share of its score: coverage
 *  rewards (score × (FLOOR + (1 − FLOOR) × coverage²)), it never removes a document. */
const COVERAGE_FLOOR = 0.2;
/** A synonym reading counts this much of the query as typed: the agent's own words come first. */
const SYNONYM_WEIGHT = 0.85;

/** The query's readings: as typed, and with each synonym phrase in place of the one it matched. A
 *  code the index does not hold whole ("pea-pme" written "PEA PME" everywhere) is searched as its
 *  parts. */
function readings(
	index: SearchIndex,
	{ query, locale, synonyms = [] }: SearchParams
): { words: QueryWord[]; phrase: QueryWord[] }[] {
	const codes = (r: QueryWord[]) =>
		r.flatMap((q) =>
			q.parts && index.vocabulary.id(q.word) === undefined ? q.parts.map((word) => queryWord(word)) : [q]
		);
	return [
		{ words: codes(queryWords(query, locale)), phrase: [] },
		...synonymReadings(query, synonyms).map((r) => ({
			words: codes(queryWords(r.query, locale)),
			phrase: codes(queryWords(r.phrase, locale))
		}))
	];
}

/** The vocabulary's term numbers standing for a query word, each with how much it counts (the word
 *  itself, a word of the same stem, a completion: match.ts). */
function termsFor(index: SearchIndex, q: QueryWord): { terms: number[]; factors: number[] } {
	const weights = new Map<number, number>();
	const candidates: number[] = [];
	const exact = index.vocabulary.id(q.word);
	if (exact !== undefined) candidates.push(exact);
	for (const s of new Set([...q.fr, q.en])) {
		if (s.length >= MIN_PREFIX) index.vocabulary.withPrefix(s, candidates);
		else {
			const id = index.vocabulary.id(s);
			if (id !== undefined) candidates.push(id);
		}
	}
	if (q.word.length >= MIN_PREFIX) index.vocabulary.withPrefix(q.word, candidates);
	for (const t of candidates) {
		if (weights.has(t)) continue;
		const w = matchWeight(index.vocabulary.words[t]!, q);
		if (w > 0) weights.set(t, w);
	}
	return { terms: [...weights.keys()], factors: [...weights.values()] };
}

const EMPTY_FACETS = (): Record<FacetName, FacetCount[]> => ({
	kind: [],
	node: [],
	locale: [],
	floor: [],
	status: []
});

/** What a query looks for: its readings, and every distinct word of them with its bit. */
interface Plan {
	/** The query as typed (synonym readings come after it). */
	base: QueryWord[];
	/** Each distinct word of every reading; its position is its bit in the scores. */
	words: QueryWord[];
	/** Each reading as the bits of its words. */
	readingBits: number[][];
	/** Each reading's bits that a document must hold for it to count (a synonym phrase's words). */
	requiredBits: number[];
}

function plan(index: SearchIndex, params: SearchParams): Plan {
	const all = readings(index, params);
	const words: QueryWord[] = [];
	const bitOf = new Map<string, number>();
	for (const q of all.flatMap((r) => r.words)) {
		if (bitOf.has(q.word) || words.length === MAX_WORDS) continue;
		bitOf.set(q.word, words.length);
		words.push(q);
	}
	const bits = (r: QueryWord[]) =>
		r.map((q) => bitOf.get(q.word)).filter((b): b is number => b !== undefined);
	return {
		base: all[0]!.words,
		words,
		readingBits: all.map((r) => bits(r.words)),
		requiredBits: all.map((r) => bits(r.phrase).reduce((m, b) => m | (1 << b), 0))
	};
}

/** Scores every document for each query word; typo tolerance only for a typed word nothing holds.
 *  Returns the term numbers that stood for the query's words (what snippets and highlights mark). */
function scoreWords(
	index: SearchIndex,
	scores: Scores,
	{ base, words }: Plan
): { fuzzy: boolean; terms: number[] } {
	let fuzzy = false;
	const matched = new Set<number>();
	words.forEach((q, bit) => {
		const found = termsFor(index, q);
		let terms = found.terms;
		if (scores.addWord(bit, terms, found.factors) === 0) {
			// Nothing holds the word as typed: look for words within typing distance of it.
			const typed = base.some((b) => b.word === q.word);
			terms = typed && tolerance(q.word) > 0 ? index.vocabulary.near(q.word, tolerance(q.word)) : [];
			const slips = terms.map(() => TYPO_WEIGHT);
			if (scores.addWord(bit, terms, slips) > 0) fuzzy = true;
		}
		for (const t of terms) matched.add(t);
	});
	return { fuzzy, terms: [...matched] };
}

/** Ranks the documents touched into `scores.ranked*` (slot, score, coverage); returns how many.
 *  Leaves out other spaces and archived documents (unless asked for). A document's score for a
 *  reading: its query words' weights in title, tags and path, plus their weights in its best passage
 *  (words found only in other passages count OTHER_PASSAGES of theirs), times a reward for the share
 *  of the query it covers, rarer words counting more. Words no document of its language holds count
 *  neither for nor against it: an unknown word, an abbreviation nobody wrote, never vetoes. */
function rank(
	index: SearchIndex,
	scores: Scores,
	{ readingBits, requiredBits }: Plan,
	params: SearchParams
): number {
	const { filters = {}, locale } = params;
	const { rankedSlots, rankedScore, rankedCov } = scores;
	let count = 0;
	const only = params.docId === undefined ? -1 : (index.slotOf(params.docId) ?? -2);
	const spaceCode = filters.space === undefined ? -1 : (index.facet('space').code(filters.space) ?? -2);
	const spaces = index.facet('space').codes;
	const statuses = index.facet('status').codes;
	const archived = filters.status === 'archived' ? -1 : (index.facet('status').code('archived') ?? -1);
	const locales = index.facet('locale').codes;
	const uiLocale = index.facet('locale').code(locale) ?? -1;
	const draft = index.facet('status').code('draft') ?? -1;
	const passageOf = new Int32Array(MAX_WORDS);
	const passageSum = new Float64Array(MAX_WORDS);
	for (let t = 0; t < scores.touchedCount; t++) {
		const slot = scores.touched[t]!;
		if (only !== -1 && slot !== only) continue;
		if (spaceCode !== -1 && spaces[slot] !== spaceCode) continue;
		// Archived documents stay out unless asked for.
		if (statuses[slot] === archived) continue;
		const mask = scores.mask[slot]!;
		// The document's best reading: readings are alternatives, so their scores never add up.
		let cov = 0;
		let score = 0;
		for (let i = 0; i < readingBits.length; i++) {
			const bits = readingBits[i]!;
			let known = 0;
			let held = 0;
			let fields = 0;
			let body = 0;
			let passages = 0;
			const required = requiredBits[i]!;
			// A synonym reading counts only if the document holds its phrase: "automatique" alone is not
			// "guichet automatique".
			if ((mask & required) !== required) continue;
			for (const b of bits) {
				const rarity = scores.idfs[b]!;
				known += rarity;
				if (!(mask & (1 << b))) continue;
				held += rarity;
				const at = slot * MAX_WORDS + b;
				fields += scores.field[at]!;
				const w = scores.body[at]!;
				body += w;
				const p = scores.passage[at]!;
				let k = 0;
				while (k < passages && passageOf[k] !== p) k++;
				if (k === passages) {
					passageOf[passages++] = p;
					passageSum[k] = 0;
				}
				passageSum[k] = passageSum[k]! + w;
			}
			if (held === 0) continue;
			let inBest = 0;
			for (let k = 0; k < passages; k++) if (passageSum[k]! > inBest) inBest = passageSum[k]!;
			const c = held / known;
			const s =
				(i > 0 ? SYNONYM_WEIGHT : 1) *
				(fields + inBest + OTHER_PASSAGES * (body - inBest)) *
				(COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * c * c);
			if (s > score) [score, cov] = [s, c];
		}
		if (score === 0) continue;
		rankedSlots[count] = slot;
		rankedCov[count] = cov;
		rankedScore[count++] =
			score * (locales[slot] === uiLocale ? LOCALE_BOOST : 1) * (statuses[slot] === draft ? DRAFT_FACTOR : 1);
	}
	return count;
}

/** Facet counts, and the ranks passing every filter into `scores.matching` (returns how many): a
 *  document counts in a facet if it passes every *other* facet's filter, so the agent sees how many
 *  they would get by switching that filter. One pass, in typed arrays. */
function filterAndCount(
	index: SearchIndex,
	scores: Scores,
	count: number,
	filters: SearchFilters
): { total: number; facets: Record<FacetName, FacetCount[]> } {
	const columns = FACETS.map((f) => index.facet(f));
	const wanted = FACETS.map((f, i) =>
		filters[f] === undefined ? -1 : (columns[i]!.code(filters[f]!) ?? -2)
	);
	const counts = columns.map((c) => new Int32Array(c.values.length));
	const { rankedSlots, matching } = scores;
	let total = 0;
	for (let r = 0; r < count; r++) {
		const slot = rankedSlots[r]!;
		let failed = -1;
		let failures = 0;
		for (let f = 0; f < FACETS.length; f++)
			if (wanted[f] !== -1 && columns[f]!.codes[slot] !== wanted[f] && ++failures === 1) failed = f;
		if (failures > 1) continue;
		if (failures === 0) {
			matching[total++] = r;
			for (let f = 0; f < FACETS.length; f++) counts[f]![columns[f]!.codes[slot]!]!++;
		} else counts[failed]![columns[failed]!.codes[slot]!]!++;
	}
	const facets = EMPTY_FACETS();
	FACETS.forEach((f, i) => {
		const out: FacetCount[] = [];
		counts[i]!.forEach((c, code) => {
			const value = columns[i]!.values[code]!;
			if (c > 0 && value !== '') out.push({ value, count: c });
		});
		facets[f] = out.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
	});
	return { total, facets };
}

/** The best `limit` of the matching ranks, best first, without sorting them all. */
function best(index: SearchIndex, scores: Scores, total: number, limit: number): number[] {
	const { rankedSlots, rankedScore, matching } = scores;
	const docIdOf = (r: number) => index.docs[rankedSlots[r]!]!.docId;
	const before = (a: number, b: number) =>
		rankedScore[a]! > rankedScore[b]! || (rankedScore[a] === rankedScore[b] && docIdOf(a) < docIdOf(b));
	const out: number[] = [];
	for (let m = 0; m < total; m++) {
		const r = matching[m]!;
		if (out.length === limit && !before(r, out[limit - 1]!)) continue;
		let i = out.length === limit ? limit - 1 : out.length;
		while (i > 0 && before(r, out[i - 1]!)) {
			out[i] = out[i - 1]!;
			i--;
		}
		out[i] = r;
	}
	return out;
}

/** A ranked document as a result: its best passage, marked snippet and title, and its words. */
function hit(
	index: SearchIndex,
	scores: Scores,
	r: number,
	bits: number,
	terms: readonly number[]
): SearchHit {
	const slot = scores.rankedSlots[r]!;
	const doc = index.docs[slot]!;
	const words: string[] = [];
	for (const t of terms) if (index.holds(t, slot)) words.push(index.vocabulary.words[t]!);
	const at = doc.passages.length ? scores.bestPassage(slot, bits) : -1;
	const passage = doc.passages[at];
	// A code found whole ("peapme") is marked as the parts its text writes ("PEA-PME").
	const text = `${doc.title} ${passage?.text ?? ''}`;
	if (text.includes('-')) {
		const parts = codeParts(text);
		for (const w of [...words]) for (const p of parts.get(w) ?? []) if (!words.includes(p)) words.push(p);
	}
	const held = new Set(words);
	const isMatch = (word: string) => held.has(word);
	return {
		docId: doc.docId,
		title: doc.title,
		kind: doc.kind,
		node: doc.node,
		locale: doc.locale,
		floor: doc.floor,
		status: doc.status,
		updatedAt: doc.updatedAt,
		score: scores.rankedScore[r]!,
		coverage: scores.rankedCov[r]!,
		...(doc.author ? { author: doc.author } : {}),
		heading: passage?.heading ?? '',
		snippet: snippet(passage?.text || doc.title, isMatch),
		titleMarks: markText(doc.title, isMatch),
		words,
		passage: passage ? at : -1,
		passageText: passage?.text ?? ''
	};
}

export function runQuery(index: SearchIndex, params: SearchParams): SearchResults {
	const { query, filters = {}, limit = RESULTS_SHOWN } = params;
	const p = plan(index, params);
	const words = p.base.map((q) => q.word);
	if (!p.base.length)
		return { query, hits: [], total: 0, facets: EMPTY_FACETS(), fuzzy: false, words, matched: [] };
	const scores = Scores.for(index);
	const { fuzzy, terms } = scoreWords(index, scores, p);
	const count = rank(index, scores, p, params);
	const { total, facets } = filterAndCount(index, scores, count, filters);
	const hits = best(index, scores, total, limit).map((r) => hit(index, scores, r, p.words.length, terms));
	const matched = terms.map((t) => index.vocabulary.words[t]!);
	return { query, hits, total, facets, fuzzy, words, matched };
}
