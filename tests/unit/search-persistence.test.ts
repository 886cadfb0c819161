// The saved index and its ledger: a restart restores the index and re-indexes only documents whose
// version changed (or that came or went) while the app was closed; a missing, old or corrupt saved
// index is rebuilt from every document. And the log of searches that found nothing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { docId } from '../../src/lib/domain/ids';
import { Repo } from '../../src/lib/repo/repo';
import {
	bodyFragment,
	initArticle,
	readArticleBody,
	updateArticleMeta,
	writeBody
} from '../../src/lib/schema/index';
import { GapLogger, MemoryGapStore } from '../../src/lib/search/gap-log';
import type { SearchIndexer } from '../../src/lib/search/indexer';
import {
	INDEX_FORMAT,
	MemorySearchStore,
	parseSavedIndex,
	type SavedIndex
} from '../../src/lib/search/persistence';
import { runQuery } from '../../src/lib/search/query';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { seededRepo, startIndexer } from './search-fixture';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const c of cleanup.splice(0).reverse()) await c();
	vi.useRealTimers();
});

/** A device: documents in memory storage and a saved index, both surviving "reloads". */
async function device() {
	const storage = new MemoryStorage();
	await (await seededRepo(storage)).destroy();
	const store = new MemorySearchStore();
	const repo = () => {
		const r = new Repo({ storage: new MemoryStorage(storage.chunks) });
		cleanup.push(() => r.destroy());
		return r;
	};
	const open = async () => {
		const indexer = await startIndexer(repo(), { store });
		cleanup.push(() => indexer.destroy());
		return indexer;
	};
	return { store, repo, open };
}

const ids = (indexer: SearchIndexer, q: string) =>
	runQuery(indexer.index, { query: q, locale: 'fr' }).hits.map((h) => h.docId);

describe('saved index', () => {
	it('is written after the first build, then reused: a reload re-indexes nothing', async () => {
		const d = await device();
		const first = await d.open();
		expect(first.progress).toMatchObject({ phase: 'ready', rebuiltBecause: 'missing', done: 60, total: 60 });
		expect(first.reindexed).toBe(60);
		expect(d.store.data).toBeDefined();
		const before = ids(first, 'virement refusé');
		await first.destroy();

		const second = await d.open();
		expect(second.progress.phase).toBe('ready');
		expect(second.progress.rebuiltBecause).toBeUndefined();
		expect(second.reindexed).toBe(0);
		expect(ids(second, 'virement refusé')).toEqual(before);
		expect(ids(second, 'virment refusé')[0]).toBe('article/proc-virement-refuse');
	});

	it('re-indexes only the documents changed, added or removed while it was closed', async () => {
		const d = await device();
		await (await d.open()).destroy();

		const offline = d.repo();
		// Drafts never published (search reads a published article's revision, not its draft).
		updateArticleMeta(await offline.open('article/proc-cotations-figees'), {
			title: 'Cotations figées ocelot'
		});
		// An edit that only deletes text leaves the state vector as it was: the digest must see it.
		const cut = await offline.open('article/proc-changement-adresse');
		writeBody(bodyFragment(cut), readArticleBody(cut).slice(0, 1));
		initArticle(
			await offline.open(docId('article', 'nouveau')),
			{
				kind: 'faq',
				title: 'Nouvel article lynx',
				node: 'compte',
				locale: 'fr',
				tags: [],
				status: 'published',
				createdAt: 1,
				updatedAt: 1
			},
			[]
		);
		await offline.remove('article/proc-cloture-compte');
		await offline.flush();

		const again = await d.open();
		expect(again.reindexed).toBe(3);
		expect(ids(again, 'ocelot')).toEqual(['article/proc-cotations-figees']);
		expect(ids(again, 'lynx')).toEqual(['article/nouveau']);
		expect(ids(again, 'Atlas')).not.toContain('article/proc-changement-adresse');
		expect(again.index.has('article/proc-cloture-compte')).toBe(false);
	});

	it('saves changes made while running, so the next start has nothing to do', async () => {
		const d = await device();
		const repo = d.repo();
		const first = await startIndexer(repo, { store: d.store, saveDelayMs: 10 });
		const saves = d.store.saves;
		updateArticleMeta(await repo.open('article/proc-cotations-figees'), { title: 'Cotations figées serval' });
		await first.idle();
		// Saved by the debounced save, not on close (waited for, then checked it was one save).
		await vi.waitFor(() => expect(d.store.saves).toBeGreaterThan(saves), { timeout: 10_000, interval: 5 });
		expect(d.store.saves).toBe(saves + 1);
		await first.destroy();
		const second = await d.open();
		expect(second.reindexed).toBe(0);
		expect(ids(second, 'serval')).toEqual(['article/proc-cotations-figees']);
	});

	for (const [problem, damage] of [
		['missing', (s: MemorySearchStore) => (s.data = undefined)],
		['corrupt', (s: MemorySearchStore) => (s.data = 'not an index')],
		[
			'corrupt',
			(s: MemorySearchStore) => (s.data = { ...(s.data as SavedIndex), index: { nonsense: true } })
		],
		// A posting list pointing past the documents (a torn write): restoring it would crash queries.
		['corrupt', (s: MemorySearchStore) => (s.data as SavedIndex).index.slots.fill(1e6)],
		[
			'corrupt',
			(s: MemorySearchStore) =>
				((s.data as SavedIndex).index.offsets = (s.data as SavedIndex).index.offsets.slice(1))
		],
		['old', (s: MemorySearchStore) => (s.data = { ...(s.data as SavedIndex), format: INDEX_FORMAT - 1 })]
	] as const) {
		it(`rebuilds a ${problem} saved index from every document, with progress`, async () => {
			const d = await device();
			await (await d.open()).destroy();
			damage(d.store);
			const indexer = await startIndexer(d.repo(), { store: d.store });
			cleanup.push(() => indexer.destroy());
			expect(indexer.progress).toMatchObject({
				phase: 'ready',
				rebuiltBecause: problem,
				done: 60,
				total: 60
			});
			expect(indexer.reindexed).toBe(60);
			expect(ids(indexer, 'mot de passe oublié')[0]).toBe('article/proc-mot-de-passe-oublie');
			// And the rebuilt index was saved in the current format.
			const saved = parseSavedIndex(d.store.data);
			expect('saved' in saved && saved.saved.format).toBe(INDEX_FORMAT);
		});
	}

	it('reports rebuild progress as it goes', async () => {
		const d = await device();
		const r = d.repo();
		const { SearchIndexer } = await import('../../src/lib/search/indexer');
		const indexer = new SearchIndexer(r, { store: d.store, centreDocId: 'centre/demo', delayMs: 5 });
		cleanup.push(() => indexer.destroy());
		const phases: string[] = [];
		indexer.onUpdate(() =>
			phases.push(`${indexer.progress.phase} ${indexer.progress.done}/${indexer.progress.total}`)
		);
		await indexer.start();
		expect(phases[0]).toBe('loading 0/0');
		expect(phases).toContain('rebuilding 0/60');
		expect(phases).toContain('rebuilding 25/60');
		expect(phases.at(-1)).toBe('ready 60/60');
	});
});

describe('gap log', () => {
	it('records a search with no result once the agent pauses, with its filters, language and time', async () => {
		vi.useFakeTimers();
		const store = new MemoryGapStore();
		const log = new GapLogger(store, { pauseMs: 1500, now: () => 42 });
		for (const prefix of ['car', 'carte', 'carte ava', 'carte avalée'])
			log.observe(prefix, { kind: 'procedure' }, 'fr', 0);
		await vi.advanceTimersByTimeAsync(1400);
		expect(store.entries).toEqual([]);
		await vi.advanceTimersByTimeAsync(200);
		expect(await log.read()).toEqual([
			{
				query: 'carte avalée',
				normalized: 'carte avalee',
				filters: { kind: 'procedure' },
				locale: 'fr',
				at: 42
			}
		]);
	});

	it('records when the agent leaves the field, and never a search that found something', async () => {
		vi.useFakeTimers();
		const store = new MemoryGapStore();
		const log = new GapLogger(store);
		log.observe('virement', {}, 'fr', 12);
		await log.leave();
		expect(store.entries).toEqual([]);
		log.observe('xyzzy', {}, 'en', 0);
		await log.leave();
		expect(store.entries.map((e) => e.query)).toEqual(['xyzzy']);
		// Results came after all (typed on): the pending gap is dropped.
		log.observe('vir', {}, 'fr', 0);
		log.observe('virement', {}, 'fr', 3);
		await vi.advanceTimersByTimeAsync(5000);
		await log.leave();
		expect(store.entries.map((e) => e.query)).toEqual(['xyzzy']);
	});

	it('forgets a logged search once the same search finds something (the answer was still arriving)', async () => {
		vi.useFakeTimers();
		const store = new MemoryGapStore();
		const log = new GapLogger(store, { pauseMs: 1500 });
		log.observe('Zq4plumbus', {}, 'fr', 0);
		await vi.advanceTimersByTimeAsync(1600);
		log.observe('carte avalée', {}, 'fr', 0);
		await log.leave();
		expect(store.entries.map((e) => e.query)).toEqual(['Zq4plumbus', 'carte avalée']);
		// The note arrives and is indexed: the same words now find it.
		log.observe('zq4plumbus', {}, 'fr', 1);
		await vi.advanceTimersByTimeAsync(0);
		expect(store.entries.map((e) => e.query)).toEqual(['carte avalée']);
		// Logged again if it later finds nothing again (e.g. the note was withdrawn).
		log.observe('Zq4plumbus', {}, 'fr', 0);
		await log.leave();
		expect(store.entries.map((e) => e.query)).toEqual(['carte avalée', 'Zq4plumbus']);
	});

	it('a refresh that answers the query drops its pending and logged entries', async () => {
		vi.useFakeTimers();
		const store = new MemoryGapStore();
		const log = new GapLogger(store, { pauseMs: 1500 });
		log.observe('hibou', {}, 'fr', 0);
		log.answered('Hibou', 'fr'); // indexed before the pause ended: never logged
		await vi.advanceTimersByTimeAsync(2000);
		expect(store.entries).toEqual([]);
		log.observe('chouette', {}, 'fr', 0);
		await vi.advanceTimersByTimeAsync(2000);
		expect(store.entries.map((e) => e.query)).toEqual(['chouette']);
		log.answered('chouette', 'fr'); // logged, then answered by a document that arrived
		await vi.advanceTimersByTimeAsync(0);
		expect(store.entries).toEqual([]);
	});
});
