// Several transports seen as one NetworkAdapter, so one Synchronizer serves them all: a browser's
// WebRTC links and its WebSocket to the hub (where a network blocks WebRTC); a hub's WebRTC links and
// the browsers on its WebSocket. Each peer is reached over one transport at a time: the first that
// connects it. A second connection of the same peer on another transport is left unused (its
// messages ignored), and takes over only after the first one closes, as a new connection (the
// Synchronizer then runs a new handshake on it: its proof is bound to that transport's channel).
import { Disposer, Emitter, type Dispose } from '../domain/emitter';
import type { NetworkAdapter, NetworkEvents, PeerId } from '../repo/network';

export class CompositeNetwork implements NetworkAdapter {
	readonly peerId: PeerId;
	readonly #adapters = new Map<NetworkAdapter, Disposer>();
	/** Which transport each connected peer is reached over. */
	readonly #route = new Map<PeerId, NetworkAdapter>();
	readonly #events = new Emitter<NetworkEvents>();
	#destroyed = false;

	constructor(peerId: PeerId, adapters: NetworkAdapter[] = []) {
		this.peerId = peerId;
		for (const adapter of adapters) this.add(adapter);
	}

	/** Adds a transport (its peers connect through it from now on). Returns the function that
	 *  removes it: its peers disconnect, unless another transport reaches them. The adapter itself
	 *  is not destroyed by removal. */
	add(adapter: NetworkAdapter): Dispose {
		if (this.#destroyed) throw new Error('CompositeNetwork: destroyed');
		if (this.#adapters.has(adapter)) return () => this.#remove(adapter);
		const disposer = new Disposer();
		this.#adapters.set(adapter, disposer);
		disposer.add(
			adapter.on('peer-connected', (peer) => this.#connected(adapter, peer)),
			adapter.on('peer-disconnected', (peer) => this.#disconnected(adapter, peer)),
			adapter.on('message', (from, message) => {
				if (this.#route.get(from) === adapter) this.#events.emit('message', from, message);
			})
		);
		for (const peer of adapter.peers()) this.#connected(adapter, peer);
		return () => this.#remove(adapter);
	}

	/** The transports in use. */
	adapters(): NetworkAdapter[] {
		return [...this.#adapters.keys()];
	}

	/** The transport a peer is reached over, if connected. */
	transportOf(peer: PeerId): NetworkAdapter | undefined {
		return this.#route.get(peer);
	}

	peers(): PeerId[] {
		return [...this.#route.keys()];
	}

	send(to: PeerId, message: Uint8Array): void {
		this.#route.get(to)?.send(to, message);
	}

	on<E extends keyof NetworkEvents>(event: E, listener: NetworkEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	channelBinding(peer: PeerId): string | undefined {
		return this.#route.get(peer)?.channelBinding(peer);
	}

	disconnect(peer: PeerId, reason: string): void {
		// A peer that broke the protocol is cut on every transport, not only the one in use.
		for (const adapter of this.#adapters.keys())
			if (adapter.peers().includes(peer)) adapter.disconnect(peer, reason);
		this.#disconnected(this.#route.get(peer), peer);
	}

	/** Leaves every transport (destroying them). */
	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.#destroyed = true;
		const adapters = [...this.#adapters.keys()];
		for (const disposer of this.#adapters.values()) disposer.dispose();
		this.#adapters.clear();
		this.#route.clear();
		this.#events.clear();
		await Promise.all(adapters.map((a) => a.destroy()));
	}

	#connected(adapter: NetworkAdapter, peer: PeerId): void {
		if (peer === this.peerId || this.#route.has(peer)) return;
		this.#route.set(peer, adapter);
		this.#events.emit('peer-connected', peer);
	}

	#disconnected(adapter: NetworkAdapter | undefined, peer: PeerId): void {
		if (!adapter || this.#route.get(peer) !== adapter) return;
		this.#route.delete(peer);
		this.#events.emit('peer-disconnected', peer);
		// Another transport still reaching the peer takes over, as a new connection.
		for (const other of this.#adapters.keys())
			if (other !== adapter && other.peers().includes(peer)) return this.#connected(other, peer);
	}

	#remove(adapter: NetworkAdapter): void {
		const disposer = this.#adapters.get(adapter);
		if (!disposer) return;
		disposer.dispose();
		this.#adapters.delete(adapter);
		for (const [peer, via] of [...this.#route]) if (via === adapter) this.#disconnected(adapter, peer);
	}
}
