// A query's running scores, per document slot: which query words the document holds (one bit each),
// and per query word its score and the passage it was found in. The buffers are reused from query to
// query (cleared through the list of slots a query touched): a query over 10,000 documents would
// otherwise allocate and collect about a megabyte.
import { NO_PASSAGE, type SearchIndex } from './search-index';

/** Query words considered (one bit each per document). */
export const MAX_WORDS = 16;

export class Scores {
	static #pool: Scores | undefined;

	/** Clean scores for a query over `index` (one query at a time: search is synchronous). */
	static for(index: SearchIndex): Scores {
		const slots = index.docs.length;
		let s = Scores.#pool;
		if (!s || s.#capacity < slots)
			s = Scores.#pool = new Scores(Math.max(slots, Math.ceil((s ? s.#capacity : 0) * 1.5), 64));
		s.#clear();
		s.#index = index;
		return s;
	}

	readonly mask: Uint32Array;
	/** Query word b's score in slot s's title, tags and path at s * MAX_WORDS + b… */
	readonly field: Float32Array;
	/** …in its best passage, and that passage's number. */
	readonly body: Float32Array;
	readonly passage: Uint8Array;
	/** Query word b's rarity (0: no document holds it). */
	readonly idfs = new Float64Array(MAX_WORDS);
	/** Slots holding at least one query word, in the order first met: touched[0 … touchedCount). */
	readonly touched: Int32Array;
	touchedCount = 0;
	/** Room for the ranking (rank i: slot, score, coverage), reused like the rest. */
	readonly rankedSlots: Int32Array;
	readonly rankedScore: Float64Array;
	readonly rankedCov: Float32Array;
	/** Ranks passing every filter. */
	readonly matching: Int32Array;
	readonly #seen: Int32Array;
	readonly #capacity: number;
	readonly #best: Float32Array;
	readonly #bestField: Float32Array;
	readonly #bestBody: Float32Array;
	readonly #bestPassage: Uint8Array;
	#index: SearchIndex | undefined;

	private constructor(capacity: number) {
		this.#capacity = capacity;
		this.mask = new Uint32Array(capacity);
		this.field = new Float32Array(capacity * MAX_WORDS);
		this.body = new Float32Array(capacity * MAX_WORDS);
		this.passage = new Uint8Array(capacity * MAX_WORDS);
		this.#best = new Float32Array(capacity);
		this.#bestField = new Float32Array(capacity);
		this.#bestBody = new Float32Array(capacity);
		this.#bestPassage = new Uint8Array(capacity);
		this.touched = new Int32Array(capacity);
		this.rankedSlots = new Int32Array(capacity);
		this.rankedScore = new Float64Array(capacity);
		this.rankedCov = new Float32Array(capacity);
		this.matching = new Int32Array(capacity);
		this.#seen = new Int32Array(capacity);
	}

	#clear(): void {
		for (let i = 0; i < this.touchedCount; i++) {
			const slot = this.touched[i]!;
			this.mask[slot] = 0;
			this.field.fill(0, slot * MAX_WORDS, (slot + 1) * MAX_WORDS);
			this.body.fill(0, slot * MAX_WORDS, (slot + 1) * MAX_WORDS);
		}
		this.touchedCount = 0;
		this.idfs.fill(0);
	}

	/** Adds query word `bit`, stood for by these terms, each counting `factors[i]` of its weight (the
	 *  best of them per document, times the word's rarity); returns how many documents hold it. */
	addWord(bit: number, terms: readonly number[], factors: readonly number[]): number {
		const index = this.#index!;
		const docs = index.docs;
		const best = this.#best;
		const seen = this.#seen;
		let count = 0;
		for (let i = 0; i < terms.length; i++) {
			const factor = factors[i]!;
			const p = index.postings(terms[i]!);
			for (let k = 0; k < p.length; k++) {
				const slot = p.slots[k]!;
				if (docs[slot] === undefined) continue;
				const f = p.fields[k]! * factor;
				const w = p.weights[k]! * factor;
				if (best[slot] === 0) seen[count++] = slot;
				if (f + w > best[slot]!) {
					best[slot] = f + w;
					this.#bestField[slot] = f;
					this.#bestBody[slot] = w;
					this.#bestPassage[slot] = p.passages[k]!;
				}
			}
		}
		// Rarity as a share of the documents of a language, the language where the word is commonest:
		// English words are rare in a mostly French base, and would otherwise outrank the French
		// article a French query is about; and a word both versions of an article hold ("Nasdaq")
		// weighs the same in both, so the agent's language decides between them.
		let inFrench = 0;
		for (let i = 0; i < count; i++) if (docs[seen[i]!]!.locale === 'fr') inFrench++;
		const french = index.countIn('fr');
		const others = index.size - french;
		const share = Math.max(french ? inFrench / french : 0, others ? (count - inFrench) / others : 0);
		const n = share * index.size;
		const rarity = (this.idfs[bit] = count ? Math.log(1 + (index.size - n + 0.5) / (n + 0.5)) : 0);
		for (let i = 0; i < count; i++) {
			const slot = seen[i]!;
			if (this.mask[slot] === 0) this.touched[this.touchedCount++] = slot;
			this.mask[slot] = this.mask[slot]! | (1 << bit);
			const at = slot * MAX_WORDS + bit;
			this.field[at] = rarity * this.#bestField[slot]!;
			this.body[at] = rarity * this.#bestBody[slot]!;
			this.passage[at] = this.#bestPassage[slot]!;
			best[slot] = 0;
		}
		return count;
	}

	/** The passage of a document holding most of the query words (the first if none holds any). */
	bestPassage(slot: number, bits: number): number {
		const counts = new Map<number, number>();
		for (let b = 0; b < bits; b++) {
			if (!(this.mask[slot]! & (1 << b))) continue;
			const p = this.passage[slot * MAX_WORDS + b]!;
			if (p !== NO_PASSAGE) counts.set(p, (counts.get(p) ?? 0) + 1);
		}
		let best = 0;
		let most = 0;
		for (const [p, n] of counts) if (n > most || (n === most && p < best)) [best, most] = [p, n];
		return best;
	}
}
