// Highlighted snippets as segments (never HTML): the UI renders marked segments as <mark>.
import type { Locale } from '../domain/locale';
import { wordMatches } from './match';
import { fold, type QueryWord } from './tokenizer';

export interface Segment {
	text: string;
	mark: boolean;
}

/** Word spans of a text: [start, end) offsets in the original text, with the folded word. */
function spans(text: string): { start: number; end: number; word: string }[] {
	const out: { start: number; end: number; word: string }[] = [];
	for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) out.push({ start: m.index, end: m.index + m[0].length, word: fold(m[0]) });
	return out;
}

/** Marks every word of `text` that matches a query word. */
export function markText(text: string, query: readonly QueryWord[], locale: Locale, fuzzy: boolean): Segment[] {
	const out: Segment[] = [];
	let at = 0;
	for (const s of spans(text)) {
		if (!query.some((q) => wordMatches(s.word, q, locale, fuzzy))) continue;
		if (s.start > at) out.push({ text: text.slice(at, s.start), mark: false });
		out.push({ text: text.slice(s.start, s.end), mark: true });
		at = s.end;
	}
	if (at < text.length) out.push({ text: text.slice(at), mark: false });
	return out;
}

/** A window of about `size` characters around the densest run of matches, marked. */
export function snippet(text: string, query: readonly QueryWord[], locale: Locale, fuzzy: boolean, size = 160): Segment[] {
	const flat = text.replace(/\s+/g, ' ').trim();
	const words = spans(flat);
	const hits = words.filter((w) => query.some((q) => wordMatches(w.word, q, locale, fuzzy)));
	let start = 0;
	if (hits.length) {
		// The start of the window holding the most matches.
		let best = 0;
		for (const h of hits) {
			const n = hits.filter((o) => o.start >= h.start && o.end <= h.start + size).length;
			if (n > best) {
				best = n;
				start = h.start;
			}
		}
		start = Math.max(0, start - 40);
		if (start > 0) start = flat.lastIndexOf(' ', start) + 1;
	}
	let end = Math.min(flat.length, start + size);
	if (end < flat.length) end = Math.max(flat.indexOf(' ', end) === -1 ? flat.length : flat.indexOf(' ', end), end);
	const segments = markText(flat.slice(start, end), query, locale, fuzzy);
	if (start > 0) segments.unshift({ text: '… ', mark: false });
	if (end < flat.length) segments.push({ text: ' …', mark: false });
	return segments;
}
