// The client side of signaling: topics to meet peers on, over one kept-alive WebSocket to a
// y-webrtc-protocol signaling server (Plateau's own relay or the stock y-webrtc server), with every
// payload sealed in an encrypted, timestamped, nonce-carrying envelope so the server relays only
// ciphertext and nobody can replay it.
//
// Wire format, as y-webrtc's signaling protocol (JSON text frames):
//   → {type:'subscribe', topics:[…]}   → {type:'unsubscribe', topics:[…]}   → {type:'ping'}
//   → {type:'publish', topic, data}    data = the sealed envelope (signaling-envelope.ts)
//   ← {type:'publish', topic, data, clients}   (every subscriber, the sender included)   ← {type:'pong'}
//
// The parts: signaling-socket.ts keeps the connection (keep-alive, reconnection with backoff);
// signaling-envelope.ts seals and checks envelopes; this file holds the topics and the events.
// Published messages are not queued while disconnected: signaling is ephemeral, so publish()
// resolves false and the caller announces itself again when the state becomes 'open'.
import { Disposer, Emitter } from '../domain/emitter';
import { DecryptionError } from './crypto';
import {
	asEnvelope,
	envelope,
	FRESHNESS_MS,
	MAX_NONCES,
	ReplayGuard,
	seal,
	sealedLength,
	unseal,
	type EnvelopeRejection
} from './signaling-envelope';
import { SignalingSocket, type SignalingSocketOptions, type SignalingState } from './signaling-socket';

export type { SignalingState, SocketLike, WebSocketConstructor } from './signaling-socket';
export type { EnvelopeRejection } from './signaling-envelope';

export interface SignalingClientOptions extends SignalingSocketOptions {
	/** The centre key (deriveCentreKey). */
	key: CryptoKey;
	/** This client's id inside envelopes; its own echoes are dropped. Random by default. */
	peerId?: string;
	/** Largest message the server accepts, bytes (Plateau's relay: 64 KiB). publish() refuses larger. */
	maxMessageBytes?: number;
	/** Accepted clock difference with a sender, ms. Default 60,000. */
	freshnessMs?: number;
	/** Nonces remembered at most (replay guard). Default 10,000. */
	maxNonces?: number;
}

export interface SignalingEvents {
	/** A payload published on a subscribed topic by another client, in an envelope that passed every
	 *  check; `from` is the sender's peer id sealed in it, `clients` the number of subscribers of
	 *  the topic the relay reported with it (y-webrtc's protocol; undefined if it said none). */
	message: (topic: string, payload: unknown, from: string, clients: number | undefined) => void;
	/** A message on a subscribed topic that this centre key cannot decrypt: most often a peer (or
	 *  this client) using another centre secret. The message is otherwise ignored. */
	'decrypt-error': (topic: string, error: DecryptionError) => void;
	/** A message that decrypted but was refused: replayed, stale (or a clock off by more than the
	 *  window), sealed for another topic, not an envelope, or naming another sender. */
	rejected: (topic: string, reason: EnvelopeRejection, from: string | undefined) => void;
	state: (state: SignalingState) => void;
	/** This client's own publish on `topic`, delivered back by the relay (y-webrtc servers deliver a
	 *  publish to every subscriber of the topic, the sender included) with the topic's subscriber
	 *  count: how a peer learns how many others a message reached. */
	echo: (topic: string, clients: number | undefined) => void;
}

const MAX_TOPIC_LENGTH = 256;
const encoder = new TextEncoder();
const noop = () => {};

function randomPeerId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
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
	readonly #maxMessageBytes: number;
	readonly #socket: SignalingSocket;
	readonly #guard: ReplayGuard;
	readonly #topics = new Set<string>();
	readonly #events = new Emitter<SignalingEvents>();
	readonly #teardown = new Disposer();
	#decryptErrors = 0;
	#rejected = 0;
	/** Outgoing publishes, in call order despite asynchronous encryption. */
	#sendChain: Promise<unknown> = Promise.resolve();
	/** Incoming publishes, delivered in arrival order despite asynchronous decryption. */
	#receiveChain: Promise<void> = Promise.resolve();

	constructor(options: SignalingClientOptions) {
		this.#socket = new SignalingSocket(options); // validates the URL and the WebSocket class
		this.url = options.url;
		this.#key = options.key;
		this.peerId = options.peerId ?? randomPeerId();
		this.#maxMessageBytes = options.maxMessageBytes ?? 64 * 1024;
		this.#guard = new ReplayGuard(options.freshnessMs ?? FRESHNESS_MS, options.maxNonces ?? MAX_NONCES);
		// Undone last first: the socket closes (listeners hear 'closed'), then they are removed.
		this.#teardown.add(
			() => this.#events.clear(),
			this.#socket.on('state', (state) => {
				// Topics are re-joined on every new connection, before anyone hears it is open.
				if (state === 'open' && this.#topics.size > 0)
					this.#socket.send({ type: 'subscribe', topics: [...this.#topics] });
				this.#emit('state', state);
			}),
			this.#socket.on('frame', (m) => this.#onFrame(m)),
			() => this.#socket.destroy()
		);
		this.#socket.start();
	}

	get state(): SignalingState {
		return this.#socket.state;
	}

	get topics(): string[] {
		return [...this.#topics];
	}

	/** Messages on subscribed topics that failed to decrypt, since construction. */
	get decryptErrors(): number {
		return this.#decryptErrors;
	}

	/** Messages that decrypted but were refused (replay, stale, …), since construction. */
	get rejectedMessages(): number {
		return this.#rejected;
	}

	/** WebSocket connections attempted, since construction (the first one included). */
	get connectAttempts(): number {
		return this.#socket.connectAttempts;
	}

	get destroyed(): boolean {
		return this.#teardown.disposed;
	}

	/** Subscribes to an event; returns the unsubscribe function. A listener that throws is
	 *  reported and does not stop the others nor the connection. */
	on<E extends keyof SignalingEvents>(event: E, listener: SignalingEvents[E]): () => void {
		if (this.destroyed) return noop;
		const guarded = ((...args: Parameters<SignalingEvents[E]>) => {
			try {
				(listener as (...a: Parameters<SignalingEvents[E]>) => void)(...args);
			} catch (e) {
				console.error(`SignalingClient: a '${event}' listener threw`, e);
			}
		}) as SignalingEvents[E];
		return this.#events.on(event, guarded);
	}

	/** Joins topics; kept across reconnects. */
	subscribe(...topics: string[]): void {
		const fresh = topics.map(checkTopic).filter((t) => !this.#topics.has(t));
		if (this.destroyed || fresh.length === 0) return;
		for (const t of fresh) this.#topics.add(t);
		this.#socket.send({ type: 'subscribe', topics: [...new Set(fresh)] });
	}

	unsubscribe(...topics: string[]): void {
		const held = topics.filter((t) => this.#topics.has(t));
		if (this.destroyed || held.length === 0) return;
		for (const t of held) this.#topics.delete(t);
		this.#socket.send({ type: 'unsubscribe', topics: [...new Set(held)] });
	}

	/**
	 * Seals `payload` in an envelope (this client's peer id, the topic, the time, a fresh nonce) and
	 * publishes it on `topic`. Resolves true once handed to the socket, false when not connected
	 * (the message is dropped, not queued). Throws, synchronously, a TypeError for a payload JSON
	 * cannot represent and a RangeError for a message larger than the server accepts. Never rejects.
	 */
	publish(topic: string, payload: unknown): Promise<boolean> {
		checkTopic(topic);
		if (payload === undefined || typeof payload === 'function' || typeof payload === 'symbol')
			throw new TypeError('publish: the payload has no JSON representation');
		const text = JSON.stringify(envelope(this.peerId, topic, payload)); // throws on BigInt, cycles
		const size =
			encoder.encode(JSON.stringify({ type: 'publish', topic, data: '' })).length + sealedLength(text);
		if (size > this.#maxMessageBytes)
			throw new RangeError(
				`Signaling message too large: ${size} bytes, the server accepts at most ${this.#maxMessageBytes}`
			);
		const sent = this.#sendChain.then(async () => {
			if (this.destroyed || this.state !== 'open') return false;
			const data = await seal(this.#key, text);
			return this.#socket.send({ type: 'publish', topic, data });
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
		const done = this.#sendChain.then(() => {
			if (this.destroyed) throw new Error('Signaling is not connected');
			return this.#socket.roundTrip();
		});
		this.#sendChain = done.catch(() => {});
		return done;
	}

	/** Skips the backoff wait and tries to connect now (e.g. when the browser reports `online`). */
	reconnectNow(): void {
		this.#socket.reconnectNow();
	}

	/** Closes the socket, stops timers and reconnection, and removes every listener. */
	destroy(): void {
		this.#teardown.dispose();
	}

	#onFrame(m: Record<string, unknown>): void {
		if (m.type !== 'publish' || typeof m.topic !== 'string' || !this.#topics.has(m.topic)) return;
		const topic = m.topic;
		const data = m.data;
		const clients = typeof m.clients === 'number' && Number.isFinite(m.clients) ? m.clients : undefined;
		this.#receiveChain = this.#receiveChain.then(() => this.#receive(topic, data, clients));
	}

	/** Opens, checks and delivers one publish. Never rejects. */
	async #receive(topic: string, data: unknown, clients: number | undefined): Promise<void> {
		let value: unknown;
		try {
			if (typeof data !== 'string') throw new DecryptionError('format', 'Not an encrypted message.');
			value = await unseal(this.#key, data);
		} catch (e) {
			if (this.destroyed) return;
			this.#decryptErrors++;
			const error = e instanceof DecryptionError ? e : new DecryptionError('format', String(e));
			this.#emit('decrypt-error', topic, error);
			return;
		}
		if (this.destroyed || !this.#topics.has(topic)) return;
		const e = asEnvelope(value);
		// Our own publish, echoed by the server: only its count is news.
		if (e?.from === this.peerId) return this.#emit('echo', topic, clients);
		const reason = e ? this.#guard.check(e, topic) : 'malformed';
		if (reason) {
			this.#rejected++;
			this.#emit('rejected', topic, reason, e?.from);
			return;
		}
		this.#emit('message', topic, e!.payload, e!.from, clients);
	}

	#emit<E extends keyof SignalingEvents>(event: E, ...args: Parameters<SignalingEvents[E]>): void {
		this.#events.emit(event, ...args);
	}
}
