// The hub bus inside one process, for unit tests of hubs that scale out: a MemoryBusNetwork stands
// for the Redis server, and each joined MemoryHubBus for one instance's connection to it. `drop()`
// cuts an instance off the way a lost connection would: it misses what is published meanwhile,
// then comes back with its subscriptions and a resync, as the Redis bus does.
import { randomUUID } from 'node:crypto';
import { Disposer, Emitter, type Dispose } from '../domain/emitter';
import type { HubBus, HubMessage, HubMessageKind, HubSubscription } from './hub-bus';

export class MemoryBusNetwork {
	readonly #members = new Set<MemoryHubBus>();

	join(instanceId: string = randomUUID()): MemoryHubBus {
		const bus = new MemoryHubBus(this, instanceId, () => this.#members.delete(bus));
		this.#members.add(bus);
		return bus;
	}

	/** Cuts `bus` off: it loses every message published until it reconnects (a macrotask later). */
	async drop(bus: MemoryHubBus): Promise<void> {
		bus.connected = false;
		await new Promise((r) => setTimeout(r, 0));
		if (!this.#members.has(bus)) return;
		bus.connected = true;
		bus.resynced();
	}

	deliver(message: HubMessage): void {
		for (const member of this.#members) if (member.instanceId !== message.from) member.receive(message);
	}
}

export class MemoryHubBus implements HubBus {
	readonly instanceId: string;
	connected = true;
	readonly #network: MemoryBusNetwork;
	readonly #listeners = new Map<string, Set<(message: HubMessage) => void>>();
	readonly #events = new Emitter<{ resync: () => void; error: (error: Error) => void }>();
	readonly #disposer = new Disposer();
	#destroyed = false;

	constructor(network: MemoryBusNetwork, instanceId: string, leave: Dispose) {
		this.#network = network;
		this.instanceId = instanceId;
		this.#disposer.add(
			leave,
			() => this.#events.clear(),
			() => this.#listeners.clear()
		);
	}

	async publish(docId: string, kind: HubMessageKind, data: Uint8Array): Promise<void> {
		if (this.#destroyed) throw new Error('This hub bus was destroyed.');
		const message = { docId, kind, data: data.slice(), from: this.instanceId };
		// Asynchronous like a real bus, in publishing order.
		queueMicrotask(() => this.#network.deliver(message));
	}

	subscribe(docId: string, listener: (message: HubMessage) => void): HubSubscription {
		let set = this.#listeners.get(docId);
		if (!set) this.#listeners.set(docId, (set = new Set()));
		const mine = (m: HubMessage) => listener(m);
		set.add(mine);
		const off = () => {
			set.delete(mine);
			if (set.size === 0 && this.#listeners.get(docId) === set) this.#listeners.delete(docId);
		};
		return Object.assign(off, { ready: Promise.resolve() });
	}

	onResync(listener: () => void): Dispose {
		return this.#events.on('resync', listener);
	}

	onError(listener: (error: Error) => void): Dispose {
		return this.#events.on('error', listener);
	}

	async destroy(): Promise<void> {
		this.#destroyed = true;
		this.#disposer.dispose();
	}

	/** @internal the network's delivery. */
	receive(message: HubMessage): void {
		if (!this.connected || this.#destroyed) return;
		for (const listener of [...(this.#listeners.get(message.docId) ?? [])])
			listener({ ...message, data: message.data.slice() });
	}

	/** @internal the network's reconnection. */
	resynced(): void {
		if (!this.#destroyed) this.#events.emit('resync');
	}
}
