// The index's words. Each distinct folded word has a number (its posting list's); a sorted copy
// answers prefix lookups (query words and their stems match as prefixes), and words grouped by
// length answer typo-tolerant lookups without scanning words that are too long or too short.
import { withinEdits } from './match';

/** Above this many words added since the last sort, one sort beats inserting them one by one. */
const INSERT_LIMIT = 64;

export class Vocabulary {
	/** Word of each term number. */
	readonly words: string[] = [];
	readonly #ids = new Map<string, number>();
	#sorted: string[] = [];
	#pending: string[] = [];
	#byLength: number[][] = [];

	/** The term number of a word, adding it if new. */
	intern(word: string): number {
		let id = this.#ids.get(word);
		if (id === undefined) {
			id = this.words.length;
			this.words.push(word);
			this.#ids.set(word, id);
			this.#pending.push(word);
			(this.#byLength[word.length] ??= []).push(id);
		}
		return id;
	}

	get size(): number {
		return this.words.length;
	}

	/** Term numbers of the words starting with `prefix`. */
	withPrefix(prefix: string, out: number[] = []): number[] {
		const sorted = this.#sortedWords();
		let lo = 0;
		let hi = sorted.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (sorted[mid]! < prefix) lo = mid + 1;
			else hi = mid;
		}
		for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++)
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
		if (this.#pending.length > INSERT_LIMIT) this.#sorted = [...this.words].sort();
		else
			for (const w of this.#pending) {
				let lo = 0;
				let hi = this.#sorted.length;
				while (lo < hi) {
					const mid = (lo + hi) >>> 1;
					if (this.#sorted[mid]! < w) lo = mid + 1;
					else hi = mid;
				}
				this.#sorted.splice(lo, 0, w);
			}
		this.#pending = [];
		return this.#sorted;
	}
}
