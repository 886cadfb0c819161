// Presence over the sync connection: the centre-wide awareness (who is online) and, per open
// document, the carets of the agents editing it. Only proven peers are told or heard (presence
// names agents; an unproven peer reads the knowledge base only).
//
// Who is online reaches everyone through the overlay (docs/decisions.md › "Presence through the
// overlay"): links are bounded, so most agents are not neighbours. A change heard from one
// neighbour is passed on to the others; y-protocols ignores a clock it has already seen, so each
// change crosses each link at most twice and stops. The neighbour that first brought a client's
// latest clock is its route; when a neighbour leaves, the clients routed through it are removed
// here and the removal passed on. If such a client is in fact still online through another path,
// the removal reaches it and y-protocols makes it re-assert its state with a higher clock, which
// wins everywhere (a flicker of one round trip). A device renews its own state
// (clock + 1) on every new link, so a state removed while it was away is taken again. Timeouts
// (y-protocols' 30 s) are each device's own business and not passed on. Bounds: awareness-bounds.ts.
//
// Carets stay between neighbours: they change at typing speed and matter to the co-editors only.
import {
	applyAwarenessUpdate,
	encodeAwarenessUpdate,
	removeAwarenessStates,
	type Awareness
} from 'y-protocols/awareness';
import { Disposer, type Dispose } from '../domain/emitter';
import {
	boundAwarenessUpdate,
	defaultPresenceLimits,
	pruneAwarenessMeta,
	writeAwarenessUpdate,
	type PresenceLimits
} from './awareness-bounds';
import type { PeerId } from './network';
import { isPeerOrigin, type PeerOrigin, type PeerState, type SyncContext } from './sync-peer';

interface AwarenessChange {
	added: number[];
	updated: number[];
	removed: number[];
}

/** Origin of a removal this device makes when a neighbour leaves: passed on like a neighbour's. */
interface DepartureOrigin extends PeerOrigin {
	departed: true;
}

/** A state is introduced to a new neighbour only if renewed this recently (y-protocols renews every
 *  15 s and times out after 30 s). */
const SNAPSHOT_FRESH_MS = 20_000;

/** Clocks of departed clients kept at least this long (a late copy of their state is ignored). */
const META_KEEP_MS = 10 * 60_000;

export class PresenceSharing {
	readonly #ctx: SyncContext;
	readonly #awareness: Awareness | undefined;
	readonly #limits: PresenceLimits;
	readonly #docAwareness = new Map<string, Awareness>();
	readonly #disposer = new Disposer();

	constructor(ctx: SyncContext, awareness: Awareness | undefined, limits: Partial<PresenceLimits> = {}) {
		this.#ctx = ctx;
		this.#awareness = awareness;
		this.#limits = { ...defaultPresenceLimits, ...limits };
		if (!awareness) return;
		const onUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
			if (this.#ctx.destroyed) return;
			const changed = [...added, ...updated, ...removed];
			// A removed client is nobody's any more: no neighbour speaks for it now.
			for (const id of removed)
				for (const state of this.#ctx.peers.values()) state.awarenessClients.delete(id);
			const own = changed.includes(awareness.clientID);
			if (!isPeerOrigin(origin)) {
				// This device's own changes go to every neighbour; timeouts stay here.
				if (own) this.#broadcast(encodeAwarenessUpdate(awareness, [awareness.clientID]));
				return;
			}
			// Heard from a neighbour (or a neighbour's departure): passed on to the others. A
			// removal of this device's own state was just re-asserted by y-protocols: everyone,
			// the sender included, hears that.
			const departed = (origin as Partial<DepartureOrigin>).departed === true;
			this.#broadcast(encodeAwarenessUpdate(awareness, changed), own || departed ? undefined : origin.peer);
		};
		awareness.on('update', onUpdate);
		this.#disposer.add(() => awareness.off('update', onUpdate));
	}

	/** A peer was just introduced: show it who is online (our own state renewed, so that a removal
	 *  made while we were apart is overridden) and our carets in documents it may read. */
	introduce(to: PeerId, state: PeerState): void {
		const hello = state.hello!;
		if (!hello.verified) return;
		const awareness = this.#awareness;
		if (awareness) {
			// Only states renewed lately: a page that closed without a goodbye stops renewing, and
			// is not introduced to anyone new (the receiver would hold it for another timeout).
			const now = Date.now();
			const others = [...awareness.getStates().keys()].filter(
				(id) =>
					id !== awareness.clientID && now - (awareness.meta.get(id)?.lastUpdated ?? 0) < SNAPSHOT_FRESH_MS
			);
			if (others.length)
				this.#ctx.send(to, { type: 'awareness', payload: encodeAwarenessUpdate(awareness, others) });
			// Renewing emits an update, which goes to every neighbour (this one included).
			const local = awareness.getLocalState();
			if (local) awareness.setLocalState(local);
		}
		for (const [docId, awareness] of this.#docAwareness) {
			if (!awareness.getLocalState() || !this.#ctx.policy.mayShare(hello, docId)) continue;
			this.#ctx.send(to, {
				type: 'docAwareness',
				docId,
				payload: encodeAwarenessUpdate(awareness, [awareness.clientID])
			});
		}
	}

	onAwareness(from: PeerId, state: PeerState, payload: Uint8Array): void {
		const awareness = this.#awareness;
		if (!awareness || !state.hello?.verified) return;
		const bounded = boundAwarenessUpdate(awareness, payload, this.#limits);
		if ('refused' in bounded) return this.#ctx.reject(from, bounded.refused);
		pruneAwarenessMeta(awareness, 2 * this.#limits.maxClients, META_KEEP_MS);
		// This neighbour becomes the route of the clients it brings news of (a clock not seen yet);
		// a copy of what another neighbour already brought changes nothing.
		const fresh = bounded.entries.filter((e) => {
			if (e.client === awareness.clientID || e.state === 'null') return false;
			return (awareness.meta.get(e.client)?.clock ?? -1) < e.clock;
		});
		if (bounded.entries.length === 0) return;
		applyAwarenessUpdate(awareness, writeAwarenessUpdate(bounded.entries), {
			peer: from
		} satisfies PeerOrigin);
		for (const e of fresh) {
			for (const other of this.#ctx.peers.values()) other.awarenessClients.delete(e.client);
			state.awarenessClients.add(e.client);
		}
	}

	#broadcast(payload: Uint8Array, except?: PeerId): void {
		for (const [peer, state] of this.#ctx.peers)
			if (peer !== except && state.hello?.verified) this.#ctx.send(peer, { type: 'awareness', payload });
	}

	onDocAwareness(from: PeerId, state: PeerState, docId: string, payload: Uint8Array): void {
		if (!state.hello?.verified) return;
		if (!this.#ctx.policy.mayShare(state.hello, docId))
			return this.#ctx.reject(from, `sent carets for ${docId}, which it may not read`);
		const awareness = this.#docAwareness.get(docId);
		if (!awareness) return; // not open here: nobody to show them to
		const before = new Set(awareness.getStates().keys());
		try {
			applyAwarenessUpdate(awareness, payload, { peer: from } satisfies PeerOrigin);
		} catch {
			return this.#ctx.reject(from, `malformed carets for ${docId}`);
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
			this.#ctx.send(from, {
				type: 'docAwareness',
				docId,
				payload: encodeAwarenessUpdate(awareness, [awareness.clientID])
			});
		}
	}

	/** Shares the carets of one open document with the peers allowed to read it, while it stays
	 *  open. Returns the stop function, which tells the peers our caret is gone. */
	shareDocAwareness(docId: string, awareness: Awareness): Dispose {
		this.#docAwareness.set(docId, awareness);
		const announce = () => {
			const payload = encodeAwarenessUpdate(awareness, [awareness.clientID]);
			for (const [peer, state] of this.#ctx.peers) {
				if (!state.hello?.verified || !this.#ctx.policy.mayShare(state.hello, docId)) continue;
				this.#ctx.send(peer, { type: 'docAwareness', docId, payload });
			}
		};
		const onUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
			if (
				this.#ctx.destroyed ||
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
			for (const state of this.#ctx.peers.values()) state.docAwarenessClients.delete(docId);
		};
	}

	/** The peer left (its state is already out of ctx.peers): remove the clients whose news came
	 *  through it, and pass the removal on; forget its carets (and their clocks: when it
	 *  comes back it resends the same caret with the same clock, which awareness would ignore). */
	forget(peer: PeerId, state: PeerState): void {
		const awareness = this.#awareness;
		if (awareness && state.awarenessClients.size) {
			const gone = [...state.awarenessClients].filter((id) => awareness.states.has(id));
			state.awarenessClients.clear();
			if (gone.length)
				removeAwarenessStates(awareness, gone, { peer, departed: true } satisfies DepartureOrigin);
		}
		for (const [docId, clients] of state.docAwarenessClients) {
			const awareness = this.#docAwareness.get(docId);
			if (!awareness) continue;
			removeAwarenessStates(awareness, [...clients], { peer } satisfies PeerOrigin);
			for (const id of clients) awareness.meta.delete(id);
		}
	}

	destroy(): void {
		this.#disposer.dispose();
	}
}
