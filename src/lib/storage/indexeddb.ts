// One IndexedDB database per centre holding every document's chunks, rather than y-indexeddb's one
// database per document: listing and opening a 10,000-article knowledge base would otherwise mean
// 10,000 databases to enumerate and open (see docs/decisions.md for the figures).
import { openDB, unwrap, type IDBPDatabase } from 'idb';
import type { StorageAdapter, StoredChunk } from '../repo/storage';

const CHUNKS = 'chunks';
const DOCS = 'docs';
const VERSION = 1;
/** `docs` holds, besides one entry per document (its id → the time of its last write), "list
 *  records": one per transaction that wrote several documents, under a key of this prefix, whose
 *  value is the ids it wrote. A device being filled writes thousands of new documents in a few
 *  hundred transactions: one list record per transaction instead of one entry per document halves
 *  the requests of a fill (measured in docs/decisions.md). No document id starts with `~`. */
const LIST_PREFIX = '~list/';
/** List records beyond this many are merged into one by the next list(). */
const MERGE_LISTS_AFTER = 16;

/** How many append transactions may be in flight at once. IndexedDB runs overlapping read-write
 *  transactions in the order they were created, so later ones need not wait for earlier ones to
 *  report back: a keystroke typed while the previous one is being written goes to disk at once
 *  rather than a round trip later. Beyond this, appends gather into one transaction (a peer filling
 *  an empty device sends thousands of documents at once). */
const MAX_IN_FLIGHT = 4;

/** Appends gathered into one transaction. */
interface Batch {
	records: ChunkRecord[];
	done: Promise<void>;
	/** Starts the write (once; later calls do nothing). */
	start: () => void;
	started: boolean;
}

interface ChunkRecord {
	doc: string;
	key: string;
	data: unknown;
}

/** The database name for a centre's documents. */
export function databaseName(centreId: string): string {
	return `plateau-${centreId}`;
}

export class IndexedDbStorage implements StorageAdapter {
	readonly name: string;
	#db: Promise<IDBPDatabase>;
	#counter = 0;
	#prefix = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
	#batch: Batch | undefined;
	/** Transactions started and not yet settled. */
	#inFlight = 0;
	/** Batches waiting for room among the transactions in flight, oldest first. */
	#waiting: Batch[] = [];
	#unwatch: () => void = () => {};

	constructor(name: string) {
		this.name = name;
		// A page being hidden or closed may never run the next task: write what waits for it now.
		if (typeof document !== 'undefined') {
			const flush = () => void this.flush();
			const onVisibility = () => document.visibilityState === 'hidden' && flush();
			addEventListener('pagehide', flush);
			document.addEventListener('visibilitychange', onVisibility);
			this.#unwatch = () => {
				removeEventListener('pagehide', flush);
				document.removeEventListener('visibilitychange', onVisibility);
			};
		}
		this.#db = openDB(name, VERSION, {
			upgrade(db) {
				// Chunks keyed [docId, key]: a document's chunks are one key range.
				db.createObjectStore(CHUNKS, { keyPath: ['doc', 'key'] });
				db.createObjectStore(DOCS);
			},
			blocked: () => console.warn(`Plateau: database ${name} is held open by another tab.`)
		});
	}

	async load(docId: string): Promise<StoredChunk[]> {
		await this.#batch?.done; // read your own writes
		const db = await this.#db;
		const records = (await db.getAll(CHUNKS, range(docId))) as unknown[];
		return records.map((r, i) => {
			const rec = r as Partial<ChunkRecord>;
			return { key: typeof rec.key === 'string' ? rec.key : `?${i}`, data: toBytes(rec.data) };
		});
	}

	/**
	 * Appends are written at once — in a microtask of the edit's own task, so a keystroke's update
	 * is on its way to disk before the text is even painted (a timer first was late on a busy page:
	 * a browser killed 50 ms after a word appeared lost its last letter). Appends of one task share a
	 * transaction; up to MAX_IN_FLIGHT transactions are in flight at once (a write that waited for the
	 * previous one to report back lost the last two letters of a word to a kill on a loaded machine),
	 * and beyond that appends gather into the next one.
	 */
	append(docId: string, update: Uint8Array): Promise<void> {
		const record: ChunkRecord = { doc: docId, key: this.#key('u'), data: update };
		if (!this.#batch) {
			let start: () => void = () => {};
			const started = new Promise<void>((resolve) => (start = resolve));
			const batch: Batch = { records: [], done: Promise.resolve(), start: () => start(), started: false };
			batch.done = started.then(() => this.#commit(batch));
			this.#batch = batch;
			// Started in a microtask, so the rest of this task's appends join it.
			queueMicrotask(() => this.#startOrWait(batch));
		}
		this.#batch.records.push(record);
		return this.#batch.done;
	}

	/** Writes the appends gathered behind the writes in flight now (the page is being hidden or
	 *  closed: nothing may run after this task). */
	flush(): Promise<void> {
		const batch = this.#batch;
		if (!batch) return Promise.resolve();
		this.#waiting = this.#waiting.filter((b) => b !== batch);
		this.#run(batch);
		return batch.done;
	}

	#startOrWait(batch: Batch): void {
		if (this.#inFlight < MAX_IN_FLIGHT) this.#run(batch);
		else if (!this.#waiting.includes(batch)) this.#waiting.push(batch);
	}

	#run(batch: Batch): void {
		if (this.#batch === batch) this.#batch = undefined;
		if (batch.started) return;
		batch.started = true;
		this.#inFlight++;
		batch.start();
		void batch.done
			.catch(() => {})
			.then(() => {
				this.#inFlight--;
				const next = this.#waiting.shift();
				if (next) this.#run(next);
			});
	}

	async #commit(batch: Batch): Promise<void> {
		// The plain IndexedDB objects: idb's wrappers make a promise and two listeners per request,
		// which a batch of thousands (a device being filled) does not need.
		const tx = unwrap(await this.#db).transaction([CHUNKS, DOCS], 'readwrite');
		const done = new Promise<void>((resolve, reject) => {
			tx.oncomplete = () => resolve();
			tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
			tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
		});
		const chunks = tx.objectStore(CHUNKS);
		const touched = new Set<string>();
		for (const r of batch.records) {
			chunks.put(r);
			touched.add(r.doc);
		}
		this.#listIn(tx.objectStore(DOCS), touched);
		// Commit now, in this task, rather than once every put's success has come back to the page:
		// one round trip to the storage process less before the edit is on disk.
		tx.commit();
		await done;
	}

	async compact(docId: string, snapshot: Uint8Array, replaced: readonly string[]): Promise<void> {
		await this.#batch?.done;
		const db = await this.#db;
		const tx = db.transaction([CHUNKS, DOCS], 'readwrite');
		const chunks = tx.objectStore(CHUNKS);
		for (const key of replaced) void chunks.delete([docId, key]);
		void chunks.put({ doc: docId, key: this.#key('s'), data: snapshot } satisfies ChunkRecord);
		void tx.objectStore(DOCS).put(Date.now(), docId);
		await tx.done;
	}

	async list(): Promise<string[]> {
		await this.#batch?.done;
		const db = await this.#db;
		const tx = db.transaction(DOCS, 'readonly');
		const [keys, records] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll(lists())]);
		const ids = new Set<string>();
		for (const key of keys) if (typeof key === 'string' && !key.startsWith(LIST_PREFIX)) ids.add(key);
		for (const list of records) if (Array.isArray(list)) for (const id of list) ids.add(String(id));
		if (records.length > MERGE_LISTS_AFTER) await this.#mergeLists().catch(() => {}); // merged next time
		return [...ids];
	}

	async remove(docId: string): Promise<void> {
		await this.#batch?.done;
		const db = await this.#db;
		const tx = db.transaction([CHUNKS, DOCS], 'readwrite');
		void tx.objectStore(CHUNKS).delete(range(docId));
		const docs = tx.objectStore(DOCS);
		void docs.delete(docId);
		// Out of the list records too, in the same transaction.
		let cursor = await docs.openCursor(lists());
		while (cursor) {
			const list = cursor.value as unknown;
			if (Array.isArray(list) && list.includes(docId)) {
				const rest = list.filter((id) => id !== docId);
				void (rest.length ? cursor.update(rest) : cursor.delete());
			}
			cursor = await cursor.continue();
		}
		await tx.done;
	}

	async destroy(): Promise<void> {
		this.#unwatch();
		await this.#batch?.done.catch(() => {});
		(await this.#db).close();
	}

	/** Deletes the whole database (reset demo data, leave a centre). */
	static deleteDatabase(name: string): Promise<void> {
		return deleteDatabase(name);
	}

	/** Lists the documents a write transaction touched: one entry per document when it wrote one,
	 *  else one list record naming them all. */
	#listIn(docs: IDBObjectStore, touched: Set<string>): void {
		if (touched.size === 1) docs.put(Date.now(), touched.values().next().value!);
		else if (touched.size > 1) docs.put([...touched], `${LIST_PREFIX}${this.#key('u')}`);
	}

	/** Merges the list records into one (read and rewritten in one transaction: a write of
	 *  another tab lands before or after, never in between). */
	async #mergeLists(): Promise<void> {
		const db = await this.#db;
		const tx = db.transaction(DOCS, 'readwrite');
		const ids = new Set<string>();
		for (const list of await tx.store.getAll(lists()))
			if (Array.isArray(list)) for (const id of list) ids.add(String(id));
		void tx.store.delete(lists());
		if (ids.size) void tx.store.put([...ids], `${LIST_PREFIX}${this.#key('s')}`);
		await tx.done;
	}

	/** Sortable unique keys: time, then this instance's random prefix and a zero-padded counter (two
	 *  tabs may append to one document at once; unpadded, the 36th append of a millisecond sorted
	 *  before the 7th). */
	#key(kind: 'u' | 's'): string {
		return `${kind}${Date.now().toString(36).padStart(9, '0')}${this.#prefix}${(++this.#counter).toString(36).padStart(7, '0')}`;
	}
}

/**
 * Deletes an IndexedDB database; resolves once it is gone. While another tab holds it open the
 * deletion waits ("blocked"), and goes through as soon as that tab closes it — resolving early
 * would let a caller re-create the database before the old one is deleted.
 */
export function deleteDatabase(name: string): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		const req = indexedDB.deleteDatabase(name);
		req.onsuccess = () => resolve();
		req.onerror = () => reject(req.error);
		req.onblocked = () => console.warn(`Plateau: deleting ${name} waits for other tabs to close it.`);
	});
}

/** The keys of the list records in `docs`. */
function lists(): IDBKeyRange {
	return IDBKeyRange.bound(LIST_PREFIX, `${LIST_PREFIX}\uffff`);
}

function range(docId: string): IDBKeyRange {
	return IDBKeyRange.bound([docId, ''], [docId, '\uffff']);
}

/** IndexedDB returns what was stored; anything but bytes is passed on as is for the Repo to reject. */
function toBytes(data: unknown): unknown {
	if (data instanceof Uint8Array) return data;
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	return data;
}
