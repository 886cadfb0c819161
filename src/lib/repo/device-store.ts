// What a device keeps about itself, apart from documents: which centre it works in (the secret
// sealed), its agent identity, its agent's profile. A boundary like StorageAdapter, so the app's
// state classes never touch IndexedDB: the browser keeps these records in IndexedDB
// (storage/device-idb.ts), tests and tools in memory (MemoryDeviceStore below).

export interface DeviceStore {
	/** The value stored under `key` (a structured clone: a CryptoKey comes back a CryptoKey), or
	 *  undefined. */
	get(key: string): Promise<unknown>;
	/** Stores values and removes keys in one atomic write (`undefined` removes); resolves only once
	 *  the write is durable, so a browser killed right after cannot lose it. */
	write(changes: Record<string, unknown>): Promise<void>;
	/** Every key held (to find records of other centres). */
	keys(): Promise<string[]>;
	close(): Promise<void>;
}

/** Record keys, one place for all of them. */
export const DEVICE_KEYS = {
	/** The centre this device works in: { centreId, seed, sealedSecret }. */
	centre: 'centre',
	/** Every centre this device belongs to (the current one included): [{ centreId, seed,
	 *  sealedSecret, name? }], so the agent can switch between them. */
	centres: 'centres',
	/** The AES-GCM key (not extractable) the centre secret is sealed with. */
	sealingKey: 'sealing-key',
	identity: (centreId: string) => `identity:${centreId}`,
	profile: (centreId: string) => `profile:${centreId}`,
	/** The self-chosen id a device used before it had a key, kept to move its profile. */
	formerId: (centreId: string) => `former-id:${centreId}`,
	/** Which revision of each article the agent last read (domain/read-marks.ts): private, never in
	 *  a document. */
	readMarks: (centreId: string) => `read-marks:${centreId}`,
	/** What the agent follows and where their change feed starts (domain/follows.ts,
	 *  domain/change-feed.ts): private, never in a document. */
	follows: (centreId: string) => `follows:${centreId}`
} as const;

/** The device's records in memory: for tests and tools, and an app started without a device store.
 *  Pass another store's `records` to reopen the same data, as a restart would. */
export class MemoryDeviceStore implements DeviceStore {
	readonly records: Map<string, unknown>;

	constructor(records = new Map<string, unknown>()) {
		this.records = records;
	}

	async get(key: string): Promise<unknown> {
		return this.records.get(key);
	}

	async write(changes: Record<string, unknown>): Promise<void> {
		for (const [key, value] of Object.entries(changes))
			if (value === undefined) this.records.delete(key);
			else this.records.set(key, value);
	}

	async keys(): Promise<string[]> {
		return [...this.records.keys()];
	}

	async close(): Promise<void> {}
}
