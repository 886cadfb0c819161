// The indexer follows the repo's change events: edits show up with their new words and lose their
// old ones, removed documents leave, and the index compacts the slots they leave behind.
import { afterEach, describe, expect, it } from 'vitest';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { docId, KB_SPACE } from '../../src/lib/domain/ids';
import type { Repo } from '../../src/lib/repo/repo';
import type { NoteMeta, NoteVisibility } from '../../src/lib/domain/note';
import {
	articleSummary,
	bodyFragment,
	initArticle,
	initNote,
	putCatalogEntry,
	readArticleBody,
	removeCatalogEntry,
	updateArticleMeta,
	writeBody
} from '../../src/lib/schema/index';
import type { SearchIndexer } from '../../src/lib/search/indexer';
import { runQuery } from '../../src/lib/search/query';
import { READERS } from '../../src/lib/search/readers';
import { SearchIndex } from '../../src/lib/search/search-index';
import { seededRepo, startIndexer } from './search-fixture';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(): Promise<{ repo: Repo; indexer: SearchIndexer }> {
	const repo = await seededRepo();
	const indexer = await startIndexer(repo);
	cleanup.push(
		() => repo.destroy(),
		() => indexer.destroy()
	);
	return { repo, indexer };
}

const ids = (indexer: SearchIndexer, query: string, locale: 'fr' | 'en' = 'fr') =>
	runQuery(indexer.index, { query, locale, limit: 100 }).hits.map((h) => h.docId);

const englishMeta = (title: string): ArticleMeta => ({
	kind: 'faq',
	title,
	node: 'compte.succession',
	locale: 'en',
	tags: [],
	status: 'published',
	createdAt: 1,
	updatedAt: 1
});

// Each test seeds the demo centre (62 documents) and builds its whole index: about 0.5 s on a quiet
// machine, up to 5 s at a load average of 20 on 2 cores (measured), at Vitest's 5 s default.
describe('SearchIndexer', { timeout: 30_000 }, () => {
	it('re-indexes an edited article: its new words are found, its old ones are gone', async () => {
		const { repo, indexer } = await setup();
		// A draft never published: search reads its draft (a published article's, its revision).
		const id = 'article/proc-changement-adresse';
		expect(ids(indexer, 'Changement d’adresse postale')).toContain(id);
		expect(ids(indexer, 'Atlas')).toContain(id);
		expect(ids(indexer, 'bandeau contrôle identité')).toContain(id);
		const doc = await repo.open(id);
		updateArticleMeta(doc, { title: 'Transfert bancaire rejeté quokka' });
		writeBody(bodyFragment(doc), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'Le wombat remplace tout le texte.' }] }
		]);
		await indexer.idle();
		expect(ids(indexer, 'quokka')).toEqual([id]);
		expect(ids(indexer, 'wombat')).toEqual([id]);
		// The old body's words no longer find it (its tags and taxonomy path, untouched, still would).
		expect(ids(indexer, 'Atlas')).not.toContain(id);
		expect(ids(indexer, 'bandeau contrôle identité')).not.toContain(id);
	});

	it('re-reads a document once per burst of changes (debounced per document)', async () => {
		const { repo, indexer } = await setup();
		const before = indexer.reindexed;
		const doc = await repo.open('article/proc-cotations-figees');
		for (let i = 0; i < 5; i++) updateArticleMeta(doc, { title: `Cotations figées lynx${i}` });
		await indexer.idle();
		expect(indexer.reindexed - before).toBe(1);
		expect(ids(indexer, 'lynx4')).toEqual(['article/proc-cotations-figees']);
	});

	it('indexes an article that arrives later (from a peer), and drops a removed one', async () => {
		const { repo, indexer } = await setup();
		const id = docId('article', 'nouveau-pangolin');
		const doc = await repo.open(id);
		initArticle(doc, { ...englishMeta('Pangolin escalation'), locale: 'fr' }, [
			{ type: 'paragraph', content: [{ type: 'text', text: 'Texte.' }] }
		]);
		const space = await repo.open(docId('space', KB_SPACE));
		putCatalogEntry(space, articleSummary(id, { ...englishMeta('Pangolin escalation'), locale: 'fr' }));
		await indexer.idle();
		expect(ids(indexer, 'pangolin')).toEqual([id]);
		await repo.remove(id);
		removeCatalogEntry(space, id);
		await indexer.idle();
		expect(ids(indexer, 'pangolin')).toEqual([]);
		expect(indexer.index.has(id)).toBe(false);
	});

	it('forgets the old words of a changed document: no ghost hit stays behind', async () => {
		const { repo, indexer } = await setup();
		// "son" is an English word and a French stop word.
		const id = docId('article', 'my-son');
		initArticle(await repo.open(id), englishMeta('My son inherited the account'), []);
		await indexer.idle();
		expect(ids(indexer, 'son', 'en')).toEqual([id]);
		updateArticleMeta(await repo.open(id), { title: 'Estate of a deceased wombat keeper' });
		await indexer.idle();
		expect(ids(indexer, 'son', 'en')).toEqual([]);
		expect(ids(indexer, 'wombat', 'en')).toEqual([id]);
	});

	it('compacts the slots of replaced documents once they are a quarter of the index, finding the same', () => {
		const index = new SearchIndex();
		const doc = (i: number, word: string) => ({
			docId: `article/d${i}`,
			kind: 'faq',
			title: `Titre ${word}`,
			locale: 'fr' as const,
			node: 'n',
			tags: [],
			floor: '',
			space: KB_SPACE,
			status: 'published',
			updatedAt: 0,
			passages: [{ heading: '', text: `texte ${word} ${i}` }]
		});
		for (let i = 0; i < 2000; i++) index.put(doc(i, 'alpaga'), '');
		for (let i = 0; i < 1000; i++) index.put(doc(i, 'lama'), '');
		expect(index.deadSlots).toBe(1000);
		expect(runQuery(index, { query: 'alpaga', locale: 'fr' }).total).toBe(1000);
		// The 1,001st replacement crosses the threshold (1,001 of 3,001 slots): the index compacts.
		index.put(doc(1000, 'lama'), '');
		expect(index.deadSlots).toBe(0);
		expect(index.docs.length).toBe(2000);
		expect(index.size).toBe(2000);
		expect(runQuery(index, { query: 'alpaga', locale: 'fr' }).total).toBe(999);
		expect(runQuery(index, { query: 'lama', locale: 'fr' }).total).toBe(1001);
		expect(runQuery(index, { query: 'lama 1000', locale: 'fr' }).hits[0]?.docId).toBe('article/d1000');
	});

	it('indexes only the document types it has a reader for', async () => {
		const { repo, indexer } = await setup();
		expect(Object.keys(READERS).sort()).toEqual(['article', 'note']);
		// A space document (the knowledge base's catalog) is never a search result.
		(await repo.open('space/kb')).getMap('info').set('name', { fr: 'Base ornithorynque', en: 'Base' });
		await indexer.idle();
		expect(indexer.index.has('space/kb')).toBe(false);
		expect(ids(indexer, 'ornithorynque')).toEqual([]);
	});

	it('indexes the notes the agent may read — theirs, and those shared with their floor or the centre — and drops a withdrawn one', async () => {
		const repo = await seededRepo();
		const viewer = { id: 'agent-bruno', floor: 'bourse' };
		const indexer = await startIndexer(repo, { viewer: () => viewer });
		cleanup.push(
			() => repo.destroy(),
			() => indexer.destroy()
		);
		const note = (author: string, visibility: NoteVisibility, floor: string, title: string): NoteMeta => ({
			author,
			authorName: author === 'agent-alice' ? 'Alice Martin' : 'Bruno Durand',
			visibility,
			floor,
			colleaguesMayEdit: false,
			title,
			createdAt: 1,
			updatedAt: 1
		});
		const text = (t: string) => [{ type: 'paragraph', content: [{ type: 'text', text: t }] }];
		const mine = 'note/agent-bruno.n1';
		const alicePrivate = 'note/agent-alice.n2';
		const aliceFloor = 'note/agent-alice.n3';
		const otherFloor = 'note/agent-alice.n4';
		initNote(
			await repo.open(mine),
			note('agent-bruno', 'private', '', 'Mon astuce capybara'),
			text('relancer le capybara')
		);
		initNote(
			await repo.open(alicePrivate),
			note('agent-alice', 'private', '', 'Brouillon capybara'),
			text('capybara secret')
		);
		initNote(
			await repo.open(aliceFloor),
			note('agent-alice', 'floor', 'bourse', 'Astuce du plateau capybara'),
			text('The customer always asks about the capybara transfer')
		);
		initNote(
			await repo.open(otherFloor),
			note('agent-alice', 'floor', 'support-technique', 'Astuce support capybara'),
			text('capybara')
		);
		await indexer.idle();
		expect(ids(indexer, 'capybara').sort()).toEqual([aliceFloor, mine].sort());
		// Found by its author's name too, filed under the notes space, its language told from its words.
		const hit = runQuery(indexer.index, { query: 'alice martin', locale: 'fr', filters: { space: 'notes' } })
			.hits[0];
		expect(hit).toMatchObject({
			docId: aliceFloor,
			kind: 'note',
			locale: 'en',
			floor: 'bourse',
			author: 'Alice Martin'
		});
		// Withdrawn: its copy is removed from the device, and from the index with it.
		await repo.remove(aliceFloor);
		await indexer.idle();
		expect(ids(indexer, 'capybara')).toEqual([mine]);
		expect(indexer.index.has(aliceFloor)).toBe(false);

		// Bruno moves to technical support: that floor's note is now his to read, and is rechecked in.
		viewer.floor = 'support-technique';
		await indexer.recheck('note');
		expect(ids(indexer, 'capybara').sort()).toEqual([mine, otherFloor].sort());
	});

	it('re-indexes every path when the taxonomy is relabelled', async () => {
		const { repo, indexer } = await setup();
		const centre = await repo.open('centre/demo');
		const taxonomy = centre.getMap<Record<string, unknown>>('taxonomy');
		const node = taxonomy.get('compte.acces.mot-de-passe')!;
		taxonomy.set('compte.acces.mot-de-passe', { ...node, label: { fr: 'Sésame égaré', en: 'Lost sesame' } });
		await indexer.idle();
		expect(ids(indexer, 'sésame égaré')).toContain('article/proc-mot-de-passe-oublie');
	});

	it('stops listening on destroy', async () => {
		const { repo, indexer } = await setup();
		const listeners = repo.stats.changeListeners;
		await indexer.destroy();
		expect(repo.stats.changeListeners).toBe(listeners - 1);
	});

	it('reads articles through the schema only', async () => {
		const { repo } = await setup();
		const doc = await repo.open('article/proc-mot-de-passe-oublie');
		const read = READERS.article!('article/proc-mot-de-passe-oublie', doc)!;
		expect(read.title).toBe('Mot de passe oublié');
		expect(read.space).toBe('kb');
		expect(read.floor).toBe('gestion-compte');
		expect(read.passages.length).toBeGreaterThan(2);
		expect(read.passages.map((p) => p.text).join('\n')).toContain(readArticleBody(doc).length ? 'Atlas' : '');
	});
});
