// The Repo opens documents by id from storage, writes every change back, and tells listeners what
// changed. It is the only owner of Y.Doc instances: state classes and (later) the network go
// through it, so there is one document per id in memory. A stored document whose shape breaks the
// limits (schema/limits.ts: nested too deep, too large) is reported like a corrupt entry and kept
// out: find() does not return it, so neither a page nor the search index ever reads it.
import * as Y from 'yjs';
import { Emitter, type Dispose } from '../domain/emitter';
import { parseDocId } from '../domain/ids';
import { MIGRATIONS, migrate, SchemaError } from '../schema/index';
import { docShapeProblem } from '../schema/limits';
import type { StorageAdapter, StoredChunk } from './storage';
import { CorruptEntryError } from './storage';
import { isLogId } from './sync-log';

/** Origin of updates applied from storage: they are already stored, so they are not written back. */
export const STORAGE_ORIGIN = 'plateau:storage';

export interface ChangeEvent {
	docId: string;
	/** The update that changed it. */
	update: Uint8Array;
	/** Transaction origin: a local edit, a migration, storage, or a network peer. */
	origin: unknown;
}

export type RepoError = CorruptEntryError | SchemaError | Error;

export interface RepoOptions {
	storage: StorageAdapter;
	/** Compact a document on open once it has more stored chunks than this. */
	compactAfter?: number;
}

export class Repo {
	readonly storage: StorageAdapter;
	readonly #compactAfter: number;
	readonly #docs = new Map<string, Y.Doc>();
	readonly #opening = new Map<string, Promise<Y.Doc>>();
	readonly #detach = new Map<string, () => void>();
	// One emitter per event, so leak tests can count each kind of listener.
	readonly #changes = new Emitter<{ change: (e: ChangeEvent) => void }>();
	readonly #errorEvents = new Emitter<{ error: (e: RepoError) => void }>();
	readonly #removals = new Emitter<{ remove: (docId: string) => void }>();
	readonly #writes = new Emitter<{ writes: (pending: number) => void }>();
	/** Stored documents found over the shape limits: held empty in memory, never found. */
	readonly #quarantined = new Set<string>();
	readonly #pending = new Set<Promise<unknown>>();
	/** Ids this repo held in memory and closed since: they may be in storage (see adopt()). */
	readonly #closed = new Set<string>();
	readonly #errors: RepoError[] = [];
	#destroyed = false;

	constructor(options: RepoOptions) {
		this.storage = options.storage;
		this.#compactAfter = options.compactAfter ?? 100;
	}

	/** Opens a document, loading it from storage the first time. An unknown id opens empty. */
	open(docId: string): Promise<Y.Doc> {
		this.#assertAlive();
		const doc = this.#docs.get(docId);
		if (doc) return Promise.resolve(doc);
		let opening = this.#opening.get(docId);
		if (!opening) {
			opening = this.#load(docId).finally(() => this.#opening.delete(docId));
			this.#opening.set(docId, opening);
		}
		return opening;
	}

	/** Opens a document only if it exists in memory or storage (and is not quarantined: over the
	 *  shape limits, see the file's header). */
	async find(docId: string): Promise<Y.Doc | undefined> {
		if (this.#quarantined.has(docId)) return undefined;
		if (this.#docs.has(docId)) return this.#docs.get(docId);
		const chunks = await this.storage.load(docId);
		if (!chunks.length) return undefined;
		const doc = await this.open(docId);
		return this.#quarantined.has(docId) ? undefined : doc;
	}

	/** Whether the stored document was found over the shape limits and kept out. */
	isQuarantined(docId: string): boolean {
		return this.#quarantined.has(docId);
	}

	/** The document if it is open in memory (synchronous, for listeners that must act within the
	 *  change that told them). */
	opened(docId: string): Y.Doc | undefined {
		return this.#docs.get(docId);
	}

	/** Ids of documents held in storage or open in memory (not the signed logs stored beside
	 *  guarded documents, sync-log.ts). */
	async list(): Promise<string[]> {
		const stored = (await this.storage.list()).filter((id) => !isLogId(id));
		return [...new Set([...stored, ...this.#docs.keys()])];
	}

	/** Applies an update (from seed data or a peer) to a document, opening it if needed. */
	async apply(docId: string, update: Uint8Array, origin: unknown): Promise<void> {
		const doc = await this.open(docId);
		Y.applyUpdate(doc, update, origin);
	}

	/** Whether adopt() would take a document: neither open, nor being opened, nor held and closed
	 *  by this repo. (Whether it is in storage is the caller's knowledge: adopt() skips the read.) */
	adoptable(docId: string): boolean {
		return !this.#docs.has(docId) && !this.#opening.has(docId) && !this.#closed.has(docId);
	}

	/**
	 * Takes `doc`, built from `update` alone and already vetted by the caller, as the document
	 * `docId`, which the caller knows is not in storage (a peer's anti-entropy answer for a document
	 * missing from list()): stores `update` and tells listeners, as if it had been applied to an
	 * empty document — without a storage read, and without applying it a second time. Returns false
	 * (and takes nothing) if the document is not adoptable().
	 */
	adopt(docId: string, doc: Y.Doc, update: Uint8Array, origin: unknown): boolean {
		this.#assertAlive();
		if (!this.adoptable(docId) || doc.guid !== docId) return false;
		// A view into a received message would be stored with the whole message around it.
		const own =
			update.byteOffset === 0 && update.byteLength === update.buffer.byteLength ? update : update.slice();
		this.#attach(docId, doc);
		void this.#track(this.storage.append(docId, own));
		this.#changes.emit('change', { docId, update: own, origin });
		return true;
	}

	/** Listens to every document change; returns the unsubscribe function. */
	onChange(listener: (e: ChangeEvent) => void): Dispose {
		return this.#changes.on('change', listener);
	}

	/** Listens to documents removed from this device (a withdrawn note); returns the unsubscribe
	 *  function. */
	onRemove(listener: (docId: string) => void): Dispose {
		return this.#removals.on('remove', listener);
	}

	/** Listens to storage and schema problems; returns the unsubscribe function. */
	onError(listener: (e: RepoError) => void): Dispose {
		return this.#errorEvents.on('error', listener);
	}

	/** Problems met so far (corrupt entries, unreadable documents), for a status screen. */
	get errors(): readonly RepoError[] {
		return this.#errors;
	}

	/** Closes one document: it stops being written and is dropped from memory. */
	close(docId: string): void {
		this.#detach.get(docId)?.();
		this.#detach.delete(docId);
		const doc = this.#docs.get(docId);
		if (doc) this.#closed.add(docId);
		doc?.destroy();
		this.#docs.delete(docId);
	}

	/** Removes a document from memory and storage. */
	async remove(docId: string): Promise<void> {
		this.close(docId);
		this.#quarantined.delete(docId);
		await this.#track(this.storage.remove(docId));
		this.#removals.emit('remove', docId);
	}

	/** Writes issued and not yet stored (0: everything shown is on this device's disk). */
	get pendingWrites(): number {
		return this.#pending.size;
	}

	/** Listens to the number of writes in flight (each change); returns the unsubscribe. */
	onPendingWrites(listener: (pending: number) => void): Dispose {
		return this.#writes.on('writes', listener);
	}

	/** Resolves once every write issued so far has reached storage. */
	async flush(): Promise<void> {
		while (this.#pending.size) await Promise.allSettled([...this.#pending]);
	}

	/** Number of open documents and listeners, for leak tests. */
	get stats(): { docs: number; changeListeners: number; errorListeners: number } {
		return {
			docs: this.#docs.size,
			changeListeners: this.#changes.count(),
			errorListeners: this.#errorEvents.count()
		};
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		await Promise.allSettled([...this.#opening.values()]);
		await this.flush();
		this.#destroyed = true;
		for (const id of [...this.#docs.keys()]) this.close(id);
		this.#changes.clear();
		this.#errorEvents.clear();
		this.#removals.clear();
		await this.storage.destroy();
	}

	async #load(docId: string): Promise<Y.Doc> {
		let doc = new Y.Doc({ gc: true, guid: docId });
		const chunks = await this.storage.load(docId);
		this.#assertAlive();
		const good: StoredChunk[] = [];
		for (const chunk of chunks) {
			const problem = checkUpdate(chunk.data);
			if (problem) {
				this.#report(new CorruptEntryError(docId, chunk.key, problem));
				continue;
			}
			try {
				Y.applyUpdate(doc, chunk.data as Uint8Array, STORAGE_ORIGIN);
				good.push(chunk);
			} catch (err) {
				this.#report(
					new CorruptEntryError(
						docId,
						chunk.key,
						`unappliable: ${err instanceof Error ? err.message : String(err)}`
					)
				);
			}
		}
		// Checked before anyone reads it: a body nested thousands deep overflows every reader.
		const shape = good.length ? docShapeProblem(doc) : undefined;
		if (shape) {
			this.#report(new CorruptEntryError(docId, '*', `the document is ${shape}`));
			this.#quarantined.add(docId);
			doc.destroy();
			doc = new Y.Doc({ gc: true, guid: docId });
			good.length = 0;
		}
		this.#attach(docId, doc);
		const parsed = parseDocId(docId);
		if (parsed) {
			try {
				migrate(doc, docId, parsed.type, MIGRATIONS);
			} catch (err) {
				this.#report(err instanceof Error ? err : new Error(String(err)));
			}
		}
		// Compaction replaces only the chunks that were read and valid; corrupt ones stay.
		if (good.length > this.#compactAfter) {
			void this.#track(
				this.storage.compact(
					docId,
					Y.encodeStateAsUpdate(doc),
					good.map((c) => c.key)
				)
			);
		}
		return doc;
	}

	#attach(docId: string, doc: Y.Doc): void {
		const onUpdate = (update: Uint8Array, origin: unknown) => {
			if (origin !== STORAGE_ORIGIN) void this.#track(this.storage.append(docId, update));
			this.#changes.emit('change', { docId, update, origin });
		};
		doc.on('update', onUpdate);
		this.#docs.set(docId, doc);
		this.#detach.set(docId, () => doc.off('update', onUpdate));
	}

	#track<T>(promise: Promise<T>): Promise<T | undefined> {
		const tracked = promise.catch((err: unknown) => {
			this.#report(err instanceof Error ? err : new Error(String(err)));
			return undefined;
		});
		this.#pending.add(tracked);
		this.#writes.emit('writes', this.#pending.size);
		void tracked.finally(() => {
			this.#pending.delete(tracked);
			this.#writes.emit('writes', this.#pending.size);
		});
		return tracked;
	}

	#report(error: RepoError): void {
		this.#errors.push(error);
		if (this.#errorEvents.count() === 0) console.warn(error.message);
		this.#errorEvents.emit('error', error);
	}

	#assertAlive(): void {
		if (this.#destroyed) throw new Error('This repo was destroyed.');
	}
}

/** Why `data` is not a usable Yjs update, or undefined if it is. Decoding fully before applying
 *  keeps a truncated or garbled entry from half-applying to the document. */
export function checkUpdate(data: unknown): string | undefined {
	if (!(data instanceof Uint8Array)) return `not binary (${data === null ? 'null' : typeof data})`;
	if (data.byteLength === 0) return 'empty';
	try {
		Y.decodeUpdate(data);
		return undefined;
	} catch (err) {
		return `undecodable: ${err instanceof Error ? err.message : String(err)}`;
	}
}
