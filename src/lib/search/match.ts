// Does a text word stand for a query word? Shared by ranking (how many query words a document
// covers), snippets (what to mark) and the article page's highlight, so all three agree.
import type { QueryWord } from './tokenizer';
import { stemsOf } from './tokenizer';

/** Within one edit (insert, delete, substitute, or swap of neighbours)? */
export function withinOneEdit(a: string, b: string): boolean {
	if (a === b) return true;
	if (Math.abs(a.length - b.length) > 1) return false;
	let i = 0;
	while (i < a.length && i < b.length && a[i] === b[i]) i++;
	if (a.length === b.length) {
		if (a.slice(i + 1) === b.slice(i + 1)) return true;
		return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
	}
	const [long, short] = a.length > b.length ? [a, b] : [b, a];
	return long.slice(i + 1) === short.slice(i);
}

/** Within `max` edits (optimal string alignment: insert, delete, substitute, swap of neighbours)?
 *  Row by row, giving up as soon as a whole row exceeds `max`. */
export function withinEdits(a: string, b: string, max: number): boolean {
	if (max <= 1) return max === 1 ? withinOneEdit(a, b) : a === b;
	if (Math.abs(a.length - b.length) > max) return false;
	if (b.length + 1 > rows[0]!.length) for (let r = 0; r < 3; r++) rows[r] = new Int32Array(b.length + 1);
	let [prev2, prev, row] = rows as [Int32Array, Int32Array, Int32Array];
	for (let j = 0; j <= b.length; j++) prev[j] = j;
	for (let i = 1; i <= a.length; i++) {
		row[0] = i;
		let least = i;
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
				d = Math.min(d, prev2[j - 2]! + 1);
			row[j] = d;
			if (d < least) least = d;
		}
		if (least > max) return false;
		[prev2, prev, row] = [prev, row, prev2];
	}
	return prev[b.length]! <= max;
}

/** Three rows of the edit-distance table, reused (typo lookups run it on thousands of words). */
const rows: Int32Array[] = [new Int32Array(32), new Int32Array(32), new Int32Array(32)];

/** The typo tolerance of a query word: none under 4 letters, 2 edits from 8. */
export function tolerance(word: string): number {
	return word.length < 4 ? 0 : word.length >= 8 ? 2 : 1;
}

/** How much an index word found for a query word counts: the word itself fully; a word sharing a
 *  stem with it ("refusées" for "refusé") a little less; a longer word it begins ("auth" for
 *  "authentification": typing, or a cut word) less again, more so the more of the word is missing;
 *  a typing slip (TYPO_WEIGHT, applied by the query) less still. A short stem is never a prefix:
 *  "vir" from "virement" must not stand for "virtuelle", nor "intern" for "internet". */
export const STEM_WEIGHT = 0.85;
export const PREFIX_WEIGHT = 0.6;
export const TYPO_WEIGHT = 0.35;
/** A query word shorter than this is never completed as a prefix ("pe" would match half the base). */
export const MIN_PREFIX = 3;

export function matchWeight(word: string, q: QueryWord): number {
	if (word === q.word) return 1;
	const [fr, en] = stemsOf(word);
	// Same stem in the same language, and a stem of some length: "pe" (from "pea") is no stem of "pe".
	if ((fr.length >= MIN_PREFIX && q.fr.includes(fr)) || (en.length >= MIN_PREFIX && q.en === en))
		return STEM_WEIGHT;
	if (q.word.length >= MIN_PREFIX && word.startsWith(q.word))
		return PREFIX_WEIGHT * (0.6 + (0.4 * q.word.length) / word.length);
	return 0;
}

/** Whether the folded text word matches the query word: the same word, a shared stem, a
 *  completion of it, or, if `fuzzy`, within typing distance of it. */
export function wordMatches(word: string, q: QueryWord, fuzzy: boolean): boolean {
	return matchWeight(word, q) > 0 || (fuzzy && withinEdits(word, q.word, tolerance(q.word)));
}
