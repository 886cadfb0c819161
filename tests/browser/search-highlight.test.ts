// The opened result's passage is highlighted with what the result carries: the index words that
// stood for the query (a typo, a stem, a prefix, a synonym already resolved by the query), inside the
// result's passage. The highlighter never reads the query, so a word the query would match by its
// stem but the result did not find is not marked.
import { afterEach, describe, expect, it } from 'vitest';
import { findPassage, highlightPassage } from '../../src/lib/components/search/highlight-passage';
import { KB_SPACE } from '../../src/lib/domain/ids';
import { runQuery } from '../../src/lib/search/query';
import { SearchIndex } from '../../src/lib/search/search-index';

const containers: HTMLElement[] = [];
afterEach(() => {
	for (const c of containers.splice(0)) c.remove();
});

const PARAGRAPHS = [
	'Le client appelle pour un autre sujet : sa carte est expirée.',
	'Un virement refusé par la banque du bénéficiaire revient sous cinq jours.',
	'Vérifier le motif du rejet avant de relancer le virement.',
	'Les virements refusés sont listés dans l’historique.'
];

function indexed(): SearchIndex {
	const index = new SearchIndex();
	index.put(
		{
			docId: 'article/virement',
			kind: 'procedure',
			title: 'Virement refusé',
			locale: 'fr',
			node: 'n',
			tags: [],
			floor: '',
			space: KB_SPACE,
			status: 'published',
			updatedAt: 0,
			// Two passages: the second holds the query's words in both of its blocks.
			passages: [
				{ heading: 'Contexte', text: PARAGRAPHS[0]! },
				{ heading: 'Étapes', text: PARAGRAPHS.slice(1).join('\n') }
			]
		},
		''
	);
	return index;
}

function rendered(): HTMLElement {
	const div = document.createElement('div');
	div.innerHTML = `<h2>Contexte</h2><p>${PARAGRAPHS[0]}</p><h2>Étapes</h2>${PARAGRAPHS.slice(1)
		.map((p) => `<p>${p}</p>`)
		.join('')}`;
	document.body.append(div);
	containers.push(div);
	return div;
}

const highlighted = () =>
	[
		...((CSS as unknown as { highlights: Map<string, Iterable<Range>> }).highlights.get('search-passage') ??
			[])
	].map((r) => r.toString());

describe('highlightPassage', () => {
	it('marks the words the result carries (a typo and a stem resolved by the query) in its passage', () => {
		const hit = runQuery(indexed(), { query: 'virment refusées', locale: 'fr' }).hits[0]!;
		// The query resolved "virment" (a typo) and "refusées" (a stem) to the words written.
		expect(hit.words).toEqual(expect.arrayContaining(['virement', 'refuse']));
		expect(hit.words).not.toContain('virment');
		expect(hit.passage).toBe(1);
		const container = rendered();
		const action = highlightPassage(container, hit);
		const block = container.querySelector('[data-search-highlight]');
		expect(block?.textContent).toBe(PARAGRAPHS[1]);
		expect(highlighted()).toEqual(['virement', 'refusé']);
		action.destroy();
		expect(container.querySelector('[data-search-highlight]')).toBeNull();
		expect(highlighted()).toEqual([]);
	});

	it('marks only the words given, never re-reading a query: no stem or typo matching of its own', () => {
		const container = rendered();
		// "virements" and "refusés" would match the query "virement refusé" by prefix; the result's
		// words do not hold them, so they stay unmarked.
		const match = findPassage(container, {
			words: ['virement', 'refuse'],
			passageText: PARAGRAPHS.slice(1).join('\n')
		});
		expect(match?.block.textContent).toBe(PARAGRAPHS[1]);
		expect(match?.ranges.map((r) => r.toString())).toEqual(['virement', 'refusé']);
		// Given "virements", it is that block's word which is marked.
		const plural = findPassage(container, { words: ['virements'], passageText: '' });
		expect(plural?.ranges.map((r) => r.toString())).toEqual(['virements']);
	});

	it('prefers a block of the result’s passage to one elsewhere holding as many of the words', () => {
		const container = rendered();
		const words = ['carte'];
		container.querySelectorAll('p')[2]!.textContent = 'Relancer après avoir vérifié la carte.';
		// Without a passage: the first block holding the word. With the passage: the one inside it.
		expect(findPassage(container, { words, passageText: '' })?.block.textContent).toBe(PARAGRAPHS[0]);
		const passageText = ['x', 'Relancer après avoir vérifié la carte.'].join('\n');
		expect(findPassage(container, { words, passageText })?.block.textContent).toBe(
			'Relancer après avoir vérifié la carte.'
		);
	});

	it('updates with new marks, and keeps them when equal marks are computed again', () => {
		const container = rendered();
		const action = highlightPassage(container, { words: ['carte'], passageText: PARAGRAPHS[0]! });
		expect(highlighted()).toEqual(['carte']);
		// Equal marks computed again (the page re-rendered): not applied again (nor scrolled to).
		container.querySelector('[data-search-highlight]')!.removeAttribute('data-search-highlight');
		action.update({ words: ['carte'], passageText: PARAGRAPHS[0]! });
		expect(container.querySelector('[data-search-highlight]')).toBeNull();
		action.update({ words: ['rejet'], passageText: '' });
		expect(highlighted()).toEqual(['rejet']);
		action.update(null);
		expect(highlighted()).toEqual([]);
		action.destroy();
	});
});
