// Plateau's search index: an inverted index over typed arrays (docs/decisions.md, "Search: our own
// inverted index"). Each indexed document takes a slot; each word of the vocabulary has a posting
// list of (slot, weight, passage): how much the word weighs in the document — title, tags and
// taxonomy path with their boosts plus its weight in the document's best passage for it — and which
// passage that is. A removed document's slot is marked dead: its postings (numbers only) are skipped
// until a compaction renumbers the live slots, so re-indexing one document never rewrites the index.
// But a word no live document holds any more leaves the vocabulary and its posting list at once:
// nothing of a removed document (a withdrawn note) stays, in memory or in the snapshot saved.
import type { SearchableDoc } from './readers';
import { contentWords } from './tokenizer';
import { Vocabulary } from './vocabulary';

/** A document as indexed: what the reader gave, and its taxonomy path as text. */
export interface IndexedDoc extends SearchableDoc {
	path: string;
}

/** Fields with counts per value in results, and filters. */
export const FACETS = ['kind', 'node', 'locale', 'floor', 'status'] as const;
export type FacetName = (typeof FACETS)[number];
/** The facets and the space (a filter, never counted), kept as numbered columns. */
const COLUMNS = [...FACETS, 'space'] as const;
type Column = (typeof COLUMNS)[number];

/** A facet's values as small numbers per slot, so a query counts them in typed arrays. */
class FacetColumn {
	readonly values: string[] = [];
	readonly #codes = new Map<string, number>();
	codes = new Uint16Array(64);

	code(value: string): number | undefined {
		return this.#codes.get(value);
	}

	set(slot: number, value: string): void {
		let c = this.#codes.get(value);
		if (c === undefined) {
			c = this.values.push(value) - 1;
			this.#codes.set(value, c);
		}
		if (slot >= this.codes.length) {
			const grown = new Uint16Array(Math.max(slot + 1, this.codes.length * 2));
			grown.set(this.codes);
			this.codes = grown;
		}
		this.codes[slot] = c;
	}
}

/** Field boosts: a word of the title counts three times a word of the text. */
export const BOOST = { title: 4, tags: 2, path: 1, heading: 0.5 } as const;
/** BM25's saturation and length normalisation, on passages of about AVG_PASSAGE words. */
const K1 = 1.2;
const B = 0.75;
const AVG_PASSAGE = 60;
/** The passage number of a word found only in the title, tags or path. */
export const NO_PASSAGE = 255;

/** One posting list, grown by doubling. */
class Postings {
	slots: Int32Array;
	/** The word's weight in the title, tags and taxonomy path (with their boosts). */
	fields: Float32Array;
	/** The word's weight in its best passage (BM25 on the passage, plus a little for its heading). */
	weights: Float32Array;
	passages: Uint8Array;
	length = 0;
	/** Postings of live documents (the others belong to removed ones, skipped by queries). */
	live = 0;

	constructor(capacity = 4) {
		this.slots = new Int32Array(capacity);
		this.fields = new Float32Array(capacity);
		this.weights = new Float32Array(capacity);
		this.passages = new Uint8Array(capacity);
	}

	push(slot: number, field: number, weight: number, passage: number): void {
		if (this.length === this.slots.length) {
			const grow = <T extends Int32Array | Float32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
				const b = make(a.length * 2);
				b.set(a);
				return b;
			};
			this.slots = grow(this.slots, (n) => new Int32Array(n));
			this.fields = grow(this.fields, (n) => new Float32Array(n));
			this.weights = grow(this.weights, (n) => new Float32Array(n));
			this.passages = grow(this.passages, (n) => new Uint8Array(n));
		}
		this.slots[this.length] = slot;
		this.fields[this.length] = field;
		this.weights[this.length] = weight;
		this.passages[this.length] = passage;
		this.length++;
		this.live++;
	}

	/** Where `slot` is, or would be: slots only ever grow (a document takes the next slot, a
	 *  compaction keeps their order), so every list is sorted by slot. */
	#find(slot: number): number {
		let lo = 0;
		let hi = this.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (this.slots[mid]! < slot) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	has(slot: number): boolean {
		const i = this.#find(slot);
		return i < this.length && this.slots[i] === slot;
	}
}

/** The index as plain data for IndexedDB (structured clone keeps typed arrays as they are): the live
 *  documents and the words they hold, nothing else. */
export interface IndexSnapshot {
	docs: IndexedDoc[];
	words: string[];
	/** Posting list i spans [offsets[i], offsets[i + 1]) of slots, fields, weights and passages. */
	offsets: Int32Array;
	slots: Int32Array;
	fields: Float32Array;
	weights: Float32Array;
	passages: Uint8Array;
}

function saturate(tf: number): number {
	return (tf * (K1 + 1)) / (tf + K1);
}

interface WordWeight {
	field: number;
	weight: number;
	passage: number;
}

/** Each word's weight in a document's fields and in the passage it weighs most in. */
function documentWeights(doc: SearchableDoc, path: string): Map<string, WordWeight> {
	const out = new Map<string, WordWeight>();
	const field = (text: string, boost: number) => {
		const tf = new Map<string, number>();
		for (const w of contentWords(text, doc.locale)) tf.set(w, (tf.get(w) ?? 0) + 1);
		for (const [w, n] of tf) {
			const e = out.get(w);
			if (e) e.field += boost * saturate(n);
			else out.set(w, { field: boost * saturate(n), weight: 0, passage: NO_PASSAGE });
		}
	};
	field(doc.title, BOOST.title);
	field(doc.tags.join(' '), BOOST.tags);
	field(path, BOOST.path);
	// Passages: a word weighs what it weighs in its best passage (BM25 on the passage, plus a little
	// for the passage's heading), so a long document is not diluted by its length.
	const best = new Map<string, { weight: number; passage: number }>();
	doc.passages.slice(0, NO_PASSAGE).forEach((p, i) => {
		const words = contentWords(p.text, doc.locale);
		const norm = K1 * (1 - B + (B * words.length) / AVG_PASSAGE);
		const tf = new Map<string, number>();
		for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
		const heading = new Set(contentWords(p.heading, doc.locale));
		for (const w of heading) if (!tf.has(w)) tf.set(w, 0);
		for (const [w, n] of tf) {
			const weight = (n * (K1 + 1)) / (n + norm) + (heading.has(w) ? BOOST.heading : 0);
			const b = best.get(w);
			if (!b || weight > b.weight) best.set(w, { weight, passage: i });
		}
	});
	for (const [w, b] of best) {
		const e = out.get(w);
		if (e) {
			e.weight = b.weight;
			e.passage = b.passage;
		} else out.set(w, { field: 0, ...b });
	}
	return out;
}

export class SearchIndex {
	vocabulary = new Vocabulary();
	/** Document of each slot; undefined once removed. */
	docs: (IndexedDoc | undefined)[] = [];
	#postings: (Postings | undefined)[] = [];
	/** Term numbers of each live slot's words, so removing a document finds the words it held. */
	#terms: (Int32Array | undefined)[] = [];
	#slotOf = new Map<string, number>();
	#perLocale = new Map<string, number>();
	#dead = 0;
	#facets = newFacets();

	/** A facet's column: its values, and each slot's value as a number. */
	facet(f: Column): FacetColumn {
		return this.#facets[f];
	}

	/** Indexes a document, replacing what was indexed for it. `path`: its taxonomy path as text. */
	put(doc: SearchableDoc, path: string): void {
		this.remove(doc.docId);
		const slot = this.docs.length;
		this.docs.push({ ...doc, path });
		this.#slotOf.set(doc.docId, slot);
		this.#count(doc.locale, 1);
		for (const f of COLUMNS) this.#facets[f].set(slot, doc[f]);
		const weights = documentWeights(doc, path);
		const terms = new Int32Array(weights.size);
		let i = 0;
		for (const [w, { field, weight, passage }] of weights) {
			const term = this.vocabulary.intern(w);
			(this.#postings[term] ??= new Postings()).push(slot, field, weight, passage);
			terms[i++] = term;
		}
		this.#terms[slot] = terms;
	}

	/** Removes a document, and the words only it held (with their posting lists). */
	remove(docId: string): boolean {
		const slot = this.#slotOf.get(docId);
		if (slot === undefined) return false;
		this.#slotOf.delete(docId);
		this.#count(this.docs[slot]!.locale, -1);
		this.docs[slot] = undefined;
		for (const term of this.#terms[slot] ?? []) {
			const p = this.#postings[term];
			if (!p || --p.live > 0) continue;
			this.#postings[term] = undefined;
			this.vocabulary.forget(term);
		}
		this.#terms[slot] = undefined;
		// Dead postings cost every query that meets them: compact once they are a quarter of the index.
		if (++this.#dead > 1000 && this.#dead > this.docs.length / 4) this.restore(this.snapshot());
		return true;
	}

	/** Live documents in a language (a word's rarity is measured among them). */
	countIn(locale: string): number {
		return this.#perLocale.get(locale) ?? 0;
	}

	#count(locale: string, by: number): void {
		this.#perLocale.set(locale, (this.#perLocale.get(locale) ?? 0) + by);
	}

	has(docId: string): boolean {
		return this.#slotOf.has(docId);
	}

	/** The slot of a live document. */
	slotOf(docId: string): number | undefined {
		return this.#slotOf.get(docId);
	}

	/** Whether the document in `slot` holds the term. */
	holds(term: number, slot: number): boolean {
		return this.#postings[term]?.has(slot) ?? false;
	}

	ids(): IterableIterator<string> {
		return this.#slotOf.keys();
	}

	get size(): number {
		return this.#slotOf.size;
	}

	/** Slots not in use by a live document, counted in `docs.length`. */
	get deadSlots(): number {
		return this.#dead;
	}

	/** The posting list of a term number (empty if none). */
	postings(term: number): {
		slots: Int32Array;
		fields: Float32Array;
		weights: Float32Array;
		passages: Uint8Array;
		length: number;
	} {
		return this.#postings[term] ?? EMPTY;
	}

	clear(): void {
		this.vocabulary = new Vocabulary();
		this.docs = [];
		this.#postings = [];
		this.#terms = [];
		this.#slotOf.clear();
		this.#perLocale.clear();
		this.#facets = newFacets();
		this.#dead = 0;
	}

	/** The live documents and the words they hold with their postings, slots renumbered densely. */
	snapshot(): IndexSnapshot {
		const renumber = new Int32Array(this.docs.length).fill(-1);
		const docs: IndexedDoc[] = [];
		this.docs.forEach((d, slot) => {
			if (d) renumber[slot] = docs.push(d) - 1;
		});
		const words: string[] = [];
		let total = 0;
		for (const p of this.#postings) total += p?.length ?? 0;
		const offsets: number[] = [];
		const slots = new Int32Array(total);
		const fields = new Float32Array(total);
		const weights = new Float32Array(total);
		const passages = new Uint8Array(total);
		let at = 0;
		for (let t = 0; t < this.vocabulary.capacity; t++) {
			const p = this.#postings[t];
			const start = at;
			for (let i = 0; i < (p?.length ?? 0); i++) {
				const s = renumber[p!.slots[i]!]!;
				if (s < 0) continue;
				slots[at] = s;
				fields[at] = p!.fields[i]!;
				weights[at] = p!.weights[i]!;
				passages[at++] = p!.passages[i]!;
			}
			if (at === start) continue; // a word no live document holds is not saved
			offsets.push(start);
			words.push(this.vocabulary.words[t]!);
		}
		offsets.push(at);
		return {
			docs,
			words,
			offsets: Int32Array.from(offsets),
			slots: slots.slice(0, at),
			fields: fields.slice(0, at),
			weights: weights.slice(0, at),
			passages: passages.slice(0, at)
		};
	}

	/** Replaces the index with a snapshot's (validated by persistence before it gets here). Returns
	 *  how many of its words no document held (an older save's leftovers): they are not restored. */
	restore(s: IndexSnapshot): number {
		this.clear();
		let dropped = 0;
		const termsPerSlot = new Int32Array(s.docs.length);
		s.words.forEach((w, i) => {
			const from = s.offsets[i]!;
			const to = s.offsets[i + 1]!;
			if (to === from) {
				dropped++;
				return;
			}
			const t = this.vocabulary.intern(w);
			const p = new Postings(to - from);
			p.slots.set(s.slots.subarray(from, to));
			p.fields.set(s.fields.subarray(from, to));
			p.weights.set(s.weights.subarray(from, to));
			p.passages.set(s.passages.subarray(from, to));
			p.length = p.live = to - from;
			this.#postings[t] = p;
			for (let k = from; k < to; k++) termsPerSlot[s.slots[k]!]!++;
		});
		// Each slot's terms, filled in a second pass once their counts are known.
		const filled = new Int32Array(s.docs.length);
		this.#terms = Array.from(termsPerSlot, (n) => new Int32Array(n));
		this.#postings.forEach((p, t) => {
			for (let k = 0; k < p!.length; k++) {
				const slot = p!.slots[k]!;
				this.#terms[slot]![filled[slot]!++] = t;
			}
		});
		this.docs = [...s.docs];
		s.docs.forEach((d, slot) => {
			this.#slotOf.set(d.docId, slot);
			this.#count(d.locale, 1);
			for (const f of COLUMNS) this.#facets[f].set(slot, d[f]);
		});
		return dropped;
	}
}

function newFacets(): Record<Column, FacetColumn> {
	return Object.fromEntries(COLUMNS.map((f) => [f, new FacetColumn()])) as Record<Column, FacetColumn>;
}

const EMPTY = {
	slots: new Int32Array(0),
	fields: new Float32Array(0),
	weights: new Float32Array(0),
	passages: new Uint8Array(0),
	length: 0
};
