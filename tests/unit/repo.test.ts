// The Repo over memory storage: change events, write-back, one document per id, destroy, and
// migrations on open.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { Repo, STORAGE_ORIGIN, type ChangeEvent, type RepoError } from '../../src/lib/repo/repo';
import {
	docVersion,
	header,
	initArticle,
	MIGRATION_ORIGIN,
	readArticleMeta,
	SCHEMA_VERSION,
	SchemaError,
	updateArticleMeta
} from '../../src/lib/schema/index';
import { MemoryStorage } from '../../src/lib/storage/memory';

const meta = (title = 'Compte bloqué'): ArticleMeta => ({
	kind: 'procedure',
	title,
	node: 'compte.acces.blocage',
	locale: 'fr',
	tags: [],
	status: 'published',
	createdAt: 1,
	updatedAt: 1
});

/** Number of stored chunks of one document. */
const chunkCount = (storage: MemoryStorage, docId: string) => storage.chunks.get(docId)?.size ?? 0;

/** Memory storage whose writes land only after a delay, like IndexedDB's. */
class SlowStorage extends MemoryStorage {
	override async append(docId: string, update: Uint8Array): Promise<void> {
		await new Promise((resolve) => setTimeout(resolve, 20));
		return super.append(docId, update);
	}
}

/** The update of a v0 article: what a Plateau without schema versions stored. */
function v0ArticleUpdate(): Uint8Array {
	const doc = new Y.Doc();
	const m = doc.getMap('meta');
	m.set('kind', 'faq');
	m.set('title', 'Ancien article');
	m.set('node', 'versements');
	m.set('locale', 'fr');
	m.set('createdAt', 10);
	m.set('updatedAt', 10);
	return Y.encodeStateAsUpdate(doc);
}

const repos: Repo[] = [];
function newRepo(storage = new MemoryStorage()): Repo {
	const repo = new Repo({ storage });
	repos.push(repo);
	return repo;
}

afterEach(async () => {
	for (const repo of repos.splice(0)) await repo.destroy();
});

describe('Repo change events', () => {
	it('tells listeners which document changed and with which origin, for local edits', async () => {
		const repo = newRepo();
		const events: ChangeEvent[] = [];
		repo.onChange((e) => events.push(e));
		const a = await repo.open('article/a');
		const b = await repo.open('article/b');
		a.transact(() => initArticle(a, meta('A')), 'editor');
		initArticle(b, meta('B'));
		expect(events.map((e) => [e.docId, e.origin])).toEqual([
			['article/a', 'editor'],
			['article/b', null]
		]);
		// The event's update is the change itself: applied elsewhere it reproduces the document.
		const copy = new Y.Doc();
		Y.applyUpdate(copy, events[0]!.update);
		expect(readArticleMeta(copy).title).toBe('A');
	});

	it('reports updates given to Repo.apply with their origin, opening the document if needed', async () => {
		const source = new Y.Doc();
		initArticle(source, meta('Du pair'));
		const repo = newRepo();
		const events: ChangeEvent[] = [];
		repo.onChange((e) => events.push(e));
		await repo.apply('article/peer', Y.encodeStateAsUpdate(source), 'peer-42');
		expect(events.map((e) => [e.docId, e.origin])).toEqual([['article/peer', 'peer-42']]);
		expect(readArticleMeta(await repo.open('article/peer')).title).toBe('Du pair');
	});

	it('stops calling a listener once unsubscribed, and keeps calling the others', async () => {
		const repo = newRepo();
		const first: string[] = [];
		const second: string[] = [];
		const off = repo.onChange((e) => first.push(e.docId));
		repo.onChange((e) => second.push(e.docId));
		const doc = await repo.open('article/a');
		initArticle(doc, meta());
		off();
		updateArticleMeta(doc, { title: 'Autre titre' }, 2);
		expect(first).toEqual(['article/a']);
		expect(second).toEqual(['article/a', 'article/a']);
		expect(repo.stats.changeListeners).toBe(1);
	});
});

describe('Repo storage', () => {
	it('writes local edits to storage and does not write back what it loaded from storage', async () => {
		const storage = new MemoryStorage();
		const repo = newRepo(storage);
		const doc = await repo.open('article/a');
		initArticle(doc, meta());
		updateArticleMeta(doc, { title: 'Deux' }, 2);
		await repo.flush();
		expect(chunkCount(storage, 'article/a')).toBe(2);

		const again = newRepo(new MemoryStorage(storage.chunks));
		const events: ChangeEvent[] = [];
		again.onChange((e) => events.push(e));
		const reopened = await again.open('article/a');
		await again.flush();
		expect(readArticleMeta(reopened).title).toBe('Deux');
		expect(chunkCount(storage, 'article/a')).toBe(2);
		expect(events).toEqual([]);

		// Applying an update with the storage origin is treated the same way: reported, not stored.
		const extra = new Y.Doc();
		Y.applyUpdate(extra, Y.encodeStateAsUpdate(reopened));
		updateArticleMeta(extra, { title: 'Trois' }, 3);
		await again.apply(
			'article/a',
			Y.encodeStateAsUpdate(extra, Y.encodeStateVector(reopened)),
			STORAGE_ORIGIN
		);
		await again.flush();
		expect(readArticleMeta(reopened).title).toBe('Trois');
		expect(chunkCount(storage, 'article/a')).toBe(2);
		expect(events.map((e) => e.origin)).toEqual([STORAGE_ORIGIN]);
	});

	it('counts the writes not yet stored: an edit is pending until its storage write lands, then none', async () => {
		let release: () => void = () => {};
		const gate = new Promise<void>((r) => (release = r));
		class GatedStorage extends MemoryStorage {
			override async append(docId: string, update: Uint8Array): Promise<void> {
				await gate;
				return super.append(docId, update);
			}
		}
		const storage = new GatedStorage();
		const repo = newRepo(storage);
		const doc = await repo.open('article/a');
		const seen: number[] = [];
		const stop = repo.onPendingWrites((n) => seen.push(n));
		initArticle(doc, meta());
		expect(repo.pendingWrites).toBe(1);
		expect(chunkCount(storage, 'article/a')).toBe(0);
		release();
		await repo.flush();
		expect(repo.pendingWrites).toBe(0);
		expect(chunkCount(storage, 'article/a')).toBe(1);
		expect(seen).toEqual([1, 0]);
		stop();
	});

	it('gives the same Y.Doc to concurrent and later opens of one id', async () => {
		const storage = new MemoryStorage();
		const seeded = newRepo(storage);
		initArticle(await seeded.open('article/a'), meta());
		await seeded.flush();

		const repo = newRepo(new MemoryStorage(storage.chunks));
		const [x, y] = await Promise.all([repo.open('article/a'), repo.open('article/a')]);
		expect(x).toBe(y);
		expect(await repo.open('article/a')).toBe(x);
		expect(await repo.open('article/b')).not.toBe(x);
		expect(repo.stats.docs).toBe(2);
		expect(readArticleMeta(x).title).toBe('Compte bloqué');
	});
});

describe('Repo.destroy', () => {
	it('waits for pending writes, so a new Repo on the same data sees every edit', async () => {
		const storage = new SlowStorage();
		const repo = new Repo({ storage });
		const doc = await repo.open('article/a');
		initArticle(doc, meta('Écrit juste avant la fermeture'));
		expect(chunkCount(storage, 'article/a')).toBe(0); // the write is still on its way
		await repo.destroy();
		expect(chunkCount(storage, 'article/a')).toBe(1);

		const reopened = newRepo(new MemoryStorage(storage.chunks));
		expect(readArticleMeta(await reopened.open('article/a')).title).toBe('Écrit juste avant la fermeture');
	});

	it('closes documents, drops listeners and refuses to open anything afterwards', async () => {
		const storage = new MemoryStorage();
		const repo = new Repo({ storage });
		repo.onChange(() => {});
		repo.onError(() => {});
		const doc = await repo.open('article/a');
		initArticle(doc, meta());
		expect(repo.stats).toEqual({ docs: 1, changeListeners: 1, errorListeners: 1 });
		await repo.destroy();
		expect(repo.stats).toEqual({ docs: 0, changeListeners: 0, errorListeners: 0 });
		expect(doc.isDestroyed).toBe(true);
		await expect(async () => repo.open('article/a')).rejects.toThrow(/destroyed/);
		// Destroying twice is harmless.
		await repo.destroy();
	});

	it('stops writing a closed document', async () => {
		const storage = new MemoryStorage();
		const repo = newRepo(storage);
		const doc = await repo.open('article/a');
		initArticle(doc, meta());
		await repo.flush();
		repo.close('article/a');
		expect(repo.stats.docs).toBe(0);
		// A fresh open loads a new instance from storage.
		const again = await repo.open('article/a');
		expect(again).not.toBe(doc);
		expect(readArticleMeta(again).title).toBe('Compte bloqué');
	});
});

describe('Repo migrations on open', () => {
	it('migrates an old document when it opens, stores the migration and reports it as such', async () => {
		const storage = new MemoryStorage();
		await storage.append('article/old', v0ArticleUpdate());
		const repo = newRepo(storage);
		const events: ChangeEvent[] = [];
		repo.onChange((e) => events.push(e));
		const doc = await repo.open('article/old');
		await repo.flush();
		expect(docVersion(doc)).toBe(SCHEMA_VERSION);
		expect(readArticleMeta(doc)).toMatchObject({ title: 'Ancien article', tags: [], status: 'published' });
		expect(events.map((e) => [e.docId, e.origin])).toEqual([['article/old', MIGRATION_ORIGIN]]);
		expect(chunkCount(storage, 'article/old')).toBe(2);

		// Reopened, it is already current: nothing more is written.
		const again = newRepo(new MemoryStorage(storage.chunks));
		const reopened = await again.open('article/old');
		await again.flush();
		expect(docVersion(reopened)).toBe(SCHEMA_VERSION);
		expect(chunkCount(storage, 'article/old')).toBe(2);
	});

	it('opens a document from a newer Plateau untouched and reports it through onError', async () => {
		const future = new Y.Doc();
		initArticle(future, meta('Du futur'));
		header(future).set('schema', 99);
		const storage = new MemoryStorage();
		await storage.append('article/future', Y.encodeStateAsUpdate(future));
		const repo = newRepo(storage);
		const errors: RepoError[] = [];
		repo.onError((e) => errors.push(e));
		const doc = await repo.open('article/future');
		await repo.flush();
		expect(errors).toHaveLength(1);
		expect(errors[0]).toBeInstanceOf(SchemaError);
		expect(errors[0]!.message).toMatch(/newer/);
		expect(repo.errors).toEqual(errors);
		expect(docVersion(doc)).toBe(99);
		expect(chunkCount(storage, 'article/future')).toBe(1);
		// Other documents still open normally.
		initArticle(await repo.open('article/now'), meta('Maintenant'));
		expect(errors).toHaveLength(1);
	});
});
