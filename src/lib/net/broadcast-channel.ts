// Tabs of one browser (same origin) meet on a BroadcastChannel named after the centre. Every tab
// on the channel receives every post, so addressed messages are filtered on `to`. The channel
// carries structured-clone objects with no size limit that matters here: messages go whole, no
// framing. Posts from one tab reach each other tab in order.
//
// Protocol (anything else on the channel is ignored):
//   hello {from, to?, reply, nonce, re?}
//                             announces a session. Broadcast on start (and on return from the
//                             back/forward cache) with reply=true; a peer answers with an addressed
//                             hello, reply=false, `re` the nonce it answers. A reply=true hello from
//                             a peer already known means that peer started over with us: we drop
//                             the old session and connect. Every hello carries a fresh random nonce;
//                             the two nonces of a session, sorted, are its channel binding.
//   bye   {from, to?}         broadcast: the sender leaves (destroy, pagehide). Addressed: the
//                             sender dropped us (we timed out at its end, or disconnected us); we
//                             drop it too and say hello again, so both sides see the same
//                             disconnect and reconnect (a peer disconnected for breaking the
//                             protocol ignores that hello until its back-off ends, then says hello).
//   data  {from, to, bytes}   one whole message.
//   ping  {from}              heartbeat, broadcast every heartbeatMs; known peers answer
//   pong  {from, to}          at once, so a peer's liveness rests on its event loop rather than
//                             on its timers (which Chromium throttles in hidden tabs).
// A peer silent for timeoutMs and for two pings in a row (a tab frozen and resumed runs one late
// tick before its queued messages; that must not drop anyone) is dropped: a tab that crashed
// never says bye.
import { Disposer, Emitter } from '../domain/emitter';
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
	/** Wait before meeting again a peer disconnected for breaking the protocol, ms. Default 5,000,
	 *  doubled per offence up to 5 minutes. */
	protocolBackoffMs?: number;
}

type Wire =
	| { type: 'hello'; from: PeerId; to?: PeerId; reply: boolean; nonce: string; re?: string }
	| { type: 'bye'; from: PeerId; to?: PeerId }
	| { type: 'data'; from: PeerId; to: PeerId; bytes: Uint8Array }
	| { type: 'ping'; from: PeerId; to?: undefined }
	| { type: 'pong'; from: PeerId; to: PeerId };

interface Peer {
	lastSeen: number;
	/** Heartbeats since the peer was last heard from. */
	missed: number;
	/** The session's two hello nonces, sorted and joined. */
	binding: string;
}

const MAX_ID_LENGTH = 256;
const MAX_BACKOFF_MS = 5 * 60_000;
/** Broadcast hellos whose answers are still taken (a page that hid and came back says hello
 *  again while answers to the previous one may be on their way). */
const RECENT_HELLOS = 8;

function isNonce(v: unknown): v is string {
	return typeof v === 'string' && /^[0-9a-f]{32}$/.test(v);
}

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
			if (typeof m.reply !== 'boolean' || !isNonce(m.nonce)) return null;
			if (!m.reply && (!isId(m.to) || !isNonce(m.re))) return null;
			return {
				type: 'hello',
				from: m.from,
				to: m.to as PeerId | undefined,
				reply: m.reply,
				nonce: m.nonce,
				re: m.reply ? undefined : (m.re as string)
			};
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

function randomHex(bytes: number): string {
	return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
		b.toString(16).padStart(2, '0')
	).join('');
}

const randomPeerId = (): PeerId => randomHex(12);
const newNonce = (): string => randomHex(16);

export class BroadcastChannelNetwork implements NetworkAdapter {
	readonly peerId: PeerId;
	readonly #channel: BroadcastChannel;
	readonly #timeoutMs: number;
	readonly #peers = new Map<PeerId, Peer>();
	readonly #events = new Emitter<NetworkEvents>();
	readonly #teardown = new Disposer();
	readonly #backoffMs: number;
	/** Peers disconnected for breaking the protocol: ignored until `until`. */
	readonly #backoff = new Map<
		PeerId,
		{ until: number; offences: number; timer?: ReturnType<typeof setTimeout> }
	>();
	/** Nonces of this side's latest requesting hellos, newest last. */
	#hellos: string[] = [];
	#destroyed = false;
	/** Between pagehide and pageshow: the page may be in the back/forward cache or unloading. */
	#hidden = false;

	constructor(options: BroadcastChannelOptions) {
		this.peerId = options.peerId ?? randomPeerId();
		const heartbeatMs = options.heartbeatMs ?? 2_000;
		this.#timeoutMs = options.timeoutMs ?? 10_000;
		this.#backoffMs = options.protocolBackoffMs ?? 5_000;
		this.#channel = new BroadcastChannel(options.channel);
		this.#channel.onmessage = (e: MessageEvent) => this.#receive(e.data);
		const timer = setInterval(() => this.#tick(), heartbeatMs);
		this.#teardown.add(
			() => {
				this.#channel.onmessage = null;
				this.#channel.close();
			},
			() => clearInterval(timer),
			() => {
				for (const b of this.#backoff.values()) clearTimeout(b.timer);
				this.#backoff.clear();
			}
		);
		if (typeof window !== 'undefined' && typeof window.addEventListener === 'function') {
			const onHide = () => this.#pagehide();
			const onShow = () => this.#pageshow();
			window.addEventListener('pagehide', onHide);
			window.addEventListener('pageshow', onShow);
			this.#teardown.add(
				() => window.removeEventListener('pagehide', onHide),
				() => window.removeEventListener('pageshow', onShow)
			);
		}
		this.#hello();
	}

	/** The session's two hello nonces (one drawn by each side), sorted: the same at both ends, new
	 *  for every session. */
	channelBinding(peer: PeerId): string | undefined {
		return this.#peers.get(peer)?.binding;
	}

	/** Drops `peer`, which broke the protocol: it hears an addressed bye (and drops this side too),
	 *  and its hellos are ignored for a back-off, doubled per offence; then this side says hello. */
	disconnect(peer: PeerId, _reason: string): void {
		if (this.#destroyed) return;
		const previous = this.#backoff.get(peer);
		clearTimeout(previous?.timer);
		const offences = (previous?.offences ?? 0) + 1;
		const wait = Math.min(this.#backoffMs * 2 ** (offences - 1), MAX_BACKOFF_MS);
		const entry: { until: number; offences: number; timer?: ReturnType<typeof setTimeout> } = {
			until: Date.now() + wait,
			offences
		};
		this.#backoff.set(peer, entry);
		if (this.#peers.has(peer)) this.#post({ type: 'bye', from: this.peerId, to: peer });
		this.#drop(peer);
		entry.timer = setTimeout(() => {
			entry.timer = undefined;
			this.#hello(peer);
		}, wait);
	}

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
		this.#teardown.dispose();
		for (const peer of [...this.#peers.keys()]) this.#drop(peer);
		this.#events.clear();
	}

	/** Says hello (to everyone, or to one peer) asking for an answer, with a fresh nonce. */
	#hello(to?: PeerId): void {
		const nonce = newNonce();
		this.#hellos = [...this.#hellos.slice(1 - RECENT_HELLOS), nonce];
		this.#post({ type: 'hello', from: this.peerId, to, reply: true, nonce });
	}

	#post(message: Wire): void {
		if (this.#destroyed) return;
		try {
			this.#channel.postMessage(message);
		} catch {
			// Closed under us or not cloneable: the message is lost, as on a broken link.
		}
	}

	#connect(peer: PeerId, a: string, b: string): void {
		if (this.#peers.has(peer)) return;
		this.#peers.set(peer, { lastSeen: Date.now(), missed: 0, binding: `bc:${[a, b].sort().join(',')}` });
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
			case 'hello': {
				const backoff = this.#backoff.get(m.from);
				if (backoff && Date.now() < backoff.until) return;
				if (m.reply) {
					// The peer starts a session with us; one we thought we had is over.
					if (known) this.#drop(m.from);
					const nonce = newNonce();
					this.#connect(m.from, m.nonce, nonce);
					this.#post({ type: 'hello', from: this.peerId, to: m.from, reply: false, nonce, re: m.nonce });
				} else {
					// An answer to one of our recent hellos; a different session replaces ours.
					if (!this.#hellos.includes(m.re!)) return;
					const binding = `bc:${[m.re!, m.nonce].sort().join(',')}`;
					if (known && known.binding !== binding) this.#drop(m.from);
					this.#connect(m.from, m.re!, m.nonce);
				}
				return;
			}
			case 'bye':
				this.#drop(m.from);
				// Addressed: the peer is alive but dropped us. Start over with it.
				if (m.to !== undefined && !((this.#backoff.get(m.from)?.until ?? 0) > Date.now()))
					this.#hello(m.from);
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
		this.#hello();
	}
}
