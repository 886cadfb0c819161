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

/** Whether an index token (folded word or stem) stands for the query word. */
export function tokenMatches(token: string, q: QueryWord, fuzzy: boolean): boolean {
	for (const f of q.forms) if (token.startsWith(f)) return true;
	return fuzzy && q.word.length >= 4 && withinOneEdit(token, q.word);
}

/** Whether the folded text word `word` (in `locale`) matches the query word: a form of the query
 *  word is a prefix of the word or of its stem, or, if `fuzzy`, one edit away from the word. */
export function wordMatches(word: string, q: QueryWord, locale: Locale, fuzzy: boolean): boolean {
	const s = stem(word, locale);
	for (const f of q.forms) if (word.startsWith(f) || s.startsWith(f)) return true;
	return fuzzy && q.word.length >= 4 && withinOneEdit(word, q.word);
}
