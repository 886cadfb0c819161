// The y-webrtc signaling protocol as the relay handles it: subscribe, unsubscribe, publish and ping.
// Anything else, or anything malformed, is ignored; the connection stays.
import type { RawData } from 'ws';
import type { SignalingConnection } from './signaling-connection';
import { SignalingClose, type SignalingLimits } from './signaling-limits';
import type { TopicFanout } from './signaling-topics';

const PONG = Buffer.from(JSON.stringify({ type: 'pong' }));
const MAX_TOPIC_LENGTH = 256;

export interface MessageContext {
	topics: TopicFanout;
	limits: SignalingLimits;
	log: (message: string) => void;
}

export function handleMessage(conn: SignalingConnection, raw: RawData, ctx: MessageContext): void {
	if (!conn.countMessage()) {
		ctx.log('signaling: rate limit exceeded, closing');
		return;
	}
	let message: unknown;
	try {
		message = JSON.parse(raw.toString());
	} catch {
		ctx.log('signaling: message is not JSON, ignored');
		return;
	}
	if (typeof message !== 'object' || message === null) return;
	const m = message as { type?: unknown; topics?: unknown; topic?: unknown };
	switch (m.type) {
		case 'subscribe':
			if (Array.isArray(m.topics)) subscribe(conn, m.topics, ctx);
			return;
		case 'unsubscribe':
			if (!Array.isArray(m.topics)) return;
			for (const topic of m.topics) if (typeof topic === 'string') ctx.topics.remove(conn, topic);
			return;
		case 'publish':
			if (typeof m.topic === 'string') ctx.topics.publish(m.topic, message);
			return;
		case 'ping':
			conn.send(PONG);
			return;
		default:
			return;
	}
}

function subscribe(conn: SignalingConnection, topics: unknown[], ctx: MessageContext): void {
	for (const topic of topics) {
		if (typeof topic !== 'string' || topic.length > MAX_TOPIC_LENGTH) continue;
		if (!conn.topics.has(topic) && conn.topics.size >= ctx.limits.maxTopicsPerConnection) {
			ctx.log('signaling: too many topics, closing');
			conn.close(SignalingClose.policy, 'too many topics');
			return;
		}
		ctx.topics.add(conn, topic);
	}
}
