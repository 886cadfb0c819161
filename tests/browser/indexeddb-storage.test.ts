// The storage contract against real IndexedDB in headless Chromium.
import { openDB } from 'idb';
import { IndexedDbStorage } from '../../src/lib/storage/indexeddb';
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
