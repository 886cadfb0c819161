// The hub bus over Redis pub/sub, for hub instances of one centre running as separate processes or
// machines (a hub given REDIS_URL). One channel per document, `<prefix>doc:<docId>`, so Redis sends a
// message only to the instances that have that document open; an instance subscribes to a channel
// once however many local listeners it has. Two connections per instance: a subscriber connection
// cannot publish.
//
// Redis pub/sub keeps nothing: a message published while an instance is disconnected never reaches
// it. So subscriptions are restored by this class, not by ioredis (whose automatic resubscription
// cannot be awaited), and once both connections are back and every channel is subscribed again the
// bus emits `resync` (see hub-bus.ts for what the hub does then). A publish made while disconnected
// waits in ioredis's queue for the reconnection (and may then be sent twice, which Yjs tolerates).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Disposer, Emitter, type Dispose } from '../domain/emitter';
import {
	decodeHubMessage,
	encodeHubMessage,
	type HubBus,
	type HubMessage,
	type HubMessageKind,
	type HubSubscription
} from './hub-bus';

export interface RedisHubBusOptions {
	/** `redis://host:port`. */
	url: string;
	/** Starts every channel name: one per centre (and per deployment sharing a Redis server), e.g.
	 *  `plateau:<centre id>:`. */
	prefix: string;
	/** This instance's id; a random UUID by default. */
	instanceId?: string;
}

interface Channel {
	listeners: Set<(message: HubMessage) => void>;
	ready: Promise<void>;
}

export class RedisHubBus implements HubBus {
	readonly instanceId: string;
	readonly prefix: string;
	/** Shown by CLIENT LIST, so an operator (or a test) can tell this instance's connections. */
	readonly connectionName: string;
	readonly #pub: Redis;
	readonly #sub: Redis;
	readonly #channels = new Map<string, Channel>();
	readonly #events = new Emitter<{ resync: () => void; error: (error: Error) => void }>();
	readonly #disposer = new Disposer();
	#destroyed = false;
	/** A connection dropped since the last resync (or the start). */
	#dropped = false;
	/** The subscriber connection is up and has every channel subscribed. */
	#subscribed = false;

	constructor(options: RedisHubBusOptions) {
		this.instanceId = options.instanceId ?? randomUUID();
		this.prefix = options.prefix;
		this.connectionName = `plateau-hub-bus:${this.instanceId.replace(/[^\w.:-]/g, '_')}`;
		const common = { connectionName: this.connectionName, lazyConnect: false };
		this.#pub = new Redis(options.url, common);
		this.#sub = new Redis(options.url, { ...common, autoResubscribe: false });

		const onError = (err: Error) => this.#events.emit('error', err);
		const onMessage = (channel: Buffer, data: Buffer) => this.#receive(channel.toString(), data);
		const onDrop = () => {
			if (this.#destroyed) return;
			this.#dropped = true;
			this.#subscribed = false;
		};
		const onPubDrop = () => {
			if (!this.#destroyed) this.#dropped = true;
		};
		const onSubReady = () => void this.#resubscribe();
		const onPubReady = () => this.#maybeResync();
		this.#pub.on('error', onError);
		this.#sub.on('error', onError);
		this.#sub.on('messageBuffer', onMessage);
		this.#sub.on('close', onDrop);
		this.#pub.on('close', onPubDrop);
		this.#sub.on('ready', onSubReady);
		this.#pub.on('ready', onPubReady);
		this.#disposer.add(
			() => this.#pub.off('error', onError),
			() => this.#sub.off('error', onError),
			() => this.#sub.off('messageBuffer', onMessage),
			() => this.#sub.off('close', onDrop),
			() => this.#pub.off('close', onPubDrop),
			() => this.#sub.off('ready', onSubReady),
			() => this.#pub.off('ready', onPubReady),
			() => this.#events.clear(),
			() => this.#channels.clear()
		);
	}

	async publish(docId: string, kind: HubMessageKind, data: Uint8Array): Promise<void> {
		if (this.#destroyed) throw new Error('This hub bus was destroyed.');
		const wire = encodeHubMessage(kind, this.instanceId, data);
		await this.#pub.publish(this.#channel(docId), Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength));
	}

	subscribe(docId: string, listener: (message: HubMessage) => void): HubSubscription {
		if (this.#destroyed) throw new Error('This hub bus was destroyed.');
		const name = this.#channel(docId);
		let channel = this.#channels.get(name);
		if (!channel) {
			const ready = this.#sub.subscribe(name).then(() => undefined);
			channel = { listeners: new Set(), ready };
			this.#channels.set(name, channel);
			ready.catch((err: Error) => this.#events.emit('error', err));
		}
		const mine = (m: HubMessage) => listener(m);
		channel.listeners.add(mine);
		const current = channel;
		const off = () => {
			current.listeners.delete(mine);
			if (current.listeners.size > 0 || this.#channels.get(name) !== current) return;
			this.#channels.delete(name);
			if (!this.#destroyed)
				this.#sub.unsubscribe(name).catch((err: Error) => this.#events.emit('error', err));
		};
		return Object.assign(off, { ready: current.ready });
	}

	/** Both connections are up and every channel is subscribed. */
	get connected(): boolean {
		return this.#subscribed && this.#pub.status === 'ready' && this.#sub.status === 'ready';
	}

	/** Resolves once the subscriber connection has handled every command sent before (a PING, which
	 *  Redis accepts in subscriber mode): for tests and for a hub that must know an unsubscribe landed. */
	async roundTrip(): Promise<void> {
		await this.#sub.ping();
	}

	onResync(listener: () => void): Dispose {
		return this.#events.on('resync', listener);
	}

	onError(listener: (error: Error) => void): Dispose {
		return this.#events.on('error', listener);
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.#destroyed = true;
		this.#disposer.dispose();
		// Waits for publishes already sent when connected; drops the connection otherwise.
		await Promise.all(
			[this.#pub, this.#sub].map(async (c) => {
				if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
				else c.disconnect();
			})
		);
	}

	/** Subscribes again to every channel after the subscriber connection came back. */
	async #resubscribe(): Promise<void> {
		const names = [...this.#channels.keys()];
		try {
			if (names.length > 0) await this.#sub.subscribe(...names);
		} catch (err) {
			// The connection dropped again; its next 'ready' retries.
			this.#events.emit('error', err as Error);
			return;
		}
		if (this.#destroyed || this.#sub.status !== 'ready') return;
		this.#subscribed = true;
		this.#maybeResync();
	}

	#maybeResync(): void {
		if (this.#destroyed || !this.#dropped || !this.#subscribed || this.#pub.status !== 'ready') return;
		this.#dropped = false;
		this.#events.emit('resync');
	}

	#receive(channel: string, data: Buffer): void {
		if (!channel.startsWith(`${this.prefix}doc:`)) return;
		const docId = channel.slice(this.prefix.length + 4);
		const message = decodeHubMessage(docId, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
		if (!message || message.from === this.instanceId) return;
		for (const listener of [...(this.#channels.get(channel)?.listeners ?? [])])
			listener({ ...message, data: message.data.slice() });
	}

	#channel(docId: string): string {
		return `${this.prefix}doc:${docId}`;
	}
}
