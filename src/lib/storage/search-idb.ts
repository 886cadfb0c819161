// The search index's own IndexedDB database per centre store (`plateau-<store>-search`), apart from
// the documents: it can be dropped and rebuilt at any time without touching them. Holds the saved
// index (one record) and the log of searches that found nothing.
import { openDB, type IDBPDatabase } from 'idb';
import { deleteDatabase } from './indexeddb';
import type { GapEntry, GapStore } from '../search/gap-log';
import type { SavedIndex, SearchStore } from '../search/persistence';

const INDEX = 'index';
const GAPS = 'gaps';
const KEY = 'current';

export function searchDatabaseName(storeName: string): string {
	return `plateau-${storeName}-search`;
}

export class IndexedDbSearchStore implements SearchStore, GapStore {
	readonly name: string;
	#db: Promise<IDBPDatabase>;

	constructor(name: string) {
		this.name = name;
		this.#db = openDB(name, 1, {
			upgrade(db) {
				db.createObjectStore(INDEX);
				db.createObjectStore(GAPS, { autoIncrement: true });
			}
		});
	}

	/** The stored index as it was read (checked by parseSavedIndex before use), or undefined. */
	async load(): Promise<unknown> {
		return (await this.#db).get(INDEX, KEY);
	}

	async save(saved: SavedIndex): Promise<void> {
		await (await this.#db).put(INDEX, saved, KEY);
	}

	async clear(): Promise<void> {
		await (await this.#db).delete(INDEX, KEY);
	}

	async add(entry: GapEntry): Promise<void> {
		await (await this.#db).add(GAPS, entry);
	}

	async list(): Promise<GapEntry[]> {
		return (await (await this.#db).getAll(GAPS)) as GapEntry[];
	}

	async forget(normalized: string): Promise<void> {
		const tx = (await this.#db).transaction(GAPS, 'readwrite');
		for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue())
			if ((cursor.value as GapEntry).normalized === normalized && !(cursor.value as GapEntry).reported)
				await cursor.delete();
		await tx.done;
	}

	async close(): Promise<void> {
		(await this.#db).close();
	}

	static deleteDatabase(name: string): Promise<void> {
		return deleteDatabase(name);
	}
}
