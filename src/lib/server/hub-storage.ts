// Where the hub keeps the centre's documents, and what "acknowledged" means for it. The file system
// (<data dir>/docs) is the embedded default; PostgreSQL when DATABASE_URL is set, one store per
// centre, shared by the centre's instances.
//
// Acknowledged = stored: an edit an instance received is acknowledged once its storage write
// resolved (a PostgreSQL commit that waited for the WAL flush, or a synced file renamed into
// place). AckedStorage counts those writes and tells its listener about each, with the update's
// bytes, so a test (or a future receipt to the sender) can check every acknowledged edit is there
// after a crash. Nothing is acknowledged before it is stored.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Emitter, type Dispose } from '../domain/emitter';
import type { StorageAdapter, StoredChunk } from '../repo/storage';
import { FsStorage } from '../storage/fs';
import { PostgresStorage } from '../storage/postgres';

export interface StorageSize {
	chunks: number;
	bytes: number;
}

/** A StorageAdapter that reports each append once it is stored. */
export class AckedStorage implements StorageAdapter {
	readonly inner: StorageAdapter;
	readonly #size: () => Promise<StorageSize>;
	readonly #events = new Emitter<{ stored: (docId: string, update: Uint8Array) => void }>();
	#acknowledged = 0;
	#failed = 0;
	/** With other instances writing the same store: the documents this instance may load. */
	#loadable: Set<string> | undefined;

	constructor(inner: StorageAdapter, size: () => Promise<StorageSize>) {
		this.inner = inner;
		this.#size = size;
	}

	/** Appends stored so far, and appends whose write failed (those were never acknowledged). */
	get counts(): { acknowledged: number; failed: number } {
		return { acknowledged: this.#acknowledged, failed: this.#failed };
	}

	/** Calls `listener` after each append is stored; returns the unsubscribe function. */
	onStored(listener: (docId: string, update: Uint8Array) => void): Dispose {
		return this.#events.on('stored', listener);
	}

	size(): Promise<StorageSize> {
		return this.#size();
	}

	/**
	 * For an instance sharing its store with others: from now on only these documents (those
	 * stored when it started, opened at once and kept open) and those it writes itself are loaded;
	 * any other loads empty. A document another instance created later reaches this one over the
	 * bus, as an update that is new here — so it is passed on to this instance's peers. Loaded from
	 * the shared store instead, it would be silently up to date here, and this instance's browsers
	 * would not get it until they reconnect.
	 */
	restrictLoads(docIds: Iterable<string>): void {
		this.#loadable = new Set(docIds);
	}

	load(docId: string): Promise<StoredChunk[]> {
		if (this.#loadable && !this.#loadable.has(docId)) return Promise.resolve([]);
		return this.inner.load(docId);
	}

	async append(docId: string, update: Uint8Array): Promise<void> {
		this.#loadable?.add(docId);
		try {
			await this.inner.append(docId, update);
		} catch (err) {
			this.#failed++;
			throw err;
		}
		this.#acknowledged++;
		this.#events.emit('stored', docId, update);
	}

	compact(docId: string, snapshot: Uint8Array, replaced: readonly string[]): Promise<void> {
		return this.inner.compact(docId, snapshot, replaced);
	}

	list(): Promise<string[]> {
		return this.inner.list();
	}

	remove(docId: string): Promise<void> {
		return this.inner.remove(docId);
	}

	async destroy(): Promise<void> {
		await this.inner.destroy();
		this.#events.clear();
	}
}

export interface HubStorageOptions {
	centreId: string;
	dataDir: string;
	databaseUrl?: string;
	databaseSchema?: string;
}

/** The hub's storage: PostgreSQL with a database URL, the file system otherwise. */
export function openHubStorage(options: HubStorageOptions): AckedStorage {
	if (options.databaseUrl) {
		const pg = new PostgresStorage({
			connectionString: options.databaseUrl,
			schema: options.databaseSchema,
			store: options.centreId,
			applicationName: `plateau-hub:${options.centreId}`
		});
		return new AckedStorage(pg, () => pg.size());
	}
	const dir = join(options.dataDir, 'docs');
	return new AckedStorage(new FsStorage(dir), () => directorySize(dir));
}

/** Files and bytes under `dir` (chunk files; dot files are temp files and skipped). */
async function directorySize(dir: string): Promise<StorageSize> {
	const out = { chunks: 0, bytes: 0 };
	let docs: string[];
	try {
		docs = await readdir(dir);
	} catch {
		return out;
	}
	for (const doc of docs) {
		if (doc.startsWith('.')) continue;
		const files = await readdir(join(dir, doc)).catch(() => [] as string[]);
		for (const f of files) {
			if (f.startsWith('.')) continue;
			const s = await stat(join(dir, doc, f)).catch(() => undefined);
			if (!s?.isFile()) continue;
			out.chunks++;
			out.bytes += s.size;
		}
	}
	return out;
}
