// The Synchronizer keeps a Repo's shared documents in step with every connected peer. A connection
// goes through phases, each in its own module:
//  1. handshake (sync-handshake.ts): hello, and a proof of the agent's key bound to this connection;
//  2. anti-entropy (sync-inventory.ts): per shared space, inventories of state-vector digests, then
//     step 1 / step 2 for every document that differs, both ways;
//  3. live updates (sync-live.ts): every local change to each peer the share policy allows; every
//     update received vetted before it touches a document; guarded documents (notes, access
//     documents, the centre document) as signed entries instead, verified end to end and
//     forwarded by every peer allowed to hold them (sync-signed.ts);
//  4. presence (sync-awareness.ts): who is online, carets in open documents.
// This file receives messages and routes them: decode, handshake, hold until introduced (bounded),
// rate-limit live messages, then hand each to its phase. A bad message is rejected and reported,
// the session goes on; a peer that floods, hoards or misses its handshake deadline is disconnected.
import type { Awareness } from 'y-protocols/awareness';
import { toBase64 } from '../domain/base64';
import { Disposer, Emitter, type Dispose } from '../domain/emitter';
import type { AgentIdentity } from './identity';
import type { NetworkAdapter, PeerId } from './network';
import { defaultRateLimits, RateLimitedInbox, type RateLimits } from './rate-limit';
import type { Repo } from './repo';
import type { SharePolicy } from './share-policy';
import { PresenceSharing } from './sync-awareness';
import { Handshake } from './sync-handshake';
import { AntiEntropy } from './sync-inventory';
import { LiveUpdates } from './sync-live';
import type { LogLimits } from './sync-log';
import { newPeerSignedState, SignedUpdates } from './sync-signed';
import type { PeerState, SyncContext } from './sync-peer';
import {
	BATCH_VERSION,
	decodeMessage,
	defaultProtocolLimits,
	encodeMessage,
	PROTOCOL_VERSION,
	ProtocolError,
	type Hello,
	type ProtocolLimits,
	type SyncMessage
} from './sync-protocol';

export type { PeerOrigin } from './sync-peer';

export interface RejectedMessage {
	from: PeerId;
	reason: string;
}

export interface SyncOptions {
	repo: Repo;
	network: NetworkAdapter;
	policy: SharePolicy;
	/** This device's agent and floor, announced in hello (with an identity, its id is the key's). */
	agentId: string;
	floor: string;
	limits?: Partial<ProtocolLimits>;
	/** Each peer's budget of live messages (rate-limit.ts). */
	rate?: Partial<RateLimits>;
	/** Presence shared with every proven peer of the centre (y-protocols awareness); optional. */
	awareness?: Awareness;
	/** This agent's key pair: with it, the device proves its agent id to peers, and its updates are
	 *  accepted. Without it, peers treat it as unproven: it only reads the knowledge base. */
	identity?: AgentIdentity;
	/** `hub`: this device is the centre's hub (announced in hello; its policy holds every floor). */
	role?: 'hub';
	/** Bounds of guarded documents' logs (sync-log.ts). */
	logLimits?: Partial<LogLimits>;
	/** The exact update a document was seeded with (the demo centre), vouched for by this device. */
	seed?: (docId: string) => Promise<Uint8Array | undefined>;
}

/** Memory held for peers, for tests and a status screen. */
export interface SyncStats {
	peers: number;
	/** Bytes held for peers whose handshake is not done. */
	earlyBytes: number;
	/** Live messages waiting for their peer's rate budget. */
	queuedMessages: number;
	queuedBytes: number;
}

/** Message types that spend a peer's rate budget (an expected step 2 does not). */
const LIVE = new Set<SyncMessage['type']>([
	'update',
	'syncStep2',
	'syncStep2Batch',
	'awareness',
	'docAwareness',
	'signed',
	'logHashes',
	'logWant'
]);

export class Synchronizer {
	readonly #repo: Repo;
	readonly #net: NetworkAdapter;
	readonly #policy: SharePolicy;
	readonly #self: Hello;
	readonly #limits: ProtocolLimits;
	readonly #rate: RateLimits;
	readonly #peers = new Map<PeerId, PeerState>();
	readonly #disposer = new Disposer();
	readonly #events = new Emitter<{ rejected: (r: RejectedMessage) => void }>();
	readonly #work = new Set<Promise<unknown>>();
	readonly #rejected: RejectedMessage[] = [];
	readonly #handshake: Handshake;
	readonly #inventory: AntiEntropy;
	readonly #live: LiveUpdates;
	readonly #signed: SignedUpdates;
	readonly #presence: PresenceSharing;
	#destroyed = false;

	constructor(options: SyncOptions) {
		this.#repo = options.repo;
		this.#net = options.network;
		this.#policy = options.policy;
		this.#limits = { ...defaultProtocolLimits, ...options.limits };
		this.#rate = { ...defaultRateLimits, ...options.rate };
		this.#self = {
			protocol: PROTOCOL_VERSION,
			agentId: options.identity?.agentId ?? options.agentId,
			floor: options.floor,
			spaces: this.#policy.spaces(),
			batch: BATCH_VERSION
		};
		if (options.identity) this.#self.key = toBase64(options.identity.publicKey);
		if (options.role) this.#self.role = options.role;
		const ctx = this.#context();
		this.#handshake = new Handshake(ctx, options.identity, this.#limits, {
			introduce: (from, state, hello) => this.#introduce(from, state, hello),
			updated: (from, state, hello) => this.#updated(from, state, hello),
			drop: (peer, reason) => this.#drop(peer, reason)
		});
		this.#live = new LiveUpdates(ctx);
		this.#signed = new SignedUpdates(ctx, this.#live, {
			identity: options.identity,
			limits: options.logLimits,
			seed: options.seed
		});
		this.#inventory = new AntiEntropy(ctx, this.#signed, this.#limits);
		this.#presence = new PresenceSharing(ctx, options.awareness);
		this.#disposer.add(
			() => this.#presence.destroy(),
			() => this.#signed.destroy(),
			this.#net.on('peer-connected', (peer) => this.#connected(peer)),
			this.#net.on('peer-disconnected', (peer) => this.#disconnected(peer)),
			this.#net.on('message', (from, message) => this.#track(this.#receive(from, message))),
			this.#repo.onChange((e) => {
				this.#inventory.forget(e.docId);
				if (this.#policy.guarded?.(e.docId)) this.#signed.onChange(e);
				else this.#live.broadcast(e.docId, e.update, e.origin);
			}),
			this.#repo.onRemove((docId) => this.#inventory.forget(docId)),
			this.#policy.onChange?.((ids) => this.#track(this.#inventory.refresh(ids))) ?? (() => {})
		);
		for (const peer of this.#net.peers()) this.#connected(peer);
	}

	/** Peers that have introduced themselves, with what they said (`verified` if proven). */
	peers(): Map<PeerId, Hello> {
		const out = new Map<PeerId, Hello>();
		for (const [id, state] of this.#peers) if (state.hello) out.set(id, state.hello);
		return out;
	}

	/** The signed log of a guarded document (tests, status screens). */
	log(docId: string): ReturnType<SignedUpdates['log']> {
		return this.#signed.log(docId);
	}

	/** Messages refused so far (malformed, oversized, unknown, not allowed). */
	get rejected(): readonly RejectedMessage[] {
		return this.#rejected;
	}

	onRejected(listener: (r: RejectedMessage) => void): Dispose {
		return this.#events.on('rejected', listener);
	}

	get stats(): SyncStats {
		const stats: SyncStats = { peers: this.#peers.size, earlyBytes: 0, queuedMessages: 0, queuedBytes: 0 };
		for (const state of this.#peers.values()) {
			stats.earlyBytes += state.earlyBytes;
			stats.queuedMessages += state.inbox.queuedMessages;
			stats.queuedBytes += state.inbox.queuedBytes;
		}
		return stats;
	}

	/** Whether received messages are being handled or wait for their peer's budget. */
	get busy(): boolean {
		if (this.#work.size) return true;
		for (const state of this.#peers.values()) if (state.inbox.queuedMessages) return true;
		return false;
	}

	/** Resolves once every received message has been handled, queued ones included (for tests and
	 *  benchmarks). */
	async idle(): Promise<void> {
		for (;;) {
			await Promise.all([...this.#peers.values()].map((s) => s.inbox.drained()));
			await Promise.all([...this.#peers.values()].map((s) => s.signed.queue));
			await this.#signed.flush();
			if (!this.#work.size) return;
			await Promise.allSettled([...this.#work]);
		}
	}

	/** Shares the carets and selections of one open document (its editor's awareness) with the
	 *  peers allowed to read it, while it stays open. Returns the stop function, which tells the
	 *  peers our caret is gone. */
	shareDocAwareness(docId: string, awareness: Awareness): Dispose {
		return this.#presence.shareDocAwareness(docId, awareness);
	}

	/** This agent moved to another floor (or just chose one): tell every peer, and share what the
	 *  new floor's space holds. */
	setFloor(floor: string): void {
		if (floor === this.#self.floor) return;
		this.#self.floor = floor;
		this.#announceSpaces();
	}

	/** The policy's spaces changed (a hub's, when the centre gets a floor): tell every peer, and
	 *  share what the new spaces hold. */
	refreshSpaces(): void {
		if (this.#policy.spaces().join() === this.#self.spaces.join()) return;
		this.#announceSpaces();
	}

	#announceSpaces(): void {
		this.#self.spaces = this.#policy.spaces();
		for (const [peer, state] of this.#peers) {
			if (!state.hello) continue;
			this.#send(peer, { type: 'hello', hello: this.#handshake.helloFor(state.nonce, true) });
			this.#track(this.#inventory.sendInventories(peer, state));
		}
	}

	destroy(): void {
		this.#destroyed = true;
		for (const state of this.#peers.values()) this.#release(state);
		this.#peers.clear();
		this.#disposer.dispose();
		this.#events.clear();
	}

	#context(): SyncContext {
		// eslint-disable-next-line @typescript-eslint/no-this-alias
		const sync = this;
		return {
			repo: this.#repo,
			net: this.#net,
			policy: this.#policy,
			peers: this.#peers,
			self: this.#self,
			get destroyed() {
				return sync.#destroyed;
			},
			send: (to, m) => this.#send(to, m),
			reject: (from, reason) => this.#reject(from, reason),
			track: (p) => this.#track(p),
			maySend: (state, docId) =>
				!!state.hello &&
				this.#policy.mayShare(state.hello, docId) &&
				// The peer would accept it only from a device that proved itself on this connection.
				this.#policy.mayWrite({ ...this.#self, verified: state.proved }, docId)
		};
	}

	#connected(peer: PeerId): void {
		if (this.#destroyed || this.#peers.has(peer)) return;
		const state: PeerState = {
			nonce: '',
			proved: false,
			answered: false,
			deadline: undefined,
			early: [],
			earlyBytes: 0,
			asked: new Set(),
			absent: new Set(),
			inbox: new RateLimitedInbox(this.#rate),
			awarenessClients: new Set(),
			docAwarenessClients: new Map(),
			signed: newPeerSignedState()
		};
		this.#peers.set(peer, state);
		this.#handshake.begin(peer, state);
	}

	#disconnected(peer: PeerId): void {
		const state = this.#peers.get(peer);
		if (!state) return;
		this.#peers.delete(peer);
		this.#release(state);
		this.#presence.forget(peer, state);
	}

	/** Disconnects a peer that broke the rules, and forgets it at once (whether or not the network
	 *  reports the disconnection). */
	#drop(peer: PeerId, reason: string): void {
		if (!this.#peers.has(peer)) return;
		this.#reject(peer, `disconnected: ${reason}`);
		this.#disconnected(peer);
		this.#net.disconnect(peer, reason);
	}

	/** Drops everything held for a peer. */
	#release(state: PeerState): void {
		clearTimeout(state.deadline);
		state.deadline = undefined;
		state.early = [];
		state.earlyBytes = 0;
		state.inbox.clear();
	}

	// Receiving, step by step: decode → handshake → hold until introduced → rate budget → phase.

	async #receive(from: PeerId, bytes: Uint8Array): Promise<void> {
		if (this.#destroyed) return;
		const state = this.#peers.get(from);
		if (!state) return;
		const m = this.#decode(from, bytes);
		if (!m) return;
		if (m.type === 'hello') return this.#handshake.onHello(from, state, m.hello);
		if (m.type === 'proof') return this.#handshake.onProof(from, state, m.signature);
		if (!state.hello) return this.#hold(from, state, bytes);
		if (LIVE.has(m.type) && !expected(state, m)) {
			// A batch spends one message of the budget per document in it.
			const cost = m.type === 'syncStep2Batch' ? m.docs.length : 1;
			const admitted = state.inbox.push(
				bytes.byteLength,
				() => this.#track(this.#handle(from, state, m)),
				cost
			);
			if (!admitted) this.#drop(from, 'sent more than its rate budget and queue allow');
			return;
		}
		return this.#handle(from, state, m);
	}

	#decode(from: PeerId, bytes: Uint8Array): SyncMessage | undefined {
		try {
			return decodeMessage(bytes, this.#limits);
		} catch (err) {
			this.#reject(from, err instanceof ProtocolError ? err.message : String(err));
			return undefined;
		}
	}

	/** A message that arrived before the handshake completed (possible on reordering transports,
	 *  and right behind a hello whose proof is being checked): kept, within bounds, until then. */
	#hold(from: PeerId, state: PeerState, bytes: Uint8Array): void {
		if (
			state.early.length >= this.#limits.maxEarlyMessages ||
			state.earlyBytes + bytes.byteLength > this.#limits.maxEarlyBytes
		)
			return this.#drop(from, 'sent too much before completing its handshake');
		state.early.push(bytes);
		state.earlyBytes += bytes.byteLength;
	}

	async #handle(from: PeerId, state: PeerState, m: SyncMessage): Promise<void> {
		if (this.#destroyed || this.#peers.get(from) !== state) return;
		switch (m.type) {
			case 'inventory':
				return this.#inventory.onInventory(from, state, m.entries);
			case 'syncStep1':
				return this.#inventory.onStep1(from, state, m.docId, m.stateVector);
			case 'syncStep1Batch':
				return this.#inventory.onStep1Batch(from, state, m.docs);
			case 'syncStep2':
			case 'update':
				return this.#live.apply(from, state, m.docId, m.update);
			case 'syncStep2Batch': {
				// Each document on its own: a refused one is reported, the others still applied. One
				// after the other, except that a document waiting for its signatures' check (WebCrypto is
				// asynchronous) is not waited for before the next starts: they are checked side by side.
				const waiting: Promise<void>[] = [];
				for (const [docId, update] of m.docs) {
					const applied = this.#live
						.apply(from, state, docId, update)
						.catch((err: unknown) =>
							this.#reject(from, `update for ${docId}: ${err instanceof Error ? err.message : String(err)}`)
						);
					waiting.push(applied);
					await Promise.race([applied, undefined]);
				}
				await Promise.all(waiting);
				return;
			}
			case 'awareness':
				return this.#presence.onAwareness(from, state, m.payload);
			case 'docAwareness':
				return this.#presence.onDocAwareness(from, state, m.docId, m.payload);
			case 'signed':
				return this.#signed.receive(from, state, m.entries);
			case 'logHashes':
				return this.#signed.onHashes(from, state, m.docId, m.hashes);
			case 'logWant':
				return this.#signed.onWant(from, state, m.docId, m.hashes);
		}
	}

	/** The peer's handshake is done: share presence and carets, exchange inventories, then handle
	 *  what it sent meanwhile. */
	async #introduce(from: PeerId, state: PeerState, hello: Hello): Promise<void> {
		state.hello = hello;
		this.#presence.introduce(from, state);
		await this.#inventory.sendInventories(from, state);
		const early = state.early.splice(0);
		state.earlyBytes = 0;
		for (const bytes of early) await this.#receive(from, bytes);
	}

	/** An introduced peer announced a new floor (its agent moved): share what its new spaces hold. */
	async #updated(from: PeerId, state: PeerState, hello: Hello): Promise<void> {
		const known = state.hello!;
		if (hello.agentId !== known.agentId || hello.key !== known.key) return;
		if (hello.floor === known.floor && hello.spaces.join() === known.spaces.join()) return;
		state.hello = { ...known, floor: hello.floor, spaces: hello.spaces };
		await this.#inventory.sendInventories(from, state);
	}

	#send(to: PeerId, m: SyncMessage): void {
		this.#net.send(to, encodeMessage(m));
	}

	#reject(from: PeerId, reason: string): void {
		const r = { from, reason };
		this.#rejected.push(r);
		if (this.#rejected.length > 1000) this.#rejected.shift();
		if (this.#events.count() === 0) console.warn(`Plateau sync: rejected a message from ${from}: ${reason}`);
		this.#events.emit('rejected', r);
	}

	#track(p: Promise<void>): void {
		const tracked = p.catch((err: unknown) =>
			this.#reject('?', err instanceof Error ? err.message : String(err))
		);
		this.#work.add(tracked);
		void tracked.finally(() => this.#work.delete(tracked));
	}
}

/** Whether a step 2 answers what this side asked for (then it does not spend the peer's rate budget):
 *  a batch is expected only if every document in it was asked for. */
function expected(state: PeerState, m: SyncMessage): boolean {
	if (m.type === 'syncStep2') return state.asked.delete(m.docId);
	if (m.type !== 'syncStep2Batch') return false;
	let all = true;
	for (const [docId] of m.docs) if (!state.asked.delete(docId)) all = false;
	return all;
}
