// Plateau's signaling relay. It speaks the y-webrtc signaling protocol (JSON over WebSocket:
// subscribe, unsubscribe, publish, ping/pong), so clients written for the stock y-webrtc server work
// here and Plateau's client works there. It relays only: payloads are encrypted by peers with the
// centre key, so this process sees topic names and ciphertext. Limits protect it from a rogue client.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';

export interface SignalingLimits {
	/** Largest accepted message, bytes. A WebRTC offer with many candidates is ~5 KiB; 64 KiB is generous. */
	maxMessageBytes: number;
	/** Topics one connection may hold; one topic per centre space plus a few. */
	maxTopicsPerConnection: number;
	/** Messages accepted per connection per rate window. */
	maxMessagesPerWindow: number;
	rateWindowMs: number;
	/** A connection that sends nothing (not even a ping) for this long is closed. */
	idleTimeoutMs: number;
}

export const defaultSignalingLimits: SignalingLimits = {
	maxMessageBytes: 64 * 1024,
	maxTopicsPerConnection: 64,
	maxMessagesPerWindow: 300,
	rateWindowMs: 10_000,
	idleTimeoutMs: 60_000
};

/** Close codes a client can show to its agent. */
export const SignalingClose = {
	tooLarge: 1009,
	policy: 1008,
	idle: 4000
} as const;

interface Connection {
	topics: Set<string>;
	windowStart: number;
	count: number;
	lastSeen: number;
}

export interface SignalingServer {
	/** Hands an HTTP upgrade request on the signaling path to the relay. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
	/** Number of open connections and topics, for tests and the health endpoint. */
	stats(): { connections: number; topics: number };
	close(): Promise<void>;
}

export function createSignalingServer(
	limits: Partial<SignalingLimits> = {},
	log: (message: string) => void = () => {}
): SignalingServer {
	const lim = { ...defaultSignalingLimits, ...limits };
	const wss = new WebSocketServer({ noServer: true, maxPayload: lim.maxMessageBytes });
	const topics = new Map<string, Set<WebSocket>>();
	const conns = new Map<WebSocket, Connection>();

	const send = (ws: WebSocket, message: unknown) => {
		if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
	};

	const drop = (ws: WebSocket) => {
		const conn = conns.get(ws);
		if (!conn) return;
		for (const topic of conn.topics) {
			const subs = topics.get(topic);
			subs?.delete(ws);
			if (subs?.size === 0) topics.delete(topic);
		}
		conns.delete(ws);
	};

	const onMessage = (ws: WebSocket, conn: Connection, raw: RawData) => {
		const now = Date.now();
		conn.lastSeen = now;
		if (now - conn.windowStart > lim.rateWindowMs) {
			conn.windowStart = now;
			conn.count = 0;
		}
		if (++conn.count > lim.maxMessagesPerWindow) {
			log('signaling: rate limit exceeded, closing');
			ws.close(SignalingClose.policy, 'rate limit');
			return;
		}
		let message: unknown;
		try {
			message = JSON.parse(raw.toString());
		} catch {
			log('signaling: message is not JSON, ignored');
			return;
		}
		if (typeof message !== 'object' || message === null) return;
		const m = message as { type?: unknown; topics?: unknown; topic?: unknown };
		switch (m.type) {
			case 'subscribe': {
				if (!Array.isArray(m.topics)) return;
				for (const topic of m.topics) {
					if (typeof topic !== 'string' || topic.length > 256) continue;
					if (!conn.topics.has(topic) && conn.topics.size >= lim.maxTopicsPerConnection) {
						log('signaling: too many topics, closing');
						ws.close(SignalingClose.policy, 'too many topics');
						return;
					}
					conn.topics.add(topic);
					let subs = topics.get(topic);
					if (!subs) topics.set(topic, (subs = new Set()));
					subs.add(ws);
				}
				return;
			}
			case 'unsubscribe': {
				if (!Array.isArray(m.topics)) return;
				for (const topic of m.topics) {
					if (typeof topic !== 'string') continue;
					conn.topics.delete(topic);
					const subs = topics.get(topic);
					subs?.delete(ws);
					if (subs?.size === 0) topics.delete(topic);
				}
				return;
			}
			case 'publish': {
				if (typeof m.topic !== 'string') return;
				const subs = topics.get(m.topic);
				if (!subs) return;
				// As the stock server does: every subscriber, sender included, with the receiver count.
				const out = { ...(message as object), clients: subs.size };
				for (const sub of subs) send(sub, out);
				return;
			}
			case 'ping':
				send(ws, { type: 'pong' });
				return;
			default:
				return;
		}
	};

	wss.on('connection', (ws) => {
		const conn: Connection = { topics: new Set(), windowStart: Date.now(), count: 0, lastSeen: Date.now() };
		conns.set(ws, conn);
		ws.on('message', (raw) => onMessage(ws, conn, raw));
		ws.on('close', () => drop(ws));
		ws.on('error', (err) => {
			log(`signaling: ${err.message}`);
			drop(ws);
		});
	});

	const idleTimer = setInterval(
		() => {
			const now = Date.now();
			for (const [ws, conn] of conns) {
				if (now - conn.lastSeen > lim.idleTimeoutMs) ws.close(SignalingClose.idle, 'idle');
			}
		},
		Math.min(lim.idleTimeoutMs, 10_000)
	);
	idleTimer.unref?.();

	return {
		handleUpgrade(req, socket, head) {
			wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
		},
		stats: () => ({ connections: conns.size, topics: topics.size }),
		close() {
			clearInterval(idleTimer);
			for (const ws of conns.keys()) ws.terminate();
			return new Promise((resolve) => wss.close(() => resolve()));
		}
	};
}
