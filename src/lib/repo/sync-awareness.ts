// Presence over the sync connection: the centre-wide awareness (who is online) and, per open
// document, the carets of the agents editing it. Only proven peers are told or heard (presence
// names agents; an unproven peer reads the knowledge base only). Each side announces only its own
// state; what a peer announced is removed the moment it disconnects.
import {
	applyAwarenessUpdate,
	encodeAwarenessUpdate,
	removeAwarenessStates,
	type Awareness
} from 'y-protocols/awareness';
import { Disposer, type Dispose } from '../domain/emitter';
import type { PeerId } from './network';
import { isPeerOrigin, type PeerOrigin, type PeerState, type SyncContext } from './sync-peer';

interface AwarenessChange {
	added: number[];
	updated: number[];
	removed: number[];
}

export class PresenceSharing {
	readonly #ctx: SyncContext;
	readonly #awareness: Awareness | undefined;
	readonly #docAwareness = new Map<string, Awareness>();
	readonly #disposer = new Disposer();

	constructor(ctx: SyncContext, awareness: Awareness | undefined) {
		this.#ctx = ctx;
		this.#awareness = awareness;
		if (!awareness) return;
		const onUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
			// Only this device's own state is ours to announce; others announce theirs directly
			// (relaying them would resurrect the state of a page that has since closed).
			if (isPeerOrigin(origin) || ![...added, ...updated, ...removed].includes(awareness.clientID)) return;
			const payload = encodeAwarenessUpdate(awareness, [awareness.clientID]);
			for (const [peer, state] of this.#ctx.peers)
				if (state.hello?.verified) this.#ctx.send(peer, { type: 'awareness', payload });
		};
		awareness.on('update', onUpdate);
		this.#disposer.add(() => awareness.off('update', onUpdate));
	}

	/** A peer was just introduced: show it our presence and our carets in documents it may read. */
	introduce(to: PeerId, state: PeerState): void {
		const hello = state.hello!;
		if (!hello.verified) return;
		if (this.#awareness?.getLocalState()) {
			this.#ctx.send(to, {
				type: 'awareness',
				payload: encodeAwarenessUpdate(this.#awareness, [this.#awareness.clientID])
			});
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
		if (!this.#awareness || !state.hello?.verified) return;
		const before = new Set(this.#awareness.getStates().keys());
		try {
			applyAwarenessUpdate(this.#awareness, payload, { peer: from } satisfies PeerOrigin);
		} catch {
			return this.#ctx.reject(from, 'malformed awareness update');
		}
		for (const id of this.#awareness.getStates().keys())
			if (!before.has(id) && id !== this.#awareness.clientID) state.awarenessClients.add(id);
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

	/** The peer left: remove what it announced (and its clocks: when it comes back it resends the
	 *  same state with the same clock, which awareness would otherwise ignore as already seen). */
	forget(peer: PeerId, state: PeerState): void {
		if (this.#awareness && state.awarenessClients.size) {
			removeAwarenessStates(this.#awareness, [...state.awarenessClients], { peer } satisfies PeerOrigin);
			for (const id of state.awarenessClients) this.#awareness.meta.delete(id);
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
