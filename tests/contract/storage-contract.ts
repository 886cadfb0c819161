// The contract every StorageAdapter passes: run by each adapter's test file with its own setup
// (memory in node, IndexedDB in Chromium).
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Repo } from '../../src/lib/repo/repo';
import type { StorageAdapter } from '../../src/lib/repo/storage';
import { CorruptEntryError } from '../../src/lib/repo/storage';
import { initArticle, readArticleMeta, readArticleBody, updateArticleMeta } from '../../src/lib/schema/index';
import type { ArticleMeta } from '../../src/lib/domain/article';

export interface StorageSetup {
	/** A new, empty store. */
	create(): Promise<StorageAdapter>;
	/** The same underlying data through a new adapter, as after a reload (the old one is destroyed). */
	reopen(previous: StorageAdapter): Promise<StorageAdapter>;
	/** Overwrites the stored chunk `key` of `docId` with garbage, as a broken disk or bug would. */
	corrupt(store: StorageAdapter, docId: string, key: string, garbage: unknown): Promise<void>;
	/** Removes whatever `create` made. */
	dispose(store: StorageAdapter): Promise<void>;
}

const meta = (title: string): ArticleMeta => ({
	kind: 'procedure',
	title,
	node: 'compte.acces.mot-de-passe',
	locale: 'fr',
	tags: ['connexion'],
	status: 'published',
	createdAt: 1,
	updatedAt: 1
});

export function runStorageContract(name: string, setup: StorageSetup): void {
	describe(`StorageAdapter contract: ${name}`, () => {
		const open: StorageAdapter[] = [];
		const track = (s: StorageAdapter) => (open.push(s), s);
		afterEach(async () => {
			for (const s of open.splice(0)) await setup.dispose(s);
		});

		it('holds a guarded document’s signed log under its companion id, apart from the document', async () => {
			const store = track(await setup.create());
			const log = 'signed-log:note/agent-x.n1';
			await store.append('note/agent-x.n1', new Uint8Array([1]));
			await store.append(log, new Uint8Array([2, 2]));
			await store.append(log, new Uint8Array([3]));
			const chunks = await store.load(log);
			expect(chunks.map((c) => [...(c.data as Uint8Array)]).sort()).toEqual([[2, 2], [3]]);
			await store.compact(log, new Uint8Array([4]), [chunks[0]!.key]);
			const reopened = track(await setup.reopen(store));
			expect((await reopened.list()).sort()).toEqual(['note/agent-x.n1', log]);
			expect((await reopened.load(log)).map((c) => [...(c.data as Uint8Array)]).sort()).toEqual(
				[[4], [...(chunks[1]!.data as Uint8Array)]].sort()
			);
			// The Repo lists documents, not their logs.
			const repo = new Repo({ storage: reopened });
			expect(await repo.list()).toEqual(['note/agent-x.n1']);
			await reopened.remove(log);
			expect(await reopened.list()).toEqual(['note/agent-x.n1']);
			await repo.destroy();
		});

		it('stores documents and gives them back after a reload', async () => {
			const store = track(await setup.create());
			const repo = new Repo({ storage: store });
			const a = await repo.open('article/a');
			initArticle(a, meta('Mot de passe oublié'), [
				{ type: 'paragraph', content: [{ type: 'text', text: 'Vérifier l’identité.' }] }
			]);
			const b = await repo.open('article/b');
			initArticle(b, meta('Compte bloqué'));
			await repo.destroy();

			const reopened = track(await setup.reopen(store));
			const repo2 = new Repo({ storage: reopened });
			expect((await repo2.list()).sort()).toEqual(['article/a', 'article/b']);
			const a2 = await repo2.open('article/a');
			expect(readArticleMeta(a2).title).toBe('Mot de passe oublié');
			expect(readArticleBody(a2)[0]?.content?.[0]?.text).toBe('Vérifier l’identité.');
			expect(readArticleMeta(await repo2.open('article/b')).title).toBe('Compte bloqué');
			await repo2.destroy();
		});

		it('keeps every incremental update and compacts them into one snapshot on open', async () => {
			const store = track(await setup.create());
			const repo = new Repo({ storage: store, compactAfter: 10 });
			const doc = await repo.open('article/c');
			initArticle(doc, meta('v0'));
			for (let i = 1; i <= 30; i++) updateArticleMeta(doc, { title: `v${i}` }, 1000 + i);
			await repo.flush();
			expect((await store.load('article/c')).length).toBeGreaterThan(30);
			await repo.destroy();

			const s2 = track(await setup.reopen(store));
			const repo2 = new Repo({ storage: s2, compactAfter: 10 });
			const doc2 = await repo2.open('article/c');
			expect(readArticleMeta(doc2).title).toBe('v30');
			await repo2.flush();
			expect(await s2.load('article/c')).toHaveLength(1);
			await repo2.destroy();

			const s3 = track(await setup.reopen(s2));
			const repo3 = new Repo({ storage: s3 });
			const doc3 = await repo3.open('article/c');
			expect(readArticleMeta(doc3).title).toBe('v30');
			expect(readArticleMeta(doc3).updatedAt).toBe(1030);
			await repo3.destroy();
		});

		it('reports a corrupt entry clearly, keeps it, and still loads the rest of the store', async () => {
			const store = track(await setup.create());
			const repo = new Repo({ storage: store });
			const good = await repo.open('article/good');
			initArticle(good, meta('Intact'));
			const hurt = await repo.open('article/hurt');
			initArticle(hurt, meta('Avant'));
			await repo.flush();
			const [firstKey] = (await store.load('article/hurt')).map((c) => c.key);
			hurt.getMap('meta').set('floor', 'bourse');
			// What a peer would still hold of this document.
			const peerCopy = Y.encodeStateAsUpdate(hurt);
			await repo.destroy();
			await setup.corrupt(store, 'article/hurt', firstKey!, new Uint8Array([0xff, 0xff, 0x03, 0x42]));

			const s2 = track(await setup.reopen(store));
			const repo2 = new Repo({ storage: s2 });
			const errors: Error[] = [];
			repo2.onError((e) => errors.push(e));
			expect(readArticleMeta(await repo2.open('article/good')).title).toBe('Intact');
			const hurt2 = await repo2.open('article/hurt');
			expect(errors).toHaveLength(1);
			expect(errors[0]).toBeInstanceOf(CorruptEntryError);
			expect(errors[0]!.message).toMatch(/article\/hurt.*corrupt/);
			// The later update builds on the lost one, so Yjs holds it pending instead of applying it...
			expect(hurt2.getMap('meta').get('title')).toBeUndefined();
			expect(hurt2.store.pendingStructs).not.toBeNull();
			// ...and the corrupt entry is still stored: nothing was thrown away.
			expect((await s2.load('article/hurt')).map((c) => c.key)).toContain(firstKey);
			// A peer's copy heals the document; the pending update then applies too.
			await repo2.apply('article/hurt', peerCopy, 'peer');
			expect(readArticleMeta(hurt2).title).toBe('Avant');
			expect(hurt2.getMap('meta').get('floor')).toBe('bourse');
			await repo2.destroy();
		});

		it('rejects an entry that is not binary at all', async () => {
			const store = track(await setup.create());
			const repo = new Repo({ storage: store });
			initArticle(await repo.open('article/x'), meta('X'));
			await repo.flush();
			const [key] = (await store.load('article/x')).map((c) => c.key);
			await repo.destroy();
			await setup.corrupt(store, 'article/x', key!, 'not an update');
			const s2 = track(await setup.reopen(store));
			const repo2 = new Repo({ storage: s2 });
			const errors: Error[] = [];
			repo2.onError((e) => errors.push(e));
			const doc = await repo2.open('article/x');
			expect(doc.getMap('meta').size).toBe(0);
			expect(errors[0]).toBeInstanceOf(CorruptEntryError);
			expect(errors[0]!.message).toContain('not binary');
			await repo2.destroy();
		});

		it('removes a document and compacts atomically', async () => {
			const store = track(await setup.create());
			const doc = new Y.Doc();
			doc.getMap('m').set('k', 1);
			await store.append('article/r', Y.encodeStateAsUpdate(doc));
			await store.append('article/keep', Y.encodeStateAsUpdate(doc));
			doc.getMap('m').set('k', 2);
			await store.append('article/r', Y.encodeStateAsUpdate(doc));
			const keys = (await store.load('article/r')).map((c) => c.key);
			await store.compact('article/r', Y.encodeStateAsUpdate(doc), keys);
			const after = await store.load('article/r');
			expect(after).toHaveLength(1);
			expect(keys).not.toContain(after[0]!.key);
			const check = new Y.Doc();
			Y.applyUpdate(check, after[0]!.data as Uint8Array);
			expect(check.getMap('m').get('k')).toBe(2);

			await store.remove('article/r');
			expect(await store.load('article/r')).toEqual([]);
			expect(await store.list()).toEqual(['article/keep']);
		});

		it('lists every document of writes made together, and forgets only the one removed', async () => {
			const store = track(await setup.create());
			// One task's appends (a batch of a fill): adapters may write them as one transaction.
			const ids = Array.from({ length: 30 }, (_, i) => `article/batch-${i}`);
			await Promise.all(ids.map((id, i) => store.append(id, new Uint8Array([i + 1]))));
			await store.append('article/alone', new Uint8Array([9]));
			expect((await store.list()).sort()).toEqual([...ids, 'article/alone'].sort());
			await store.remove('article/batch-7');
			await store.append('article/batch-3', new Uint8Array([7])); // written again: listed once
			const reopened = track(await setup.reopen(store));
			const expected = [...ids.filter((id) => id !== 'article/batch-7'), 'article/alone'].sort();
			expect((await reopened.list()).sort()).toEqual(expected);
			expect(await reopened.load('article/batch-7')).toEqual([]);
			expect((await reopened.load('article/batch-3')).map((c) => [...(c.data as Uint8Array)]).sort()).toEqual(
				[[4], [7]]
			);
			await reopened.destroy(); // before disposing: an open IndexedDB connection blocks a deletion
		});

		it('is unusable once destroyed', async () => {
			const store = await setup.create();
			await store.destroy();
			await expect(store.list()).rejects.toThrow();
			await setup.dispose(store);
		});
	});
}
