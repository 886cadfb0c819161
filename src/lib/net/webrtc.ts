// The WebRTC mesh: one RTCPeerConnection per pair of peers of a centre, one ordered reliable data
// channel carrying every document (the Synchronizer multiplexes by document id). Peers meet on an
// encrypted signaling topic; the peer with the smaller id makes the offer, so two peers that find
// each other at once never both offer. Messages are cut into 16 KiB frames and sent under
// back-pressure on the channel's bufferedAmount.
//
// Hardening against peers and relays that do not play by the rules: an offer never replaces a live
// link (a link whose data channel is open stays until it closes); signaling messages arrive only
// through the client's envelope checks (no replay, no stale message, the sender sealed inside); a
// peer that breaks the framing, or that the sync layer disconnects, is closed and not reconnected
// before a back-off (5 s, doubling per offence up to 5 min). The channel binding is both DTLS
// certificate fingerprints of the connection, which a man in the middle cannot make equal on its
// two sides.
import { Disposer, Emitter } from '../domain/emitter';
import type { NetworkAdapter, NetworkEvents, PeerId } from '../repo/network';
import { FrameError, Reassembler, toFrames } from './chunking';
import type { SignalingClient } from './signaling-client';

/** The signaling topic a centre's peers meet on (and, optionally, a room inside it). The server
 *  sees it; it names the centre only. */
export function meshTopic(centreId: string, room?: string): string {
	return room ? `plateau:${centreId}:${room}` : `plateau:${centreId}`;
}

export interface WebRtcOptions {
	signaling: SignalingClient;
	/** Signaling topic of this centre's mesh. */
	topic: string;
	/** ICE servers; none by default (peers on one network need none, and nothing is reached outside). */
	iceServers?: RTCIceServer[];
	/** RTCPeerConnection implementation: the browser's by default, `@roamhq/wrtc`'s in Node. */
	RTCPeerConnectionImpl?: typeof RTCPeerConnection;
	/** Largest reassembled message, bytes, and the cap on what one peer can have in reassembly. */
	maxMessageBytes?: number;
	/** Pause sending while this much is buffered in a channel. */
	highWaterMark?: number;
	/** A connection not open within this is abandoned (and retried on the next announce). */
	connectTimeoutMs?: number;
	/** First wait before reconnecting to a peer disconnected for breaking the protocol; doubled per
	 *  offence, up to 5 minutes. Default 5,000. */
	protocolBackoffMs?: number;
	log?: (message: string) => void;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/** Signaling messages of the mesh. Each names its sender (as y-webrtc's do); the signaling client
 *  refuses one whose name differs from the sender sealed in its envelope. */
type Signal =
	| { type: 'announce'; from: PeerId; to?: PeerId }
	| {
			type: 'signal';
			from: PeerId;
			to: PeerId;
			description?: RTCSessionDescriptionInit;
			candidate?: RTCIceCandidateInit;
	  };

/** A peer under protocol back-off: not reconnected before `until`. */
interface Backoff {
	until: number;
	offences: number;
	timer?: ReturnType<typeof setTimeout>;
}

/** The DTLS certificate fingerprints an SDP declares, normalised (`sha-256 AB:CD:…`). */
export function sdpFingerprints(sdp: string | undefined): string[] {
	const found = new Set<string>();
	for (const m of (sdp ?? '').matchAll(/^a=fingerprint:(\S+)[ \t]+([0-9A-Fa-f:]+)\s*$/gm))
		found.add(`${m[1]!.toLowerCase()} ${m[2]!.toUpperCase()}`);
	return [...found];
}

interface Link {
	pc: RTCPeerConnection;
	channel?: RTCDataChannel;
	open: boolean;
	queue: Uint8Array[];
	reassembler: Reassembler;
	timer?: ReturnType<typeof setTimeout>;
	pendingCandidates: RTCIceCandidateInit[];
}

export class WebRtcMesh implements NetworkAdapter {
	readonly peerId: PeerId;
	readonly #signaling: SignalingClient;
	readonly #topic: string;
	readonly #config: RTCConfiguration;
	readonly #Impl: typeof RTCPeerConnection;
	readonly #maxBytes: number;
	readonly #high: number;
	readonly #connectTimeout: number;
	readonly #log: (m: string) => void;
	readonly #links = new Map<PeerId, Link>();
	readonly #backoffMs: number;
	readonly #backoff = new Map<PeerId, Backoff>();
	readonly #events = new Emitter<NetworkEvents>();
	readonly #teardown = new Disposer();
	readonly #timers = new Set<ReturnType<typeof setTimeout>>();
	#lastForeignAnnounce = 0;
	readonly #lastRejectLog = new Map<string, number>();
	#destroyed = false;

	constructor(options: WebRtcOptions) {
		this.#signaling = options.signaling;
		this.peerId = options.signaling.peerId;
		this.#topic = options.topic;
		this.#config = { iceServers: options.iceServers ?? [] };
		this.#Impl = options.RTCPeerConnectionImpl ?? globalThis.RTCPeerConnection;
		this.#maxBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
		this.#high = options.highWaterMark ?? 1024 * 1024;
		this.#connectTimeout = options.connectTimeoutMs ?? 15_000;
		this.#backoffMs = options.protocolBackoffMs ?? 5_000;
		this.#log = options.log ?? ((m) => console.warn(`Plateau WebRTC: ${m}`));
		this.#teardown.add(
			this.#signaling.on('message', (topic, payload, from) => {
				if (topic === this.#topic && from && from !== this.peerId)
					this.#onSignal(from, payload).catch((err: unknown) =>
						this.#log(`signal from ${from}: ${err instanceof Error ? err.message : String(err)}`)
					);
			}),
			this.#signaling.on('state', (state) => {
				if (state === 'open') this.announce();
			}),
			// Someone on our topic uses another centre key. Announce again (at most every few
			// seconds): our announce is just as unreadable to them, which is how a newcomer with a
			// wrong invite code learns it.
			this.#signaling.on('decrypt-error', () => {
				const now = Date.now();
				if (now - this.#lastForeignAnnounce < 3000) return;
				this.#lastForeignAnnounce = now;
				this.announce();
			}),
			// Replays, stale or forged messages: said at most once a second per reason.
			this.#signaling.on('rejected', (topic, reason, from) => {
				if (topic !== this.#topic) return;
				const now = Date.now();
				if (now - (this.#lastRejectLog.get(reason) ?? 0) < 1000) return;
				this.#lastRejectLog.set(reason, now);
				this.#log(`refused a signaling message (${reason}) claiming to come from ${from ?? 'nobody'}`);
			}),
			() => {
				for (const timer of this.#timers) clearTimeout(timer);
				this.#timers.clear();
				for (const b of this.#backoff.values()) clearTimeout(b.timer);
				this.#backoff.clear();
			}
		);
		this.#signaling.subscribe(this.#topic);
		this.announce();
	}

	/** Both DTLS certificate fingerprints of the live connection (this side's and the peer's, from
	 *  the local and remote SDP), sorted: the same at both ends, and different on the two sides of a
	 *  man in the middle, who holds neither end's certificate key. */
	channelBinding(peer: PeerId): string | undefined {
		const link = this.#links.get(peer);
		if (!link?.open) return undefined;
		const local = sdpFingerprints(link.pc.localDescription?.sdp);
		const remote = sdpFingerprints(link.pc.remoteDescription?.sdp);
		if (local.length === 0 || remote.length === 0) return undefined;
		return `webrtc-dtls:${[...new Set([...local, ...remote])].sort().join(',')}`;
	}

	/** Bytes held in reassembly for `peer` (diagnostics; bounded by maxMessageBytes). */
	reassemblyBytes(peer: PeerId): number {
		return this.#links.get(peer)?.reassembler.buffered ?? 0;
	}

	peers(): PeerId[] {
		return [...this.#links].filter(([, l]) => l.open).map(([id]) => id);
	}

	on<E extends keyof NetworkEvents>(event: E, listener: NetworkEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	/** Tells the centre's peers this one is here; those not connected yet connect. */
	announce(): void {
		this.#publish({ type: 'announce', from: this.peerId });
	}

	send(to: PeerId, message: Uint8Array): void {
		const link = this.#links.get(to);
		if (!link?.open) return;
		if (message.length > this.#maxBytes) {
			this.#log(`dropped a ${message.length}-byte message to ${to}: over the limit`);
			return;
		}
		link.queue.push(...toFrames(message));
		this.#pump(link);
	}

	/** Closes the connection to `peer`, which broke the protocol (or missed its handshake deadline):
	 *  it is not reconnected before a back-off, doubled at each offence. */
	disconnect(peer: PeerId, reason: string): void {
		if (this.#destroyed) return;
		const previous = this.#backoff.get(peer);
		clearTimeout(previous?.timer);
		const offences = (previous?.offences ?? 0) + 1;
		const wait = Math.min(this.#backoffMs * 2 ** (offences - 1), MAX_BACKOFF_MS);
		const backoff: Backoff = { until: Date.now() + wait, offences };
		this.#backoff.set(peer, backoff);
		this.#log(`disconnected ${peer} (${reason}); not reconnecting for ${Math.round(wait / 1000)} s`);
		this.#close(peer, false);
		// Past the wait, offer to meet again (whichever side should offer then does).
		backoff.timer = this.#later(wait, () => {
			backoff.timer = undefined;
			this.#publish({ type: 'announce', from: this.peerId, to: peer });
		});
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.#destroyed = true;
		this.#signaling.unsubscribe(this.#topic);
		for (const peer of [...this.#links.keys()]) this.#close(peer);
		this.#teardown.dispose();
		this.#events.clear();
	}

	/** A timer cleared by destroy(). */
	#later(ms: number, run: () => void): ReturnType<typeof setTimeout> {
		const timer = setTimeout(() => {
			this.#timers.delete(timer);
			run();
		}, ms);
		this.#timers.add(timer);
		return timer;
	}

	#backingOff(peer: PeerId): boolean {
		const b = this.#backoff.get(peer);
		return b !== undefined && Date.now() < b.until;
	}

	#publish(signal: Signal): void {
		if (this.#destroyed) return;
		void this.#signaling.publish(this.#topic, signal).catch(() => {});
	}

	async #onSignal(from: PeerId, payload: unknown): Promise<void> {
		if (this.#destroyed || typeof payload !== 'object' || payload === null) return;
		const s = payload as Partial<Signal> & { to?: unknown };
		if (s.to !== undefined && s.to !== this.peerId) return;
		// The sender names itself in the signal too; the envelope check made the two agree.
		if (s.from !== from) return;
		const offer = (s as { description?: { type?: unknown } }).description?.type === 'offer';
		if ((s.type === 'announce' || offer) && this.#backingOff(from)) {
			this.#log(`ignored ${s.type === 'announce' ? 'an announce' : 'an offer'} from ${from}: backing off`);
			return;
		}
		if (s.type === 'announce') {
			if (this.#links.has(from)) return;
			if (this.peerId >= from) {
				this.#publish({ type: 'announce', from: this.peerId, to: from }); // the other side offers
				return;
			}
			try {
				await this.#offer(from);
			} catch (err) {
				// The link may have been closed (destroy, disconnect) while the offer was being made.
				if (!this.#destroyed) {
					this.#log(`offer to ${from} failed: ${err instanceof Error ? err.message : String(err)}`);
					this.#close(from);
				}
			}
			return;
		}
		if (s.type !== 'signal') return;
		const sig = s as Extract<Signal, { type: 'signal' }>;
		try {
			if (sig.description) {
				if (sig.description.type === 'offer') {
					// A live link is never replaced: whoever sent this offer (a rogue peer using the
					// id, a stale or duplicated offer) gets no answer. The peer, if it is the real
					// one and lost the link, offers again once this side has seen it close.
					const existing = this.#links.get(from);
					if (existing?.open) {
						this.#log(`ignored an offer from ${from}: its link is live`);
						return;
					}
					// A half-open link is replaced: the peer started over.
					if (existing) this.#close(from, false);
					const link = this.#link(from);
					await link.pc.setRemoteDescription(sig.description);
					await this.#flushCandidates(link);
					const answer = await link.pc.createAnswer();
					await link.pc.setLocalDescription(answer);
					this.#publish({
						type: 'signal',
						from: this.peerId,
						to: from,
						description: { type: answer.type, sdp: answer.sdp }
					});
				} else if (sig.description.type === 'answer') {
					const link = this.#links.get(from);
					if (!link || link.pc.signalingState !== 'have-local-offer') return;
					await link.pc.setRemoteDescription(sig.description);
					await this.#flushCandidates(link);
				}
			} else if (sig.candidate) {
				const link = this.#links.get(from);
				if (!link) return;
				if (!link.pc.remoteDescription) link.pendingCandidates.push(sig.candidate);
				else await link.pc.addIceCandidate(sig.candidate);
			}
		} catch (err) {
			this.#log(`signal from ${from} failed: ${err instanceof Error ? err.message : String(err)}`);
			this.#close(from);
		}
	}

	async #offer(to: PeerId): Promise<void> {
		const link = this.#link(to);
		this.#attachChannel(to, link, link.pc.createDataChannel('plateau', { ordered: true }));
		const offer = await link.pc.createOffer();
		await link.pc.setLocalDescription(offer);
		this.#publish({
			type: 'signal',
			from: this.peerId,
			to,
			description: { type: offer.type, sdp: offer.sdp }
		});
	}

	#link(peer: PeerId): Link {
		const pc = new this.#Impl(this.#config);
		const link: Link = {
			pc,
			open: false,
			queue: [],
			reassembler: new Reassembler(this.#maxBytes),
			pendingCandidates: []
		};
		this.#links.set(peer, link);
		pc.onicecandidate = (e) => {
			if (e.candidate)
				this.#publish({ type: 'signal', from: this.peerId, to: peer, candidate: e.candidate.toJSON() });
		};
		pc.ondatachannel = (e) => this.#attachChannel(peer, link, e.channel);
		pc.onconnectionstatechange = () => {
			if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.#close(peer, true, link);
		};
		link.timer = setTimeout(() => {
			if (!link.open) this.#close(peer, true, link);
		}, this.#connectTimeout);
		return link;
	}

	async #flushCandidates(link: Link): Promise<void> {
		for (const c of link.pendingCandidates.splice(0)) await link.pc.addIceCandidate(c);
	}

	#attachChannel(peer: PeerId, link: Link, channel: RTCDataChannel): void {
		link.channel = channel;
		channel.binaryType = 'arraybuffer';
		channel.bufferedAmountLowThreshold = this.#high / 4;
		channel.onbufferedamountlow = () => this.#pump(link);
		channel.onopen = () => {
			if (this.#links.get(peer) !== link) return;
			clearTimeout(link.timer);
			link.open = true;
			this.#events.emit('peer-connected', peer);
		};
		channel.onclose = () => this.#close(peer, true, link);
		channel.onmessage = (e) => {
			if (this.#links.get(peer) !== link) return;
			const data = e.data instanceof ArrayBuffer ? new Uint8Array(e.data) : null;
			if (!data) return this.disconnect(peer, 'sent a text frame');
			let message: Uint8Array | null;
			try {
				message = link.reassembler.push(data);
			} catch (err) {
				return this.disconnect(peer, err instanceof FrameError ? err.message : String(err));
			}
			if (message) this.#events.emit('message', peer, message);
		};
	}

	#pump(link: Link): void {
		const channel = link.channel;
		if (!channel || channel.readyState !== 'open') return;
		while (link.queue.length && channel.bufferedAmount < this.#high) {
			channel.send(link.queue.shift()! as Uint8Array<ArrayBuffer>);
		}
	}

	/** Closes the link to `peer` (only if it is still `only`, when given: a replaced link's late
	 *  events must not close its successor). */
	#close(peer: PeerId, reannounce = true, only?: Link): void {
		const link = this.#links.get(peer);
		if (!link || (only && link !== only)) return;
		this.#links.delete(peer);
		clearTimeout(link.timer);
		link.channel?.close();
		link.pc.close();
		if (link.open) this.#events.emit('peer-disconnected', peer);
		// Reconnect both ways after a drop: announcing makes whichever side should offer do it.
		if (reannounce && !this.#destroyed) this.#later(250 + Math.random() * 500, () => this.announce());
	}
}
