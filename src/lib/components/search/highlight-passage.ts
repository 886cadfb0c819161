// `use:highlightPassage={marks}` on a container: marks the words a search result carries (the index
// words that stood for the query — stems, prefixes and typos already resolved by the query) in the
// block (paragraph, list item, cell…) of the result's passage holding most of them, and scrolls it
// into view. The query is never tokenised or matched again here: what the result found is what is
// marked. Marks use the CSS Custom Highlight API: no element is inserted into markup Svelte (or an
// editor) owns. Marks go when the parameter changes to nothing, or on destroy.
import type { SearchHit } from '../../search/query';
import { fold } from '../../search/tokenizer';

const HIGHLIGHT = 'search-passage';
const BLOCKS = 'p, li, td, th, h1, h2, h3, h4, h5, h6, blockquote, pre, figcaption';

/** What an opened result says to mark: its words and its passage's text. */
export type PassageMarks = Pick<SearchHit, 'words' | 'passageText'>;

interface Match {
	block: Element;
	ranges: Range[];
	words: number;
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The block holding the most distinct words to mark, among the blocks of the result's passage if
 *  any holds one (the document may have changed since it was indexed: then among all blocks). */
export function findPassage(container: HTMLElement, marks: PassageMarks): Match | undefined {
	const wanted = new Set(marks.words);
	if (!wanted.size) return undefined;
	const passage = flat(marks.passageText);
	let best: Match | undefined;
	let bestInPassage = false;
	const blocks = [...container.querySelectorAll(BLOCKS)].filter((b) => !b.querySelector(BLOCKS));
	for (const block of blocks.length ? blocks : [container]) {
		const ranges: Range[] = [];
		const found = new Set<string>();
		const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
			for (const m of node.data.matchAll(/[\p{L}\p{N}]+/gu)) {
				const word = fold(m[0]);
				if (!wanted.has(word)) continue;
				found.add(word);
				const range = document.createRange();
				range.setStart(node, m.index);
				range.setEnd(node, m.index + m[0].length);
				ranges.push(range);
			}
		}
		if (!found.size) continue;
		const text = flat(block.textContent ?? '');
		const inPassage = !!passage && !!text && passage.includes(text);
		if (!best || (inPassage && !bestInPassage) || (inPassage === bestInPassage && found.size > best.words)) {
			best = { block, ranges, words: found.size };
			bestInPassage = inPassage;
		}
	}
	return best;
}

/** A stable key for marks, so an equal parameter computed again does not mark (and scroll) again. */
const keyOf = (marks: PassageMarks | null | undefined) =>
	marks?.words.length ? `${marks.words.join(' ')}\n${marks.passageText}` : null;

export function highlightPassage(container: HTMLElement, marks?: PassageMarks | null) {
	let current: PassageMarks | null | undefined = null;
	let key: string | null = null;
	let marked: Element | undefined;
	// Scrolled to the current marks' passage yet? Content may arrive after mount (an editor renders
	// its document later): the first match found scrolls, later re-marks do not.
	let scrolled = false;
	const registry = (globalThis as { CSS?: { highlights?: Map<string, unknown> } }).CSS?.highlights;
	const Highlight = (globalThis as { Highlight?: new (...ranges: Range[]) => unknown }).Highlight;

	const clear = () => {
		registry?.delete(HIGHLIGHT);
		marked?.removeAttribute('data-search-highlight');
		marked = undefined;
	};

	const apply = (next: PassageMarks | null | undefined, scroll: boolean) => {
		clear();
		const nextKey = keyOf(next);
		if (nextKey !== key) scrolled = false;
		[current, key] = [next, nextKey];
		if (!next || !nextKey) return;
		const match = findPassage(container, next);
		if (!match) return;
		marked = match.block;
		marked.setAttribute('data-search-highlight', '');
		if (registry && Highlight) registry.set(HIGHLIGHT, new Highlight(...match.ranges));
		if (scroll || !scrolled) marked.scrollIntoView({ block: 'center' });
		scrolled = true;
	};

	// Content re-rendered (a peer's edit): mark again, without jumping.
	let pending = 0;
	const observer = new MutationObserver(() => {
		cancelAnimationFrame(pending);
		pending = requestAnimationFrame(() => apply(current, false));
	});
	observer.observe(container, { childList: true, subtree: true, characterData: true });
	apply(marks, true);

	return {
		update(next?: PassageMarks | null) {
			if (keyOf(next) !== key) apply(next, true);
		},
		destroy() {
			observer.disconnect();
			cancelAnimationFrame(pending);
			clear();
		}
	};
}
