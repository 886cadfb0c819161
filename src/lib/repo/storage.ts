// The storage boundary. Adapters keep Yjs updates per document; they never interpret them. The
// Repo validates what they return, so a corrupt entry is caught in one place for every adapter.

/** One stored piece of a document: an update or a compacted snapshot. `data` is whatever the store
 *  held; it may be corrupt, and the Repo checks it before use. */
export interface StoredChunk {
	key: string;
	data: unknown;
}

export interface StorageAdapter {
	/** Every chunk stored for the document, in no particular order (Yjs updates commute). */
	load(docId: string): Promise<StoredChunk[]>;
	/** Stores one more update for the document. */
	append(docId: string, update: Uint8Array): Promise<void>;
	/** Atomically stores `snapshot` and removes the chunks it replaces. */
	compact(docId: string, snapshot: Uint8Array, replaced: readonly string[]): Promise<void>;
	/** Ids of every document with at least one chunk. */
	list(): Promise<string[]>;
	/** Removes every chunk of the document. */
	remove(docId: string): Promise<void>;
	/** Closes the store; the adapter is unusable afterwards. */
	destroy(): Promise<void>;
}

/** A stored entry that is not a valid Yjs update. The entry is kept, not deleted: nothing is lost
 *  by reading, and a later version or a person can still inspect it. */
export class CorruptEntryError extends Error {
	constructor(
		readonly docId: string,
		readonly key: string,
		reason: string
	) {
		super(`Stored entry ${key} of ${docId} is corrupt (${reason}); it was skipped and kept as is.`);
		this.name = 'CorruptEntryError';
	}
}
