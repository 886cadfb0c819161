// The WebRTC mesh: one RTCPeerConnection per pair of peers of a centre, one ordered reliable data
// channel carrying every document (the Synchronizer multiplexes by document id). Peers meet on an
// encrypted signaling topic; the peer with the smaller id makes the offer, so two peers that find
// each other at once never both offer. Messages are cut into 16 KiB frames and sent under
// back-pressure on the channel's bufferedAmount.
import { Emitter } from '../domain/emitter';
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
	/** Largest reassembled message, bytes. */
	maxMessageBytes?: number;
	/** Pause sending while this much is buffered in a channel. */
	highWaterMark?: number;
	/** A connection not open within this is abandoned (and retried on the next announce). */
	connectTimeoutMs?: number;
	log?: (message: string) => void;
}

type Signal =
	| { type: 'announce'; to?: PeerId }
	| { type: 'signal'; to: PeerId; description?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit };

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
	readonly #events = new Emitter<NetworkEvents>();
	readonly #off: (() => void)[] = [];
	readonly #timers = new Set<ReturnType<typeof setTimeout>>();
	#lastForeignAnnounce = 0;
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
		this.#log = options.log ?? ((m) => console.warn(`Plateau WebRTC: ${m}`));
		this.#off.push(
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
			})
		);
		this.#signaling.subscribe(this.#topic);
		this.announce();
	}

	/** Not yet bound to the connection: peers over this transport stay unproven until it is. */
	channelBinding(_peer: PeerId): string | undefined {
		return undefined;
	}

	peers(): PeerId[] {
		return [...this.#links].filter(([, l]) => l.open).map(([id]) => id);
	}

	on<E extends keyof NetworkEvents>(event: E, listener: NetworkEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	/** Tells the centre's peers this one is here; those not connected yet connect. */
	announce(): void {
		this.#publish({ type: 'announce' });
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

	/** Closes the connection to one peer (tests use it to simulate a network failure). */
	disconnect(peer: PeerId): void {
		this.#close(peer);
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.#destroyed = true;
		for (const off of this.#off.splice(0)) off();
		this.#signaling.unsubscribe(this.#topic);
		for (const peer of [...this.#links.keys()]) this.#close(peer);
		for (const timer of this.#timers) clearTimeout(timer);
		this.#timers.clear();
		this.#events.clear();
	}

	#publish(signal: Signal): void {
		if (this.#destroyed) return;
		void this.#signaling.publish(this.#topic, signal).catch(() => {});
	}

	async #onSignal(from: PeerId, payload: unknown): Promise<void> {
		if (this.#destroyed || typeof payload !== 'object' || payload === null) return;
		const s = payload as Partial<Signal> & { to?: unknown };
		if (s.to !== undefined && s.to !== this.peerId) return;
		if (s.type === 'announce') {
			if (this.#links.has(from)) return;
			if (this.peerId >= from) {
				this.#publish({ type: 'announce', to: from }); // the other side offers
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
					// An offer replaces whatever half-open link we had with this peer.
					if (this.#links.has(from)) this.#close(from, false);
					const link = this.#link(from);
					await link.pc.setRemoteDescription(sig.description);
					await this.#flushCandidates(link);
					const answer = await link.pc.createAnswer();
					await link.pc.setLocalDescription(answer);
					this.#publish({ type: 'signal', to: from, description: { type: answer.type, sdp: answer.sdp } });
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
		this.#publish({ type: 'signal', to, description: { type: offer.type, sdp: offer.sdp } });
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
			if (e.candidate) this.#publish({ type: 'signal', to: peer, candidate: e.candidate.toJSON() });
		};
		pc.ondatachannel = (e) => this.#attachChannel(peer, link, e.channel);
		pc.onconnectionstatechange = () => {
			if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.#close(peer);
		};
		link.timer = setTimeout(() => {
			if (!link.open) this.#close(peer);
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
		channel.onclose = () => this.#close(peer);
		channel.onmessage = (e) => {
			if (this.#links.get(peer) !== link) return;
			const data = e.data instanceof ArrayBuffer ? new Uint8Array(e.data) : null;
			if (!data) {
				this.#log(`${peer} sent a text frame; closing`);
				return this.#close(peer);
			}
			try {
				const message = link.reassembler.push(data);
				if (message) this.#events.emit('message', peer, message);
			} catch (err) {
				this.#log(`${peer}: ${err instanceof FrameError ? err.message : String(err)}; closing`);
				this.#close(peer);
			}
		};
	}

	#pump(link: Link): void {
		const channel = link.channel;
		if (!channel || channel.readyState !== 'open') return;
		while (link.queue.length && channel.bufferedAmount < this.#high) {
			channel.send(link.queue.shift()! as Uint8Array<ArrayBuffer>);
		}
	}

	#close(peer: PeerId, reannounce = true): void {
		const link = this.#links.get(peer);
		if (!link) return;
		this.#links.delete(peer);
		clearTimeout(link.timer);
		link.channel?.close();
		link.pc.close();
		if (link.open) this.#events.emit('peer-disconnected', peer);
		// Reconnect both ways after a drop: announcing makes whichever side should offer do it.
		if (reannounce && !this.#destroyed) {
			const timer = setTimeout(
				() => {
					this.#timers.delete(timer);
					this.announce();
				},
				250 + Math.random() * 500
			);
			this.#timers.add(timer);
		}
	}
}
