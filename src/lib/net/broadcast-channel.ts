// Tabs of one browser (same origin) meet on a BroadcastChannel named after the centre. Every tab
// on the channel receives every post, so addressed messages are filtered on `to`. The channel
// carries structured-clone objects with no size limit that matters here: messages go whole, no
// framing. Posts from one tab reach each other tab in order.
//
// Protocol (anything else on the channel is ignored):
//   hello {from, to?, reply}  announces a session. Broadcast on start (and on return from the
//                             back/forward cache) with reply=true; a peer answers with an addressed
//                             hello, reply=false. A reply=true hello from a peer already known means
//                             that peer started over with us: we drop the old session and connect.
//   bye   {from, to?}         broadcast: the sender leaves (destroy, pagehide). Addressed: the
//                             sender dropped us (we timed out at its end); we drop it too and say
//                             hello again, so both sides see the same disconnect and reconnect.
//   data  {from, to, bytes}   one whole message.
//   ping  {from}              heartbeat, broadcast every heartbeatMs; known peers answer
//   pong  {from, to}          at once, so a peer's liveness rests on its event loop rather than
//                             on its timers (which Chromium throttles in hidden tabs).
// A peer silent for timeoutMs and for two pings in a row (a tab frozen and resumed runs one late
// tick before its queued messages; that must not drop anyone) is dropped: a tab that crashed
// never says bye.
import { Emitter } from '../domain/emitter';
import type { NetworkAdapter, NetworkEvents, PeerId } from '../repo/network';

export interface BroadcastChannelOptions {
	/** Channel name: one per centre. */
	channel: string;
	/** This instance's id; random by default. */
	peerId?: PeerId;
	/** Interval between heartbeats, ms. */
	heartbeatMs?: number;
	/** A peer silent this long (and for two heartbeats) is dropped, ms. */
	timeoutMs?: number;
}

type Wire =
	| { type: 'hello'; from: PeerId; to?: PeerId; reply: boolean }
	| { type: 'bye'; from: PeerId; to?: PeerId }
	| { type: 'data'; from: PeerId; to: PeerId; bytes: Uint8Array }
	| { type: 'ping'; from: PeerId; to?: undefined }
	| { type: 'pong'; from: PeerId; to: PeerId };

interface Peer {
	lastSeen: number;
	/** Heartbeats since the peer was last heard from. */
	missed: number;
}

const MAX_ID_LENGTH = 256;

function isId(v: unknown): v is PeerId {
	return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
}

/** The message if it is a well-formed protocol message, else null. */
function parse(data: unknown): Wire | null {
	if (typeof data !== 'object' || data === null) return null;
	const m = data as Record<string, unknown>;
	if (!isId(m.from)) return null;
	if (m.to !== undefined && !isId(m.to)) return null;
	switch (m.type) {
		case 'hello':
			return typeof m.reply === 'boolean'
				? { type: 'hello', from: m.from, to: m.to as PeerId | undefined, reply: m.reply }
				: null;
		case 'bye':
			return { type: 'bye', from: m.from, to: m.to as PeerId | undefined };
		case 'data':
			return isId(m.to) && m.bytes instanceof Uint8Array
				? { type: 'data', from: m.from, to: m.to, bytes: m.bytes }
				: null;
		case 'ping':
			return { type: 'ping', from: m.from };
		case 'pong':
			return isId(m.to) ? { type: 'pong', from: m.from, to: m.to } : null;
		default:
			return null;
	}
}

function randomPeerId(): PeerId {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class BroadcastChannelNetwork implements NetworkAdapter {
	readonly peerId: PeerId;
	readonly #channel: BroadcastChannel;
	readonly #timeoutMs: number;
	readonly #peers = new Map<PeerId, Peer>();
	readonly #events = new Emitter<NetworkEvents>();
	readonly #timer: ReturnType<typeof setInterval>;
	readonly #off: (() => void)[] = [];
	#destroyed = false;
	/** Between pagehide and pageshow: the page may be in the back/forward cache or unloading. */
	#hidden = false;

	constructor(options: BroadcastChannelOptions) {
		this.peerId = options.peerId ?? randomPeerId();
		const heartbeatMs = options.heartbeatMs ?? 2_000;
		this.#timeoutMs = options.timeoutMs ?? 10_000;
		this.#channel = new BroadcastChannel(options.channel);
		this.#channel.onmessage = (e: MessageEvent) => this.#receive(e.data);
		this.#timer = setInterval(() => this.#tick(), heartbeatMs);
		if (typeof window !== 'undefined' && typeof window.addEventListener === 'function') {
			const onHide = () => this.#pagehide();
			const onShow = () => this.#pageshow();
			window.addEventListener('pagehide', onHide);
			window.addEventListener('pageshow', onShow);
			this.#off.push(
				() => window.removeEventListener('pagehide', onHide),
				() => window.removeEventListener('pageshow', onShow)
			);
		}
		this.#post({ type: 'hello', from: this.peerId, reply: true });
	}

	/** Not yet bound to the connection: peers over this transport stay unproven until it is. */
	channelBinding(_peer: PeerId): string | undefined {
		return undefined;
	}

	disconnect(_peer: PeerId, _reason: string): void {}

	peers(): PeerId[] {
		return [...this.#peers.keys()];
	}

	send(to: PeerId, message: Uint8Array): void {
		if (this.#destroyed || this.#hidden || !this.#peers.has(to)) return;
		// A copy of just these bytes: a view is cloned with its whole underlying buffer, and the
		// caller may reuse the buffer after send returns.
		this.#post({ type: 'data', from: this.peerId, to, bytes: message.slice() });
	}

	on<E extends keyof NetworkEvents>(event: E, listener: NetworkEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	get listenerCount(): number {
		return this.#events.count();
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.#post({ type: 'bye', from: this.peerId });
		this.#shutdown();
	}

	/** For tests: dies like a crashed tab, closing the channel without a bye (peers notice only
	 *  through the heartbeat timeout). Listeners here still hear this side's disconnects. */
	crash(): void {
		if (!this.#destroyed) this.#shutdown();
	}

	#shutdown(): void {
		this.#destroyed = true;
		clearInterval(this.#timer);
		for (const off of this.#off.splice(0)) off();
		this.#channel.onmessage = null;
		this.#channel.close();
		for (const peer of [...this.#peers.keys()]) this.#drop(peer);
		this.#events.clear();
	}

	#post(message: Wire): void {
		if (this.#destroyed) return;
		try {
			this.#channel.postMessage(message);
		} catch {
			// Closed under us or not cloneable: the message is lost, as on a broken link.
		}
	}

	#connect(peer: PeerId): void {
		if (this.#peers.has(peer)) return;
		this.#peers.set(peer, { lastSeen: Date.now(), missed: 0 });
		this.#events.emit('peer-connected', peer);
	}

	#drop(peer: PeerId): void {
		if (!this.#peers.delete(peer)) return;
		this.#events.emit('peer-disconnected', peer);
	}

	#receive(data: unknown): void {
		if (this.#destroyed || this.#hidden) return;
		const m = parse(data);
		if (!m || m.from === this.peerId) return;
		if (m.to !== undefined && m.to !== this.peerId) return;
		const known = this.#peers.get(m.from);
		if (known) {
			known.lastSeen = Date.now();
			known.missed = 0;
		}
		switch (m.type) {
			case 'hello':
				if (m.reply) {
					// The peer starts a session with us; one we thought we had is over.
					if (known) this.#drop(m.from);
					this.#connect(m.from);
					this.#post({ type: 'hello', from: this.peerId, to: m.from, reply: false });
				} else {
					this.#connect(m.from);
				}
				return;
			case 'bye':
				this.#drop(m.from);
				// Addressed: the peer is alive but timed us out. Start over with it.
				if (m.to !== undefined) this.#post({ type: 'hello', from: this.peerId, to: m.from, reply: true });
				return;
			case 'data':
				if (known) this.#events.emit('message', m.from, m.bytes);
				return;
			case 'ping':
				if (known) this.#post({ type: 'pong', from: this.peerId, to: m.from });
				return;
			case 'pong':
				return;
		}
	}

	#tick(): void {
		if (this.#destroyed || this.#hidden) return;
		const now = Date.now();
		for (const [id, peer] of [...this.#peers]) {
			if (peer.missed >= 2 && now - peer.lastSeen >= this.#timeoutMs) {
				this.#drop(id);
				// If it is alive after all, it drops us too and says hello again.
				this.#post({ type: 'bye', from: this.peerId, to: id });
			} else {
				peer.missed++;
			}
		}
		this.#post({ type: 'ping', from: this.peerId });
	}

	#pagehide(): void {
		if (this.#destroyed || this.#hidden) return;
		this.#post({ type: 'bye', from: this.peerId });
		this.#hidden = true;
		for (const peer of [...this.#peers.keys()]) this.#drop(peer);
	}

	#pageshow(): void {
		if (this.#destroyed || !this.#hidden) return;
		this.#hidden = false;
		this.#post({ type: 'hello', from: this.peerId, reply: true });
	}
}
