// The hub's end of the hub socket: one NetworkAdapter for every browser connected to this hub
// instance over a WebSocket on the app's port (net/hub-socket.ts is the browser's end). Each
// connection is a sealed channel (net/sealed-channel.ts): a client without the centre key never gets
// past the handshake, and the peer id a client is known by comes from that handshake.
//
// Bounded: connections in total and per address (counted from the upgrade, as signaling does),
// a handshake deadline, the largest frame and message, the bytes queued for one client (a client
// that does not read is closed as a slow consumer), and silence (a client pings every 15 s). A peer
// id is connected once: a second connection claiming a live peer id is closed, the live one stays.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Emitter } from '../domain/emitter';
import { MAX_HELLO_BYTES, RECORD_OVERHEAD } from '../net/sealed-channel';
import { HubSocketClose, SealedSocket, SOCKET_FRAME_BYTES, type ByteSocket } from '../net/sealed-socket';
import type { NetworkAdapter, NetworkEvents, PeerId } from '../repo/network';
import { ConnectionCounter, originAllowed, refuseUpgrade, type OriginPolicy } from './signaling-admission';
import { SignalingRefusal } from './signaling-limits';

export { HubSocketClose } from '../net/sealed-socket';

export interface HubSocketLimits {
	/** Open (and opening) hub sockets, all clients together. */
	maxConnections: number;
	/** Open (and opening) hub sockets from one client address. */
	maxConnectionsPerAddress: number;
	/** The sealed handshake must complete within this after the upgrade. */
	handshakeTimeoutMs: number;
	/** Largest message from one client, bytes (also what one client can have in reassembly). */
	maxMessageBytes: number;
	/** Bytes queued for one client (here and in the socket) beyond which it is a slow consumer. */
	maxBufferedBytes: number;
	/** Records go to a socket while its bufferedAmount is below this (and reading from a client
	 *  pauses while this much awaits decryption). */
	highWaterMark: number;
	/** A client heard from not at all for this long is closed (clients ping every 15 s). */
	silenceMs: number;
}

export const defaultHubSocketLimits: HubSocketLimits = {
	maxConnections: 2_000,
	maxConnectionsPerAddress: 64,
	handshakeTimeoutMs: 10_000,
	maxMessageBytes: 32 * 1024 * 1024,
	maxBufferedBytes: 64 * 1024 * 1024,
	highWaterMark: 1024 * 1024,
	silenceMs: 60_000
};

export interface HubSocketServerOptions {
	/** The centre key (deriveCentreKey): only its holders get through the handshake. */
	key: CryptoKey;
	/** This hub instance's peer id, told to clients in the handshake. */
	peerId: PeerId;
	limits?: Partial<HubSocketLimits>;
	/** Which pages may connect (signaling-admission.ts); default `'same-host'`. */
	origins?: OriginPolicy;
	/** The client address per-address limits count; default the socket's remote address. */
	clientAddress?: (req: IncomingMessage) => string;
	log?: (message: string) => void;
}

export interface HubSocketStats {
	/** Sockets open (handshaking or open). */
	connections: number;
	/** Peers whose sealed channel is open. */
	peers: number;
	/** Bytes received and sent on the wire since start (records and handshakes). */
	bytesIn: number;
	bytesOut: number;
	/** Connections refused or closed, by why, since start. */
	refused: { origin: number; limit: number; handshake: number; duplicate: number; slowConsumer: number };
}

export interface HubSocketServer extends NetworkAdapter {
	/** Hands an HTTP upgrade request on the hub path to this adapter. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
	stats(): HubSocketStats;
	/** Same as destroy(). */
	close(): Promise<void>;
}

interface Conn {
	ws: WebSocket;
	sealed: SealedSocket;
	address: string;
	/** Set once the handshake opened and the peer id was free. */
	peer?: PeerId;
}

export function createHubSocketServer(options: HubSocketServerOptions): HubSocketServer {
	const limits: HubSocketLimits = { ...defaultHubSocketLimits, ...options.limits };
	const { origins = 'same-host', clientAddress = defaultAddress, log = () => {} } = options;
	const wss = new WebSocketServer({
		noServer: true,
		// One sealed record (or a hello): anything bigger is refused by ws itself (close 1009).
		maxPayload: Math.max(SOCKET_FRAME_BYTES + 1 + RECORD_OVERHEAD, MAX_HELLO_BYTES),
		perMessageDeflate: false
	});
	const counter = new ConnectionCounter(limits);
	const conns = new Set<Conn>();
	const peers = new Map<PeerId, Conn>();
	const events = new Emitter<NetworkEvents>();
	const refused = { origin: 0, limit: 0, handshake: 0, duplicate: 0, slowConsumer: 0 };
	let closedBytesIn = 0;
	let closedBytesOut = 0;
	let destroyed = false;

	const accept = (ws: WebSocket, address: string) => {
		if (destroyed) return ws.terminate();
		const conn = { ws, address } as Conn;
		const deadline = setTimeout(
			() => conn.sealed.close(HubSocketClose.handshake, 'handshake timed out'),
			limits.handshakeTimeoutMs
		);
		conn.sealed = new SealedSocket(ws as unknown as ByteSocket, {
			key: options.key,
			peerId: options.peerId,
			maxMessageBytes: limits.maxMessageBytes,
			highWaterMark: limits.highWaterMark,
			maxQueuedBytes: limits.maxBufferedBytes,
			silenceMs: limits.silenceMs,
			pause: () => ws.pause(),
			resume: () => ws.resume(),
			terminate: () => ws.terminate(),
			onOpen: (remote) => {
				clearTimeout(deadline);
				if (peers.has(remote)) {
					refused.duplicate++;
					log(`hub socket: ${address} claimed ${remote}, already connected: refused`);
					return conn.sealed.close(HubSocketClose.duplicate, 'peer id already connected');
				}
				conn.peer = remote;
				peers.set(remote, conn);
				events.emit('peer-connected', remote);
			},
			onMessage: (message) => {
				if (conn.peer && peers.get(conn.peer) === conn) events.emit('message', conn.peer, message);
			},
			onClose: (code, reason, wasOpen) => {
				clearTimeout(deadline);
				conns.delete(conn);
				closedBytesIn += conn.sealed.bytesIn;
				closedBytesOut += conn.sealed.bytesOut;
				if (!wasOpen && code !== HubSocketClose.goingAway) {
					refused.handshake++;
					log(`hub socket: ${address} closed before its handshake completed (${code} ${reason})`);
				}
				if (code === HubSocketClose.slowConsumer) {
					refused.slowConsumer++;
					log(`hub socket: slow consumer ${conn.peer ?? address} closed`);
				}
				// A socket that is told to close and never answers is freed anyway.
				const kill = setTimeout(() => ws.terminate(), 2_000);
				kill.unref?.();
				ws.once('close', () => clearTimeout(kill));
				if (conn.peer && peers.get(conn.peer) === conn) {
					peers.delete(conn.peer);
					events.emit('peer-disconnected', conn.peer);
				}
			}
		});
		// ws's own close (oversized frame: 1009) reaches SealedSocket through onclose.
		ws.on('error', (err) => log(`hub socket: ${address}: ${err.message}`));
		conns.add(conn);
	};

	const adapter: HubSocketServer = {
		peerId: options.peerId,
		handleUpgrade(req, socket, head) {
			if (destroyed) return refuseUpgrade(req, socket, 503, 'hub shutting down');
			if (!originAllowed(req, origins)) {
				refused.origin++;
				log(`hub socket: origin ${req.headers.origin} refused`);
				return refuseUpgrade(req, socket, SignalingRefusal.origin, 'origin not allowed');
			}
			const address = clientAddress(req);
			const admission = counter.admit(address);
			if (!admission.ok) {
				refused.limit++;
				log(`hub socket: ${address} refused: ${admission.reason}`);
				return refuseUpgrade(req, socket, admission.status, admission.reason);
			}
			if (socket.destroyed) return admission.release();
			socket.once('close', admission.release);
			wss.handleUpgrade(req, socket, head, (ws) => accept(ws, address));
		},
		peers: () => [...peers.keys()],
		send(to, message) {
			const conn = peers.get(to);
			if (!conn) return;
			if (message.length > limits.maxMessageBytes)
				return log(`hub socket: dropped a ${message.length}-byte message to ${to}: over the limit`);
			conn.sealed.send(message);
		},
		on: (event, listener) => events.on(event, listener),
		channelBinding: (peer) => peers.get(peer)?.sealed.channel.binding,
		disconnect(peer, reason) {
			const conn = peers.get(peer);
			if (!conn) return;
			log(`hub socket: disconnected ${peer} (${reason})`);
			conn.sealed.close(HubSocketClose.disconnected, reason);
		},
		stats() {
			let bytesIn = closedBytesIn;
			let bytesOut = closedBytesOut;
			for (const c of conns) {
				bytesIn += c.sealed.bytesIn;
				bytesOut += c.sealed.bytesOut;
			}
			return { connections: conns.size, peers: peers.size, bytesIn, bytesOut, refused: { ...refused } };
		},
		async destroy() {
			if (destroyed) return;
			destroyed = true;
			for (const conn of [...conns]) conn.sealed.close(HubSocketClose.goingAway, 'hub shutting down');
			for (const conn of [...conns]) conn.ws.terminate();
			for (const ws of wss.clients) ws.terminate();
			events.clear();
			await new Promise<void>((resolve) => wss.close(() => resolve()));
		},
		close: () => adapter.destroy()
	};
	return adapter;
}

function defaultAddress(req: IncomingMessage): string {
	return req.socket.remoteAddress ?? 'unknown';
}
