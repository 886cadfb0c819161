// Guarded documents (share-policy.ts: notes, access documents, the centre document) between peers:
// signed entries, verified end to end whatever path they took. In a bounded overlay a write reaches
// most peers through others, so trust cannot be per hop: every local change is signed by this
// device (sync-signed-entry.ts), and a receiver checks the signature and the key chain, then judges
// the update AS IF IT CAME FROM THE SIGNER — mayWrite and vetUpdate with the signer's hello, its
// floor from the centre directory — whoever forwarded it. A valid entry is applied, kept in the
// document's log (sync-log.ts) and forwarded unchanged to every other peer allowed to HOLD the
// document, even if this device may not write it; a refused one is not applied, not stored, not
// forwarded, and reported.
//
// Anti-entropy: a guarded document's inventory digest is its log's (the set of entry hashes). When
// digests differ, each side sends its hashes (logHashes), gets back the entries it lacks, and asks
// for what the other holds and it lacks (logWant) — so any peer, the hub included, serves what it
// may hold, and a peer that withholds an entry cannot stop it arriving by another path.
//
// Compaction and bootstrap: a device allowed to write the whole document signs a snapshot of it
// once the log is long (or when the document holds content no entry covers, as on devices from
// before signed entries); any other signer merges its own entries into one. A device of the demo
// centre vouches for the seed's exact update (`seed`), which every device holds byte for byte, so
// all of them make the same entry. Per peer, signed work runs in order: an access document's
// entries are applied before the note entries behind them are judged.
import * as Y from 'yjs';
import { toBase64 } from '../domain/base64';
import { noteAuthor } from '../domain/note';
import type { Dispose } from '../domain/emitter';
import { noteAccessAuthor } from '../schema/index';
import type { AgentIdentity } from './identity';
import type { PeerId } from './network';
import { STORAGE_ORIGIN, type ChangeEvent } from './repo';
import { Coverage, DocLog, defaultLogLimits, SignedLogs, type LogEntry, type LogLimits } from './sync-log';
import type { LiveUpdates } from './sync-live';
import { inspectUpdate } from './sync-live';
import { isPeerOrigin, type PeerOrigin, type PeerState, type SyncContext } from './sync-peer';
import type { Hello, WireEntry } from './sync-protocol';
import {
	ChainCache,
	ENTRY_SNAPSHOT,
	ENTRY_UPDATE,
	entryHash,
	hashBytes,
	hashText,
	signEntry,
	verifyEntry,
	type SignedEntry
} from './sync-signed-entry';

/** The seed's origin (seed/seed.ts): a seeded document is vouched for by an entry of its own. */
const SEED_ORIGIN = 'plateau:seed';
/** Chains a connection may name by reference (each side counts the same way). */
const MAX_CHAIN_REFS = 256;
/** Hashes of entries handled (applied or covered) remembered to skip their copies. */
const MAX_SEEN = 20_000;
/** A batch of entries in one message stops growing past this many bytes. */
const BATCH_BYTES = 1024 * 1024;
const BATCH_ENTRIES = 256;

/** What each connection keeps for signed entries. */
export interface PeerSignedState {
	/** Chains the peer sent inline, in order: a reference n names the n-th. */
	chainsIn: Uint8Array[];
	/** Chains sent inline to the peer, by base64, with their reference. */
	chainsOut: Map<string, number>;
	/** Signed work from this peer, in the order it came. */
	queue: Promise<void>;
}

export function newPeerSignedState(): PeerSignedState {
	return { chainsIn: [], chainsOut: new Map(), queue: Promise.resolve() };
}

export interface SignedOptions {
	identity?: AgentIdentity;
	limits?: Partial<LogLimits>;
	/** The exact update a document was seeded with (the demo centre), if any. */
	seed?: (docId: string) => Promise<Uint8Array | undefined>;
}

export class SignedUpdates {
	readonly #ctx: SyncContext;
	readonly #live: LiveUpdates;
	readonly #identity: AgentIdentity | undefined;
	readonly #seed: SignedOptions['seed'];
	readonly #limits: LogLimits;
	readonly #logs: SignedLogs;
	readonly #chains = new ChainCache();
	/** Entry hash → its document, for entries handled (applied or covered): their copies are
	 *  skipped. Forgotten with the document (a note withdrawn, then shared again). */
	readonly #seen = new Map<string, string>();
	readonly #coverage = new Map<string, Coverage>();
	/** Local changes waiting for the signature in progress (they are merged into the next). */
	readonly #pending = new Map<string, Uint8Array[]>();
	readonly #bootstrapped = new Set<string>();
	readonly #compacting = new Set<string>();
	/** Per document, the log's size (and this agent's share) right after this device compacted it:
	 *  the next compaction waits for `compactAfter` more. */
	readonly #compactedAt = new Map<string, number>();
	readonly #off: Dispose;

	constructor(ctx: SyncContext, live: LiveUpdates, options: SignedOptions) {
		this.#ctx = ctx;
		this.#live = live;
		this.#identity = options.identity;
		this.#seed = options.seed;
		this.#limits = { ...defaultLogLimits, ...options.limits };
		this.#logs = new SignedLogs(ctx.repo.storage, (m) => ctx.reject('storage', m));
		this.#off = ctx.repo.onRemove((docId) => {
			this.#bootstrapped.delete(docId);
			for (const [hash, id] of this.#seen) if (id === docId) this.#seen.delete(hash);
			ctx.track(this.#logs.remove(docId));
		});
	}

	/** The log of a document (tests and status screens). */
	log(docId: string): Promise<DocLog> {
		return this.#logs.get(docId);
	}

	destroy(): void {
		this.#off();
	}

	/** Resolves once log writes issued so far are done. */
	flush(): Promise<void> {
		return this.#logs.flush();
	}

	/** A change to a guarded document: this device's own is signed and sent; one applied from a
	 *  peer or from storage is already in the log. */
	onChange(e: ChangeEvent): void {
		if (isPeerOrigin(e.origin) || e.origin === STORAGE_ORIGIN) return;
		if (!this.#identity || this.#ctx.destroyed) return;
		// The seed, applied here: vouched for as it is, in an entry of its own (every device seeding
		// the same update makes the same entry).
		if (e.origin === SEED_ORIGIN) return this.#ctx.track(this.#signLocal(ENTRY_UPDATE, e.docId, e.update));
		// A change this device may not make stays here, as on the plain path (no peer would take it).
		if (!this.#ctx.policy.mayWrite(this.#selfHello(), e.docId)) return;
		let queue = this.#pending.get(e.docId);
		if (queue) return void queue.push(e.update);
		this.#pending.set(e.docId, (queue = [e.update]));
		this.#ctx.track(this.#signPending(e.docId, queue));
	}

	/** Signs queued local changes, merging those made while a signature was computed. */
	async #signPending(docId: string, queue: Uint8Array[]): Promise<void> {
		try {
			while (queue.length && !this.#ctx.destroyed) {
				const updates = queue.splice(0);
				const update = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
				await this.#signLocal(ENTRY_UPDATE, docId, update);
			}
		} finally {
			this.#pending.delete(docId);
		}
	}

	/** This device's own entry: signed, logged, sent. */
	async #signLocal(kind: number, docId: string, update: Uint8Array): Promise<void> {
		const identity = this.#identity!;
		const entry = await signEntry(identity, kind, docId, update);
		const le: LogEntry = {
			hash: await entryHash(entry),
			entry,
			agentId: identity.agentId,
			size: update.length
		};
		await this.#accept(undefined, le, this.#selfHello());
	}

	#selfHello(): Hello {
		return this.#ctx.policy.signerHello!(this.#identity!.agentId, toBase64(this.#identity!.publicKey));
	}

	/** The document's inventory digest (its log's), once its content is vouched for. */
	async digest(docId: string): Promise<string> {
		await this.#bootstrap(docId);
		return (await this.#logs.get(docId)).digest();
	}

	/** Sends the hashes of the document's log: the peer answers with what we lack and asks for
	 *  what it lacks. */
	async sendHashes(to: PeerId, state: PeerState, docId: string): Promise<void> {
		await this.#bootstrap(docId);
		const log = await this.#logs.get(docId);
		if (this.#ctx.peers.get(to) !== state) return;
		const hashes = [...log.entries.keys()].map(hashBytes);
		this.#ctx.send(to, { type: 'logHashes', docId, hashes });
	}

	/** Signed entries from a peer: handled one after another, in the order they came. */
	receive(from: PeerId, state: PeerState, entries: WireEntry[]): Promise<void> {
		// Inline chains are registered at once, in arrival order, so references resolve.
		const resolved: (SignedEntry | string)[] = entries.map((w) => this.#resolveChain(state, w));
		const run = async () => {
			for (const e of resolved) {
				if (this.#ctx.destroyed || this.#ctx.peers.get(from) !== state) return;
				if (typeof e === 'string') this.#ctx.reject(from, e);
				else await this.#receiveOne(from, state, e);
			}
		};
		const next = state.signed.queue.then(run, run);
		state.signed.queue = next.catch(() => {});
		return next;
	}

	#resolveChain(state: PeerState, w: WireEntry): SignedEntry | string {
		let chain = w.chain;
		if (chain) {
			if (state.signed.chainsIn.length < MAX_CHAIN_REFS) state.signed.chainsIn.push(chain);
		} else {
			chain = state.signed.chainsIn[w.chainRef! - 1];
			if (!chain) return `signed entry for ${w.docId} names an unknown key chain (${w.chainRef})`;
		}
		return { kind: w.kind, docId: w.docId, update: w.update, chain, signature: w.signature };
	}

	async #receiveOne(from: PeerId, state: PeerState, entry: SignedEntry): Promise<void> {
		const { policy, repo } = this.#ctx;
		const { docId } = entry;
		const forwarder = state.hello!;
		if (!policy.guarded?.(docId))
			return this.#ctx.reject(from, `sent a signed entry for ${docId}, which is not a guarded document`);
		const hash = await entryHash(entry);
		if (this.#seen.has(hash)) return;
		const log = await this.#logs.get(docId);
		if (log.has(hash)) return this.#remember(hash, docId);
		const signer = await verifyEntry(entry, this.#chains);
		if (!signer)
			return this.#ctx.reject(
				from,
				`signed entry for ${docId} refused: its signature or key chain does not verify`
			);
		// The forwarder must be allowed to hold what it forwards (a private note travels only
		// between its author's devices), unless it is the signer's own device.
		const own = forwarder.verified === true && forwarder.agentId === signer.agentId;
		if (!own && !policy.mayShare(forwarder, docId)) {
			if (policy.mayHold?.(docId)) return; // its view of the note's access is ahead of ours
			return this.#ctx.reject(from, `forwarded ${docId}, which it may not hold`);
		}
		const hello = policy.signerHello!(signer.agentId, signer.key, own ? forwarder.floor : undefined);
		// Not (yet) a document of this device's spaces: an access record may be on its way (the
		// change of access asks for the log again). Refused outright if the signer may not write it.
		if (!policy.mayHold?.(docId)) {
			// The author's own entry for a note this device may not read yet (its new access record
			// is still being checked): dropped, not refused — the access change asks for the log.
			if (policy.mayWrite(hello, docId) || authorOf(docId) === signer.agentId) return;
			return this.#ctx.reject(from, `signed entry for ${docId} refused: ${signer.agentId} may not write it`);
		}
		if (!policy.mayWrite(hello, docId))
			return this.#ctx.reject(from, `signed entry for ${docId} refused: ${signer.agentId} may not write it`);
		const decoded = inspectUpdate(entry.update);
		if (typeof decoded === 'string')
			return this.#ctx.reject(from, `signed entry for ${docId} refused: its update is ${decoded}`);
		const doc = await repo.open(docId);
		if (!policy.mayWrite(hello, docId))
			return this.#ctx.reject(from, `signed entry for ${docId} refused: ${signer.agentId} may not write it`);
		// Checks vetting relies on that need WebCrypto (the role records a centre update carries).
		await policy.prepareVet?.(docId, doc, entry.update);
		if (this.#ctx.destroyed) return;
		const le: LogEntry = { hash, entry, agentId: signer.agentId, size: entry.update.length };
		if (this.#covered(log, le, doc)) return this.#remember(hash, docId);
		const full = this.#full(log, le, hello, doc);
		if (full) return this.#ctx.reject(from, full);
		const refused = this.#live.vetAs(hello, docId, doc, entry.update, decoded.createsTypes);
		if (refused) return this.#ctx.reject(from, `signed entry by ${signer.agentId}: ${refused}`);
		try {
			Y.applyUpdate(doc, entry.update, { peer: from } satisfies PeerOrigin);
		} catch (err) {
			return this.#ctx.reject(
				from,
				`signed entry for ${docId} could not be applied: ${err instanceof Error ? err.message : String(err)}`
			);
		}
		await this.#accept(from, le, hello);
	}

	/** Why the log may not take this entry (its bounds), or undefined. */
	#full(log: DocLog, le: LogEntry, signer: Hello, doc: Y.Doc): string | undefined {
		const l = this.#limits;
		const whole = this.#ctx.policy.writesWhole?.(signer, le.entry.docId, doc) ?? false;
		if (le.entry.kind === ENTRY_SNAPSHOT && whole)
			return le.size > l.maxBytes ? this.#fullText(le, 'bytes') : undefined;
		const dropped = le.entry.kind === ENTRY_SNAPSHOT ? this.#drops(log, le, false).length : 0;
		if (log.entries.size - dropped >= l.maxEntries) return this.#fullText(le, `${l.maxEntries} entries`);
		if (log.bytes + le.size > l.maxBytes) return this.#fullText(le, `${l.maxBytes} bytes`);
		if (log.countBy(le.agentId) - dropped >= l.maxPerSigner)
			return this.#fullText(le, `${l.maxPerSigner} entries of ${le.agentId}`);
		return undefined;
	}

	#fullText(le: LogEntry, what: string): string {
		return `signed entry for ${le.entry.docId} refused: its log holds ${what} already (until a snapshot compacts it)`;
	}

	/** Whether a snapshot in the log already holds everything this entry brings. */
	#covered(log: DocLog, le: LogEntry, doc: Y.Doc): boolean {
		for (const s of log.entries.values()) {
			if (s.entry.kind !== ENTRY_SNAPSHOT) continue;
			if (s.agentId !== le.agentId && !this.#wholeWriter(s, doc)) continue;
			if (this.#coverageOf(s).covers(le.entry.update)) return true;
		}
		return false;
	}

	#wholeWriter(le: LogEntry, doc: Y.Doc): boolean {
		const hello = this.#ctx.policy.signerHello!(le.agentId, toBase64(le.entry.chain));
		return this.#ctx.policy.writesWhole?.(hello, le.entry.docId, doc) ?? false;
	}

	#coverageOf(le: LogEntry): Coverage {
		let c = this.#coverage.get(le.hash);
		if (!c) this.#coverage.set(le.hash, (c = new Coverage(le.entry.update)));
		return c;
	}

	/** Entries of the log a snapshot replaces: all it covers if its signer writes the whole
	 *  document, else its signer's own. */
	#drops(log: DocLog, snapshot: LogEntry, whole: boolean): string[] {
		const coverage = this.#coverageOf(snapshot);
		const out: string[] = [];
		for (const e of log.entries.values()) {
			if (e.hash === snapshot.hash || (!whole && e.agentId !== snapshot.agentId)) continue;
			if (coverage.covers(e.entry.update)) out.push(e.hash);
		}
		return out;
	}

	/** An entry applied here (or made here): logged, compacting what a snapshot covers, forwarded
	 *  unchanged to every other peer allowed to hold the document. */
	async #accept(from: PeerId | undefined, le: LogEntry, signer: Hello): Promise<void> {
		const { docId } = le.entry;
		const log = await this.#logs.get(docId);
		if (log.has(le.hash)) return this.#remember(le.hash, docId);
		this.#remember(le.hash, docId);
		const doc = await this.#ctx.repo.open(docId);
		// A local change a snapshot already holds (signed while the snapshot was): nothing to add.
		if (!from && this.#covered(log, le, doc)) return;
		if (le.entry.kind === ENTRY_SNAPSHOT) {
			const dropped = this.#drops(log, le, this.#ctx.policy.writesWhole?.(signer, docId, doc) ?? false);
			for (const hash of dropped) this.#coverage.delete(hash);
			await this.#logs.compact(docId, le, dropped);
		} else await this.#logs.append(docId, le);
		this.#forward(from, docId, [le]);
		await this.#maybeCompact(docId, log);
	}

	#forward(from: PeerId | undefined, docId: string, entries: LogEntry[]): void {
		for (const [peer, state] of this.#ctx.peers) {
			if (peer === from || !state.hello || !this.#ctx.policy.mayShare(state.hello, docId)) continue;
			this.#sendEntries(peer, state, entries);
		}
	}

	/** A device allowed to write the whole document snapshots it once the log is long; another
	 *  signer merges its own entries once they are many. */
	async #maybeCompact(docId: string, log: DocLog): Promise<void> {
		if (!this.#identity || this.#compacting.has(docId)) return;
		const self = this.#selfHello();
		const doc = await this.#ctx.repo.open(docId);
		const whole = this.#ctx.policy.writesWhole?.(self, docId, doc) ?? false;
		const limit = this.#limits.compactAfter;
		const since = this.#compactedAt.get(docId) ?? 0;
		let snapshot: Uint8Array | undefined;
		if (whole && log.entries.size > since + limit) snapshot = Y.encodeStateAsUpdate(doc);
		else if (!whole && log.countBy(self.agentId) > since + limit) {
			const own = [...log.entries.values()].filter((e) => e.agentId === self.agentId);
			snapshot = Y.mergeUpdates(own.map((e) => e.entry.update));
		}
		if (!snapshot) return;
		this.#compacting.add(docId);
		try {
			await this.#signLocal(ENTRY_SNAPSHOT, docId, snapshot);
			this.#compactedAt.set(docId, whole ? log.entries.size : log.countBy(self.agentId));
		} finally {
			this.#compacting.delete(docId);
		}
	}

	/** Content no entry covers (a document from before signed entries, or seeded): a device
	 *  allowed to write the whole document snapshots it; a demo device vouches for the seed. Once
	 *  per document and session. */
	async #bootstrap(docId: string): Promise<void> {
		// Local changes still being signed are not content to vouch for: wait for them.
		if (!this.#identity || this.#bootstrapped.has(docId) || this.#pending.has(docId)) return;
		this.#bootstrapped.add(docId);
		const doc = await this.#ctx.repo.find(docId);
		if (!doc) return;
		const log = await this.#logs.get(docId);
		if (!uncovered(doc, log)) return;
		if (this.#ctx.policy.writesWhole?.(this.#selfHello(), docId, doc))
			return this.#signLocal(ENTRY_SNAPSHOT, docId, Y.encodeStateAsUpdate(doc));
		const seed = await this.#seed?.(docId);
		if (seed && new Coverage(Y.encodeStateAsUpdate(doc)).covers(seed))
			await this.#signLocal(ENTRY_UPDATE, docId, asSeeded(seed));
	}

	/** The peer's log hashes: send what it lacks, ask for what we lack. */
	async onHashes(from: PeerId, state: PeerState, docId: string, hashes: Uint8Array[]): Promise<void> {
		const { policy } = this.#ctx;
		if (!policy.guarded?.(docId)) return this.#ctx.reject(from, `sent the log of ${docId}, which has none`);
		if (!policy.mayShare(state.hello!, docId)) return;
		const log = await this.#logs.get(docId);
		const theirs = new Set(hashes.map(hashText));
		const missing = [...log.entries.values()].filter((e) => !theirs.has(e.hash));
		if (missing.length && this.#ctx.peers.get(from) === state) this.#sendEntries(from, state, missing);
		if (!policy.mayHold?.(docId)) return;
		const want = [...theirs].filter((h) => !log.has(h) && !this.#seen.has(h));
		if (want.length) this.#ctx.send(from, { type: 'logWant', docId, hashes: want.map(hashBytes) });
	}

	/** The peer asks for entries it lacks. */
	async onWant(from: PeerId, state: PeerState, docId: string, hashes: Uint8Array[]): Promise<void> {
		if (!this.#ctx.policy.guarded?.(docId) || !this.#ctx.policy.mayShare(state.hello!, docId)) return;
		const log = await this.#logs.get(docId);
		const found = hashes.map((h) => log.entries.get(hashText(h))).filter((e) => e !== undefined);
		if (found.length && this.#ctx.peers.get(from) === state) this.#sendEntries(from, state, found);
	}

	/** Sends entries in batches, snapshots first (the receiver then drops what they cover). */
	#sendEntries(to: PeerId, state: PeerState, entries: LogEntry[]): void {
		const sorted = [...entries].sort((a, b) => b.entry.kind - a.entry.kind);
		let batch: WireEntry[] = [];
		let bytes = 0;
		const flush = () => {
			if (batch.length) this.#ctx.send(to, { type: 'signed', entries: batch });
			batch = [];
			bytes = 0;
		};
		for (const e of sorted) {
			if (batch.length && (bytes + e.size > BATCH_BYTES || batch.length >= BATCH_ENTRIES)) flush();
			batch.push(this.#wire(state, e.entry));
			bytes += e.size;
		}
		flush();
	}

	/** An entry as it goes to this peer: its chain inline the first time, then by reference. */
	#wire(state: PeerState, e: SignedEntry): WireEntry {
		const w: WireEntry = { kind: e.kind, docId: e.docId, update: e.update, signature: e.signature };
		const key = toBase64(e.chain);
		const ref = state.signed.chainsOut.get(key);
		if (ref) w.chainRef = ref;
		else {
			w.chain = e.chain;
			if (state.signed.chainsOut.size < MAX_CHAIN_REFS)
				state.signed.chainsOut.set(key, state.signed.chainsOut.size + 1);
		}
		return w;
	}

	#remember(hash: string, docId: string): void {
		this.#seen.delete(hash);
		this.#seen.set(hash, docId);
		if (this.#seen.size > MAX_SEEN) this.#seen.delete(this.#seen.keys().next().value!);
	}
}

/** The update a document emits when the seed is applied to it empty: the bytes a device that seeds
 *  now signs, so one seeded before signed entries vouches for the very same entry. */
function asSeeded(seed: Uint8Array): Uint8Array {
	const probe = new Y.Doc({ guid: 'probe' });
	let emitted = seed;
	probe.on('update', (u: Uint8Array) => (emitted = u));
	Y.applyUpdate(probe, seed);
	probe.destroy();
	return emitted;
}

/** Whether the document holds content none of its log's entries brought (compared by state
 *  vector: deletions alone are not looked at). */
function uncovered(doc: Y.Doc, log: DocLog): boolean {
	const covered = new Map<number, number>();
	for (const e of log.entries.values()) {
		let sv: Map<number, number>;
		try {
			sv = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(e.entry.update));
		} catch {
			continue;
		}
		for (const [client, clock] of sv) covered.set(client, Math.max(covered.get(client) ?? 0, clock));
	}
	for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc)))
		if (clock > (covered.get(client) ?? 0)) return true;
	return false;
}

/** The agent whose own document this is (a note's or an access document's author), if any. */
function authorOf(docId: string): string | undefined {
	return docId.startsWith('note/') ? noteAuthor(docId) : noteAccessAuthor(docId);
}
