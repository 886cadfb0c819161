// Highlighted snippets as segments (never HTML): the UI renders marked segments as <mark>.
import { fold } from './tokenizer';

/** Whether a folded word of the text is one to mark. */
export type WordTest = (folded: string) => boolean;

export interface Segment {
	text: string;
	mark: boolean;
}

/** The spans [start, end) of the words of `text` that match. The text is folded once, not word by
 *  word (folding is most of a snippet's cost); when folding changed its length (a ligature opened),
 *  offsets no longer line up and each word is folded on its own. */
function matchingSpans(text: string, isMatch: WordTest): { start: number; end: number }[] {
	const out: { start: number; end: number }[] = [];
	const folded = fold(text);
	const aligned = folded.length === text.length;
	const re = /[\p{L}\p{N}]+/gu;
	for (let m = re.exec(text); m; m = re.exec(text)) {
		const end = m.index + m[0].length;
		if (isMatch(aligned ? folded.slice(m.index, end) : fold(m[0]))) out.push({ start: m.index, end });
	}
	return out;
}

/** Segments of `text` with the given word spans marked. */
function segments(
	text: string,
	marks: readonly { start: number; end: number }[],
	from = 0,
	to = text.length
): Segment[] {
	const out: Segment[] = [];
	let at = from;
	for (const m of marks) {
		if (m.start < from || m.end > to) continue;
		if (m.start > at) out.push({ text: text.slice(at, m.start), mark: false });
		out.push({ text: text.slice(m.start, m.end), mark: true });
		at = m.end;
	}
	if (at < to) out.push({ text: text.slice(at, to), mark: false });
	return out;
}

/** Marks every word of `text` that matches. */
export function markText(text: string, isMatch: WordTest): Segment[] {
	return segments(text, matchingSpans(text, isMatch));
}

/** A window of about `size` characters around the densest run of matches, marked. */
export function snippet(text: string, isMatch: WordTest, size = 160): Segment[] {
	const flat = text.replace(/\s+/g, ' ').trim();
	const hits = matchingSpans(flat, isMatch);
	let start = 0;
	if (hits.length) {
		// The start of the window holding the most matches (two pointers over the matches).
		let best = 0;
		let j = 0;
		for (let i = 0; i < hits.length; i++) {
			while (j < hits.length && hits[j]!.end <= hits[i]!.start + size) j++;
			if (j - i > best) {
				best = j - i;
				start = hits[i]!.start;
			}
		}
		start = Math.max(0, start - 40);
		if (start > 0) start = flat.lastIndexOf(' ', start) + 1;
	}
	let end = Math.min(flat.length, start + size);
	if (end < flat.length)
		end = Math.max(flat.indexOf(' ', end) === -1 ? flat.length : flat.indexOf(' ', end), end);
	const out = segments(flat, hits, start, end);
	if (start > 0) out.unshift({ text: '… ', mark: false });
	if (end < flat.length) out.push({ text: ' …', mark: false });
	return out;
}
