import { MemoryStorage } from '../../src/lib/storage/memory';
import { runStorageContract } from './storage-contract';

runStorageContract('memory', {
	create: async () => new MemoryStorage(),
	reopen: async (previous) => {
		await previous.destroy();
		return new MemoryStorage((previous as MemoryStorage).chunks);
	},
	corrupt: async (store, docId, key, garbage) => {
		(store as MemoryStorage).chunks.get(docId)!.set(key, garbage);
	},
	dispose: async (store) => store.destroy()
});
