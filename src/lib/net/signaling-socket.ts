// The signaling WebSocket, kept alive: connects, checks the connection (a ping every 15 s; no pong
// within 10 s means the link is dead), and re-establishes it with exponential backoff (0.5 s doubling
// up to 10 s, with jitter). It knows JSON frames and ping/pong only; topics, encryption and the
// events the app sees are SignalingClient's (signaling-client.ts).
import { Disposer, Emitter } from '../domain/emitter';

export type SignalingState = 'connecting' | 'open' | 'closed';

/** What the signaling connection needs of a WebSocket: the browser's WebSocket and `ws` both fit. */
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

export interface SignalingSocketOptions {
	/** ws:// or wss:// URL of the signaling endpoint. */
	url: string;
	/** The WebSocket class: the browser's global by default; `ws` in Node 20 (which has none). */
	WebSocketImpl?: WebSocketConstructor;
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
}

export interface SignalingSocketEvents {
	state: (state: SignalingState) => void;
	/** A JSON object received from the server, other than a pong. */
	frame: (message: Record<string, unknown>) => void;
}

const OPEN = 1;
const noop = () => {};

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

/** The connection of the current socket: its timers and pending flushes, undone together. */
interface Live {
	socket: SocketLike;
	/** Pings sent and pongs received on this socket: the server answers in order. */
	pingsSent: number;
	pongsReceived: number;
	pongTimer?: ReturnType<typeof setTimeout>;
	waiters: { ping: number; resolve: () => void; reject: (e: Error) => void }[];
	teardown: Disposer;
}

export class SignalingSocket {
	readonly url: string;
	readonly #Impl: WebSocketConstructor;
	readonly #pingIntervalMs: number;
	readonly #pongTimeoutMs: number;
	readonly #minBackoffMs: number;
	readonly #maxBackoffMs: number;
	readonly #jitter: number;
	readonly #events = new Emitter<SignalingSocketEvents>();

	#state: SignalingState = 'closed';
	#live: Live | undefined;
	#destroyed = false;
	/** Failed attempts since the last successful open: the backoff exponent. */
	#failures = 0;
	#connectAttempts = 0;
	#retryTimer: ReturnType<typeof setTimeout> | undefined;

	constructor(options: SignalingSocketOptions) {
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
		this.#Impl = Impl;
		this.#pingIntervalMs = options.pingIntervalMs ?? 15_000;
		this.#pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
		this.#minBackoffMs = options.minBackoffMs ?? 500;
		this.#maxBackoffMs = Math.max(options.maxBackoffMs ?? 10_000, this.#minBackoffMs);
		this.#jitter = Math.min(Math.max(options.jitter ?? 0.5, 0), 1);
	}

	get state(): SignalingState {
		return this.#state;
	}

	/** WebSocket connections attempted (the first one included). */
	get connectAttempts(): number {
		return this.#connectAttempts;
	}

	on<E extends keyof SignalingSocketEvents>(event: E, listener: SignalingSocketEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	/** Makes the first connection; called once the owner listens. */
	start(): void {
		if (!this.#destroyed && this.#live === undefined && this.#retryTimer === undefined) this.#connect();
	}

	/** Sends a protocol message if the socket is open; false otherwise. */
	send(message: object): boolean {
		const socket = this.#live?.socket;
		if (!socket || socket.readyState !== OPEN) return false;
		try {
			socket.send(JSON.stringify(message));
			return true;
		} catch {
			return false;
		}
	}

	/** Resolves once the server has answered a ping sent now (it has handled everything sent
	 *  before); rejects if not connected or if the connection is lost first. */
	roundTrip(): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			const live = this.#live;
			const ping = live && !this.#destroyed && this.#state === 'open' ? this.#ping(live) : undefined;
			if (ping === undefined) return reject(new Error('Signaling is not connected'));
			live!.waiters.push({ ping, resolve, reject });
		});
	}

	/** Skips the backoff wait and tries to connect now (e.g. when the browser reports `online`). */
	reconnectNow(): void {
		if (this.#destroyed || this.#live) return;
		clearTimeout(this.#retryTimer);
		this.#retryTimer = undefined;
		this.#failures = 0;
		this.#connect();
	}

	/** Closes the socket and stops timers and reconnection for good. */
	destroy(): void {
		if (this.#destroyed) return;
		this.#destroyed = true;
		clearTimeout(this.#retryTimer);
		this.#retryTimer = undefined;
		// Torn down at once: a graceful `ws` close keeps a 30 s timer (and the process) alive while
		// it waits for a server that may be gone.
		this.#end(true, 'Signaling client destroyed');
		this.#setState('closed');
		this.#events.clear();
	}

	#connect(): void {
		this.#retryTimer = undefined;
		if (this.#destroyed) return;
		this.#setState('connecting');
		if (this.#destroyed) return; // a state listener destroyed us
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
		const live: Live = { socket, pingsSent: 0, pongsReceived: 0, waiters: [], teardown: new Disposer() };
		this.#live = live;
		socket.onopen = () => this.#onOpen(live);
		socket.onmessage = (event: { data: unknown }) => this.#onFrame(live, event.data);
		socket.onclose = () => this.#drop(live, false);
		// An error is always followed by close; `ws` needs a listener or it throws.
		socket.onerror = noop;
		live.teardown.add(() => {
			clearTimeout(live.pongTimer);
			socket.onopen = null;
			socket.onmessage = null;
			socket.onclose = null;
			socket.onerror = noop;
		});
	}

	#onOpen(live: Live): void {
		if (live !== this.#live || this.#destroyed) return;
		this.#failures = 0;
		const timer = setInterval(() => {
			if (live.pongTimer === undefined) this.#ping(live);
		}, this.#pingIntervalMs);
		live.teardown.add(() => clearInterval(timer));
		this.#setState('open');
	}

	/** The socket closed, or is dead (no pong): forget it and try again later. */
	#drop(live: Live, dead: boolean): void {
		if (live !== this.#live) return;
		this.#end(dead, 'Signaling connection lost');
		if (this.#destroyed) return;
		this.#failures++;
		this.#setState('closed');
		this.#scheduleReconnect();
	}

	/** Releases the current socket: handlers detached, timers stopped, flushes failed, socket
	 *  closed (`hard`: terminated where the implementation can, as a dead connection needs). */
	#end(hard: boolean, reason: string): void {
		const live = this.#live;
		if (!live) return;
		this.#live = undefined;
		live.teardown.dispose();
		for (const w of live.waiters.splice(0)) w.reject(new Error(reason));
		try {
			const terminate = (live.socket as { terminate?: () => void }).terminate;
			if (hard && typeof terminate === 'function') terminate.call(live.socket);
			else live.socket.close(1000);
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

	/** Sends a ping and arms the pong timeout; returns the ping's number on this socket. */
	#ping(live: Live): number | undefined {
		if (!this.send({ type: 'ping' })) return undefined;
		live.pingsSent++;
		if (live.pongTimer === undefined)
			live.pongTimer = setTimeout(() => this.#drop(live, true), this.#pongTimeoutMs);
		return live.pingsSent;
	}

	#onPong(live: Live): void {
		live.pongsReceived++;
		clearTimeout(live.pongTimer);
		live.pongTimer = undefined;
		// Pings still unanswered keep the connection on probation.
		if (live.pongsReceived < live.pingsSent)
			live.pongTimer = setTimeout(() => this.#drop(live, true), this.#pongTimeoutMs);
		const done = live.waiters.filter((w) => w.ping <= live.pongsReceived);
		live.waiters = live.waiters.filter((w) => w.ping > live.pongsReceived);
		for (const w of done) w.resolve();
	}

	#onFrame(live: Live, data: unknown): void {
		if (live !== this.#live || this.#destroyed) return;
		const text = frameText(data);
		if (text === undefined) return;
		let message: unknown;
		try {
			message = JSON.parse(text);
		} catch {
			return;
		}
		if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
		if ((message as { type?: unknown }).type === 'pong') this.#onPong(live);
		else this.#events.emit('frame', message as Record<string, unknown>);
	}

	#setState(state: SignalingState): void {
		if (this.#state === state) return;
		this.#state = state;
		this.#events.emit('state', state);
	}
}
