// An in-memory network for tests: adapters joined to one hub. Deliveries can be held in a queue
// and released one at a time, in random order and with duplicates, from a seeded random source,
// so a convergence test replays exactly.
import { Emitter } from '../domain/emitter';
import type { NetworkAdapter, NetworkEvents, PeerId } from '../repo/network';

interface InFlight {
	from: PeerId;
	to: PeerId;
	message: Uint8Array;
}

export interface MemoryHubOptions {
	/** Hold messages until step()/flush() instead of delivering at once. */
	queued?: boolean;
	/** With `queued`: chance that a released message is also delivered a second time. */
	duplicate?: number;
	/** Random source for queue order and duplicates (seed it to replay). */
	random?: () => number;
}

export class MemoryHub {
	readonly #adapters = new Map<PeerId, MemoryNetworkAdapter>();
	/** Live links, each with the id both ends use as its channel binding (new on every relink). */
	readonly #links = new Map<string, string>();
	readonly #queue: InFlight[] = [];
	readonly #options: Required<MemoryHubOptions>;

	constructor(options: MemoryHubOptions = {}) {
		this.#options = { queued: false, duplicate: 0, random: Math.random, ...options };
	}

	/** A new adapter on this hub, linked to every peer already there. */
	join(peerId: PeerId): MemoryNetworkAdapter {
		const adapter = new MemoryNetworkAdapter(peerId, this);
		this.#adapters.set(peerId, adapter);
		for (const other of this.#adapters.keys()) if (other !== peerId) this.link(peerId, other);
		return adapter;
	}

	link(a: PeerId, b: PeerId): void {
		const key = linkKey(a, b);
		if (this.#links.has(key) || !this.#adapters.has(a) || !this.#adapters.has(b)) return;
		this.#links.set(key, crypto.randomUUID());
		this.#adapters.get(a)!._connected(b);
		this.#adapters.get(b)!._connected(a);
	}

	/** Cuts the link: both sides see the other disconnect; messages in flight are lost. */
	unlink(a: PeerId, b: PeerId): void {
		const key = linkKey(a, b);
		if (!this.#links.delete(key)) return;
		for (let i = this.#queue.length - 1; i >= 0; i--) {
			const m = this.#queue[i]!;
			if (linkKey(m.from, m.to) === key) this.#queue.splice(i, 1);
		}
		this.#adapters.get(a)?._disconnected(b);
		this.#adapters.get(b)?._disconnected(a);
	}

	_binding(a: PeerId, b: PeerId): string | undefined {
		return this.#links.get(linkKey(a, b));
	}

	linked(a: PeerId, b: PeerId): boolean {
		return this.#links.has(linkKey(a, b));
	}

	get pending(): number {
		return this.#queue.length;
	}

	/** Releases one queued message, chosen at random. Returns false when none is queued. */
	step(): boolean {
		if (this.#queue.length === 0) return false;
		const i = Math.floor(this.#options.random() * this.#queue.length);
		const [m] = this.#queue.splice(i, 1);
		this.#deliver(m!);
		if (this.#options.random() < this.#options.duplicate) this.#deliver(m!);
		return true;
	}

	flush(): void {
		while (this.step());
	}

	_send(from: PeerId, to: PeerId, message: Uint8Array): void {
		if (!this.#links.has(linkKey(from, to))) return;
		const m = { from, to, message: message.slice() };
		if (this.#options.queued) this.#queue.push(m);
		else this.#deliver(m);
	}

	_leave(peerId: PeerId): void {
		for (const other of [...this.#adapters.keys()]) if (other !== peerId) this.unlink(peerId, other);
		this.#adapters.delete(peerId);
	}

	#deliver(m: InFlight): void {
		if (!this.#links.has(linkKey(m.from, m.to))) return;
		this.#adapters.get(m.to)?._receive(m.from, m.message);
	}
}

function linkKey(a: PeerId, b: PeerId): string {
	return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export class MemoryNetworkAdapter implements NetworkAdapter {
	readonly #events = new Emitter<NetworkEvents>();
	readonly #peers = new Set<PeerId>();
	#destroyed = false;

	constructor(
		readonly peerId: PeerId,
		readonly hub: MemoryHub
	) {}

	peers(): PeerId[] {
		return [...this.#peers];
	}

	send(to: PeerId, message: Uint8Array): void {
		if (this.#destroyed || !this.#peers.has(to)) return;
		this.hub._send(this.peerId, to, message);
	}

	channelBinding(peer: PeerId): string | undefined {
		return this.#peers.has(peer) ? this.hub._binding(this.peerId, peer) : undefined;
	}

	/** Cuts the link to `peer` (both ends see the disconnect); the hub never relinks by itself. */
	disconnect(peer: PeerId, _reason: string): void {
		this.hub.unlink(this.peerId, peer);
	}

	on<E extends keyof NetworkEvents>(event: E, listener: NetworkEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	get listenerCount(): number {
		return this.#events.count();
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.hub._leave(this.peerId);
		this.#destroyed = true;
		this.#events.clear();
	}

	_connected(peer: PeerId): void {
		if (this.#destroyed || this.#peers.has(peer)) return;
		this.#peers.add(peer);
		this.#events.emit('peer-connected', peer);
	}

	_disconnected(peer: PeerId): void {
		if (!this.#peers.delete(peer)) return;
		this.#events.emit('peer-disconnected', peer);
	}

	_receive(from: PeerId, message: Uint8Array): void {
		if (!this.#destroyed && this.#peers.has(from)) this.#events.emit('message', from, message);
	}
}
