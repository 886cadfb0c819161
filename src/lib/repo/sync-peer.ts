// What the Synchronizer's phases (handshake, anti-entropy, live updates, awareness) share: the state
// kept per connected peer and the few services of the Synchronizer each phase calls.
import type { NetworkAdapter, PeerId } from './network';
import type { RateLimitedInbox } from './rate-limit';
import type { Repo } from './repo';
import type { SharePolicy } from './share-policy';
import type { Hello, SyncMessage } from './sync-protocol';
import type { PeerSignedState } from './sync-signed';

/** Transaction origin of updates received from a peer (so they are not sent back to it). */
export interface PeerOrigin {
	peer: PeerId;
}

export function isPeerOrigin(origin: unknown): origin is PeerOrigin {
	return typeof origin === 'object' && origin !== null && typeof (origin as PeerOrigin).peer === 'string';
}

export interface PeerState {
	/** Set once the peer is introduced: its hello, `verified` if it proved its key on this
	 *  connection (its agent id is then the key's). */
	hello?: Hello;
	/** Its hello, while its proof is awaited. */
	pending?: Hello;
	/** A proof that arrived before the hello it belongs to. */
	proof?: Uint8Array;
	/** The nonce this side chose for the connection (in every hello it sends there). */
	nonce: string;
	/** This side sent its own proof: the peer can know who we are (so our writes are not refused). */
	proved: boolean;
	answered: boolean;
	/** Messages that arrived before the handshake completed, bounded in count and bytes. */
	early: Uint8Array[];
	earlyBytes: number;
	/** Disconnects the peer if its handshake is not done in time. */
	deadline: ReturnType<typeof setTimeout> | undefined;
	/** Documents asked for with step 1 and not answered yet: their step 2 is expected, not
	 *  rate-limited (an empty device asks for thousands at once). */
	asked: Set<string>;
	/** Documents asked for in full because this device did not hold them (not in storage when the
	 *  inventory came): the answer may become the document without a storage read (sync-live.ts). */
	absent: Set<string>;
	/** Live messages, within the peer's rate budget. */
	inbox: RateLimitedInbox;
	/** Awareness client ids this peer has told us about, removed when it disconnects (not after
	 *  awareness's 30 s timeout). */
	awarenessClients: Set<number>;
	/** The same, per open document (carets). */
	docAwarenessClients: Map<string, Set<number>>;
	/** Signed entries: key chains named by reference, work in order (sync-signed.ts). */
	signed: PeerSignedState;
}

/** The Synchronizer's services the phases use. */
export interface SyncContext {
	readonly repo: Repo;
	readonly net: NetworkAdapter;
	readonly policy: SharePolicy;
	readonly peers: ReadonlyMap<PeerId, PeerState>;
	readonly destroyed: boolean;
	send(to: PeerId, m: SyncMessage): void;
	/** Reports a refused message; the session goes on. */
	reject(from: PeerId, reason: string): void;
	/** Counts work in progress (idle() waits for it); reports its failure. */
	track(p: Promise<void>): void;
	/** Whether the peer may be sent the document: it may read it, and it would accept it from
	 *  this device (a reader does not send a note it may not write). */
	maySend(state: PeerState, docId: string): boolean;
	/** This device's hello as announced (spaces, floor). */
	readonly self: Hello;
}
