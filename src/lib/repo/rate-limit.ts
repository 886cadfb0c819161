// How fast one peer may make this device work. Applying updates runs on the main thread, and some
// are costly (16,000 concurrent inserts at one position took 1.1–2.4 s to apply on a receiver): a
// peer's live messages pass a token bucket on messages and one on bytes; what exceeds the budget
// waits in a bounded queue and runs as the buckets refill, and a peer that overflows the queue is
// disconnected (its reconnection resumes with anti-entropy, which sends each document once).

export interface RateLimits {
	/** Live messages per second, sustained, and how many may come at once. */
	messagesPerSecond: number;
	messageBurst: number;
	/** Bytes per second, sustained, and at once (at least one largest message). */
	bytesPerSecond: number;
	byteBurst: number;
	/** What may wait beyond the budget before the peer is disconnected. */
	maxQueuedMessages: number;
	maxQueuedBytes: number;
}

export const defaultRateLimits: RateLimits = {
	messagesPerSecond: 200,
	messageBurst: 2_000,
	bytesPerSecond: 4 * 1024 * 1024,
	byteBurst: 32 * 1024 * 1024,
	maxQueuedMessages: 5_000,
	maxQueuedBytes: 16 * 1024 * 1024
};

/** Tokens refilled continuously up to a capacity. */
export class TokenBucket {
	#tokens: number;
	#at: number;

	constructor(
		readonly capacity: number,
		readonly perSecond: number,
		readonly now: () => number = () => performance.now()
	) {
		this.#tokens = capacity;
		this.#at = now();
	}

	/** Takes `cost` tokens (at most the capacity: a cost above it waits for a full bucket) if there
	 *  are that many; returns whether it did. */
	take(cost: number): boolean {
		this.#refill();
		const c = Math.min(cost, this.capacity);
		if (this.#tokens < c) return false;
		this.#tokens -= c;
		return true;
	}

	/** Milliseconds until `cost` tokens are there. */
	waitFor(cost: number): number {
		this.#refill();
		const missing = Math.min(cost, this.capacity) - this.#tokens;
		return missing <= 0 ? 0 : Math.ceil((missing / this.perSecond) * 1000);
	}

	#refill(): void {
		const now = this.now();
		this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#at) / 1000) * this.perSecond);
		this.#at = now;
	}
}

interface Waiting {
	bytes: number;
	/** Message tokens it costs (a batch of documents costs one per document). */
	cost: number;
	run: () => void;
}

/** One peer's live messages: run at once within budget, queued (in order) beyond it. */
export class RateLimitedInbox {
	readonly #messages: TokenBucket;
	readonly #bytes: TokenBucket;
	readonly #limits: RateLimits;
	readonly #queue: Waiting[] = [];
	#queuedBytes = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#drained: (() => void)[] = [];

	constructor(limits: RateLimits) {
		this.#limits = limits;
		this.#messages = new TokenBucket(limits.messageBurst, limits.messagesPerSecond);
		this.#bytes = new TokenBucket(limits.byteBurst, limits.bytesPerSecond);
	}

	get queuedMessages(): number {
		return this.#queue.length;
	}

	get queuedBytes(): number {
		return this.#queuedBytes;
	}

	/** Runs `run` now if the budget allows and nothing waits before it, else queues it. Returns
	 *  false, running nothing, when the queue would overflow (the caller disconnects the peer).
	 *  `cost`: message tokens it spends (a batch of documents spends one per document; at most the
	 *  burst). */
	push(bytes: number, run: () => void, cost = 1): boolean {
		if (this.#queue.length === 0 && this.#admit(bytes, cost)) {
			run();
			return true;
		}
		if (
			this.#queue.length >= this.#limits.maxQueuedMessages ||
			this.#queuedBytes + bytes > this.#limits.maxQueuedBytes
		)
			return false;
		this.#queue.push({ bytes, cost, run });
		this.#queuedBytes += bytes;
		this.#schedule();
		return true;
	}

	/** Resolves once nothing waits (tests and idle()). */
	drained(): Promise<void> {
		if (this.#queue.length === 0) return Promise.resolve();
		return new Promise((resolve) => this.#drained.push(resolve));
	}

	/** Drops everything queued (the peer left or was disconnected). */
	clear(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#queue.length = 0;
		this.#queuedBytes = 0;
		for (const resolve of this.#drained.splice(0)) resolve();
	}

	#admit(bytes: number, cost: number): boolean {
		if (this.#messages.waitFor(cost) > 0 || this.#bytes.waitFor(bytes) > 0) return false;
		return this.#messages.take(cost) && this.#bytes.take(bytes);
	}

	#schedule(): void {
		if (this.#timer !== undefined || this.#queue.length === 0) return;
		const next = this.#queue[0]!;
		const wait = Math.max(this.#messages.waitFor(next.cost), this.#bytes.waitFor(next.bytes), 1);
		this.#timer = setTimeout(() => {
			this.#timer = undefined;
			while (this.#queue.length && this.#admit(this.#queue[0]!.bytes, this.#queue[0]!.cost)) {
				const { bytes, run } = this.#queue.shift()!;
				this.#queuedBytes -= bytes;
				run();
			}
			if (this.#queue.length) this.#schedule();
			else for (const resolve of this.#drained.splice(0)) resolve();
		}, wait);
	}
}
