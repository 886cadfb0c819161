// The log of a guarded document: the signed entries this device applied (sync-signed-entry.ts),
// kept so it can serve the document to any peer allowed to hold it — even one it may not write —
// and that peer can still check every write against its signer. Two peers compare logs by a
// digest of their entry hashes, and reconcile the sets when they differ (sync-signed.ts).
//
// Storage: a companion document `signed-log:<docId>` behind the ordinary StorageAdapter — one
// chunk per entry (append), and compaction (a snapshot entry replacing the entries it covers) is
// the adapter's atomic compact(). So every adapter holds logs as it holds documents; Repo.list()
// leaves companion ids out.
//
// Compaction: a snapshot entry covers an entry when merging them changes neither the snapshot's
// state vector nor its delete set. A snapshot signed by a writer of the whole document (a note's
// author, an access document's author, a centre administrator) drops every entry it covers; one
// signed by anyone else (the merge of its own entries) drops only that agent's entries: every
// peer that accepted those entries accepts their merge, so nothing is lost to anyone.
//
// Bounds (what a peer can make this device hold): per document at most `maxEntries` entries and
// `maxBytes` bytes, and `maxPerSigner` entries of one agent beyond which only a snapshot from it is
// taken. Honest devices compact long before (`compactAfter`).
import * as Y from 'yjs';
import { fingerprintText } from '../domain/hash';
import type { StorageAdapter } from './storage';
import { decodeEntry, encodeEntry, entryHash, ENTRY_SNAPSHOT, type SignedEntry } from './sync-signed-entry';
import { agentIdOf } from './identity';

const LOG_PREFIX = 'signed-log:';

/** The storage id of a document's log. */
export function logIdOf(docId: string): string {
	return LOG_PREFIX + docId;
}

/** Whether a storage id is a log's, not a document's. */
export function isLogId(id: string): boolean {
	return id.startsWith(LOG_PREFIX);
}

export interface LogLimits {
	maxEntries: number;
	maxBytes: number;
	maxPerSigner: number;
	/** A device allowed to compact does so once the log (or its own share of it) holds this many. */
	compactAfter: number;
}

export const defaultLogLimits: LogLimits = {
	maxEntries: 4_096,
	maxBytes: 64 * 1024 * 1024,
	maxPerSigner: 256,
	compactAfter: 64
};

export interface LogEntry {
	hash: string;
	entry: SignedEntry;
	/** The signer's agent (the chain's first key's id). */
	agentId: string;
	size: number;
}

export class DocLog {
	readonly entries = new Map<string, LogEntry>();
	bytes = 0;

	has(hash: string): boolean {
		return this.entries.has(hash);
	}

	/** Equal sets of entries give equal digests; never equal to a state-vector digest. */
	digest(): string {
		return `log:${fingerprintText([...this.entries.keys()].sort().join(''))}`;
	}

	countBy(agentId: string): number {
		let n = 0;
		for (const e of this.entries.values()) if (e.agentId === agentId && e.entry.kind !== ENTRY_SNAPSHOT) n++;
		return n;
	}

	_add(e: LogEntry): void {
		this.entries.set(e.hash, e);
		this.bytes += e.size;
	}

	_drop(hash: string): void {
		const e = this.entries.get(hash);
		if (!e) return;
		this.entries.delete(hash);
		this.bytes -= e.size;
	}
}

/** The logs of the guarded documents on this device, loaded on first use. */
export class SignedLogs {
	readonly #storage: StorageAdapter;
	readonly #report: (message: string) => void;
	readonly #logs = new Map<string, Promise<DocLog>>();
	/** Per document, the tail of its log operations: they run in order. */
	readonly #tails = new Map<string, Promise<unknown>>();

	constructor(storage: StorageAdapter, report: (message: string) => void) {
		this.#storage = storage;
		this.#report = report;
	}

	get(docId: string): Promise<DocLog> {
		let log = this.#logs.get(docId);
		if (!log) this.#logs.set(docId, (log = this.#run(docId, () => this.#load(docId))));
		return log;
	}

	/** Adds an entry to the log, in memory and storage. */
	async append(docId: string, e: LogEntry): Promise<void> {
		const log = await this.get(docId);
		log._add(e);
		await this.#run(docId, () => this.#storage.append(logIdOf(docId), encodeEntry(e.entry)));
	}

	/** Adds a snapshot and drops the entries it covers, atomically in storage. */
	async compact(docId: string, snapshot: LogEntry, dropped: readonly string[]): Promise<void> {
		const log = await this.get(docId);
		for (const hash of dropped) log._drop(hash);
		log._add(snapshot);
		const gone = new Set(dropped);
		await this.#run(docId, async () => {
			const replaced: string[] = [];
			for (const chunk of await this.#storage.load(logIdOf(docId))) {
				const hash = await chunkHash(chunk.data);
				if (hash && (gone.has(hash) || hash === snapshot.hash)) replaced.push(chunk.key);
			}
			await this.#storage.compact(logIdOf(docId), encodeEntry(snapshot.entry), replaced);
		});
	}

	/** Forgets a document's log (the document left this device). */
	async remove(docId: string): Promise<void> {
		this.#logs.delete(docId);
		await this.#run(docId, () => this.#storage.remove(logIdOf(docId)));
	}

	/** Resolves once every log write issued so far is done. */
	async flush(): Promise<void> {
		while (this.#tails.size) await Promise.allSettled([...this.#tails.values()]);
	}

	#run<T>(docId: string, op: () => Promise<T>): Promise<T> {
		const next = (this.#tails.get(docId) ?? Promise.resolve()).then(op, op);
		const tail = next.catch(() => {});
		this.#tails.set(docId, tail);
		void tail.then(() => {
			if (this.#tails.get(docId) === tail) this.#tails.delete(docId);
		});
		return next;
	}

	async #load(docId: string): Promise<DocLog> {
		const log = new DocLog();
		for (const chunk of await this.#storage.load(logIdOf(docId))) {
			try {
				if (!(chunk.data instanceof Uint8Array)) throw new Error('not binary');
				const entry = decodeEntry(chunk.data);
				if (entry.docId !== docId) throw new Error(`an entry of ${entry.docId}`);
				const hash = await entryHash(entry);
				if (log.has(hash)) continue;
				log._add({
					hash,
					entry,
					agentId: await agentIdOf(entry.chain.subarray(0, 65)),
					size: chunk.data.length
				});
			} catch (err) {
				this.#report(
					`stored log entry ${chunk.key} of ${docId} is unreadable (${err instanceof Error ? err.message : String(err)}); skipped and kept`
				);
			}
		}
		return log;
	}
}

async function chunkHash(data: unknown): Promise<string | undefined> {
	try {
		return data instanceof Uint8Array ? await entryHash(decodeEntry(data)) : undefined;
	} catch {
		return undefined;
	}
}

/** What a snapshot holds, to tell which entries it covers: its state vector and delete set. */
export class Coverage {
	readonly #sv: Map<number, number>;
	readonly #ds = new Map<number, [number, number][]>();

	constructor(snapshot: Uint8Array) {
		this.#sv = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(snapshot));
		for (const [client, items] of Y.decodeUpdate(snapshot).ds.clients)
			this.#ds.set(client, mergeRanges(items.map((i) => [i.clock, i.clock + i.len])));
	}

	/** Whether merging `update` into the snapshot would change neither its state vector nor its
	 *  delete set (the update adds nothing the snapshot lacks). */
	covers(update: Uint8Array): boolean {
		let decoded: ReturnType<typeof Y.decodeUpdate>;
		try {
			decoded = Y.decodeUpdate(update);
		} catch {
			return false;
		}
		for (const s of decoded.structs) {
			if (s instanceof Y.Skip) continue;
			if (s.id.clock + s.length > (this.#sv.get(s.id.client) ?? 0)) return false;
		}
		for (const [client, items] of decoded.ds.clients) {
			const ranges = this.#ds.get(client) ?? [];
			for (const item of items)
				if (!ranges.some(([from, to]) => from <= item.clock && item.clock + item.len <= to)) return false;
		}
		return true;
	}
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
	ranges.sort((a, b) => a[0] - b[0]);
	const out: [number, number][] = [];
	for (const r of ranges) {
		const last = out.at(-1);
		if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
		else out.push([r[0], r[1]]);
	}
	return out;
}
