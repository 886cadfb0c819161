// The saved index: the index's snapshot (typed arrays, stored by structured clone, no JSON) and a
// ledger of which document version each entry reflects, so a restart re-indexes only documents that
// changed. Kept behind a tiny store interface: IndexedDB in the app (src/lib/storage/search-idb.ts),
// memory in tests. Whatever comes back from the store is checked before use: a saved index that
// does not hold together is rebuilt, never trusted.
import type { IndexSnapshot } from './search-index';

/** Bumped whenever the index's layout, the tokenizer or the passage split changes: a saved index of
 *  another format is rebuilt, since its words no longer match what queries look for. */
export const INDEX_FORMAT = 5;

export interface SavedIndex {
	format: number;
	savedAt: number;
	/** Digest of the taxonomy the paths were written with. */
	taxonomy: string;
	index: IndexSnapshot;
	/** docId → digest of the document version indexed (state vector and delete set). */
	ledger: Record<string, string>;
}

/** Where the saved index lives. `load` returns whatever was stored, possibly damaged. */
export interface SearchStore {
	load(): Promise<unknown>;
	save(saved: SavedIndex): Promise<void>;
	clear(): Promise<void>;
	close(): Promise<void>;
}

export class MemorySearchStore implements SearchStore {
	/** Exposed so tests can damage it the way a broken disk would. */
	data: unknown;
	saves = 0;
	async load(): Promise<unknown> {
		return this.data;
	}
	async save(saved: SavedIndex): Promise<void> {
		this.saves++;
		this.data = structuredClone(saved);
	}
	async clear(): Promise<void> {
		this.data = undefined;
	}
	async close(): Promise<void> {}
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Whether a snapshot holds together: posting lists within their arrays, slots within the documents. */
function validSnapshot(v: unknown): v is IndexSnapshot {
	if (!isObject(v)) return false;
	const { docs, words, offsets, slots, fields, weights, passages } = v;
	if (!Array.isArray(docs) || !Array.isArray(words) || !words.every((w) => typeof w === 'string'))
		return false;
	if (
		!(offsets instanceof Int32Array) ||
		!(slots instanceof Int32Array) ||
		!(fields instanceof Float32Array) ||
		!(weights instanceof Float32Array) ||
		!(passages instanceof Uint8Array)
	)
		return false;
	if (offsets.length !== words.length + 1 || offsets[0] !== 0 || offsets[words.length] !== slots.length)
		return false;
	if (fields.length !== slots.length || weights.length !== slots.length || passages.length !== slots.length)
		return false;
	for (let i = 0; i < words.length; i++) if (offsets[i + 1]! < offsets[i]!) return false;
	for (let i = 0; i < slots.length; i++) if (slots[i]! < 0 || slots[i]! >= docs.length) return false;
	// Each word once, and each posting list in increasing slot order (removal searches it).
	if (new Set(words).size !== words.length) return false;
	for (let i = 0; i < words.length; i++)
		for (let k = offsets[i]! + 1; k < offsets[i + 1]!; k++) if (slots[k]! <= slots[k - 1]!) return false;
	return docs.every(
		(d) =>
			isObject(d) &&
			typeof d.docId === 'string' &&
			typeof d.title === 'string' &&
			Array.isArray(d.passages) &&
			Array.isArray(d.tags)
	);
}

/** Why a stored index cannot be used, or the index. Unreadable, of another format, or malformed all
 *  mean the same thing to the caller: rebuild. */
export function parseSavedIndex(
	value: unknown
): { saved: SavedIndex } | { problem: 'missing' | 'corrupt' | 'old' } {
	if (value === undefined) return { problem: 'missing' };
	if (!isObject(value) || typeof value.format !== 'number') return { problem: 'corrupt' };
	if (value.format !== INDEX_FORMAT) return { problem: 'old' };
	if (!isObject(value.ledger) || typeof value.taxonomy !== 'string' || !validSnapshot(value.index))
		return { problem: 'corrupt' };
	return { saved: value as unknown as SavedIndex };
}
