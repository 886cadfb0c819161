// Does a text word stand for a query word? Shared by ranking (how many query words a document
// covers), snippets (what to mark) and the article page's highlight, so all three agree.
import type { QueryWord } from './tokenizer';
import { stem } from './tokenizer';
import type { Locale } from '../domain/locale';

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

/** Whether the folded text word `word` (in `locale`) matches the query word: a form of the query
 *  word is a prefix of the word or of its stem, or, if `fuzzy`, one edit away from the word. */
export function wordMatches(word: string, q: QueryWord, locale: Locale, fuzzy: boolean): boolean {
	const s = stem(word, locale);
	for (const f of q.forms) if (word.startsWith(f) || s.startsWith(f)) return true;
	return fuzzy && withinEdits(word, q.word, tolerance(q.word));
}
