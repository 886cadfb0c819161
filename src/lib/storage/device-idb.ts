// The device's own records (repo/device-store.ts) in IndexedDB, database `plateau-device`. Written
// with `durability: 'strict'`: the write is flushed to disk before it reports success, so the UI
// that waits for it (the welcome page's "Start", pairing, joining a centre) never moves on with a
// profile, identity or centre a browser crash could take back. localStorage offered neither: it is
// written to disk seconds later (profiles were lost by kills up to 10 s after onboarding) and it
// can only hold strings, so keys had to be extractable JSON.
import { openDB, type IDBPDatabase } from 'idb';
import type { DeviceStore } from '../repo/device-store';

export const DEVICE_DATABASE = 'plateau-device';
const RECORDS = 'records';

export class IndexedDbDeviceStore implements DeviceStore {
	readonly name: string;
	#db: Promise<IDBPDatabase>;

	constructor(name = DEVICE_DATABASE) {
		this.name = name;
		this.#db = openDB(name, 1, {
			upgrade(db) {
				db.createObjectStore(RECORDS);
			}
		});
	}

	async get(key: string): Promise<unknown> {
		return (await this.#db).get(RECORDS, key);
	}

	async write(changes: Record<string, unknown>): Promise<void> {
		const tx = (await this.#db).transaction(RECORDS, 'readwrite', { durability: 'strict' });
		for (const [key, value] of Object.entries(changes))
			void (value === undefined ? tx.store.delete(key) : tx.store.put(value, key));
		await tx.done;
	}

	async keys(): Promise<string[]> {
		return (await (await this.#db).getAllKeys(RECORDS)) as string[];
	}

	async close(): Promise<void> {
		(await this.#db).close();
	}
}
