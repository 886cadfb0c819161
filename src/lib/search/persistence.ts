// The saved index: Orama's core save() (not the persistence plugin, whose restore() drops our
// tokenizer), the passage entries, and a ledger of which document version each entry reflects, so a
// restart re-indexes only documents that changed. Kept behind a tiny store interface: IndexedDB in
// the app (src/lib/storage/search-idb.ts), memory in tests.
import type { RawData } from '@orama/orama';
import type { IndexedEntry } from './search-index';
import { INDEX_FORMAT } from './schema-def';

export interface SavedIndex {
	format: number;
	savedAt: number;
	/** Digest of the taxonomy the paths were written with. */
	taxonomy: string;
	index: RawData;
	entries: Record<string, IndexedEntry>;
	/** docId → digest of the document version indexed (state vector and delete set). */
	ledger: Record<string, string>;
}

/** Where the saved index lives. `load` returns whatever was stored (possibly corrupt) as text. */
export interface SearchStore {
	load(): Promise<string | undefined>;
	save(serialized: string): Promise<void>;
	clear(): Promise<void>;
	close(): Promise<void>;
}

export class MemorySearchStore implements SearchStore {
	/** Exposed so tests can damage it the way a broken disk would. */
	data: string | undefined;
	saves = 0;
	async load(): Promise<string | undefined> {
		return this.data;
	}
	async save(serialized: string): Promise<void> {
		this.saves++;
		this.data = serialized;
	}
	async clear(): Promise<void> {
		this.data = undefined;
	}
	async close(): Promise<void> {}
}

export function serializeIndex(saved: SavedIndex): string {
	return JSON.stringify(saved);
}

/** Why a stored index cannot be used, or the index. Unreadable, of another format, or malformed all
 *  mean the same thing to the caller: rebuild. */
export function parseSavedIndex(text: string | undefined): { saved: SavedIndex } | { problem: 'missing' | 'corrupt' | 'old' } {
	if (text === undefined) return { problem: 'missing' };
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return { problem: 'corrupt' };
	}
	if (typeof value !== 'object' || value === null) return { problem: 'corrupt' };
	const v = value as Partial<SavedIndex>;
	if (typeof v.format !== 'number') return { problem: 'corrupt' };
	if (v.format !== INDEX_FORMAT) return { problem: 'old' };
	const objects = [v.index, v.entries, v.ledger];
	if (objects.some((o) => typeof o !== 'object' || o === null) || typeof v.taxonomy !== 'string') return { problem: 'corrupt' };
	return { saved: v as SavedIndex };
}
