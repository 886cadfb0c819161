// The saved search index in real IndexedDB (Chromium): written after the first build, reused by the
// next start with nothing re-indexed, rebuilt when the stored record is damaged, rewritten without a
// removed document as soon as it is removed; and the no-result log read back from the same database.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Repo } from '../../src/lib/repo/repo';
import { updateArticleMeta } from '../../src/lib/schema/index';
import { SearchIndexer } from '../../src/lib/search/indexer';
import { parseSavedIndex, type SavedIndex } from '../../src/lib/search/persistence';
import { runQuery } from '../../src/lib/search/query';
import { applySeed, loadDemoSeed } from '../../src/lib/seed/seed';
import { databaseName, IndexedDbStorage } from '../../src/lib/storage/indexeddb';
import { IndexedDbSearchStore, searchDatabaseName } from '../../src/lib/storage/search-idb';

const open: { destroy(): Promise<void> }[] = [];
afterEach(async () => {
	for (const o of open.splice(0).reverse()) await o.destroy();
});

async function start(
	name: string
): Promise<{ repo: Repo; indexer: SearchIndexer; store: IndexedDbSearchStore }> {
	const repo = new Repo({ storage: new IndexedDbStorage(databaseName(name)) });
	const store = new IndexedDbSearchStore(searchDatabaseName(name));
	const indexer = new SearchIndexer(repo, { store, centreDocId: 'centre/demo', delayMs: 5 });
	open.push(repo, indexer);
	await indexer.start();
	return { repo, indexer, store };
}

async function stop(...items: { destroy(): Promise<void> }[]): Promise<void> {
	for (const i of items.reverse()) {
		await i.destroy();
		open.splice(open.indexOf(i), 1);
	}
}

describe('search index in IndexedDB', () => {
	it('is saved, reused after a restart, re-indexes only a changed document, and is rebuilt when damaged', async () => {
		const name = `search-${Date.now()}`;
		const seedRepo = new Repo({ storage: new IndexedDbStorage(databaseName(name)) });
		await applySeed(seedRepo, await loadDemoSeed());
		await seedRepo.destroy();

		const first = await start(name);
		expect(first.indexer.progress).toMatchObject({ phase: 'ready', rebuiltBecause: 'missing' });
		expect(first.indexer.reindexed).toBe(60);
		// A draft never published (search reads a published article's revision, not its draft).
		updateArticleMeta(await first.repo.open('article/proc-cotations-figees'), {
			title: 'Cotations figées capybara'
		});
		await first.indexer.idle();
		await first.repo.flush();
		await stop(first.repo, first.indexer);

		// Restart: the saved index (with the rename saved on close) answers at once.
		const second = await start(name);
		expect(second.indexer.progress.rebuiltBecause).toBeUndefined();
		expect(second.indexer.reindexed).toBe(0);
		expect(
			runQuery(second.indexer.index, { query: 'capybara', locale: 'fr' }).hits.map((h) => h.docId)
		).toEqual(['article/proc-cotations-figees']);
		expect(runQuery(second.indexer.index, { query: 'mot de pase oublie', locale: 'fr' }).hits[0]?.docId).toBe(
			'article/proc-mot-de-passe-oublie'
		);
		await stop(second.repo, second.indexer);

		// A damaged record: rebuilt from the documents, then saved again.
		const raw = await new Promise<IDBDatabase>((resolve, reject) => {
			const req = indexedDB.open(searchDatabaseName(name));
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		await new Promise<void>((resolve, reject) => {
			const tx = raw.transaction('index', 'readwrite');
			tx.objectStore('index').put(new Uint8Array([1, 2, 3]), 'current');
			tx.oncomplete = () => resolve();
			tx.onerror = () => reject(tx.error);
		});
		raw.close();
		const third = await start(name);
		expect(third.indexer.progress).toMatchObject({ phase: 'ready', rebuiltBecause: 'corrupt', done: 60 });
		expect(third.indexer.reindexed).toBe(60);
		expect(runQuery(third.indexer.index, { query: 'capybara', locale: 'fr' }).total).toBe(1);
		// Saved again, typed arrays kept as typed arrays through IndexedDB's structured clone.
		const saved = parseSavedIndex(await third.store.load());
		expect(
			'saved' in saved && saved.saved.index.slots instanceof Int32Array && saved.saved.index.docs.length
		).toBe(60);

		// A document removed from the device (as a withdrawn note is) leaves the saved record at once:
		// no word, title or id of it in what IndexedDB holds, read back raw.
		const removed = 'article/proc-cotations-figees';
		await third.repo.remove(removed);
		const savedText = async () => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const req = indexedDB.open(searchDatabaseName(name));
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => reject(req.error);
			});
			const record = await new Promise<unknown>((resolve, reject) => {
				const req = db.transaction('index', 'readonly').objectStore('index').get('current');
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => reject(req.error);
			});
			db.close();
			const saved = record as SavedIndex;
			return JSON.stringify([saved.index.docs, saved.index.words, saved.ledger]);
		};
		await vi.waitFor(async () => expect(await savedText()).not.toContain('capybara'), {
			timeout: 10_000,
			interval: 20
		});
		expect(await savedText()).not.toContain(JSON.stringify(removed));
		expect(await savedText()).toContain('article/proc-mot-de-passe-oublie');

		// The gap log lives in the same database.
		await third.store.add({
			query: 'carte avalée',
			normalized: 'carte avalee',
			filters: {},
			locale: 'fr',
			at: 1
		});
		expect((await third.store.list()).map((g) => g.query)).toEqual(['carte avalée']);
	});
});
