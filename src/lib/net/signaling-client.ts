// The client side of signaling: one WebSocket to a y-webrtc-protocol signaling server (Plateau's own
// relay or the stock y-webrtc server), topics to meet peers on, and payloads encrypted with the
// centre key so the server relays only ciphertext.
//
// Wire format, as y-webrtc's signaling protocol (JSON text frames):
//   → {type:'subscribe', topics:[…]}   → {type:'unsubscribe', topics:[…]}   → {type:'ping'}
//   → {type:'publish', topic, data}    data = encryptJson(centreKey, {from: peerId, payload})
//   ← {type:'publish', topic, data, clients}   (every subscriber, the sender included)   ← {type:'pong'}
//
// The connection is kept alive and checked (a ping every 15 s; no pong within 10 s means the link is
// dead), and re-established with exponential backoff (0.5 s doubling up to 10 s, with jitter), topics
// re-subscribed. Published messages are not queued while disconnected: signaling is ephemeral, so
// publish() resolves false and the caller announces itself again when the state becomes 'open'.
import { DecryptionError, decryptJson, encryptedLength, encryptText } from './crypto';

export type SignalingState = 'connecting' | 'open' | 'closed';

/** What SignalingClient needs of a WebSocket: the browser's WebSocket and `ws` both fit. */
export interface SocketLike {
	readonly readyState: number;
	send(data: string): void;
	close(code?: number, reason?: string): void;
	onopen: ((event: never) => void) | null;
	onmessage: ((event: never) => void) | null;
	onclose: ((event: never) => void) | null;
	onerror: ((event: never) => void) | null;
}

export type WebSocketConstructor = new (url: string) => SocketLike;

export interface SignalingClientOptions {
	/** ws:// or wss:// URL of the signaling endpoint. */
	url: string;
	/** The centre key (deriveCentreKey). */
	key: CryptoKey;
	/** The WebSocket class: the browser's global by default; `ws` in Node 20 (which has none). */
	WebSocketImpl?: WebSocketConstructor;
	/** This client's id inside encrypted payloads; its own echoes are dropped. Random by default. */
	peerId?: string;
	/** Default 15,000. */
	pingIntervalMs?: number;
	/** A ping not answered within this is a dead connection. Default 10,000. */
	pongTimeoutMs?: number;
	/** First reconnect delay, doubled per failed attempt. Default 500. */
	minBackoffMs?: number;
	/** Longest reconnect delay. Default 10,000. */
	maxBackoffMs?: number;
	/** Each delay is shortened by a random fraction up to this (0–1), so peers that lost the same
	 *  server do not all come back in the same millisecond. Default 0.5. */
	jitter?: number;
	/** Largest message the server accepts, bytes (Plateau's relay: 64 KiB). publish() refuses larger. */
	maxMessageBytes?: number;
}

export interface SignalingEvents {
	/** A decrypted payload published on a subscribed topic by another client. `from` is the sender's
	 *  peer id when the payload carries one. */
	message: (topic: string, payload: unknown, from: string | undefined) => void;
	/** A message on a subscribed topic that this centre key cannot decrypt: most often a peer (or
	 *  this client) using another centre secret. The message is otherwise ignored. */
	'decrypt-error': (topic: string, error: DecryptionError) => void;
	state: (state: SignalingState) => void;
}

type Listener = (...args: never[]) => void;

const OPEN = 1;
const MAX_TOPIC_LENGTH = 256;
const encoder = new TextEncoder();
const noop = () => {};

function randomPeerId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function frameText(data: unknown): string | undefined {
	if (typeof data === 'string') return data;
	try {
		if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
		if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
	} catch {
		return undefined;
	}
	return undefined;
}

function checkTopic(topic: unknown): string {
	if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH)
		throw new TypeError(`A signaling topic is a string of 1 to ${MAX_TOPIC_LENGTH} characters`);
	return topic;
}

export class SignalingClient {
	readonly url: string;
	readonly peerId: string;
	readonly #key: CryptoKey;
	readonly #Impl: WebSocketConstructor;
	readonly #pingIntervalMs: number;
	readonly #pongTimeoutMs: number;
	readonly #minBackoffMs: number;
	readonly #maxBackoffMs: number;
	readonly #jitter: number;
	readonly #maxMessageBytes: number;

	#state: SignalingState = 'closed';
	#socket: SocketLike | undefined;
	readonly #topics = new Set<string>();
	readonly #listeners = new Map<keyof SignalingEvents, Set<Listener>>();
	#destroyed = false;
	/** Failed attempts since the last successful open: the backoff exponent. */
	#failures = 0;
	#connectAttempts = 0;
	#decryptErrors = 0;
	#retryTimer: ReturnType<typeof setTimeout> | undefined;
	#pingTimer: ReturnType<typeof setInterval> | undefined;
	#pongTimer: ReturnType<typeof setTimeout> | undefined;
	/** Pings sent and pongs received on the current socket: the server answers in order. */
	#pingsSent = 0;
	#pongsReceived = 0;
	#flushWaiters: { ping: number; resolve: () => void; reject: (e: Error) => void }[] = [];
	/** Outgoing publishes, in call order despite asynchronous encryption. */
	#sendChain: Promise<unknown> = Promise.resolve();
	/** Incoming publishes, delivered in arrival order despite asynchronous decryption. */
	#receiveChain: Promise<void> = Promise.resolve();

	constructor(options: SignalingClientOptions) {
		let url: URL;
		try {
			url = new URL(options.url);
		} catch {
			throw new TypeError(`Signaling URL is not a URL: ${options.url}`);
		}
		if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
			throw new TypeError(`Signaling URL must start with ws:// or wss://, got ${options.url}`);
		const Impl = options.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
		if (typeof Impl !== 'function')
			throw new TypeError(
				'No WebSocket in this environment: pass WebSocketImpl (in Node 20, the `ws` package)'
			);
		this.url = options.url;
		this.#key = options.key;
		this.#Impl = Impl;
		this.peerId = options.peerId ?? randomPeerId();
		this.#pingIntervalMs = options.pingIntervalMs ?? 15_000;
		this.#pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
		this.#minBackoffMs = options.minBackoffMs ?? 500;
		this.#maxBackoffMs = Math.max(options.maxBackoffMs ?? 10_000, this.#minBackoffMs);
		this.#jitter = Math.min(Math.max(options.jitter ?? 0.5, 0), 1);
		this.#maxMessageBytes = options.maxMessageBytes ?? 64 * 1024;
		this.#connect();
	}

	get state(): SignalingState {
		return this.#state;
	}

	get topics(): string[] {
		return [...this.#topics];
	}

	/** Messages on subscribed topics that failed to decrypt, since construction. */
	get decryptErrors(): number {
		return this.#decryptErrors;
	}

	/** WebSocket connections attempted, since construction (the first one included). */
	get connectAttempts(): number {
		return this.#connectAttempts;
	}

	get destroyed(): boolean {
		return this.#destroyed;
	}

	/** Subscribes to an event; returns the unsubscribe function. */
	on<E extends keyof SignalingEvents>(event: E, listener: SignalingEvents[E]): () => void {
		if (this.#destroyed) return noop;
		let set = this.#listeners.get(event);
		if (!set) this.#listeners.set(event, (set = new Set()));
		const l = listener as Listener;
		set.add(l);
		return () => {
			set.delete(l);
		};
	}

	/** Joins topics; kept across reconnects. */
	subscribe(...topics: string[]): void {
		const fresh = topics.map(checkTopic).filter((t) => !this.#topics.has(t));
		if (this.#destroyed || fresh.length === 0) return;
		for (const t of fresh) this.#topics.add(t);
		this.#sendFrame({ type: 'subscribe', topics: [...new Set(fresh)] });
	}

	unsubscribe(...topics: string[]): void {
		const held = topics.filter((t) => this.#topics.has(t));
		if (this.#destroyed || held.length === 0) return;
		for (const t of held) this.#topics.delete(t);
		this.#sendFrame({ type: 'unsubscribe', topics: [...new Set(held)] });
	}

	/**
	 * Encrypts `payload` (with this client's peer id) and publishes it on `topic`. Resolves true once
	 * handed to the socket, false when not connected (the message is dropped, not queued). Throws,
	 * synchronously, a TypeError for a payload JSON cannot represent and a RangeError for a message
	 * larger than the server accepts. Never rejects.
	 */
	publish(topic: string, payload: unknown): Promise<boolean> {
		checkTopic(topic);
		if (payload === undefined || typeof payload === 'function' || typeof payload === 'symbol')
			throw new TypeError('publish: the payload has no JSON representation');
		const text = JSON.stringify({ from: this.peerId, payload }); // throws on BigInt, cycles
		const size =
			encoder.encode(JSON.stringify({ type: 'publish', topic, data: '' })).length +
			encryptedLength(encoder.encode(text).length);
		if (size > this.#maxMessageBytes)
			throw new RangeError(
				`Signaling message too large: ${size} bytes, the server accepts at most ${this.#maxMessageBytes}`
			);
		const sent = this.#sendChain.then(async () => {
			if (this.#destroyed || this.#state !== 'open') return false;
			const data = await encryptText(this.#key, text);
			return this.#sendFrame({ type: 'publish', topic, data });
		});
		const result = sent.catch(() => false);
		this.#sendChain = result;
		return result;
	}

	/**
	 * Resolves once the server has handled everything this client sent before (subscriptions and
	 * publishes included), by a ping/pong round trip. Rejects if not connected or if the connection
	 * is lost first.
	 */
	flush(): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			this.#sendChain = this.#sendChain.then(() => {
				if (this.#destroyed || this.#state !== 'open') return reject(new Error('Signaling is not connected'));
				const ping = this.#sendPing();
				if (ping === undefined) return reject(new Error('Signaling is not connected'));
				this.#flushWaiters.push({ ping, resolve, reject });
			});
		});
	}

	/** Skips the backoff wait and tries to connect now (e.g. when the browser reports `online`). */
	reconnectNow(): void {
		if (this.#destroyed || this.#socket) return;
		clearTimeout(this.#retryTimer);
		this.#retryTimer = undefined;
		this.#failures = 0;
		this.#connect();
	}

	/** Closes the socket, stops timers and reconnection, and removes every listener. */
	destroy(): void {
		if (this.#destroyed) return;
		this.#destroyed = true;
		clearTimeout(this.#retryTimer);
		this.#retryTimer = undefined;
		const socket = this.#socket;
		this.#socket = undefined;
		this.#stopTimers();
		// Torn down at once: a graceful `ws` close keeps a 30 s timer (and the process) alive
		// while it waits for a server that may be gone.
		if (socket) this.#release(socket, true);
		this.#failFlushes('Signaling client destroyed');
		this.#setState('closed');
		this.#listeners.clear();
	}

	// --- connection ---------------------------------------------------------------------------

	#connect(): void {
		this.#retryTimer = undefined;
		if (this.#destroyed) return;
		this.#setState('connecting');
		if (this.#destroyed) return; // a state listener destroyed the client
		this.#connectAttempts++;
		let socket: SocketLike;
		try {
			socket = new this.#Impl(this.url);
		} catch {
			this.#failures++;
			this.#setState('closed');
			this.#scheduleReconnect();
			return;
		}
		this.#socket = socket;
		this.#pingsSent = 0;
		this.#pongsReceived = 0;
		socket.onopen = () => this.#onOpen(socket);
		socket.onmessage = (event: { data: unknown }) => this.#onFrame(socket, event.data);
		socket.onclose = () => this.#drop(socket, false);
		// An error is always followed by close; `ws` needs a listener or it throws.
		socket.onerror = noop;
	}

	#onOpen(socket: SocketLike): void {
		if (socket !== this.#socket || this.#destroyed) return;
		this.#failures = 0;
		if (this.#topics.size > 0) this.#sendFrame({ type: 'subscribe', topics: [...this.#topics] });
		this.#pingTimer = setInterval(() => {
			if (this.#pongTimer === undefined) this.#sendPing();
		}, this.#pingIntervalMs);
		this.#setState('open');
	}

	/** The socket closed, or is dead (no pong): forget it and try again later. */
	#drop(socket: SocketLike, dead: boolean): void {
		if (socket !== this.#socket) return;
		this.#socket = undefined;
		this.#stopTimers();
		this.#release(socket, dead);
		this.#failFlushes('Signaling connection lost');
		if (this.#destroyed) return;
		this.#failures++;
		this.#setState('closed');
		this.#scheduleReconnect();
	}

	/** Detaches our handlers and closes the socket. `hard`: torn down at once where the
	 *  implementation can (`ws`'s terminate), instead of a closing handshake that `ws` waits up to
	 *  30 s for; a dead connection and destroy() need that. */
	#release(socket: SocketLike, hard: boolean): void {
		socket.onopen = null;
		socket.onmessage = null;
		socket.onclose = null;
		socket.onerror = noop;
		try {
			const terminate = (socket as { terminate?: () => void }).terminate;
			if (hard && typeof terminate === 'function') terminate.call(socket);
			else socket.close(1000);
		} catch {
			// already closed
		}
	}

	#scheduleReconnect(): void {
		if (this.#destroyed || this.#retryTimer !== undefined) return;
		const base = Math.min(this.#maxBackoffMs, this.#minBackoffMs * 2 ** Math.max(this.#failures - 1, 0));
		const delay = base * (1 - this.#jitter * Math.random());
		this.#retryTimer = setTimeout(() => this.#connect(), delay);
	}

	#stopTimers(): void {
		clearInterval(this.#pingTimer);
		clearTimeout(this.#pongTimer);
		this.#pingTimer = undefined;
		this.#pongTimer = undefined;
	}

	// --- frames -------------------------------------------------------------------------------

	/** Sends a protocol message if the socket is open; false otherwise. */
	#sendFrame(message: object): boolean {
		const socket = this.#socket;
		if (!socket || socket.readyState !== OPEN) return false;
		try {
			socket.send(JSON.stringify(message));
			return true;
		} catch {
			return false;
		}
	}

	/** Sends a ping and arms the pong timeout; returns the ping's number on this socket. */
	#sendPing(): number | undefined {
		const socket = this.#socket;
		if (!socket || !this.#sendFrame({ type: 'ping' })) return undefined;
		this.#pingsSent++;
		if (this.#pongTimer === undefined)
			this.#pongTimer = setTimeout(() => this.#drop(socket, true), this.#pongTimeoutMs);
		return this.#pingsSent;
	}

	#onPong(socket: SocketLike): void {
		this.#pongsReceived++;
		clearTimeout(this.#pongTimer);
		this.#pongTimer = undefined;
		// Pings still unanswered keep the connection on probation.
		if (this.#pongsReceived < this.#pingsSent)
			this.#pongTimer = setTimeout(() => this.#drop(socket, true), this.#pongTimeoutMs);
		const done = this.#flushWaiters.filter((w) => w.ping <= this.#pongsReceived);
		this.#flushWaiters = this.#flushWaiters.filter((w) => w.ping > this.#pongsReceived);
		for (const w of done) w.resolve();
	}

	#failFlushes(reason: string): void {
		const waiters = this.#flushWaiters;
		this.#flushWaiters = [];
		for (const w of waiters) w.reject(new Error(reason));
	}

	#onFrame(socket: SocketLike, data: unknown): void {
		if (socket !== this.#socket || this.#destroyed) return;
		const text = frameText(data);
		if (text === undefined) return;
		let message: unknown;
		try {
			message = JSON.parse(text);
		} catch {
			return;
		}
		if (typeof message !== 'object' || message === null) return;
		const m = message as { type?: unknown; topic?: unknown; data?: unknown };
		if (m.type === 'pong') this.#onPong(socket);
		else if (m.type === 'publish' && typeof m.topic === 'string' && this.#topics.has(m.topic)) {
			const topic = m.topic;
			const body = m.data;
			this.#receiveChain = this.#receiveChain.then(() => this.#receive(topic, body));
		}
	}

	/** Decrypts and delivers one publish. Never rejects. */
	async #receive(topic: string, data: unknown): Promise<void> {
		let value: unknown;
		try {
			value = await decryptJson(this.#key, data as string);
		} catch (e) {
			if (this.#destroyed) return;
			this.#decryptErrors++;
			const error = e instanceof DecryptionError ? e : new DecryptionError('format', String(e));
			this.#emit('decrypt-error', topic, error);
			return;
		}
		if (this.#destroyed || !this.#topics.has(topic)) return;
		let payload = value;
		let from: string | undefined;
		if (
			typeof value === 'object' &&
			value !== null &&
			!Array.isArray(value) &&
			typeof (value as { from?: unknown }).from === 'string'
		) {
			from = (value as { from: string }).from;
			payload = (value as { payload?: unknown }).payload;
		}
		if (from === this.peerId) return; // our own publish, echoed by the server
		this.#emit('message', topic, payload, from);
	}

	// --- events -------------------------------------------------------------------------------

	#setState(state: SignalingState): void {
		if (this.#state === state) return;
		this.#state = state;
		this.#emit('state', state);
	}

	#emit<E extends keyof SignalingEvents>(event: E, ...args: Parameters<SignalingEvents[E]>): void {
		for (const listener of [...(this.#listeners.get(event) ?? [])]) {
			try {
				(listener as unknown as (...a: Parameters<SignalingEvents[E]>) => void)(...args);
			} catch (e) {
				// One failing listener must not stop the others nor the connection.
				console.error(`SignalingClient: a '${event}' listener threw`, e);
			}
		}
	}
}
