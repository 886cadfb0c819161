// The hub instances of one centre as peers of each other, over the hub bus (Redis pub/sub, or the
// memory bus in tests): a NetworkAdapter, so the same Synchronizer that serves browsers also does
// the handshake, anti-entropy and forwarding between instances. What one instance receives from its
// browsers reaches the other instances as live updates, and from them their browsers; after a Redis
// outage the bus peers reconnect, and reconnecting runs anti-entropy again (inventories resync).
//
// On the bus (channels named through HubBus.subscribe):
//  - `@peers`: every instance announces itself (its session nonce, the time) every heartbeat;
//  - `@to:<instance id>`: what is addressed to one instance: open, accept, data, bye.
// A connection: the instance with the smaller id, seeing the other's announce, sends `open` with a
// fresh nonce (and its session); the other answers `accept` with its own fresh nonce and is connected; the opener is
// connected on the accept. Data carries both nonces and a sequence number: a message of an older
// connection is ignored, and a gap (Redis dropped something) closes the connection, which reopens
// and resyncs. An instance not heard from within the timeout, or announcing a new session (it
// restarted, or its bus connection came back), is disconnected. After a disconnection the same
// peer is not reopened for `reconnectDelayMs`.
//
// Security: every message is sealed with AES-256-GCM under a key derived from the centre secret
// (HKDF-SHA256), with the sender and recipient ids as associated data. So Redis (and whoever can
// read or publish on it) sees only ciphertext and instance ids, and cannot forge, redirect or
// replay a message into a connection. The channel binding of a connection (signed by the sync
// handshake's proofs) is an HMAC under that key of both instance ids and both fresh nonces: equal
// at both ends of one connection, different for every other connection, and not computable
// without the centre secret. This is a keyed binding, not a sealed channel: it proves both ends
// hold the centre secret; each end's agent is proven on top of it by the hello proof.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Disposer, Emitter } from '../domain/emitter';
import type { NetworkAdapter, NetworkEvents, PeerId } from '../repo/network';
import type { HubBus, HubMessage } from './hub-bus';

export interface BusNetworkOptions {
	bus: HubBus;
	centreId: string;
	/** The centre secret (canonical form): the bus key derives from it. */
	secret: string;
	/** How often this instance announces itself. Default 1,000 ms. */
	heartbeatMs?: number;
	/** An instance not heard from within this is disconnected. Default 5 heartbeats. */
	timeoutMs?: number;
	/** After a disconnection, the same peer is not reopened before this. Default 2,000 ms. */
	reconnectDelayMs?: number;
	/** Largest message accepted, bytes. Default 64 MiB. */
	maxMessageBytes?: number;
	log?: (message: string) => void;
}

const PEERS = '@peers';
const inbox = (id: string) => `@to:${id}`;
const NONCE = 16;
const IV = 12;
const TAG = 16;
/** An open older than this is refused (a replayed one). */
const OPEN_MAX_AGE_MS = 30_000;

const enum Kind {
	Announce = 1,
	Open = 2,
	Accept = 3,
	Data = 4,
	Bye = 5
}

interface Link {
	/** The opener's nonce, then the accepter's: the connection's identity. */
	nonces: Uint8Array;
	binding: string;
	sent: number;
	received: number;
}

interface Remote {
	session: string;
	lastSeen: number;
	link?: Link;
	/** Our open waiting for its accept, and when it was sent. */
	opening?: Uint8Array;
	openedAt?: number;
	/** Not reopened before this time. */
	holdUntil: number;
}

export class BusNetwork implements NetworkAdapter {
	readonly peerId: PeerId;
	readonly #bus: HubBus;
	readonly #key: Buffer;
	readonly #heartbeat: number;
	readonly #timeout: number;
	readonly #reconnectDelay: number;
	readonly #maxBytes: number;
	readonly #log: (m: string) => void;
	readonly #remotes = new Map<PeerId, Remote>();
	readonly #events = new Emitter<NetworkEvents>();
	readonly #disposer = new Disposer();
	readonly #seenOpens = new Set<string>();
	#session = randomBytes(NONCE).toString('base64');
	#timer: ReturnType<typeof setInterval> | undefined;
	#destroyed = false;
	/** Resolves once both subscriptions are live. */
	readonly ready: Promise<void>;

	constructor(options: BusNetworkOptions) {
		this.#bus = options.bus;
		this.peerId = options.bus.instanceId;
		this.#key = Buffer.from(
			hkdfSync('sha256', options.secret, `plateau/hub-bus/v1/${options.centreId}`, 'bus', 32)
		);
		this.#heartbeat = options.heartbeatMs ?? 1000;
		this.#timeout = options.timeoutMs ?? 5 * this.#heartbeat;
		this.#reconnectDelay = options.reconnectDelayMs ?? 2000;
		this.#maxBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
		this.#log = options.log ?? ((m) => console.warn(`Plateau hub bus: ${m}`));
		const peers = this.#bus.subscribe(PEERS, (m) => this.#receive(m, PEERS));
		const mine = this.#bus.subscribe(inbox(this.peerId), (m) => this.#receive(m, inbox(this.peerId)));
		this.#disposer.add(
			peers,
			mine,
			this.#bus.onResync(() => this.#renewSession('the bus reconnected'))
		);
		this.ready = Promise.all([peers.ready, mine.ready]).then(() => {
			if (this.#destroyed) return;
			this.#announce();
			this.#timer = setInterval(() => this.#tick(), this.#heartbeat);
			this.#timer.unref?.();
		});
	}

	peers(): PeerId[] {
		return [...this.#remotes].filter(([, r]) => r.link).map(([id]) => id);
	}

	/** Instances heard from (connected or not), for the operator view. */
	instances(): PeerId[] {
		return [...this.#remotes.keys()];
	}

	send(to: PeerId, message: Uint8Array): void {
		const link = this.#remotes.get(to)?.link;
		if (!link || this.#destroyed) return;
		const seq = Buffer.alloc(4);
		seq.writeUInt32BE(link.sent++ >>> 0);
		this.#post(to, Kind.Data, link.nonces, seq, message);
	}

	on<E extends keyof NetworkEvents>(event: E, listener: NetworkEvents[E]): () => void {
		return this.#events.on(event, listener);
	}

	channelBinding(peer: PeerId): string | undefined {
		return this.#remotes.get(peer)?.link?.binding;
	}

	disconnect(peer: PeerId, reason: string): void {
		const remote = this.#remotes.get(peer);
		if (!remote?.link) return;
		this.#post(peer, Kind.Bye, remote.link.nonces);
		this.#close(peer, remote, reason);
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		for (const [id, remote] of this.#remotes) if (remote.link) this.#post(id, Kind.Bye, remote.link.nonces);
		this.#destroyed = true;
		clearInterval(this.#timer);
		this.#disposer.dispose();
		const connected = this.peers();
		this.#remotes.clear();
		for (const id of connected) this.#events.emit('peer-disconnected', id);
		this.#events.clear();
	}

	// Connections

	#tick(): void {
		const now = Date.now();
		for (const [id, remote] of [...this.#remotes]) {
			if (remote.opening && now - remote.openedAt! > this.#timeout) remote.opening = undefined;
			if (now - remote.lastSeen <= this.#timeout) continue;
			if (remote.link) this.#close(id, remote, `not heard from in ${this.#timeout} ms`);
			this.#remotes.delete(id);
		}
		this.#announce();
	}

	#announce(): void {
		this.#post('', Kind.Announce, Buffer.from(this.#session, 'base64'));
	}

	/** Messages may have been lost (the bus reconnected): every connection starts afresh. */
	#renewSession(why: string): void {
		if (this.#destroyed) return;
		this.#session = randomBytes(NONCE).toString('base64');
		for (const [id, remote] of this.#remotes) {
			remote.opening = undefined;
			remote.holdUntil = 0;
			if (remote.link) this.#close(id, remote, why, 0);
		}
		this.#announce();
	}

	#onAnnounce(from: PeerId, body: Buffer): void {
		const session = body.subarray(0, NONCE).toString('base64');
		let remote = this.#remotes.get(from);
		if (remote && remote.session !== session) {
			// It restarted, or its bus connection came back: whatever we had with it is stale.
			if (remote.link) this.#close(from, remote, 'it started a new session', 0);
			remote.session = session;
			remote.opening = undefined;
			remote.holdUntil = 0;
		}
		if (!remote) {
			remote = { session, lastSeen: Date.now(), holdUntil: 0 };
			this.#remotes.set(from, remote);
		}
		remote.lastSeen = Date.now();
		if (this.peerId < from && !remote.link && !remote.opening && Date.now() >= remote.holdUntil) {
			remote.opening = randomBytes(NONCE);
			remote.openedAt = Date.now();
			const at = Buffer.alloc(8);
			at.writeDoubleBE(Date.now());
			this.#post(from, Kind.Open, remote.opening, Buffer.from(this.#session, 'base64'), at);
		}
	}

	#onOpen(from: PeerId, body: Buffer): void {
		const nonce = body.subarray(0, NONCE);
		const session = body.subarray(NONCE, 2 * NONCE).toString('base64');
		const at = body.readDoubleBE(2 * NONCE);
		const tag = nonce.toString('base64');
		if (Math.abs(Date.now() - at) > OPEN_MAX_AGE_MS || this.#seenOpens.has(tag)) return;
		this.#seenOpens.add(tag);
		if (this.#seenOpens.size > 1000) this.#seenOpens.delete(this.#seenOpens.values().next().value!);
		if (from > this.peerId) return; // only the smaller id opens
		let remote = this.#remotes.get(from);
		if (!remote) {
			remote = { session, lastSeen: Date.now(), holdUntil: 0 };
			this.#remotes.set(from, remote);
		}
		// The open names the opener's session: its announce, maybe still on its way, will match.
		remote.session = session;
		remote.lastSeen = Date.now();
		if (remote.link) this.#close(from, remote, 'it opened a new connection', 0);
		const nonces = Buffer.concat([nonce, randomBytes(NONCE)]);
		this.#post(from, Kind.Accept, nonces);
		this.#connect(from, remote, nonces);
	}

	#onAccept(from: PeerId, body: Buffer): void {
		const remote = this.#remotes.get(from);
		const nonces = body.subarray(0, 2 * NONCE);
		if (!remote?.opening || nonces.length !== 2 * NONCE || !nonces.subarray(0, NONCE).equals(remote.opening))
			return;
		remote.opening = undefined;
		remote.lastSeen = Date.now();
		this.#connect(from, remote, Buffer.from(nonces));
	}

	#connect(id: PeerId, remote: Remote, nonces: Uint8Array): void {
		const [low, high] = [this.peerId, id].sort();
		const binding = createHmac('sha256', this.#key)
			.update(`plateau/bus-binding/v1\n${low}\n${high}\n${Buffer.from(nonces).toString('base64')}`)
			.digest('base64');
		remote.link = { nonces, binding, sent: 0, received: 0 };
		this.#events.emit('peer-connected', id);
	}

	#close(id: PeerId, remote: Remote, reason: string, holdMs = this.#reconnectDelay): void {
		if (!remote.link) return;
		remote.link = undefined;
		remote.holdUntil = Date.now() + holdMs;
		if (holdMs > 0) this.#log(`closed the link to instance ${id}: ${reason}`);
		this.#events.emit('peer-disconnected', id);
	}

	#onLinkMessage(from: PeerId, kind: Kind, body: Buffer): void {
		const remote = this.#remotes.get(from);
		const link = remote?.link;
		if (!remote || !link || !body.subarray(0, 2 * NONCE).equals(link.nonces)) return; // an older link
		remote.lastSeen = Date.now();
		if (kind === Kind.Bye) return this.#close(from, remote, 'it closed the link');
		const seq = body.readUInt32BE(2 * NONCE);
		if (seq !== link.received >>> 0) {
			this.#post(from, Kind.Bye, link.nonces);
			return this.#close(from, remote, `message ${link.received} lost on the bus`, 0);
		}
		link.received++;
		this.#events.emit('message', from, new Uint8Array(body.subarray(2 * NONCE + 4)));
	}

	// The sealed wire: IV (12) | AES-256-GCM(kind (1) | body) | tag (16), associated data
	// `plateau/bus/v1|<from>|<to>` (to empty on @peers).

	#post(to: PeerId, kind: Kind, ...parts: Uint8Array[]): void {
		if (this.#destroyed) return;
		const iv = randomBytes(IV);
		const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
		cipher.setAAD(Buffer.from(`plateau/bus/v1|${this.peerId}|${to}`));
		const sealed = Buffer.concat([
			iv,
			cipher.update(Buffer.from([kind])),
			...parts.map((p) => cipher.update(p))
		]);
		const wire = Buffer.concat([sealed, cipher.final(), cipher.getAuthTag()]);
		this.#bus
			.publish(to ? inbox(to) : PEERS, 'update', wire)
			.catch((err: unknown) =>
				this.#log(`publish failed: ${err instanceof Error ? err.message : String(err)}`)
			);
	}

	#receive(message: HubMessage, channel: string): void {
		if (this.#destroyed || message.from === this.peerId) return;
		const data = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength);
		if (data.length < IV + 1 + TAG || data.length > this.#maxBytes + 256) return;
		const to = channel === PEERS ? '' : this.peerId;
		let plain: Buffer;
		try {
			const decipher = createDecipheriv('aes-256-gcm', this.#key, data.subarray(0, IV));
			decipher.setAAD(Buffer.from(`plateau/bus/v1|${message.from}|${to}`));
			decipher.setAuthTag(data.subarray(data.length - TAG));
			plain = Buffer.concat([decipher.update(data.subarray(IV, data.length - TAG)), decipher.final()]);
		} catch {
			return this.#log(`a bus message from ${message.from} did not open with this centre's key: ignored`);
		}
		const kind = plain[0] as Kind;
		const body = plain.subarray(1);
		if (kind === Kind.Announce && channel === PEERS && body.length === NONCE)
			return this.#onAnnounce(message.from, body);
		if (channel === PEERS) return;
		if (kind === Kind.Open && body.length === 2 * NONCE + 8) return this.#onOpen(message.from, body);
		if (kind === Kind.Accept && body.length === 2 * NONCE) return this.#onAccept(message.from, body);
		if (kind === Kind.Bye && body.length === 2 * NONCE) return this.#onLinkMessage(message.from, kind, body);
		if (kind === Kind.Data && body.length >= 2 * NONCE + 4)
			return this.#onLinkMessage(message.from, kind, body);
	}
}
