// When a search finds nothing, the closest taxonomy nodes are the next best thing: the agent can
// browse the topic the customer's issue belongs to. Fuzzy on the node's label and path in the
// agent's language: shared words (prefix or one typo away) first, letter trigrams to break ties.
import type { Locale } from '../domain/locale';
import { localized } from '../domain/locale';
import { taxonomyPath, type TaxonomyNode } from '../domain/taxonomy';
import { withinOneEdit } from './match';
import type { SearchIndex } from './search-index';
import { fold, isStopWord, queryWords, words } from './tokenizer';

function trigrams(text: string): Set<string> {
	const t = ` ${fold(text)} `;
	const out = new Set<string>();
	for (let i = 0; i + 3 <= t.length; i++) out.add(t.slice(i, i + 3));
	return out;
}

function dice(a: Set<string>, b: Set<string>): number {
	let shared = 0;
	for (const g of a) if (b.has(g)) shared++;
	return a.size + b.size ? (2 * shared) / (a.size + b.size) : 0;
}

export interface NodeSuggestion {
	node: TaxonomyNode;
	label: string;
	path: string[];
	score: number;
}

export function suggestNodes(
	query: string,
	nodes: readonly TaxonomyNode[],
	locale: Locale,
	max = 3
): NodeSuggestion[] {
	const qWords = words(query).filter((w) => !isStopWord(w, locale));
	if (!qWords.length) return [];
	const qGrams = trigrams(qWords.join(' '));
	const byId = new Map(nodes.map((n) => [n.id, n]));
	const scored = nodes.map((node) => {
		const label = localized(node.label, locale);
		const path = taxonomyPath(byId, node.id, locale);
		const labelWords = words(label).filter((w) => !isStopWord(w, locale));
		const pathWords = words(path.join(' ')).filter((w) => !isStopWord(w, locale));
		let score = 0;
		for (const q of qWords) {
			if (
				labelWords.some((w) => w.startsWith(q) || q.startsWith(w) || (q.length >= 4 && withinOneEdit(w, q)))
			)
				score += 1;
			else if (pathWords.some((w) => w.startsWith(q) || (q.length >= 4 && withinOneEdit(w, q)))) score += 0.5;
		}
		score += dice(qGrams, trigrams(label));
		return { node, label, path, score };
	});
	return scored
		.filter((s) => s.score >= 0.25)
		.sort((a, b) => b.score - a.score || a.path.length - b.path.length || a.label.localeCompare(b.label))
		.slice(0, max);
}

/** The query with each word the index holds nothing for (as typed, by stem or as a start) replaced
 *  by the closest word it does hold (up to two edits, the most common first); undefined if no word
 *  needed or found a replacement. For "did you mean" when a search finds nothing or little. */
export function closestSpelling(index: SearchIndex, query: string, locale: Locale): string | undefined {
	let changed = false;
	const out = queryWords(query, locale).map((q) => {
		if (index.vocabulary.id(q.word) !== undefined || index.vocabulary.withPrefix(q.word).length)
			return q.word;
		const near = index.vocabulary.near(q.word, q.word.length >= 6 ? 2 : 1);
		let best: number | undefined;
		for (const t of near)
			if (best === undefined || index.postings(t).length > index.postings(best).length) best = t;
		if (best === undefined) return q.word;
		changed = true;
		return index.vocabulary.words[best]!;
	});
	return changed ? out.join(' ') : undefined;
}
