// `use:highlightPassage` on a container: finds the block (paragraph, list item, cell…) that holds
// the most words of the search query, marks those words and scrolls the block into view. Marks use
// the CSS Custom Highlight API: no element is inserted into markup Svelte (or an editor) owns. The
// query is the parameter, or, without one, the page's `?q=`; marks go when it changes or on destroy.
import { page } from '$app/stores';
import type { Locale } from '../../domain/locale';
import { wordMatches } from '../../search/match';
import { fold, queryWords, type QueryWord } from '../../search/tokenizer';

const HIGHLIGHT = 'search-passage';
const BLOCKS = 'p, li, td, th, h1, h2, h3, h4, h5, h6, blockquote, pre, figcaption';

interface Match {
	block: Element;
	ranges: Range[];
	words: number;
}

/** The block with the most distinct query words (first such block), and the ranges of its matches. */
export function findPassage(
	container: HTMLElement,
	query: readonly QueryWord[],
	locale: Locale
): Match | undefined {
	let best: Match | undefined;
	const blocks = [...container.querySelectorAll(BLOCKS)].filter((b) => !b.querySelector(BLOCKS));
	for (const block of blocks.length ? blocks : [container]) {
		const ranges: Range[] = [];
		const found = new Set<number>();
		const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
			for (const m of node.data.matchAll(/[\p{L}\p{N}]+/gu)) {
				const word = fold(m[0]);
				const i = query.findIndex((q) => wordMatches(word, q, locale, true));
				if (i < 0) continue;
				found.add(i);
				const range = document.createRange();
				range.setStart(node, m.index);
				range.setEnd(node, m.index + m[0].length);
				ranges.push(range);
			}
		}
		if (found.size && (!best || found.size > best.words)) best = { block, ranges, words: found.size };
		if (best && best.words === query.length) break;
	}
	return best;
}

export function highlightPassage(container: HTMLElement, query?: string | null) {
	let current: string | null = null;
	let marked: Element | undefined;
	// Scrolled to the current query's passage yet? Content may arrive after mount (an editor
	// renders its document later): the first match found scrolls, later re-marks do not.
	let scrolled = false;
	const registry = (globalThis as { CSS?: { highlights?: Map<string, unknown> } }).CSS?.highlights;
	const Highlight = (globalThis as { Highlight?: new (...ranges: Range[]) => unknown }).Highlight;

	const clear = () => {
		registry?.delete(HIGHLIGHT);
		marked?.removeAttribute('data-search-highlight');
		marked = undefined;
	};

	const apply = (q: string | null, scroll: boolean) => {
		clear();
		if (q !== current) scrolled = false;
		current = q;
		if (!q?.trim()) return;
		const locale = (container.closest('[lang]')?.getAttribute('lang') === 'en' ? 'en' : 'fr') as Locale;
		const words = queryWords(q, locale);
		const match = words.length ? findPassage(container, words, locale) : undefined;
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

	let unsubscribe: (() => void) | undefined;
	if (query === undefined)
		unsubscribe = page.subscribe(
			(p) => p.url.searchParams.get('q') !== current && apply(p.url.searchParams.get('q'), true)
		);
	else apply(query, true);

	return {
		update(next?: string | null) {
			if (next !== undefined && next !== current) apply(next, true);
		},
		destroy() {
			observer.disconnect();
			cancelAnimationFrame(pending);
			unsubscribe?.();
			clear();
		}
	};
}
