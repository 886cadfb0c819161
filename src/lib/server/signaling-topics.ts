// Topic fan-out: which connections hold which topic, and a publish delivered to each of them,
// encoded once whatever the number of subscribers.
import type { SignalingConnection } from './signaling-connection';

export class TopicFanout {
	readonly #subscribers = new Map<string, Set<SignalingConnection>>();

	get size(): number {
		return this.#subscribers.size;
	}

	add(conn: SignalingConnection, topic: string): void {
		conn.topics.add(topic);
		let subs = this.#subscribers.get(topic);
		if (!subs) this.#subscribers.set(topic, (subs = new Set()));
		subs.add(conn);
	}

	remove(conn: SignalingConnection, topic: string): void {
		conn.topics.delete(topic);
		const subs = this.#subscribers.get(topic);
		subs?.delete(conn);
		if (subs?.size === 0) this.#subscribers.delete(topic);
	}

	/** Takes a connection out of every topic it holds. */
	removeAll(conn: SignalingConnection): void {
		for (const topic of [...conn.topics]) this.remove(conn, topic);
	}

	/**
	 * As the stock y-webrtc server does: the message to every subscriber, sender included, with the
	 * number of subscribers added. Returns how many received it (slow consumers did not).
	 */
	publish(topic: string, message: object): number {
		const subs = this.#subscribers.get(topic);
		if (!subs) return 0;
		const frame = Buffer.from(JSON.stringify({ ...message, clients: subs.size }));
		let sent = 0;
		for (const sub of subs) if (sub.send(frame)) sent++;
		return sent;
	}
}
