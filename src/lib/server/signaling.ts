// Plateau's signaling relay. It speaks the y-webrtc signaling protocol (JSON over WebSocket:
// subscribe, unsubscribe, publish, ping/pong), so clients written for the stock y-webrtc server work
// here and Plateau's client works there. It relays only: payloads are encrypted by peers with the
// centre key, so this process sees topic names and ciphertext. This file wires the parts: admission
// (signaling-admission.ts), per-connection state and limits (signaling-connection.ts), messages
// (signaling-messages.ts) and topic fan-out (signaling-topics.ts); the limits are in signaling-limits.ts.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HubBus } from './hub-bus';
import { ConnectionCounter, originAllowed, refuseUpgrade, type OriginPolicy } from './signaling-admission';
import { SignalingConnection } from './signaling-connection';
import {
	defaultSignalingLimits,
	SignalingClose,
	SignalingRefusal,
	type SignalingLimits
} from './signaling-limits';
import { handleMessage, type MessageContext } from './signaling-messages';
import { TopicFanout } from './signaling-topics';

export {
	defaultSignalingLimits,
	SignalingClose,
	SignalingRefusal,
	type SignalingLimits
} from './signaling-limits';
export type { OriginPolicy } from './signaling-admission';

export interface SignalingOptions extends Partial<SignalingLimits> {
	/** Which pages may connect; default `'same-host'` (see OriginPolicy). */
	origins?: OriginPolicy;
	/** The client address that per-address limits count; default the socket's remote address. */
	clientAddress?: (req: IncomingMessage) => string;
	/** Fan-out to the other relay instances of the deployment (a RedisHubBus shared by them): a
	 *  publish reaches a topic's subscribers on every instance. The caller owns and destroys it. */
	bus?: HubBus;
}

export interface SignalingStats {
	connections: number;
	topics: number;
}

export interface SignalingServer {
	/** Hands an HTTP upgrade request on the signaling path to the relay. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
	/** Number of open connections and topics, for tests and the health endpoint. */
	stats(): SignalingStats;
	/** Resolves once this relay hears, through the bus, publishes on every topic its clients hold. */
	busReady(): Promise<void>;
	/** Publishes from other instances delivered here, since start. */
	busDelivered(): number;
	/** Connections closed because they did not read (slow consumers), since start. */
	slowConsumersDropped(): number;
	close(): Promise<void>;
}

export function createSignalingServer(
	options: SignalingOptions = {},
	log: (message: string) => void = () => {}
): SignalingServer {
	const { origins = 'same-host', clientAddress = defaultAddress, bus, ...overrides } = options;
	const limits: SignalingLimits = { ...defaultSignalingLimits, ...overrides };
	// No compression: a deflate context per connection costs memory and signaling is ciphertext.
	const wss = new WebSocketServer({
		noServer: true,
		maxPayload: limits.maxMessageBytes,
		perMessageDeflate: false
	});
	const topics = new TopicFanout(bus, limits.maxMessageBytes, log);
	const conns = new Set<SignalingConnection>();
	const counter = new ConnectionCounter(limits);
	const ctx: MessageContext = { topics, limits, log };
	let slowDropped = 0;

	const giveUp = (conn: SignalingConnection, why: string) => {
		topics.removeAll(conn);
		if (why === 'slow consumer') {
			slowDropped++;
			log(`signaling: slow consumer at ${conn.address} closed`);
		}
	};

	const accept = (ws: WebSocket, address: string) => {
		const conn = new SignalingConnection(ws, address, limits, giveUp);
		conns.add(conn);
		ws.on('message', (raw) => {
			if (conn.open) handleMessage(conn, raw, ctx);
		});
		const drop = () => {
			topics.removeAll(conn);
			conns.delete(conn);
		};
		ws.on('close', drop);
		ws.on('error', (err) => {
			log(`signaling: ${err.message}`);
			drop();
		});
	};

	const idleTimer = setInterval(
		() => {
			const now = Date.now();
			for (const conn of conns) if (conn.idle(now)) conn.close(SignalingClose.idle, 'idle');
		},
		Math.min(limits.idleTimeoutMs, 10_000)
	);
	idleTimer.unref?.();

	return {
		handleUpgrade(req, socket, head) {
			if (!originAllowed(req, origins)) {
				log(`signaling: origin ${req.headers.origin} refused`);
				return refuseUpgrade(req, socket, SignalingRefusal.origin, 'origin not allowed');
			}
			const address = clientAddress(req);
			const admission = counter.admit(address);
			if (!admission.ok) {
				log(`signaling: ${address} refused: ${admission.reason}`);
				return refuseUpgrade(req, socket, admission.status, admission.reason);
			}
			// The slot is held by the socket, opened or not: released once whatever happens to it.
			if (socket.destroyed) return admission.release();
			socket.once('close', admission.release);
			wss.handleUpgrade(req, socket, head, (ws) => accept(ws, address));
		},
		stats: () => ({ connections: conns.size, topics: topics.size }),
		busReady: () => topics.ready(),
		busDelivered: () => topics.busDelivered,
		slowConsumersDropped: () => slowDropped,
		close() {
			clearInterval(idleTimer);
			topics.close();
			for (const conn of conns) conn.ws.terminate();
			return new Promise((resolve) => wss.close(() => resolve()));
		}
	};
}

function defaultAddress(req: IncomingMessage): string {
	return req.socket.remoteAddress ?? 'unknown';
}
