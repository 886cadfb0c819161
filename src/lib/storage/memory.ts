import type { StorageAdapter, StoredChunk } from '../repo/storage';

let counter = 0;

/** Keeps chunks in memory: for unit tests and Node peers that need no persistence. */
export class MemoryStorage implements StorageAdapter {
	/** docId → key → data. Exposed so tests can corrupt an entry the way a broken disk would. */
	readonly chunks: Map<string, Map<string, unknown>>;
	#destroyed = false;

	/** Pass another store's `chunks` to reopen the same data, as a reload would. */
	constructor(chunks = new Map<string, Map<string, unknown>>()) {
		this.chunks = chunks;
	}

	async load(docId: string): Promise<StoredChunk[]> {
		this.#alive();
		return [...(this.chunks.get(docId) ?? new Map()).entries()].map(([key, data]) => ({
			key,
			data: data instanceof Uint8Array ? data.slice() : data
		}));
	}

	async append(docId: string, update: Uint8Array): Promise<void> {
		this.#alive();
		this.#doc(docId).set(`u${(++counter).toString(36).padStart(8, '0')}`, update.slice());
	}

	async compact(docId: string, snapshot: Uint8Array, replaced: readonly string[]): Promise<void> {
		this.#alive();
		const doc = this.#doc(docId);
		for (const key of replaced) doc.delete(key);
		doc.set(`s${(++counter).toString(36).padStart(8, '0')}`, snapshot.slice());
	}

	async list(): Promise<string[]> {
		this.#alive();
		return [...this.chunks.keys()];
	}

	async remove(docId: string): Promise<void> {
		this.#alive();
		this.chunks.delete(docId);
	}

	async destroy(): Promise<void> {
		this.#destroyed = true;
	}

	#doc(docId: string): Map<string, unknown> {
		let doc = this.chunks.get(docId);
		if (!doc) this.chunks.set(docId, (doc = new Map()));
		return doc;
	}

	#alive(): void {
		if (this.#destroyed) throw new Error('This storage was destroyed.');
	}
}
