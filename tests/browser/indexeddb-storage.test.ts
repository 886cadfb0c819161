// The storage contract against real IndexedDB in headless Chromium; flushing a pending batch, the
// one delete helper, and the device store keeping CryptoKeys.
import { openDB } from 'idb';
import { describe, expect, it, vi } from 'vitest';
import { deleteDatabase, IndexedDbStorage } from '../../src/lib/storage/indexeddb';
import { IndexedDbDeviceStore } from '../../src/lib/storage/device-idb';
import { generateIdentity, restoreIdentity, storedIdentity } from '../../src/lib/repo/identity';
import { runStorageContract } from '../contract/storage-contract';

let n = 0;

runStorageContract('IndexedDB', {
	create: async () => new IndexedDbStorage(`plateau-contract-${Date.now()}-${++n}`),
	reopen: async (previous) => {
		await previous.destroy();
		return new IndexedDbStorage((previous as IndexedDbStorage).name);
	},
	corrupt: async (store, docId, key, garbage) => {
		const name = (store as IndexedDbStorage).name;
		await store.destroy();
		const db = await openDB(name);
		await db.put('chunks', { doc: docId, key, data: garbage });
		db.close();
	},
	dispose: async (store) => {
		await store.destroy().catch(() => {});
		await IndexedDbStorage.deleteDatabase((store as IndexedDbStorage).name);
	}
});

describe('IndexedDB details', () => {
	it('flush() writes appends waiting for the next task at once (what a page being hidden calls)', async () => {
		const name = `plateau-flush-${Date.now()}-${++n}`;
		const store = new IndexedDbStorage(name);
		await store.list(); // opened
		const written = store.append('note/a', new Uint8Array([1, 2, 3]));
		await store.flush();
		// Read through a separate connection: the chunk is committed, not only queued.
		const db = await openDB(name);
		expect((await db.getAll('chunks')).map((r: { doc: string }) => r.doc)).toEqual(['note/a']);
		db.close();
		await written;
		await store.destroy();
		await deleteDatabase(name);
	});

	it('an append made while another write is in flight starts its own transaction at once', async () => {
		const name = `plateau-pipeline-${Date.now()}-${++n}`;
		const store = new IndexedDbStorage(name);
		await store.list(); // opened
		const started: number[] = [];
		const db = await openDB(name);
		const real = IDBDatabase.prototype.transaction;
		const spy = vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (
			this: IDBDatabase,
			...args: Parameters<IDBDatabase['transaction']>
		) {
			started.push(Date.now());
			return real.apply(this, args);
		});
		const microtasks = async () => {
			for (let i = 0; i < 20; i++) await Promise.resolve();
		};
		const first = store.append('note/a', new Uint8Array([1]));
		await microtasks(); // the first write starts in microtasks of this task
		expect(started.length).toBe(1);
		let firstDone = false;
		void first.then(() => (firstDone = true));
		const second = store.append('note/a', new Uint8Array([2]));
		await microtasks();
		// Both transactions exist before the first has reported back (the old chain waited for it).
		expect(firstDone).toBe(false);
		expect(started.length).toBe(2);
		spy.mockRestore();
		await Promise.all([first, second]);
		const rows = (await db.getAll('chunks')) as { data: Uint8Array }[];
		expect(rows.map((r) => Array.from(r.data))).toEqual([[1], [2]]);
		db.close();
		await store.destroy();
		await deleteDatabase(name);
	});

	it('appends from many tasks, beyond the writes allowed in flight, all land in order', async () => {
		const name = `plateau-gather-${Date.now()}-${++n}`;
		const store = new IndexedDbStorage(name);
		const writes: Promise<void>[] = [];
		for (let i = 0; i < 200; i++) {
			writes.push(store.append('note/b', new Uint8Array([i])));
			if (i % 10 === 0) await new Promise((r) => setTimeout(r, 0));
		}
		await Promise.all(writes);
		const chunks = await store.load('note/b');
		expect(chunks.map((c) => (c.data as Uint8Array)[0])).toEqual([...Array(200).keys()]);
		await store.destroy();
		await deleteDatabase(name);
	});

	it('writes one list record per transaction of several documents, merged once there are many', async () => {
		const name = `plateau-lists-${Date.now()}-${++n}`;
		const store = new IndexedDbStorage(name);
		const all: string[] = [];
		// 20 transactions of 10 new documents each (each group appended in one task), as a fill does.
		for (let t = 0; t < 20; t++) {
			const ids = Array.from({ length: 10 }, (_, i) => `article/t${t}-${i}`);
			all.push(...ids);
			await Promise.all(ids.map((id) => store.append(id, new Uint8Array([t]))));
		}
		const db = await openDB(name);
		const keys = (await db.getAllKeys('docs')) as string[];
		// No entry per document: 20 records naming 10 each.
		expect(keys.filter((k) => k.startsWith('article/'))).toEqual([]);
		expect(keys.filter((k) => k.startsWith('~list/'))).toHaveLength(20);
		expect((await store.list()).sort()).toEqual([...all].sort());
		// list() merged them into one (beyond 16), and the next list reads the same documents.
		expect(((await db.getAllKeys('docs')) as string[]).filter((k) => k.startsWith('~list/'))).toHaveLength(1);
		await store.remove('article/t4-2');
		const reopened = new IndexedDbStorage(name);
		await store.destroy();
		expect((await reopened.list()).sort()).toEqual(all.filter((id) => id !== 'article/t4-2').sort());
		db.close();
		await reopened.destroy();
		await deleteDatabase(name);
	});

	it('deleteDatabase waits while another connection holds the database, then deletes it', async () => {
		const name = `plateau-delete-${Date.now()}-${++n}`;
		const holder = await openDB(name, 1, { upgrade: (db) => void db.createObjectStore('x') });
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		let done = false;
		const deleting = deleteDatabase(name).then(() => (done = true));
		await vi.waitFor(() =>
			expect(warn).toHaveBeenCalledWith(expect.stringContaining('waits for other tabs'))
		);
		expect(done).toBe(false);
		holder.close();
		await deleting;
		warn.mockRestore();
		expect((await indexedDB.databases()).some((d) => d.name === name)).toBe(false);
	});

	it('the device store keeps a non-extractable CryptoKey across a reopen, and removes keys', async () => {
		const name = `plateau-device-test-${Date.now()}-${++n}`;
		const store = new IndexedDbDeviceStore(name);
		const identity = await generateIdentity();
		await store.write({ identity: storedIdentity(identity), other: 'x' });
		await store.close();
		const reopened = new IndexedDbDeviceStore(name);
		const back = await restoreIdentity(await reopened.get('identity'));
		expect(back.agentId).toBe(identity.agentId);
		expect(back.privateKey).toBeInstanceOf(CryptoKey);
		expect(back.privateKey.extractable).toBe(false);
		await expect(crypto.subtle.exportKey('jwk', back.privateKey)).rejects.toThrow();
		await reopened.write({ other: undefined });
		expect((await reopened.keys()).sort()).toEqual(['identity']);
		await reopened.close();
		await deleteDatabase(name);
	});
});
