// The Synchronizer keeps a Repo's shared documents in step with every connected peer:
//  1. on connect, both sides say who they are (hello) and, per shared space, list their documents
//     with a digest of each state vector (inventory);
//  2. for every document that differs or is missing, each side asks with its state vector (step 1)
//     and gets back exactly what it lacks (step 2) — both ways, on every (re)connection;
//  3. then every local change goes to each peer the share policy allows.
// Anything a peer sends is decoded, checked against the share policy and validated as a Yjs update
// before it touches a document; a bad message is rejected and reported, the session goes on.
import * as Y from 'yjs';
import {
	applyAwarenessUpdate,
	encodeAwarenessUpdate,
	removeAwarenessStates,
	type Awareness
} from 'y-protocols/awareness';
import { toBase64 } from '../domain/base64';
import { newNonce, proveHello, verifyHello, type AgentIdentity } from './identity';
import type { NetworkAdapter, PeerId } from './network';
import { checkUpdate, type Repo } from './repo';
import type { SharePolicy } from './share-policy';
import {
	decodeMessage,
	defaultProtocolLimits,
	digest,
	encodeMessage,
	PROTOCOL_VERSION,
	ProtocolError,
	type Hello,
	type ProtocolLimits,
	type SyncMessage
} from './sync-protocol';

/** Transaction origin of updates received from a peer (so they are not sent back to it). */
export interface PeerOrigin {
	peer: PeerId;
}

export interface RejectedMessage {
	from: PeerId;
	reason: string;
}

export interface SyncOptions {
	repo: Repo;
	network: NetworkAdapter;
	policy: SharePolicy;
	/** This device's agent and floor, announced in hello. */
	agentId: string;
	floor: string;
	limits?: Partial<ProtocolLimits>;
	/** Presence shared with every peer of the centre (y-protocols awareness); optional. */
	awareness?: Awareness;
	/** This agent's key pair: with it, the device proves its agent id to peers (and is sent its
	 *  personal documents by the agent's other devices). Without it, peers treat it as unproven. */
	identity?: AgentIdentity;
}

interface PeerState {
	/** Set once the peer is introduced: hello received and, if it has a key, its proof checked. */
	hello?: Hello;
	/** Its hello, while its proof is awaited. */
	pending?: Hello;
	/** A proof that arrived before the hello it belongs to. */
	proof?: Uint8Array;
	/** The nonce this side chose for the connection, which the peer signs. */
	nonce: string;
	proved: boolean;
	answered: boolean;
	/** Messages that arrived before hello (possible on reordering transports). */
	early: Uint8Array[];
	/** Awareness client ids this peer has told us about, removed when it disconnects (not after
	 *  awareness's 30 s timeout). */
	awarenessClients: Set<number>;
	/** The same, per open document (carets). */
	docAwarenessClients: Map<string, Set<number>>;
}

export class Synchronizer {
	readonly #repo: Repo;
	readonly #net: NetworkAdapter;
	readonly #policy: SharePolicy;
	readonly #hello: Hello;
	readonly #limits: ProtocolLimits;
	readonly #peers = new Map<PeerId, PeerState>();
	readonly #off: (() => void)[] = [];
	readonly #work = new Set<Promise<unknown>>();
	readonly #rejected: RejectedMessage[] = [];
	readonly #listeners = new Set<(r: RejectedMessage) => void>();
	readonly #awareness: Awareness | undefined;
	readonly #docAwareness = new Map<string, Awareness>();
	readonly #identity: AgentIdentity | undefined;
	/** This device as a peer, to ask the policy whether the other side would accept its updates. */
	readonly #self: Hello;
	#destroyed = false;

	constructor(options: SyncOptions) {
		this.#repo = options.repo;
		this.#net = options.network;
		this.#policy = options.policy;
		this.#limits = { ...defaultProtocolLimits, ...options.limits };
		this.#identity = options.identity;
		const agentId = options.identity?.agentId ?? options.agentId;
		this.#hello = {
			protocol: PROTOCOL_VERSION,
			agentId,
			floor: options.floor,
			spaces: this.#policy.spaces()
		};
		if (options.identity) this.#hello.key = toBase64(options.identity.publicKey);
		this.#self = { ...this.#hello, verified: !!options.identity };
		this.#awareness = options.awareness;
		if (this.#awareness) {
			const awareness = this.#awareness;
			const onAwareness = (
				{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
				origin: unknown
			) => {
				// Only this device's own state is ours to announce; others announce theirs directly
				// (relaying them would resurrect the state of a page that has since closed).
				if (isPeerOrigin(origin) || ![...added, ...updated, ...removed].includes(awareness.clientID)) return;
				const payload = encodeAwarenessUpdate(awareness, [awareness.clientID]);
				for (const [peer, state] of this.#peers)
					if (state.hello) this.#send(peer, { type: 'awareness', payload });
			};
			awareness.on('update', onAwareness);
			this.#off.push(() => awareness.off('update', onAwareness));
		}
		this.#off.push(
			this.#net.on('peer-connected', (peer) => this.#connected(peer)),
			this.#net.on('peer-disconnected', (peer) => this.#disconnected(peer)),
			this.#net.on('message', (from, message) => this.#track(this.#receive(from, message))),
			this.#repo.onChange((e) => this.#broadcast(e.docId, e.update, e.origin)),
			this.#policy.onChange?.((ids) => this.#track(this.#refresh(ids))) ?? (() => {})
		);
		for (const peer of this.#net.peers()) this.#connected(peer);
	}

	/** Peers that have introduced themselves, with what they said. */
	peers(): Map<PeerId, Hello> {
		const out = new Map<PeerId, Hello>();
		for (const [id, state] of this.#peers) if (state.hello) out.set(id, state.hello);
		return out;
	}

	/** Messages refused so far (malformed, oversized, unknown, not allowed). */
	get rejected(): readonly RejectedMessage[] {
		return this.#rejected;
	}

	onRejected(listener: (r: RejectedMessage) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Resolves once every received message has been handled (for tests and benchmarks). */
	async idle(): Promise<void> {
		while (this.#work.size) await Promise.allSettled([...this.#work]);
	}

	/** Shares the carets and selections of one open document (its editor's awareness) with the
	 *  peers allowed to read it, while it stays open. Returns the stop function, which tells the
	 *  peers our caret is gone. */
	shareDocAwareness(docId: string, awareness: Awareness): () => void {
		this.#docAwareness.set(docId, awareness);
		const announce = (to?: PeerId) => {
			const payload = encodeAwarenessUpdate(awareness, [awareness.clientID]);
			for (const [peer, state] of this.#peers) {
				if ((to && peer !== to) || !state.hello || !this.#policy.mayShare(state.hello, docId)) continue;
				this.#send(peer, { type: 'docAwareness', docId, payload });
			}
		};
		const onUpdate = (
			{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
			origin: unknown
		) => {
			if (
				this.#destroyed ||
				isPeerOrigin(origin) ||
				![...added, ...updated, ...removed].includes(awareness.clientID)
			)
				return;
			announce();
		};
		awareness.on('update', onUpdate);
		if (awareness.getLocalState()) announce();
		return () => {
			if (this.#docAwareness.get(docId) === awareness) this.#docAwareness.delete(docId);
			if (awareness.getLocalState() !== null) awareness.setLocalState(null);
			awareness.off('update', onUpdate);
			for (const state of this.#peers.values()) state.docAwarenessClients.delete(docId);
		};
	}

	destroy(): void {
		this.#destroyed = true;
		for (const off of this.#off.splice(0)) off();
		this.#peers.clear();
		this.#listeners.clear();
	}

	#connected(peer: PeerId): void {
		const nonce = newNonce();
		this.#peers.set(peer, {
			nonce,
			proved: false,
			early: [],
			answered: false,
			awarenessClients: new Set(),
			docAwarenessClients: new Map()
		});
		this.#send(peer, { type: 'hello', hello: this.#helloFor(nonce) });
	}

	#helloFor(nonce: string, answer = false): Hello {
		// Every device asks for a proof, with or without an identity of its own.
		const hello: Hello = { ...this.#hello, nonce };
		if (answer) hello.answer = true;
		return hello;
	}

	/** Whether the peer may be sent the document: it may read it, and it would accept it from this
	 *  device (a reader does not send a note it may not write). */
	#maySend(peer: Hello, docId: string): boolean {
		return this.#policy.mayShare(peer, docId) && this.#policy.mayWrite(this.#self, docId);
	}

	#disconnected(peer: PeerId): void {
		const state = this.#peers.get(peer);
		this.#peers.delete(peer);
		if (state && this.#awareness && state.awarenessClients.size) {
			removeAwarenessStates(this.#awareness, [...state.awarenessClients], { peer } satisfies PeerOrigin);
			// Forget their clocks too: when the peer comes back it resends the same state with the
			// same clock, which awareness would otherwise ignore as already seen.
			for (const id of state.awarenessClients) this.#awareness.meta.delete(id);
		}
		for (const [docId, clients] of state?.docAwarenessClients ?? []) {
			const awareness = this.#docAwareness.get(docId);
			if (!awareness) continue;
			removeAwarenessStates(awareness, [...clients], { peer } satisfies PeerOrigin);
			for (const id of clients) awareness.meta.delete(id);
		}
	}

	async #receive(from: PeerId, bytes: Uint8Array): Promise<void> {
		if (this.#destroyed) return;
		const state = this.#peers.get(from);
		if (!state) return;
		let m: SyncMessage;
		try {
			m = decodeMessage(bytes, this.#limits);
		} catch (err) {
			this.#reject(from, err instanceof ProtocolError ? err.message : String(err));
			return;
		}
		if (m.type === 'hello') {
			if (!m.hello.answer && !state.answered) {
				state.answered = true;
				this.#send(from, { type: 'hello', hello: this.#helloFor(state.nonce, true) });
			}
			if (state.hello) return this.#updated(from, state, state.hello, m.hello);
			if (state.pending) return;
			state.pending = m.hello;
			// Prove this device's identity by signing the nonce the peer chose for this connection.
			if (this.#identity && m.hello.nonce && !state.proved) {
				state.proved = true;
				this.#send(from, {
					type: 'proof',
					signature: await proveHello(this.#identity, m.hello.nonce, this.#net.peerId, from)
				});
			}
			if (!m.hello.key) return this.#introduce(from, state, m.hello);
			if (state.proof) return this.#checkProof(from, state, state.proof);
			return;
		}
		if (m.type === 'proof') {
			if (state.hello) return;
			if (!state.pending?.key) {
				state.proof = m.signature;
				return;
			}
			return this.#checkProof(from, state, m.signature);
		}
		if (!state.hello) {
			if (state.early.length < 10_000) state.early.push(bytes);
			return;
		}
		const peer = state.hello;
		switch (m.type) {
			case 'inventory':
				return this.#onInventory(from, peer, m.space, m.entries);
			case 'syncStep1': {
				if (!this.#policy.mayShare(peer, m.docId))
					return this.#reject(from, `asked for ${m.docId}, which it may not read`);
				if (!this.#maySend(peer, m.docId)) return; // it gets the document from those who may write it
				const doc = await this.#repo.find(m.docId);
				if (!doc) return;
				let update: Uint8Array;
				try {
					update = Y.encodeStateAsUpdate(doc, m.stateVector);
				} catch {
					return this.#reject(from, `malformed state vector for ${m.docId}`);
				}
				this.#send(from, { type: 'syncStep2', docId: m.docId, update });
				return;
			}
			case 'syncStep2':
			case 'update':
				return this.#apply(from, peer, m.docId, m.update);
			case 'awareness': {
				if (!this.#awareness) return;
				const before = new Set(this.#awareness.getStates().keys());
				try {
					applyAwarenessUpdate(this.#awareness, m.payload, { peer: from } satisfies PeerOrigin);
				} catch {
					return this.#reject(from, 'malformed awareness update');
				}
				for (const id of this.#awareness.getStates().keys())
					if (!before.has(id) && id !== this.#awareness.clientID) state.awarenessClients.add(id);
				return;
			}
			case 'docAwareness':
				return this.#onDocAwareness(from, state, m.docId, m.payload);
		}
	}

	/** An introduced peer announced a new floor (its agent moved): share what its new spaces hold. */
	async #updated(from: PeerId, state: PeerState, known: Hello, hello: Hello): Promise<void> {
		if (hello.agentId !== known.agentId || hello.key !== known.key) return;
		if (hello.floor === known.floor && hello.spaces.join() === known.spaces.join()) return;
		state.hello = { ...known, floor: hello.floor, spaces: hello.spaces };
		await this.#sendInventories(from, state.hello);
	}

	/** This agent moved to another floor (or just chose one): tell every peer, and share what the
	 *  new floor's space holds. */
	setFloor(floor: string): void {
		if (floor === this.#hello.floor) return;
		this.#hello.floor = this.#self.floor = floor;
		this.#hello.spaces = this.#self.spaces = this.#policy.spaces();
		for (const [peer, state] of this.#peers) {
			if (!state.hello) continue;
			this.#send(peer, { type: 'hello', hello: this.#helloFor(state.nonce, true) });
			this.#track(this.#sendInventories(peer, state.hello));
		}
	}

	/** Checks the peer's proof of its key; a peer that fails is introduced unproven (it still gets
	 *  the centre's shared documents, never personal ones) and the failure is reported. */
	async #checkProof(from: PeerId, state: PeerState, signature: Uint8Array): Promise<void> {
		const hello = state.pending!;
		state.proof = undefined;
		const ok = await verifyHello(hello.agentId, hello.key!, signature, state.nonce, from, this.#net.peerId);
		if (!ok) this.#reject(from, `could not prove it is ${hello.agentId}: treated as unproven`);
		if (this.#peers.get(from) !== state || state.hello) return;
		await this.#introduce(from, state, { ...hello, verified: ok });
	}

	/** The peer is known: share presence and carets, exchange inventories, then handle what it sent
	 *  meanwhile. */
	async #introduce(from: PeerId, state: PeerState, hello: Hello): Promise<void> {
		state.pending = undefined;
		state.hello = hello;
		if (this.#awareness?.getLocalState()) {
			this.#send(from, {
				type: 'awareness',
				payload: encodeAwarenessUpdate(this.#awareness, [this.#awareness.clientID])
			});
		}
		for (const [docId, awareness] of this.#docAwareness) {
			if (!awareness.getLocalState() || !this.#policy.mayShare(hello, docId)) continue;
			this.#send(from, {
				type: 'docAwareness',
				docId,
				payload: encodeAwarenessUpdate(awareness, [awareness.clientID])
			});
		}
		await this.#sendInventories(from, hello);
		for (const early of state.early.splice(0)) await this.#receive(from, early);
	}

	/** Who may read or write some documents changed (a note shared or withdrawn): ask each peer
	 *  allowed to write them for what this device lacks. The author's side is asked the same way by
	 *  its peers, whose own access records changed with the author's. */
	async #refresh(docIds: string[]): Promise<void> {
		for (const [peer, state] of this.#peers) {
			if (!state.hello) continue;
			for (const docId of docIds) {
				if (!this.#policy.mayWrite(state.hello, docId)) continue;
				const doc = await this.#repo.find(docId);
				this.#send(peer, { type: 'syncStep1', docId, stateVector: Y.encodeStateVector(doc ?? new Y.Doc()) });
			}
		}
	}

	#onDocAwareness(from: PeerId, state: PeerState, docId: string, payload: Uint8Array): void {
		if (!this.#policy.mayShare(state.hello!, docId))
			return this.#reject(from, `sent carets for ${docId}, which it may not read`);
		const awareness = this.#docAwareness.get(docId);
		if (!awareness) return; // not open here: nobody to show them to
		const before = new Set(awareness.getStates().keys());
		try {
			applyAwarenessUpdate(awareness, payload, { peer: from } satisfies PeerOrigin);
		} catch {
			return this.#reject(from, `malformed carets for ${docId}`);
		}
		let clients = state.docAwarenessClients.get(docId);
		if (!clients) state.docAwarenessClients.set(docId, (clients = new Set()));
		const after = awareness.getStates();
		// A closed editor's caret: forget its clock as well, since reopening the document starts a
		// new awareness whose clock restarts at zero.
		for (const id of before) {
			if (after.has(id)) continue;
			awareness.meta.delete(id);
			clients.delete(id);
		}
		let newcomer = false;
		for (const id of after.keys()) {
			if (before.has(id) || id === awareness.clientID) continue;
			clients.add(id);
			newcomer = true;
		}
		// Someone just opened the document: show them our caret too (they cannot have seen it).
		if (newcomer && awareness.getLocalState()) {
			this.#send(from, {
				type: 'docAwareness',
				docId,
				payload: encodeAwarenessUpdate(awareness, [awareness.clientID])
			});
		}
	}

	async #sendInventories(to: PeerId, peer: Hello): Promise<void> {
		const ids = await this.#repo.list();
		const bySpace = new Map<string, [string, string][]>();
		for (const id of ids) {
			const space = this.#policy.spaceOf(id);
			if (!space || !this.#maySend(peer, id)) continue;
			const doc = await this.#repo.open(id);
			let list = bySpace.get(space);
			if (!list) bySpace.set(space, (list = []));
			list.push([id, digest(Y.encodeStateVector(doc))]);
		}
		// Spaces we share but hold nothing of still get an (empty) inventory: the peer then
		// knows to send us everything it has there.
		for (const space of this.#hello.spaces)
			if (peer.spaces.includes(space) && !bySpace.has(space)) bySpace.set(space, []);
		for (const [space, entries] of bySpace) this.#send(to, { type: 'inventory', space, entries });
	}

	async #onInventory(from: PeerId, peer: Hello, space: string, entries: [string, string][]): Promise<void> {
		const theirs = new Map(entries);
		const held = new Set(await this.#repo.list());
		for (const id of theirs.keys()) {
			// Only what the peer may write here is asked for. (Its view of a note's access may differ
			// from this device's for a moment, so the space it lists a note under is not checked.)
			if (!this.#policy.mayWrite(peer, id)) continue;
			// A document we do not hold needs no storage read: ask for all of it.
			const doc = held.has(id) ? await this.#repo.find(id) : undefined;
			const mine = doc ? digest(Y.encodeStateVector(doc)) : undefined;
			if (mine === theirs.get(id)) continue;
			const sv = doc ? Y.encodeStateVector(doc) : Y.encodeStateVector(new Y.Doc());
			// Ask for what we lack; if they lack something, their own inventory round asks us.
			if (theirs.has(id)) this.#send(from, { type: 'syncStep1', docId: id, stateVector: sv });
		}
	}

	async #apply(from: PeerId, peer: Hello, docId: string, update: Uint8Array): Promise<void> {
		if (!this.#policy.mayWrite(peer, docId))
			return this.#reject(from, `sent ${docId}, which it may not write here`);
		const problem = checkUpdate(update);
		if (problem) return this.#reject(from, `update for ${docId} is ${problem}`);
		const doc = await this.#repo.open(docId);
		// Checked again after the wait: access may have changed meanwhile.
		if (!this.#policy.mayWrite(peer, docId))
			return this.#reject(from, `sent ${docId}, which it may not write here`);
		const refused = this.#policy.vetUpdate?.(peer, docId, doc, update);
		if (refused) return this.#reject(from, `update refused: it ${refused}`);
		try {
			Y.applyUpdate(doc, update, { peer: from } satisfies PeerOrigin);
		} catch (err) {
			this.#reject(
				from,
				`update for ${docId} could not be applied: ${err instanceof Error ? err.message : String(err)}`
			);
		}
	}

	#broadcast(docId: string, update: Uint8Array, origin: unknown): void {
		if (this.#destroyed) return;
		const source = isPeerOrigin(origin) ? origin.peer : undefined;
		for (const [peer, state] of this.#peers) {
			if (peer === source || !state.hello || !this.#maySend(state.hello, docId)) continue;
			this.#send(peer, { type: 'update', docId, update });
		}
	}

	#send(to: PeerId, m: SyncMessage): void {
		this.#net.send(to, encodeMessage(m));
	}

	#reject(from: PeerId, reason: string): void {
		const r = { from, reason };
		this.#rejected.push(r);
		if (this.#rejected.length > 1000) this.#rejected.shift();
		if (this.#listeners.size === 0) console.warn(`Plateau sync: rejected a message from ${from}: ${reason}`);
		for (const listener of this.#listeners) listener(r);
	}

	#track(p: Promise<void>): void {
		const tracked = p.catch((err: unknown) =>
			this.#reject('?', err instanceof Error ? err.message : String(err))
		);
		this.#work.add(tracked);
		void tracked.finally(() => this.#work.delete(tracked));
	}
}

function isPeerOrigin(origin: unknown): origin is PeerOrigin {
	return typeof origin === 'object' && origin !== null && typeof (origin as PeerOrigin).peer === 'string';
}
