// File-system storage for Node peers (an always-on archive peer). Node only: never import it from
// browser code.
//
// Layout: <dir>/<encoded doc id>/<key>, one directory per document and one file per chunk. Keys
// sort by time and are unique per adapter instance. One FsStorage owns a directory at a time.
//
// Each chunk file is a tiny envelope: the magic bytes "PLTC", the payload length (uint32,
// big-endian), then the Yjs update. A file without the magic or whose length does not match (a
// torn write, a foreign or damaged file) is returned as an UnreadableChunk rather than as bytes,
// so the Repo reports it ("not binary") and keeps it; a well-formed envelope around bad bytes is
// returned as bytes and the Repo reports it as undecodable. This is the file-system equivalent of
// an IndexedDB record that holds something other than bytes, and it keeps load() from ever
// mistaking half a file for a short update.
//
// Crash safety: a chunk is written to a dot-prefixed temp file in the same directory, synced,
// then renamed to its key, so a real key only ever names a complete file; load() and list()
// ignore dot files. compact() writes the snapshot before removing the replaced chunks, so a crash
// in between leaves a superset, which Yjs merges to the same document. remove() renames the
// document's directory out of the way before deleting it, so a crash never leaves part of a
// document behind. Operations on one document run in the order they were called.
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PerDocQueue } from './per-doc-queue';
import type { StorageAdapter, StoredChunk } from '../repo/storage';

const MAGIC = [0x50, 0x4c, 0x54, 0x43]; // "PLTC"
const HEADER = MAGIC.length + 4;
const TEMP_SUFFIX = '.tmp';
const TRASH_PREFIX = '.trash-';

/** What load() returns for a chunk file that cannot be read as a chunk: the bytes it did read and
 *  why. It is not a Uint8Array, so the Repo reports it as corrupt and the file is kept. */
export class UnreadableChunk {
	constructor(
		readonly reason: string,
		readonly bytes: Uint8Array
	) {}
}

/** A document id as a directory name: encodeURIComponent, plus escapes for the characters it
 *  leaves alone that are unsafe or ambiguous in file names (`.`, `*`, `!`, `'`, `(`, `)`, `~`) and
 *  for capital letters, so names never start with a dot and never collide on case-insensitive
 *  file systems. */
export function encodeDocId(docId: string): string {
	return encodeURIComponent(docId).replace(/%[0-9A-F]{2}|[A-Z!'()*.~]/g, (m) =>
		m.length === 3 ? m : `%${m.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
	);
}

/** The document id a directory name stands for, or undefined if the name is not one of ours. */
export function decodeDocId(name: string): string | undefined {
	try {
		const id = decodeURIComponent(name);
		return encodeDocId(id) === name ? id : undefined;
	} catch {
		return undefined;
	}
}

/** A chunk file's content: the envelope around `payload`. */
export function wrapChunk(payload: Uint8Array): Uint8Array {
	const out = new Uint8Array(HEADER + payload.byteLength);
	out.set(MAGIC, 0);
	new DataView(out.buffer).setUint32(MAGIC.length, payload.byteLength);
	out.set(payload, HEADER);
	return out;
}

/** The payload of a chunk file, or an UnreadableChunk saying what is wrong with it. */
function unwrapChunk(file: Uint8Array): Uint8Array | UnreadableChunk {
	const bytes = new Uint8Array(file); // a plain Uint8Array copy, not a Buffer
	if (bytes.byteLength < HEADER || MAGIC.some((b, i) => bytes[i] !== b)) {
		return new UnreadableChunk('not a Plateau chunk file', bytes);
	}
	const length = new DataView(bytes.buffer).getUint32(MAGIC.length);
	if (length !== bytes.byteLength - HEADER) {
		return new UnreadableChunk(`length ${bytes.byteLength - HEADER}, header says ${length}`, bytes);
	}
	return bytes.slice(HEADER);
}

export class FsStorage implements StorageAdapter {
	readonly dir: string;
	#destroyed = false;
	/** docId → the tail of that document's operation queue (never rejects). */
	readonly #queue = new PerDocQueue();
	#counter = 0;
	/** The documents found on disk by the first list() (one readdir per document), kept up to date
	 *  by this instance's own writes and removals — it owns the directory — so a hub answering
	 *  every joining peer's inventory does not read 5,000 directories each time. */
	#scanned: Promise<Set<string>> | undefined;
	readonly #written = new Set<string>();
	readonly #removed = new Set<string>();
	readonly #prefix = Math.random().toString(36).slice(2, 8).padEnd(6, '0');

	constructor(dir: string) {
		this.dir = dir;
	}

	/** Where the chunk `key` of `docId` is stored (for tests and people inspecting a store). */
	chunkPath(docId: string, key: string): string {
		return join(this.#docDir(docId), key);
	}

	load(docId: string): Promise<StoredChunk[]> {
		return this.#run(docId, async () => {
			const dir = this.#docDir(docId);
			const names = (await readDirIfAny(dir)).filter(isChunkName).sort();
			const chunks: StoredChunk[] = [];
			for (const key of names) {
				let file: Uint8Array;
				try {
					file = await readFile(join(dir, key));
				} catch (err) {
					if (code(err) === 'ENOENT') continue;
					chunks.push({ key, data: new UnreadableChunk(`unreadable: ${message(err)}`, new Uint8Array()) });
					continue;
				}
				chunks.push({ key, data: unwrapChunk(file) });
			}
			return chunks;
		});
	}

	append(docId: string, update: Uint8Array): Promise<void> {
		return this.#run(docId, () => this.#write(docId, this.#key('u'), update));
	}

	compact(docId: string, snapshot: Uint8Array, replaced: readonly string[]): Promise<void> {
		return this.#run(docId, async () => {
			const bad = replaced.find((key) => !isChunkName(key));
			if (bad !== undefined)
				throw new Error(`Cannot compact ${docId}: ${JSON.stringify(bad)} is not a chunk key.`);
			await this.#write(docId, this.#key('s'), snapshot);
			const dir = this.#docDir(docId);
			// Operations on this document are queued, so any temp file left now is a crashed write's.
			const stale = (await readDirIfAny(dir)).filter((n) => n.startsWith('.') && n.endsWith(TEMP_SUFFIX));
			for (const name of [...replaced, ...stale]) await unlinkIfAny(join(dir, name));
		});
	}

	async list(): Promise<string[]> {
		this.#alive();
		const scanned = await (this.#scanned ??= this.#scan().catch((err: unknown) => {
			this.#scanned = undefined;
			throw err;
		}));
		const ids = new Set([...scanned, ...this.#written]);
		for (const id of this.#removed) ids.delete(id);
		return [...ids];
	}

	/** Documents with at least one chunk file on disk. */
	async #scan(): Promise<Set<string>> {
		const ids = await Promise.all(
			(await readDirIfAny(this.dir)).map(async (name) => {
				const id = decodeDocId(name);
				if (id === undefined) return undefined;
				try {
					return (await readDirIfAny(join(this.dir, name))).some(isChunkName) ? id : undefined;
				} catch {
					return undefined; // a stray file in the root, not a document
				}
			})
		);
		return new Set(ids.filter((id): id is string => id !== undefined));
	}

	remove(docId: string): Promise<void> {
		return this.#run(docId, async () => {
			const trash = join(this.dir, `${TRASH_PREFIX}${encodeDocId(docId)}-${this.#key('r')}`);
			const gone = () => {
				this.#written.delete(docId);
				this.#removed.add(docId);
			};
			try {
				await rename(this.#docDir(docId), trash);
			} catch (err) {
				if (code(err) === 'ENOENT') return gone();
				throw err;
			}
			gone();
			await rm(trash, { recursive: true, force: true });
		});
	}

	/** Rejects every later call; resolves once the operations already started have finished. */
	async destroy(): Promise<void> {
		this.#destroyed = true;
		await this.#queue.settled();
	}

	/** Runs `op` after every earlier operation on the same document. */
	#run<T>(docId: string, op: () => Promise<T>): Promise<T> {
		try {
			this.#alive();
		} catch (err) {
			return Promise.reject(err);
		}
		return this.#queue.run(docId, op);
	}

	/** Writes a chunk under a temp name, syncs it, then renames it to `key`. */
	async #write(docId: string, key: string, payload: Uint8Array): Promise<void> {
		const dir = this.#docDir(docId);
		if (await mkdir(dir, { recursive: true })) await syncDir(dirname(dir));
		const temp = join(dir, `.${key}${TEMP_SUFFIX}`);
		try {
			const handle = await open(temp, 'wx');
			try {
				await handle.writeFile(wrapChunk(payload));
				await handle.sync();
			} finally {
				await handle.close();
			}
			await rename(temp, join(dir, key));
		} catch (err) {
			await unlinkIfAny(temp).catch(() => {});
			throw err;
		}
		await syncDir(dir);
		this.#removed.delete(docId);
		this.#written.add(docId);
	}

	#docDir(docId: string): string {
		return join(this.dir, encodeDocId(docId));
	}

	/** Sortable unique keys: kind, time, this instance's random prefix, a counter. */
	#key(kind: 'u' | 's' | 'r'): string {
		const time = Date.now().toString(36).padStart(9, '0');
		return `${kind}${time}${this.#prefix}${(++this.#counter).toString(36).padStart(6, '0')}`;
	}

	#alive(): void {
		if (this.#destroyed) throw new Error('This storage was destroyed.');
	}
}

/** Chunk files are every entry but dot files (temp files, trash, system files). */
function isChunkName(name: string): boolean {
	return name.length > 0 && !name.startsWith('.') && !/[/\\]/.test(name);
}

async function readDirIfAny(dir: string): Promise<string[]> {
	try {
		return await readdir(dir);
	} catch (err) {
		if (code(err) === 'ENOENT') return [];
		throw err;
	}
}

async function unlinkIfAny(path: string): Promise<void> {
	try {
		await unlink(path);
	} catch (err) {
		if (code(err) !== 'ENOENT') throw err;
	}
}

/** Makes a directory's entries (a rename, a new file) durable. Best effort: some platforms cannot
 *  open a directory, and the data itself is already synced. */
async function syncDir(dir: string): Promise<void> {
	try {
		const handle = await open(dir, 'r');
		try {
			await handle.sync();
		} finally {
			await handle.close();
		}
	} catch {
		// ignore
	}
}

function code(err: unknown): string | undefined {
	return (err as { code?: unknown } | null)?.code as string | undefined;
}

function message(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}
