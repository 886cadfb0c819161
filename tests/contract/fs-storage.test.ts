// The storage contract against the Node file-system adapter, each store in a fresh temp directory,
// plus the few things only a file system has (file names, torn and leftover files).
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Repo } from '../../src/lib/repo/repo';
import { CorruptEntryError } from '../../src/lib/repo/storage';
import { FsStorage, UnreadableChunk, decodeDocId, encodeDocId, wrapChunk } from '../../src/lib/storage/fs';
import { runStorageContract } from './storage-contract';

/** A store in `<fresh temp dir>/data`, so the adapter also creates its own root. */
async function freshStore(): Promise<FsStorage> {
	return new FsStorage(join(await mkdtemp(join(tmpdir(), 'plateau-fs-')), 'data'));
}

async function disposeStore(store: FsStorage): Promise<void> {
	await store.destroy();
	await rm(dirname(store.dir), { recursive: true, force: true });
}

runStorageContract('file system', {
	create: freshStore,
	reopen: async (previous) => {
		await previous.destroy();
		return new FsStorage((previous as FsStorage).dir);
	},
	// A Uint8Array is written inside a well-formed envelope (bad update bytes: the Repo finds them
	// undecodable); a string is written as raw UTF-8 in place of the file, like a foreign or damaged
	// file, which the adapter returns as non-binary data (the Repo says "not binary").
	corrupt: async (store, docId, key, garbage) => {
		const path = (store as FsStorage).chunkPath(docId, key);
		if (garbage instanceof Uint8Array) await writeFile(path, wrapChunk(garbage));
		else await writeFile(path, String(garbage), 'utf8');
	},
	dispose: async (store) => disposeStore(store as FsStorage)
});

describe('FsStorage on disk', () => {
	const stores: FsStorage[] = [];
	const create = async () => {
		const store = await freshStore();
		stores.push(store);
		return store;
	};
	afterEach(async () => {
		for (const s of stores.splice(0)) await disposeStore(s);
	});
	const update = (value: number) => {
		const doc = new Y.Doc();
		doc.getMap('m').set('k', value);
		return Y.encodeStateAsUpdate(doc);
	};

	it('encodes any document id as one safe directory name and lists the original ids', async () => {
		const ids = ['article/a', 'article/A', 'note/Été a%b', 'article/..', 'question/x*y:z\\w', '.hidden'];
		for (const id of ids) {
			const name = encodeDocId(id);
			expect(name).toMatch(/^[a-z0-9_%-][a-z0-9_%A-F-]*$/);
			expect(name.includes('/')).toBe(false);
			expect(decodeDocId(name)).toBe(id);
		}
		// Names that differ only in case stay distinct on case-insensitive file systems.
		expect(encodeDocId('article/A').toLowerCase()).not.toBe(encodeDocId('article/a').toLowerCase());

		const store = await create();
		for (const id of ids) await store.append(id, update(1));
		expect((await store.list()).sort()).toEqual([...ids].sort());
		expect((await readdir(store.dir)).length).toBe(ids.length);
	});

	it('keeps operations on a document in call order', async () => {
		const store = await create();
		void store.append('article/o', update(1));
		const loaded = store.load('article/o');
		void store.remove('article/o');
		expect(await loaded).toHaveLength(1);
		expect(await store.load('article/o')).toEqual([]);
		expect(await store.list()).toEqual([]);
		expect((await readdir(store.dir)).filter((n) => n.startsWith('.'))).toEqual([]);
	});

	it('reports a torn chunk file and ignores a crashed write left as a temp file', async () => {
		const store = await create();
		// An untyped id, so opening it writes no schema migration.
		await store.append('plain/t', update(1));
		await store.append('plain/t', update(2));
		const [first, second] = (await store.load('plain/t')).map((c) => c.key);
		const full = wrapChunk(update(2));
		await writeFile(store.chunkPath('plain/t', second!), full.subarray(0, full.length - 3));
		await writeFile(store.chunkPath('plain/t', '.u000-crashed.tmp'), full.subarray(0, 5));
		// A document whose only file is a crashed write does not exist.
		await mkdir(join(store.dir, encodeDocId('plain/ghost')));
		await writeFile(store.chunkPath('plain/ghost', '.u000-crashed.tmp'), full);

		const chunks = await store.load('plain/t');
		expect(chunks.map((c) => c.key)).toEqual([first, second]);
		expect(chunks[0]!.data).toBeInstanceOf(Uint8Array);
		expect(chunks[0]!.data).not.toBeInstanceOf(Buffer);
		expect(chunks[1]!.data).toBeInstanceOf(UnreadableChunk);
		expect((chunks[1]!.data as UnreadableChunk).reason).toMatch(/length/);
		expect(await store.list()).toEqual(['plain/t']);

		const repo = new Repo({ storage: store, compactAfter: 0 });
		const errors: Error[] = [];
		repo.onError((e) => errors.push(e));
		expect((await repo.open('plain/t')).getMap('m').get('k')).toBe(1);
		await repo.flush();
		expect(errors).toHaveLength(1);
		expect(errors[0]).toBeInstanceOf(CorruptEntryError);
		expect(errors[0]!.message).toContain('not binary');
		// Compaction replaced the good chunk, kept the torn one and swept the crashed write.
		const dir = dirname(store.chunkPath('plain/t', 'x'));
		const files = await readdir(dir);
		expect(files).toContain(second);
		expect(files).not.toContain(first);
		expect(files.filter((n) => n.startsWith('.'))).toEqual([]);
		expect(files).toHaveLength(2);
		await repo.destroy();
	});

	it('refuses a compaction that names a path instead of a key', async () => {
		const store = await create();
		await store.append('article/p', update(1));
		await expect(store.compact('article/p', update(2), ['../article%2Fq'])).rejects.toThrow(
			/not a chunk key/
		);
		expect(await store.load('article/p')).toHaveLength(1);
	});
});
