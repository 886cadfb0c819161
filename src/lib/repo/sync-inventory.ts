// Phase 2 of a connection: anti-entropy. Per shared space each side lists its documents with a digest
// of each state vector (inventory); for every document that differs or is missing, it asks with its
// state vector (step 1) and gets back exactly what it lacks (step 2) — both ways, on every
// (re)connection. Also asks again when who may write some documents changed.
// A guarded document's digest is its signed log's (sync-signed.ts): it is listed to every peer
// allowed to hold it, and a difference is reconciled by log hashes, not by state vectors — so a
// peer that may not write it still serves it.
// With a peer that speaks batches (hello.batch), the step 1s of one inventory go out as batches of
// up to maxBatchDocs documents, answered by step 2 batches of up to maxBatchBytes: a fresh device
// asking for 5,000 documents sends 5 messages and gets some 80, rather than 5,000 of each, so what
// every message costs (sealing, framing, a turn of the event loop, a storage transaction) is paid
// per batch. Each document in a batch is still vetted on its own (sync-live.ts).
import * as Y from 'yjs';
import type { PeerId } from './network';
import type { PeerState, SyncContext } from './sync-peer';
import type { ProtocolLimits } from './sync-protocol';
import type { SignedUpdates } from './sync-signed';
// State vectors are compared by fingerprint (Yjs writes clients in a fixed order, so equal vectors
// give equal fingerprints) rather than sent whole.
import { fingerprint as digest } from '../domain/hash';

/** The state vector of an empty document (a document this device does not hold yet). */
const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc({ guid: 'empty' }));
const EMPTY_DIGEST = digest(EMPTY_STATE_VECTOR);

/** Bytes of whole-document encodings kept for peers that ask for everything (fresh devices). */
const WHOLE_CACHE_BYTES = 32 * 1024 * 1024;

export class AntiEntropy {
	readonly #ctx: SyncContext;
	readonly #signed: SignedUpdates;
	readonly #limits: ProtocolLimits;
	/** Each document's whole state, encoded for the last peer that asked for all of it: the hub
	 *  fills every new device with the same bytes, so it encodes each document once per change
	 *  rather than once per device. Dropped when the document changes; oldest first past the
	 *  budget. */
	readonly #whole = new Map<string, Uint8Array>();
	#wholeBytes = 0;

	constructor(ctx: SyncContext, signed: SignedUpdates, limits: ProtocolLimits) {
		this.#ctx = ctx;
		this.#signed = signed;
		this.#limits = limits;
	}

	async sendInventories(to: PeerId, state: PeerState): Promise<void> {
		const { repo, policy } = this.#ctx;
		const peer = state.hello!;
		const bySpace = new Map<string, [string, string][]>();
		// Access documents first: a peer judges a note by its access record.
		const ids = (await repo.list()).sort(
			(a, b) => Number(b.startsWith('space/')) - Number(a.startsWith('space/'))
		);
		for (const id of ids) {
			const space = policy.spaceOf(id);
			if (!space) continue;
			let entry: string;
			if (policy.guarded?.(id)) {
				if (!policy.mayShare(peer, id)) continue;
				entry = await this.#signed.digest(id);
			} else {
				if (!this.#ctx.maySend(state, id)) continue;
				entry = digest(Y.encodeStateVector(await repo.open(id)));
			}
			let list = bySpace.get(space);
			if (!list) bySpace.set(space, (list = []));
			list.push([id, entry]);
		}
		// Spaces we share but hold nothing of still get an (empty) inventory: the peer then
		// knows to send us everything it has there.
		for (const space of this.#ctx.self.spaces)
			if (peer.spaces.includes(space) && !bySpace.has(space)) bySpace.set(space, []);
		for (const [space, entries] of bySpace) this.#ctx.send(to, { type: 'inventory', space, entries });
	}

	async onInventory(from: PeerId, state: PeerState, entries: [string, string][]): Promise<void> {
		const { repo, policy } = this.#ctx;
		const theirs = new Map(entries);
		const held = new Set(await repo.list());
		const asks: [string, Uint8Array][] = [];
		for (const id of theirs.keys()) {
			if (policy.guarded?.(id)) {
				if (!policy.mayShare(state.hello!, id) || !policy.mayHold?.(id)) continue;
				if ((await this.#signed.digest(id)) !== theirs.get(id))
					await this.#signed.sendHashes(from, state, id);
				continue;
			}
			// Only what the peer may write here is asked for. (Its view of a note's access may differ
			// from this device's for a moment, so the space it lists a note under is not checked.)
			if (!policy.mayWrite(state.hello!, id)) continue;
			// A document we do not hold needs no storage read: ask for all of it.
			const doc = held.has(id) ? await repo.find(id) : undefined;
			const sv = doc ? Y.encodeStateVector(doc) : EMPTY_STATE_VECTOR;
			if ((doc ? digest(sv) : EMPTY_DIGEST) === theirs.get(id)) continue;
			if (!doc) state.absent.add(id);
			// Ask for what we lack; if they lack something, their own inventory round asks us.
			asks.push([id, sv]);
		}
		if (!state.hello?.batch) {
			for (const [id, sv] of asks) this.ask(from, state, id, sv);
			return;
		}
		for (let i = 0; i < asks.length; i += this.#limits.maxBatchDocs) {
			const docs = asks.slice(i, i + this.#limits.maxBatchDocs);
			for (const [id] of docs) state.asked.add(id);
			this.#ctx.send(from, { type: 'syncStep1Batch', docs });
		}
	}

	/** Step 1 for one document; its answer is expected (not counted against the peer's rate). */
	ask(to: PeerId, state: PeerState, docId: string, stateVector: Uint8Array): void {
		state.asked.add(docId);
		this.#ctx.send(to, { type: 'syncStep1', docId, stateVector });
	}

	/** The peer asks for what it lacks of a document. */
	async onStep1(from: PeerId, state: PeerState, docId: string, stateVector: Uint8Array): Promise<void> {
		const update = await this.#answer(from, state, docId, stateVector);
		if (update) this.#ctx.send(from, { type: 'syncStep2', docId, update });
	}

	/** The peer asks for what it lacks of many documents: answered in step 2 batches of at most
	 *  maxBatchBytes; a document too big for a batch goes alone as a plain step 2. */
	async onStep1Batch(from: PeerId, state: PeerState, docs: [string, Uint8Array][]): Promise<void> {
		const { maxBatchBytes, maxBatchDocs } = this.#limits;
		let batch: [string, Uint8Array][] = [];
		// The message's bytes: its type and count (at most 4 bytes each), then each entry's.
		let bytes = 8;
		const sendBatch = () => {
			if (batch.length) this.#ctx.send(from, { type: 'syncStep2Batch', docs: batch });
			batch = [];
			bytes = 8;
		};
		for (const [docId, stateVector] of docs) {
			const update = await this.#answer(from, state, docId, stateVector);
			if (!update || this.#ctx.peers.get(from) !== state) continue;
			// Id and update, each behind its length (at most 5 bytes); an id's UTF-8 at most 3 bytes
			// per UTF-16 unit.
			const size = 10 + 3 * docId.length + update.byteLength;
			if (size > maxBatchBytes - 8) {
				this.#ctx.send(from, { type: 'syncStep2', docId, update });
				continue;
			}
			if (bytes + size > maxBatchBytes || batch.length === maxBatchDocs) sendBatch();
			batch.push([docId, update]);
			bytes += size;
		}
		sendBatch();
	}

	/** What the peer lacks of a document it may have from this device, or nothing. */
	async #answer(
		from: PeerId,
		state: PeerState,
		docId: string,
		stateVector: Uint8Array
	): Promise<Uint8Array | undefined> {
		const peer = state.hello!;
		if (!this.#ctx.policy.mayShare(peer, docId)) {
			this.#ctx.reject(from, `asked for ${docId}, which it may not read`);
			return undefined;
		}
		if (!this.#ctx.maySend(state, docId)) return undefined; // it gets it from those who may write it
		if (this.#ctx.policy.guarded?.(docId)) return undefined; // signed entries only
		const doc = await this.#ctx.repo.find(docId);
		if (!doc) return undefined;
		try {
			return isEmptyStateVector(stateVector)
				? this.#wholeOf(docId, doc)
				: Y.encodeStateAsUpdate(doc, stateVector);
		} catch {
			this.#ctx.reject(from, `malformed state vector for ${docId}`);
			return undefined;
		}
	}

	/** The document changed (or left): its cached encoding is stale. */
	forget(docId: string): void {
		const cached = this.#whole.get(docId);
		if (!cached) return;
		this.#whole.delete(docId);
		this.#wholeBytes -= cached.byteLength;
	}

	#wholeOf(docId: string, doc: Y.Doc): Uint8Array {
		const cached = this.#whole.get(docId);
		if (cached) return cached;
		const update = Y.encodeStateAsUpdate(doc);
		if (update.byteLength > WHOLE_CACHE_BYTES / 8) return update;
		this.#whole.set(docId, update);
		this.#wholeBytes += update.byteLength;
		for (const [id, bytes] of this.#whole) {
			if (this.#wholeBytes <= WHOLE_CACHE_BYTES) break;
			this.#whole.delete(id);
			this.#wholeBytes -= bytes.byteLength;
		}
		return update;
	}

	/** Who may read or write some documents changed (a note shared or withdrawn): ask each peer
	 *  allowed to write them for what this device lacks. The author's side is asked the same way by
	 *  its peers, whose own access records changed with the author's. */
	async refresh(docIds: string[]): Promise<void> {
		for (const [peer, state] of this.#ctx.peers) {
			if (!state.hello) continue;
			for (const docId of docIds) {
				const { policy } = this.#ctx;
				if (policy.guarded?.(docId)) {
					if (policy.mayShare(state.hello, docId) && policy.mayHold?.(docId))
						await this.#signed.sendHashes(peer, state, docId);
					continue;
				}
				if (!policy.mayWrite(state.hello, docId)) continue;
				const doc = await this.#ctx.repo.find(docId);
				this.ask(peer, state, docId, doc ? Y.encodeStateVector(doc) : EMPTY_STATE_VECTOR);
			}
		}
	}
}

/** A state vector naming no client: the peer holds nothing of the document. */
function isEmptyStateVector(sv: Uint8Array): boolean {
	return sv.byteLength === 1 && sv[0] === 0;
}
