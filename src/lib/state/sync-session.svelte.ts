// The live sync state the UI shows: connection status, peers, who is online (presence), and a
// wrong-secret warning. Owns the Synchronizer and presence for one centre; destroy() releases all.
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { AgentProfile, Availability } from '../domain/centre';
import type { PublishRights } from '../domain/revision';
import type { NetworkAdapter } from '../repo/network';
import type { Repo } from '../repo/repo';
import type { AgentIdentity } from '../repo/identity';
import type { NoteAccessLookup } from '../repo/note-access';
import { CentreSharePolicy } from '../repo/share-policy';
import { Synchronizer } from '../repo/sync';

/** What the UI needs of the signaling connection (SignalingClient fits). */
export interface SignalingStatus {
	readonly state: 'connecting' | 'open' | 'closed';
	on(event: 'state', listener: (state: 'connecting' | 'open' | 'closed') => void): () => void;
	on(event: 'decrypt-error', listener: (topic: string, error: Error) => void): () => void;
	/** Skips any reconnection delay (the browser just came back online). */
	reconnectNow(): void;
	destroy(): void;
}

export interface Connection {
	network: NetworkAdapter;
	signaling: SignalingStatus;
	/** Opens the centre's pairing channel (device pairing by code); absent in tests without one. */
	pairing?: () => PairingChannel;
	/** Tells the network this agent's floor changed (peers choose links by it); absent if unused. */
	setProfile?: (profile: MeshPeerProfile) => void;
}

/** What a device tells the centre's peers about itself when it looks for links. */
export interface MeshPeerProfile {
	floor: string;
	agentId?: string;
}

/** Messages between devices pairing by code, over the centre's signaling (encrypted there with the
 *  centre key; the pairing payload is encrypted again with the code's key). */
export interface PairingChannel {
	send(message: unknown): Promise<boolean>;
	/** Listens to messages from other devices; returns the unsubscribe function. */
	onMessage(listener: (message: unknown) => void): () => void;
	close(): void;
}

export type SyncStatus = 'offline' | 'connecting' | 'alone' | 'syncing' | 'up-to-date';

export interface PresenceEntry {
	clientId: number;
	agentId: string;
	name: string;
	floor: string;
	availability: Availability;
	self: boolean;
}

export class SyncSession {
	status = $state<SyncStatus>('connecting');
	peerCount = $state(0);
	presence = $state.raw<PresenceEntry[]>([]);
	/** Messages from the centre's topic that this device's secret cannot read. */
	decryptErrors = $state(0);
	/** Messages from peers refused since the session started (malformed, oversized, or changing a
	 *  document the peer may not write), and why the last one was. */
	refused = $state(0);
	lastRefusal = $state('');
	/** Someone on the centre's topic uses another secret and this device reaches nobody. Which side
	 *  is wrong cannot be told from the messages; the UI asks the device that has no content yet. */
	readonly foreignSecret = $derived(this.decryptErrors > 0 && this.peerCount === 0);

	readonly sync: Synchronizer;
	readonly awareness: Awareness;
	readonly #connection: Connection;
	readonly #off: (() => void)[] = [];
	#busyTimer: ReturnType<typeof setTimeout> | undefined;
	#busy = false;
	#online = true;
	#floor: string;

	constructor(
		repo: Repo,
		connection: Connection,
		agentId: string,
		floor: string,
		options: {
			identity?: AgentIdentity;
			notes?: NoteAccessLookup;
			floorOf?: (agentId: string) => string | undefined;
			seed?: (docId: string) => Promise<Uint8Array | undefined>;
			/** Who may publish an article of a topic (publications from peers are checked with it). */
			publishRights?: PublishRights;
		} = {}
	) {
		this.#connection = connection;
		this.#floor = floor;
		this.awareness = new Awareness(new Y.Doc());
		this.awareness.setLocalState(null);
		this.sync = new Synchronizer({
			repo,
			network: connection.network,
			policy: new CentreSharePolicy(agentId, {
				floor: () => this.#floor,
				notes: options.notes,
				floorOf: options.floorOf,
				publishRights: options.publishRights
			}),
			seed: options.seed,
			agentId,
			floor,
			awareness: this.awareness,
			identity: options.identity
		});
		const net = connection.network;
		const refresh = () => this.#refresh();
		const onPresence = () => this.#readPresence();
		this.awareness.on('change', onPresence);
		this.#off.push(
			() => this.awareness.off('change', onPresence),
			net.on('peer-connected', refresh),
			net.on('peer-disconnected', refresh),
			net.on('message', () => this.#activity()),
			connection.signaling.on('state', refresh),
			connection.signaling.on('decrypt-error', () => (this.decryptErrors += 1)),
			this.sync.onRejected((r) => {
				this.refused += 1;
				this.lastRefusal = r.reason;
				console.warn(`Plateau sync: rejected a message from ${r.from}: ${r.reason}`);
			})
		);
		this.#refresh();
	}

	/** Publishes who this agent is to the centre (or withdraws it with null). */
	setPresence(profile: AgentProfile | null): void {
		this.awareness.setLocalState(
			profile
				? {
						agentId: profile.id,
						name: profile.name,
						floor: profile.floor,
						availability: profile.availability
					}
				: null
		);
	}

	/** The agent chose or changed their floor: peers learn it, and floor-shared notes follow. */
	setFloor(floor: string): void {
		this.#floor = floor;
		this.sync.setFloor(floor);
	}

	/** The browser's own online/offline signal. */
	setOnline(online: boolean): void {
		if (online && !this.#online) this.#connection.signaling.reconnectNow();
		this.#online = online;
		this.#refresh();
	}

	destroy(): void {
		clearTimeout(this.#busyTimer);
		for (const off of this.#off.splice(0)) off();
		this.sync.destroy();
		this.awareness.destroy();
	}

	#activity(): void {
		if (this.peerCount === 0) return;
		this.#busy = true;
		this.status = 'syncing';
		clearTimeout(this.#busyTimer);
		// Up to date once received messages are handled and the line has been quiet for a moment.
		this.#busyTimer = setTimeout(() => {
			void this.sync.idle().then(() => {
				this.#busy = false;
				this.#refresh();
			});
		}, 300);
	}

	#refresh(): void {
		this.peerCount = this.#connection.network.peers().length;
		const signaling = this.#connection.signaling.state;
		if (this.peerCount > 0) this.status = this.#busy ? 'syncing' : 'up-to-date';
		else if (!this.#online || signaling === 'closed') this.status = 'offline';
		else if (signaling === 'connecting') this.status = 'connecting';
		else this.status = 'alone';
	}

	#readPresence(): void {
		const out: PresenceEntry[] = [];
		for (const [clientId, state] of this.awareness.getStates()) {
			const s = state as Partial<PresenceEntry> | null;
			if (!s || typeof s.name !== 'string' || typeof s.agentId !== 'string') continue;
			out.push({
				clientId,
				agentId: s.agentId,
				name: s.name.slice(0, 80),
				floor: typeof s.floor === 'string' ? s.floor : '',
				availability: s.availability === 'busy' || s.availability === 'away' ? s.availability : 'available',
				self: clientId === this.awareness.clientID
			});
		}
		this.presence = out.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
	}
}
