// Synonyms that grow with the centre: groups kept in the centre document (schema), applied to
// queries as soon as the document changes, and the gap log telling which logged searches a group
// would answer; "report this gap" keeps a search that found something; the closest spelling.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	putSynonymGroup,
	readSynonyms,
	removeSynonymGroup,
	validateSynonymPhrases
} from '../../src/lib/schema/index';
import { GapLogger, MemoryGapStore } from '../../src/lib/search/gap-log';
import { closestSpelling } from '../../src/lib/search/suggest';
import { SearchState } from '../../src/lib/state/search.svelte';
import { splitPhrases } from '../../src/lib/state/synonyms.svelte';
import { CENTRE_DOC, seededRepo } from './search-fixture';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const c of cleanup.splice(0).reverse()) await c();
});

describe('synonym groups in the centre document', () => {
	it('validates, stores, reads back and removes groups; a peer’s malformed entry is skipped', () => {
		const doc = new Y.Doc();
		putSynonymGroup(doc, 'g1', [' carte avalée ', 'carte capturée', 'Carte Avalée', '']);
		expect(readSynonyms(doc)).toEqual([{ id: 'g1', phrases: ['carte avalée', 'carte capturée'] }]);
		expect(() => putSynonymGroup(doc, 'g2', ['seul'])).toThrow(/two different phrases/);
		expect(() => validateSynonymPhrases(['a'.repeat(61), 'b'])).toThrow(/60 characters/);
		expect(readSynonyms(doc)).toHaveLength(1);
		doc.getMap('synonyms').set('bad', 'not a list');
		doc.getMap('synonyms').set('short', ['one']);
		expect(readSynonyms(doc).map((g) => g.id)).toEqual(['g1']);
		removeSynonymGroup(doc, 'g1');
		expect(readSynonyms(doc)).toEqual([]);
		expect(splitPhrases('DAB, distributeur ; ATM,,')).toEqual(['DAB', 'distributeur', 'ATM']);
	});
});

describe('synonyms in search', { timeout: 30_000 }, () => {
	async function setup() {
		const repo = await seededRepo();
		const state = new SearchState({ repo, centreDocId: CENTRE_DOC, locale: () => 'fr' });
		await state.start();
		cleanup.push(
			() => repo.destroy(),
			() => state.destroy()
		);
		return { repo, state };
	}

	it('applies a group added to the centre document, and tells which logged gaps it answers', async () => {
		const { repo, state } = await setup();
		state.setQuery('zorblax');
		expect(state.results!.total).toBe(0);
		state.leave(); // logged as a gap
		await expect.poll(async () => (await state.gaps()).map((g) => g.query)).toContain('zorblax');
		expect(await state.gapsAnsweredWith([['zorblax', 'nasdaq']])).toEqual(['zorblax']);
		expect(await state.gapsAnsweredWith([['autre', 'chose']])).toEqual([]);

		const centre = (await repo.find(CENTRE_DOC))!;
		putSynonymGroup(centre, 'g1', ['zorblax', 'Nasdaq']);
		await expect.poll(() => state.indexer.synonyms).toEqual([['zorblax', 'Nasdaq']]);
		state.setQuery('zorblax');
		expect(state.results!.hits[0]?.docId).toBe('article/faq-ordres-nasdaq');
		// Once the centre answers it, the group no longer "would" fix it.
		expect(await state.gapsAnsweredWith([['zorblax', 'nasdaq']])).toEqual([]);
	});

	it('offers the closest spelling of words the knowledge base does not hold', async () => {
		const { state } = await setup();
		expect(closestSpelling(state.indexer.index, 'hamecomage', 'fr')).toBe('hameconnage');
		expect(closestSpelling(state.indexer.index, 'virement', 'fr')).toBeUndefined();
	});
});

describe('reporting a gap', () => {
	it('records a search that found something, and keeps it when the search later answers', async () => {
		const store = new MemoryGapStore();
		const log = new GapLogger(store, { pauseMs: 1 });
		await log.report('carte avalée', {}, 'fr');
		log.observe('carte avalée', {}, 'fr', 3);
		log.answered('carte avalée', 'fr');
		expect((await log.read()).map((g) => [g.query, g.reported])).toEqual([['carte avalée', true]]);
		await store.forget('carte avalee');
		expect(await log.read()).toHaveLength(1);
	});
});
