// One signaling client as the relay sees it: the topics it holds, its message rate, when it was last
// heard, and its outgoing queue, which may never hold more than the byte budget.
import type { WebSocket } from 'ws';
import { SignalingClose, type SignalingLimits } from './signaling-limits';

export class SignalingConnection {
	readonly topics = new Set<string>();
	lastSeen = Date.now();
	#windowStart = Date.now();
	#count = 0;
	#closing = false;

	constructor(
		readonly ws: WebSocket,
		readonly address: string,
		private readonly limits: SignalingLimits,
		/** Called once when the relay gives up on this client, before its socket has closed. */
		private readonly onGiveUp: (conn: SignalingConnection, why: string) => void
	) {}

	get open(): boolean {
		return !this.#closing && this.ws.readyState === this.ws.OPEN;
	}

	/** Counts one received message; false (and the connection closes) past the rate limit. */
	countMessage(now = Date.now()): boolean {
		this.lastSeen = now;
		if (now - this.#windowStart > this.limits.rateWindowMs) {
			this.#windowStart = now;
			this.#count = 0;
		}
		if (++this.#count <= this.limits.maxMessagesPerWindow) return true;
		this.close(SignalingClose.policy, 'rate limit');
		return false;
	}

	idle(now: number): boolean {
		return now - this.lastSeen > this.limits.idleTimeoutMs;
	}

	/**
	 * Queues one text frame (the same Buffer may go to many connections: it is never copied). A frame
	 * that would take the queue past the byte budget is not queued: the client is not reading, so it
	 * is closed as a slow consumer and its socket destroyed after a short grace.
	 */
	send(frame: Buffer): boolean {
		if (!this.open) return false;
		if (this.ws.bufferedAmount + frame.length > this.limits.maxBufferedBytes) {
			this.close(SignalingClose.slowConsumer, 'slow consumer');
			// The close frame waits behind the unread queue; the queue's memory may not.
			const kill = setTimeout(() => this.ws.terminate(), this.limits.slowConsumerGraceMs);
			kill.unref?.();
			this.ws.once('close', () => clearTimeout(kill));
			return false;
		}
		this.ws.send(frame, { binary: false });
		return true;
	}

	close(code: number, reason: string): void {
		if (this.#closing) return;
		this.#closing = true;
		this.onGiveUp(this, reason);
		this.ws.close(code, reason);
	}
}
