// The index's words. Each distinct folded word has a number (its posting list's); a sorted copy
// answers prefix lookups (query words and their stems match as prefixes), and words grouped by
// length answer typo-tolerant lookups without scanning words that are too long or too short.
// A word no document holds any more is forgotten from all three: a removed document (a withdrawn
// note) must leave no word behind, in memory or in what is saved. Its number is reused.
import { withinEdits } from './match';

/** Above this many words added since the last sort, one sort beats inserting them one by one. */
const INSERT_LIMIT = 64;

/** Position of `word` in the sorted array `sorted`, or where it would go. */
function lowerBound(sorted: readonly string[], word: string): number {
	let lo = 0;
	let hi = sorted.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (sorted[mid]! < word) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

export class Vocabulary {
	/** Word of each term number ('' for a number forgotten and not reused yet). */
	readonly words: string[] = [];
	readonly #ids = new Map<string, number>();
	/** Numbers of forgotten words, reused by the next new words. */
	readonly #free: number[] = [];
	#sorted: string[] = [];
	#pending = new Set<string>();
	#byLength: number[][] = [];

	/** The term number of a word, adding it if new. */
	intern(word: string): number {
		let id = this.#ids.get(word);
		if (id === undefined) {
			id = this.#free.pop() ?? this.words.length;
			this.words[id] = word;
			this.#ids.set(word, id);
			this.#pending.add(word);
			(this.#byLength[word.length] ??= []).push(id);
		}
		return id;
	}

	/** Forgets a term number's word (no document holds it any more). */
	forget(id: number): void {
		const word = this.words[id];
		if (!word || this.#ids.get(word) !== id) return;
		this.#ids.delete(word);
		this.words[id] = '';
		this.#free.push(id);
		if (!this.#pending.delete(word)) {
			const at = lowerBound(this.#sorted, word);
			if (this.#sorted[at] === word) this.#sorted.splice(at, 1);
		}
		const sameLength = this.#byLength[word.length]!;
		sameLength.splice(sameLength.indexOf(id), 1);
	}

	/** The term number of a word, if the vocabulary holds it. */
	id(word: string): number | undefined {
		return this.#ids.get(word);
	}

	/** Words held. */
	get size(): number {
		return this.#ids.size;
	}

	/** Term numbers ever given out (the live ones and the forgotten ones waiting for reuse). */
	get capacity(): number {
		return this.words.length;
	}

	/** Term numbers of the words starting with `prefix`. */
	withPrefix(prefix: string, out: number[] = []): number[] {
		const sorted = this.#sortedWords();
		for (let i = lowerBound(sorted, prefix); i < sorted.length && sorted[i]!.startsWith(prefix); i++)
			out.push(this.#ids.get(sorted[i]!)!);
		return out;
	}

	/** Term numbers of the words at most `max` edits (insert, delete, substitute, swap) from `word`. */
	near(word: string, max: number, out: number[] = []): number[] {
		for (let len = Math.max(1, word.length - max); len <= word.length + max; len++) {
			for (const id of this.#byLength[len] ?? []) if (withinEdits(word, this.words[id]!, max)) out.push(id);
		}
		return out;
	}

	#sortedWords(): string[] {
		if (this.#pending.size > INSERT_LIMIT) this.#sorted = [...this.#ids.keys()].sort();
		else
			for (const w of this.#pending) {
				this.#sorted.splice(lowerBound(this.#sorted, w), 0, w);
			}
		this.#pending.clear();
		return this.#sorted;
	}
}
