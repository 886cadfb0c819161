// The browser's WebSocket to the centre hub (`ws(s)://<host>/hub`), for networks that block WebRTC:
// one peer, the hub instance at the other end, whose peer id comes from the sealed handshake
// (sealed-channel.ts: only centre members get through, and the channel binding is the ECDH keys').
// Reconnects with a bounded, jittered backoff; a hub that the sync layer disconnected (broke the
// protocol) is not reconnected before a longer back-off, doubled per offence.
import { Emitter } from '../domain/emitter';
import type { NetworkAdapter, NetworkEvents, PeerId } from '../repo/network';
import { HubSocketClose, SealedSocket, type ByteSocket } from './sealed-socket';

/** The hub socket's path, on the app's own port. */
export const HUB_PATH = '/hub';

export type HubSocketState = 'connecting' | 'open' | 'closed';

export interface HubSocketOptions {
	/** ws:// or wss:// URL of the hub endpoint. */
	url: string;
	/** The centre key (deriveCentreKey). */
	key: CryptoKey;
	peerId: PeerId;
	/** The browser's WebSocket by default; `ws` in Node. */
	WebSocketImpl?: new (url: string) => ByteSocket;
	/** Largest message either way, bytes. Default 64 MiB (as the WebRTC mesh). */
	maxMessageBytes?: number;
	/** Records go to the socket while its bufferedAmount is below this. Default 1 MiB. */
	highWaterMark?: number;
	/** Bytes this side may queue for the hub before giving up on the connection. Default 256 MiB. */
	maxQueuedBytes?: number;
	/** First reconnect delay, doubled per failed attempt, up to maxBackoffMs. Defaults 500 / 30,000. */
	minBackoffMs?: number;
	maxBackoffMs?: number;
	/** Each delay is shortened by a random fraction up to this (0–1). Default 0.5. */
	jitter?: number;
	/** First wait after the sync layer disconnected the hub, doubled per offence up to 5 min. Default 5,000. */
	protocolBackoffMs?: number;
	/** The sealed handshake must complete within this. Default 10,000. */
	handshakeTimeoutMs?: number;
	/** A ping when the hub was quiet this long; closed after silenceMs of silence. Defaults 15,000 / 40,000. */
	pingIntervalMs?: number;
	silenceMs?: number;
	log?: (message: string) => void;
}

export interface HubSocketEvents extends NetworkEvents {
	state: (state: HubSocketState) => void;
}

const MAX_PROTOCOL_BACKOFF_MS = 5 * 60_000;

export class HubSocket implements NetworkAdapter {
	readonly peerId: PeerId;
	readonly url: string;
	readonly #o: Required<Omit<HubSocketOptions, 'WebSocketImpl' | 'url' | 'peerId' | 'key' | 'log'>>;
	readonly #key: CryptoKey;
	readonly #Impl: new (url: string) => ByteSocket;
	readonly #log: (m: string) => void;
	readonly #events = new Emitter<HubSocketEvents>();
	#live: SealedSocket | undefined;
	#hub: PeerId | undefined;
	#state: HubSocketState = 'closed';
	#failures = 0;
	#offences = 0;
	#retry: ReturnType<typeof setTimeout> | undefined;
	#handshakeTimer: ReturnType<typeof setTimeout> | undefined;
	#destroyed = false;
	#attempts = 0;

	constructor(options: HubSocketOptions) {
		let url: URL;
		try {
			url = new URL(options.url);
		} catch {
			throw new TypeError(`Hub URL is not a URL: ${options.url}`);
		}
		if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
			throw new TypeError(`Hub URL must start with ws:// or wss://, got ${options.url}`);
		const Impl =
			options.WebSocketImpl ?? (globalThis as { WebSocket?: new (url: string) => ByteSocket }).WebSocket;
		if (typeof Impl !== 'function')
			throw new TypeError('No WebSocket in this environment: pass WebSocketImpl (in Node 20, `ws`)');
		this.url = options.url;
		this.peerId = options.peerId;
		this.#key = options.key;
		this.#Impl = Impl;
		this.#log = options.log ?? ((m) => console.warn(`Plateau hub socket: ${m}`));
		this.#o = {
			maxMessageBytes: options.maxMessageBytes ?? 64 * 1024 * 1024,
			highWaterMark: options.highWaterMark ?? 1024 * 1024,
			maxQueuedBytes: options.maxQueuedBytes ?? 256 * 1024 * 1024,
			minBackoffMs: options.minBackoffMs ?? 500,
			maxBackoffMs: Math.max(options.maxBackoffMs ?? 30_000, options.minBackoffMs ?? 500),
			jitter: Math.min(Math.max(options.jitter ?? 0.5, 0), 1),
			protocolBackoffMs: options.protocolBackoffMs ?? 5_000,
			handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
			pingIntervalMs: options.pingIntervalMs ?? 15_000,
			silenceMs: options.silenceMs ?? 40_000
		};
		this.#connect();
	}

	get state(): HubSocketState {
		return this.#state;
	}

	/** WebSocket connections attempted, the first included. */
	get connectAttempts(): number {
		return this.#attempts;
	}

	peers(): PeerId[] {
		return this.#hub && this.#live?.open ? [this.#hub] : [];
	}

	send(to: PeerId, message: Uint8Array): void {
		if (to !== this.#hub || !this.#live?.open) return;
		if (!this.#live.send(message) && message.length > this.#o.maxMessageBytes)
			this.#log(`dropped a ${message.length}-byte message to the hub: over the limit`);
	}

	on<E extends keyof HubSocketEvents>(event: E, listener: HubSocketEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	channelBinding(peer: PeerId): string | undefined {
		if (peer !== this.#hub || !this.#live?.open) return undefined;
		return this.#live.channel.binding;
	}

	/** Closes the connection to the hub, which broke the protocol: reconnected after a back-off,
	 *  doubled at each offence. */
	disconnect(peer: PeerId, reason: string): void {
		if (this.#destroyed || peer !== this.#hub || !this.#live) return;
		this.#offences++;
		const wait = Math.min(this.#o.protocolBackoffMs * 2 ** (this.#offences - 1), MAX_PROTOCOL_BACKOFF_MS);
		this.#log(`disconnected the hub ${peer} (${reason}); not reconnecting for ${Math.round(wait / 1000)} s`);
		clearTimeout(this.#retry);
		// Set before closing: the close then schedules no reconnect of its own.
		this.#retry = setTimeout(() => this.#connect(), wait);
		this.#live.close(HubSocketClose.disconnected, reason);
	}

	/** Skips the backoff wait (the browser came back online). */
	reconnectNow(): void {
		if (this.#destroyed || this.#live) return;
		clearTimeout(this.#retry);
		this.#failures = 0;
		this.#connect();
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.#destroyed = true;
		clearTimeout(this.#retry);
		this.#live?.close(HubSocketClose.goingAway, 'client leaving');
		this.#setState('closed');
		this.#events.clear();
	}

	#connect(): void {
		this.#retry = undefined;
		if (this.#destroyed || this.#live) return;
		this.#attempts++;
		this.#setState('connecting');
		let socket: ByteSocket;
		try {
			socket = new this.#Impl(this.url);
		} catch (err) {
			this.#log(`could not open ${this.url}: ${err instanceof Error ? err.message : String(err)}`);
			return this.#scheduleReconnect();
		}
		const terminate = (socket as { terminate?: () => void }).terminate;
		const live: SealedSocket = new SealedSocket(socket, {
			key: this.#key,
			peerId: this.peerId,
			maxMessageBytes: this.#o.maxMessageBytes,
			highWaterMark: this.#o.highWaterMark,
			maxQueuedBytes: this.#o.maxQueuedBytes,
			pingIntervalMs: this.#o.pingIntervalMs,
			silenceMs: this.#o.silenceMs,
			terminate: terminate ? () => terminate.call(socket) : undefined,
			onOpen: (hub) => {
				if (this.#live !== live) return;
				clearTimeout(this.#handshakeTimer);
				this.#failures = 0;
				this.#hub = hub;
				this.#setState('open');
				this.#events.emit('peer-connected', hub);
			},
			onMessage: (message) => {
				if (this.#live === live && this.#hub) this.#events.emit('message', this.#hub, message);
			},
			onClose: (code, reason, wasOpen) => {
				if (this.#live !== live) return;
				this.#live = undefined;
				clearTimeout(this.#handshakeTimer);
				const hub = this.#hub;
				this.#hub = undefined;
				if (wasOpen && hub) this.#events.emit('peer-disconnected', hub);
				if (this.#destroyed) return;
				// Said when a live connection ends or a first attempt fails, not at every retry (a
				// server without a hub refuses each one).
				if (this.#retry === undefined && (wasOpen || this.#failures === 0))
					this.#log(`hub connection closed (${code} ${reason})`);
				this.#setState('closed');
				this.#scheduleReconnect();
			}
		});
		this.#live = live;
		this.#handshakeTimer = setTimeout(
			() => live.close(HubSocketClose.handshake, 'handshake timed out'),
			this.#o.handshakeTimeoutMs
		);
	}

	#scheduleReconnect(): void {
		if (this.#destroyed || this.#retry !== undefined) return;
		this.#failures++;
		const base = Math.min(this.#o.maxBackoffMs, this.#o.minBackoffMs * 2 ** (this.#failures - 1));
		this.#retry = setTimeout(() => this.#connect(), base * (1 - this.#o.jitter * Math.random()));
	}

	#setState(state: HubSocketState): void {
		if (this.#state === state) return;
		this.#state = state;
		this.#events.emit('state', state);
	}
}
