// Topic fan-out: which connections hold which topic, and a publish delivered to each of them,
// encoded once whatever the number of subscribers. With a bus (several relay instances behind a
// load balancer, docs/decisions.md › "Relay fan-out across instances"), a topic's subscribers are
// spread over the instances: each instance subscribes to the bus channel of every topic one of its
// connections holds, and a publish goes to the local subscribers and to the bus, whose other
// instances deliver it to theirs. The bus carries the publish as the client sent it (ciphertext
// inside); `clients`, added at delivery, counts the delivering instance's subscribers.
import type { HubBus, HubSubscription } from './hub-bus';
import type { SignalingConnection } from './signaling-connection';

/** The bus channel of a signaling topic (apart from the documents' channels a hub uses). */
export function busChannel(topic: string): string {
	return `signal:${topic}`;
}

export class TopicFanout {
	readonly #subscribers = new Map<string, Set<SignalingConnection>>();
	readonly #busSubscriptions = new Map<string, HubSubscription>();
	#busDelivered = 0;

	constructor(
		private readonly bus?: HubBus,
		/** Largest publish accepted from the bus, bytes (the relay's own message cap). */
		private readonly maxBusMessageBytes = 64 * 1024,
		private readonly log: (message: string) => void = () => {}
	) {}

	get size(): number {
		return this.#subscribers.size;
	}

	/** Publishes received from other instances and delivered here, since start. */
	get busDelivered(): number {
		return this.#busDelivered;
	}

	add(conn: SignalingConnection, topic: string): void {
		conn.topics.add(topic);
		let subs = this.#subscribers.get(topic);
		if (!subs) {
			this.#subscribers.set(topic, (subs = new Set()));
			if (this.bus)
				this.#busSubscriptions.set(
					topic,
					this.bus.subscribe(busChannel(topic), (m) => this.#fromBus(topic, m.data))
				);
		}
		subs.add(conn);
	}

	/** Resolves once every bus subscription made so far is live (tests, and a relay that must know
	 *  a subscriber on another instance would hear a publish made now). */
	async ready(): Promise<void> {
		await Promise.all([...this.#busSubscriptions.values()].map((s) => s.ready));
	}

	remove(conn: SignalingConnection, topic: string): void {
		conn.topics.delete(topic);
		const subs = this.#subscribers.get(topic);
		subs?.delete(conn);
		if (subs?.size === 0) {
			this.#subscribers.delete(topic);
			this.#busSubscriptions.get(topic)?.();
			this.#busSubscriptions.delete(topic);
		}
	}

	/** Takes a connection out of every topic it holds. */
	removeAll(conn: SignalingConnection): void {
		for (const topic of [...conn.topics]) this.remove(conn, topic);
	}

	/**
	 * As the stock y-webrtc server does: the message to every subscriber, sender included, with the
	 * number of subscribers added; and to the other instances through the bus, if any. Returns how
	 * many local subscribers received it (slow consumers did not).
	 */
	publish(topic: string, message: object): number {
		if (this.bus) {
			const bytes = new TextEncoder().encode(JSON.stringify(message));
			this.bus.publish(busChannel(topic), 'update', bytes).catch((err: unknown) => {
				this.log(`signaling: bus publish failed: ${err instanceof Error ? err.message : String(err)}`);
			});
		}
		return this.#deliver(topic, message);
	}

	/** Leaves every bus channel. */
	close(): void {
		for (const off of this.#busSubscriptions.values()) off();
		this.#busSubscriptions.clear();
	}

	#deliver(topic: string, message: object): number {
		const subs = this.#subscribers.get(topic);
		if (!subs) return 0;
		const frame = Buffer.from(JSON.stringify({ ...message, clients: subs.size }));
		let sent = 0;
		for (const sub of subs) if (sub.send(frame)) sent++;
		return sent;
	}

	/** A publish another instance received: checked like a client's, then delivered here only. */
	#fromBus(topic: string, data: Uint8Array): void {
		if (data.byteLength > this.maxBusMessageBytes)
			return this.log('signaling: oversized bus message dropped');
		let message: unknown;
		try {
			message = JSON.parse(new TextDecoder().decode(data));
		} catch {
			return this.log('signaling: malformed bus message dropped');
		}
		const m = message as { type?: unknown; topic?: unknown } | null;
		if (typeof m !== 'object' || m === null || m.type !== 'publish' || m.topic !== topic) return;
		this.#busDelivered++;
		this.#deliver(topic, m);
	}
}
