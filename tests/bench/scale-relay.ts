// The scale benchmark's signaling relay, in a process of its own: Plateau's production wiring
// (createAppServer) on a free loopback port, with every signaling socket's bytes counted. Each peer
// connects to `/signal?peer=<label>` (the relay routes on the path only), so the bytes the relay
// read from and wrote to each peer — WebSocket framing and the HTTP upgrade included, what the wire
// carries — are known per peer, summed over reconnections. SCALE_RELAY=lifted lifts the
// per-connection rate limit (the production one closes a connection past 300 messages in 10 s).
// While tapping, every publish is also counted by message type (scale-tap.ts).
// Answers {id, cmd:'bytes'|'tap'|'stop'} over IPC.
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { createAppServer } from '../../src/lib/server/http-server';
import { TopicFanout } from '../../src/lib/server/signaling-topics';
import { RelayTap } from './scale-tap';

const lifted = process.env.SCALE_RELAY === 'lifted';
// SCALE_FANOUT=broadcast plays the relay before issue 13: a signal addressed to one peer (published
// on its inbox, `<centre topic>/<peer>`) is written to every peer of the centre topic as well. The
// addressee then gets it twice (one copy more than that relay wrote, 1 in N); the others drop it.
const broadcast = process.env.SCALE_FANOUT === 'broadcast';
const tap = new RelayTap(process.env.SCALE_SECRET ?? '');
const publish = TopicFanout.prototype.publish;
TopicFanout.prototype.publish = function (this: TopicFanout, topic: string, message: object): number {
	let delivered = publish.call(this, topic, message);
	const slash = topic.lastIndexOf('/');
	if (broadcast && slash > 0) delivered += publish.call(this, topic.slice(0, slash), message);
	tap.saw(topic, message as { data?: unknown }, delivered);
	return delivered;
};
const events = { rateLimit: 0, slowConsumer: 0, refused: 0 };
const { server, signaling } = createAppServer((_req, res) => res.end('scale'), {
	signaling: lifted ? { maxMessagesPerWindow: Number.MAX_SAFE_INTEGER } : {},
	log: (m) => {
		if (m.includes('rate limit')) events.rateLimit++;
		else if (m.includes('slow consumer')) events.slowConsumer++;
		else if (m.includes('refused')) events.refused++;
	}
});

const sockets: { label: string; socket: Socket }[] = [];
// Listens beside the relay's own upgrade handler: it only notes the socket.
server.on('upgrade', (req, socket: Socket) => {
	const label = new URL(req.url ?? '/', 'http://relay').searchParams.get('peer') ?? '?';
	sockets.push({ label, socket });
});

function bytes() {
	const byPeer: Record<string, { read: number; written: number }> = {};
	let read = 0;
	let written = 0;
	for (const { label, socket } of sockets) {
		const b = (byPeer[label] ??= { read: 0, written: 0 });
		b.read += socket.bytesRead;
		b.written += socket.bytesWritten;
		read += socket.bytesRead;
		written += socket.bytesWritten;
	}
	return {
		read,
		written,
		byPeer,
		...events,
		...signaling.stats(),
		rssMB: process.memoryUsage().rss / 1024 / 1024
	};
}

process.on('message', (m: { id: number; cmd: string }) => {
	if (m.cmd === 'bytes') process.send!({ id: m.id, ok: true, result: bytes() });
	else if (m.cmd === 'tap') {
		const on = (m as { args?: { on?: boolean } }).args?.on;
		if (on) {
			tap.start();
			process.send!({ id: m.id, ok: true, result: {} });
		} else void tap.stop().then((result) => process.send!({ id: m.id, ok: true, result }));
	} else if (m.cmd === 'stop') {
		void signaling.close().then(() => {
			server.closeAllConnections();
			server.close(() => process.exit(0));
		});
	}
});

server.listen(0, '127.0.0.1', () => {
	process.send!({ type: 'ready', port: (server.address() as AddressInfo).port });
});
