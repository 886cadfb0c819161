// SignalingClient (src/lib/net/signaling-client.ts and its parts signaling-socket.ts and
// signaling-envelope.ts) against Plateau's real relay on a node:http server, with `ws` as the
// WebSocket: encrypted exchange, wrong secrets, what the server sees, envelopes replayed, stale,
// moved to another topic or naming another sender, reconnection after a restart, dead-connection
// detection and a clean destroy().
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
	DecryptionError,
	decryptJson,
	deriveCentreKey,
	encryptJson,
	newCentreSecret
} from '../../src/lib/net/crypto';
import {
	SignalingClient,
	type EnvelopeRejection,
	type SignalingClientOptions,
	type SignalingState
} from '../../src/lib/net/signaling-client';
import { envelope, FRESHNESS_MS, ReplayGuard } from '../../src/lib/net/signaling-envelope';
import { attachSignaling, SIGNAL_PATH } from '../../src/lib/server/attach';
import type { SignalingServer } from '../../src/lib/server/signaling';

const CENTRE = 'acme-lyon';
const TOPIC = 'plateau/acme-lyon/kb';
const SECRET = newCentreSecret();
let key: CryptoKey;
let wrongKey: CryptoKey;

beforeAll(async () => {
	[key, wrongKey] = await Promise.all([
		deriveCentreKey(SECRET, CENTRE),
		deriveCentreKey(newCentreSecret(), CENTRE)
	]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Timers set by the signaling socket (signaling-socket.ts) and not yet fired or cleared, with the
 * delay each asked for: destroy() must leave none, and the backoff shows in the delays, so no
 * test has to sleep and count.
 */
function trackSocketTimers() {
	const pending = new Set<unknown>();
	const delays: number[] = [];
	const fromSocket = () => /signaling-socket/.test(new Error().stack ?? '');
	const [st, ct, si, ci] = [setTimeout, clearTimeout, setInterval, clearInterval];
	vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
		if (!fromSocket()) return st(fn, ms);
		const t = st(() => {
			pending.delete(t);
			fn();
		}, ms);
		pending.add(t);
		delays.push(ms ?? 0);
		return t;
	}) as typeof setTimeout);
	vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms?: number) => {
		const t = si(fn, ms);
		if (fromSocket()) pending.add(t);
		return t;
	}) as typeof setInterval);
	vi.spyOn(globalThis, 'clearTimeout').mockImplementation((t) => {
		pending.delete(t);
		ct(t);
	});
	vi.spyOn(globalThis, 'clearInterval').mockImplementation((t) => {
		pending.delete(t);
		ci(t);
	});
	return { pending: () => pending.size, delays };
}

/** Polls `predicate` until it holds. */
async function until(predicate: () => boolean, what: string, timeoutMs = 1500): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(5);
	}
}

interface Relay {
	url: string;
	port: number;
	relay: SignalingServer;
	/** Every WebSocket connection the relay accepted. */
	accepted: () => number;
	stop(): Promise<void>;
}

const running = new Set<Relay>();

/** Plateau's wiring (attachSignaling) on a node:http server; port 0 picks a free port. */
async function startRelay(port = 0): Promise<Relay> {
	const server: Server = createServer((_req, res) => res.end('app'));
	let accepted = 0;
	server.on('upgrade', () => accepted++);
	const relay = attachSignaling(server);
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
	const actual = (server.address() as AddressInfo).port;
	const r: Relay = {
		url: `ws://127.0.0.1:${actual}${SIGNAL_PATH}`,
		port: actual,
		relay,
		accepted: () => accepted,
		async stop() {
			running.delete(r);
			await relay.close();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
	running.add(r);
	return r;
}

/** A SignalingClient with fast timings, recording what it emits. */
class Peer {
	readonly client: SignalingClient;
	readonly messages: { topic: string; payload: unknown; from: string | undefined }[] = [];
	readonly decryptErrors: { topic: string; error: DecryptionError }[] = [];
	readonly rejected: { topic: string; reason: EnvelopeRejection; from: string | undefined }[] = [];
	readonly states: SignalingState[] = [];

	constructor(url: string, k: CryptoKey, options: Partial<SignalingClientOptions> = {}) {
		this.client = new SignalingClient({
			url,
			key: k,
			WebSocketImpl: WebSocket,
			pingIntervalMs: 5_000,
			pongTimeoutMs: 1_000,
			minBackoffMs: 20,
			maxBackoffMs: 80,
			...options
		});
		this.client.on('message', (topic, payload, from) => this.messages.push({ topic, payload, from }));
		this.client.on('decrypt-error', (topic, error) => this.decryptErrors.push({ topic, error }));
		this.client.on('rejected', (topic, reason, from) => this.rejected.push({ topic, reason, from }));
		this.client.on('state', (state) => this.states.push(state));
		peers.add(this);
	}

	open(): Promise<void> {
		return until(() => this.client.state === 'open', `${this.client.peerId} open`);
	}
}

const peers = new Set<Peer>();
const raws = new Set<WebSocket>();

afterEach(async () => {
	vi.restoreAllMocks();
	for (const p of peers) p.client.destroy();
	peers.clear();
	for (const ws of raws) ws.terminate();
	raws.clear();
	for (const r of [...running]) await r.stop();
});

/** Subscribes the peers to `topic` and waits until the relay has registered every subscription. */
async function join(topic: string, ...ps: Peer[]): Promise<void> {
	for (const p of ps) p.client.subscribe(topic);
	await Promise.all(ps.map((p) => p.open()));
	await Promise.all(ps.map((p) => p.client.flush()));
}

/** A plain `ws` client speaking the protocol directly, recording what the relay sends it. */
async function rawClient(
	url: string,
	topic: string
): Promise<{ ws: WebSocket; received: Record<string, unknown>[] }> {
	const ws = new WebSocket(url);
	raws.add(ws);
	const received: Record<string, unknown>[] = [];
	ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
	ws.send(JSON.stringify({ type: 'ping' }));
	await until(() => received.some((m) => m.type === 'pong'), 'raw client subscribed');
	return { ws, received };
}

describe('SignalingClient through the relay', () => {
	it('two clients exchange encrypted messages on a topic, and neither hears its own echo', async () => {
		const { url } = await startRelay();
		const a = new Peer(url, key);
		const b = new Peer(url, key);
		await join(TOPIC, a, b);

		expect(await a.client.publish(TOPIC, { hello: 'from a', n: 1 })).toBe(true);
		await until(() => b.messages.length === 1, 'b receives');
		expect(b.messages[0]).toEqual({
			topic: TOPIC,
			payload: { hello: 'from a', n: 1 },
			from: a.client.peerId
		});

		expect(await b.client.publish(TOPIC, 'from b')).toBe(true);
		await until(() => a.messages.length === 1, 'a receives');
		expect(a.messages[0]).toEqual({ topic: TOPIC, payload: 'from b', from: b.client.peerId });

		// Publishes keep their order despite asynchronous encryption.
		for (let i = 0; i < 20; i++) void a.client.publish(TOPIC, i);
		await until(() => b.messages.length === 21, 'twenty more');
		expect(b.messages.slice(1).map((m) => m.payload)).toEqual([...Array(20).keys()]);

		// The relay echoed each publish to its sender too. A last message each way arrives after
		// those echoes (the relay and each client keep order): none of them was delivered.
		await b.client.publish(TOPIC, 'last from b');
		await a.client.publish(TOPIC, 'last from a');
		await until(() => a.messages.length === 2 && b.messages.length === 22, 'the last messages');
		expect(a.messages.map((m) => m.payload)).toEqual(['from b', 'last from b']);
		expect(b.messages.at(-1)!.payload).toBe('last from a');
		expect(a.decryptErrors).toEqual([]);
		expect(b.decryptErrors).toEqual([]);
	});

	it("reports its own publish's echo with the topic's subscriber count, not as a message", async () => {
		const { url } = await startRelay();
		const a = new Peer(url, key);
		const b = new Peer(url, key);
		const c = new Peer(url, key);
		await join(TOPIC, a, b, c);
		await join(`${TOPIC}/alone`, a);
		const echoes: [string, number | undefined][] = [];
		a.client.on('echo', (topic, clients) => echoes.push([topic, clients]));

		await a.client.publish(TOPIC, 'to three');
		await a.client.publish(`${TOPIC}/alone`, 'to itself');
		await until(() => echoes.length === 2, 'both echoes');
		// How many heard it, the sender included: how a joiner sizes its lobby shard (mesh-lobby.ts).
		expect(echoes).toEqual([
			[TOPIC, 3],
			[`${TOPIC}/alone`, 1]
		]);
		await until(() => b.messages.length === 1 && c.messages.length === 1, 'the others receive');
		expect(a.messages).toEqual([]);
	});

	it('does not deliver topics it has not joined, and stops after unsubscribe', async () => {
		const { url } = await startRelay();
		const a = new Peer(url, key);
		const b = new Peer(url, key);
		await join(TOPIC, a, b);
		await join('other', a);
		await a.client.publish('other', 'not for b');
		b.client.unsubscribe(TOPIC);
		await b.client.flush();
		await a.client.publish(TOPIC, 'b left');
		// A later message on a topic b holds arrives: the two before it were not delivered.
		await join('later', a, b);
		await a.client.publish('later', 'marker');
		await until(() => b.messages.length === 1, 'the marker');
		expect(b.messages.map((m) => m.payload)).toEqual(['marker']);
		b.client.unsubscribe('later');
		expect(b.client.topics).toEqual([]);
	});

	it('refuses envelopes replayed, stale, sealed for another topic, naming another sender, or missing', async () => {
		const { url } = await startRelay();
		const a = new Peer(url, key);
		const b = new Peer(url, key);
		await join(TOPIC, a, b);
		await join('other', a);
		const raw = await rawClient(url, TOPIC);
		const send = (topic: string, data: string) =>
			raw.ws.send(JSON.stringify({ type: 'publish', topic, data }));
		const sealed = (e: object) => encryptJson(key, e);

		// One genuine message, captured on the wire and sent again (same ciphertext), twice.
		await b.client.publish(TOPIC, { n: 1 });
		await until(() => a.messages.length === 1 && raw.received.some((m) => m.type === 'publish'), 'n=1');
		const captured = raw.received.find((m) => m.type === 'publish')!.data as string;
		send(TOPIC, captured);
		send(TOPIC, captured);
		// Sealed with the key but stamped two minutes ago, or two minutes ahead.
		const now = Date.now();
		send(TOPIC, await sealed(envelope(b.client.peerId, TOPIC, { n: 2 }, now - 2 * FRESHNESS_MS)));
		send(TOPIC, await sealed(envelope(b.client.peerId, TOPIC, { n: 3 }, now + 2 * FRESHNESS_MS)));
		// Sealed for TOPIC, published on 'other'.
		send('other', await sealed(envelope(b.client.peerId, TOPIC, { n: 4 })));
		// The payload names a sender other than the one sealed in the envelope.
		send(TOPIC, await sealed(envelope('rogue', TOPIC, { from: b.client.peerId, n: 5 })));
		// No envelope at all (what this client sent before envelopes).
		send(TOPIC, await sealed({ from: b.client.peerId, payload: { n: 6 } }));
		// A clock 50 s ahead is within the window.
		send(TOPIC, await sealed(envelope(b.client.peerId, TOPIC, { n: 7 }, now + 50_000)));
		await until(() => a.messages.length === 2, 'the message within the window');
		expect(a.messages.map((m) => m.payload)).toEqual([{ n: 1 }, { n: 7 }]);
		expect(a.rejected.map((r) => r.reason)).toEqual([
			'replay',
			'replay',
			'stale',
			'stale',
			'topic',
			'sender',
			'malformed'
		]);
		expect(a.rejected[0]!.from).toBe(b.client.peerId);
		expect(a.client.rejectedMessages).toBe(7);
		expect(a.client.decryptErrors).toBe(0);
	});

	it('remembers nonces within bounds: past the cap, anything as old as a forgotten nonce is refused', () => {
		const guard = new ReplayGuard(60_000, 3);
		const t = 1_000_000;
		const at = (ts: number) => envelope('p', 'x', null, ts);
		const [e1, e2, e3, e4] = [at(t), at(t + 1), at(t + 2), at(t + 3)];
		for (const e of [e1, e2, e3]) expect(guard.check(e, 'x', t + 10)).toBeUndefined();
		expect(guard.check(e1, 'x', t + 10)).toBe('replay');
		expect(guard.check(e4, 'x', t + 10)).toBeUndefined(); // e1 forgotten: the floor is t
		expect(guard.size).toBe(3);
		expect(guard.check(e1, 'x', t + 10)).toBe('replay'); // still refused, by the floor
		expect(guard.check(at(t), 'x', t + 10)).toBe('replay'); // as old as the floor
		expect(guard.check(at(t + 4), 'x', t + 10)).toBeUndefined();
		// Nonces older than the window are dropped as time passes; their envelopes are stale anyway.
		expect(guard.check(at(t + 70_000), 'x', t + 70_000)).toBeUndefined();
		expect(guard.size).toBe(1);
		expect(guard.check(e4, 'x', t + 70_000)).toBe('stale');
	});

	it('a client with the wrong secret decrypts nothing and reports decrypt errors; the honest ones go on', async () => {
		const { url } = await startRelay();
		const a = new Peer(url, key);
		const b = new Peer(url, key);
		const intruder = new Peer(url, wrongKey);
		await join(TOPIC, a, b, intruder);

		await a.client.publish(TOPIC, { offer: 'sdp-a' });
		await until(() => b.messages.length === 1, 'b receives a');
		await until(() => intruder.decryptErrors.length === 1, 'intruder fails once');
		expect(intruder.decryptErrors[0]!.topic).toBe(TOPIC);
		expect(intruder.decryptErrors[0]!.error).toBeInstanceOf(DecryptionError);
		expect(intruder.client.decryptErrors).toBe(1);

		// The intruder's own messages are noise to the others (and to itself: its echo decrypts,
		// with its own key, to its own peer id and is dropped).
		await intruder.client.publish(TOPIC, { offer: 'sdp-intruder' });
		await until(
			() => a.decryptErrors.length === 1 && b.decryptErrors.length === 1,
			'honest peers see a decrypt error'
		);
		expect(a.client.decryptErrors).toBe(1);

		await b.client.publish(TOPIC, { answer: 'sdp-b' });
		await until(() => a.messages.length === 1, 'a receives b');
		await until(() => intruder.decryptErrors.length === 2, 'intruder fails again');
		await Promise.all([a, b, intruder].map((p) => p.client.flush()));
		expect(a.messages.map((m) => m.payload)).toEqual([{ answer: 'sdp-b' }]);
		expect(b.messages.map((m) => m.payload)).toEqual([{ offer: 'sdp-a' }]);
		expect(intruder.messages).toEqual([]);
		// Everyone is still connected.
		expect([a, b, intruder].map((p) => p.client.state)).toEqual(['open', 'open', 'open']);
	});

	it('the relay sees only ciphertext', async () => {
		const { url } = await startRelay();
		const a = new Peer(url, key);
		await join(TOPIC, a);
		const spy = await rawClient(url, TOPIC);
		const marker = 'PLAINTEXT-carte-avalée-4970';
		await a.client.publish(TOPIC, { note: marker, agent: 'Camille' });
		await until(() => spy.received.some((m) => m.type === 'publish'), 'spy sees the publish');
		const seen = spy.received.find((m) => m.type === 'publish')!;
		expect(Object.keys(seen).sort()).toEqual(['clients', 'data', 'topic', 'type']);
		expect(seen).toMatchObject({ type: 'publish', topic: TOPIC, clients: 2 });
		const wire = JSON.stringify(seen);
		for (const plain of [marker, 'carte', 'Camille', a.client.peerId]) expect(wire).not.toContain(plain);
		expect(typeof seen.data).toBe('string');
		expect(seen.data).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
		const bytes = Buffer.from(seen.data as string, 'base64');
		expect(bytes.includes(Buffer.from('carte'))).toBe(false);
		// It is the payload, sealed with the centre key in an envelope: sender, topic, time, nonce.
		const opened = (await decryptJson(key, seen.data as string)) as Record<string, unknown>;
		expect(opened).toMatchObject({
			v: 1,
			from: a.client.peerId,
			topic: TOPIC,
			payload: { note: marker, agent: 'Camille' }
		});
		expect(Math.abs((opened.ts as number) - Date.now())).toBeLessThan(FRESHNESS_MS);
		expect(opened.nonce).toMatch(/^[0-9a-f]{32}$/);
	});

	it('reconnects after the server restarts on the same port, re-subscribes, and messages flow again', async () => {
		const first = await startRelay();
		const a = new Peer(first.url, key);
		const b = new Peer(first.url, key);
		await join(TOPIC, a, b);
		await a.client.publish(TOPIC, 'before');
		await until(() => b.messages.length === 1, 'before restart');

		await first.stop();
		await until(() => a.client.state !== 'open' && b.client.state !== 'open', 'both lose the server');
		expect(await a.client.publish(TOPIC, 'lost')).toBe(false); // not queued

		const second = await startRelay(first.port);
		await Promise.all([a.open(), b.open()]);
		await Promise.all([a.client.flush(), b.client.flush()]);
		expect(second.relay.stats()).toEqual({ connections: 2, topics: 1 });
		expect(a.client.connectAttempts).toBeGreaterThanOrEqual(2);
		expect(a.states).toContain('closed');
		expect(a.states.at(-1)).toBe('open');

		await a.client.publish(TOPIC, 'after');
		await b.client.publish(TOPIC, 'back');
		await until(() => b.messages.length === 2 && a.messages.length === 1, 'after restart');
		expect(b.messages.map((m) => m.payload)).toEqual(['before', 'after']);
		expect(a.messages.map((m) => m.payload)).toEqual(['back']);
	});

	it('treats a connection whose pings go unanswered as dead and reconnects', async () => {
		// A server that accepts WebSockets and never answers anything.
		const server = createServer();
		const wss = new WebSocketServer({ server });
		const sockets: WebSocket[] = [];
		wss.on('connection', (ws) => sockets.push(ws));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		try {
			const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
			const timers = trackSocketTimers();
			const a = new Peer(url, key, { pingIntervalMs: 40, pongTimeoutMs: 80 });
			await a.open();
			await until(() => sockets.length === 2 && a.client.state === 'open', 'a second connection', 1500);
			// A ping, then the pong timeout armed (80 ms) before the connection was dropped.
			expect(timers.delays[0]).toBe(80);
			// (The first 'connecting' happened in the constructor, before any listener.)
			expect(a.states.slice(0, 4)).toEqual(['open', 'closed', 'connecting', 'open']);
			await a.client.flush().then(
				() => expect.unreachable('no pong should ever come'),
				(e: Error) => expect(e.message).toMatch(/connection lost/)
			);
		} finally {
			for (const p of peers) p.client.destroy();
			for (const ws of sockets) ws.terminate();
			await new Promise<void>((resolve) => wss.close(() => resolve()));
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});

	it('backs off exponentially while the server is away', async () => {
		const { port, stop } = await startRelay(); // a free port, then nobody listening on it
		await stop();
		const timers = trackSocketTimers();
		const a = new Peer(`ws://127.0.0.1:${port}${SIGNAL_PATH}`, key, {
			minBackoffMs: 20,
			maxBackoffMs: 160,
			jitter: 0
		});
		await until(() => a.client.connectAttempts >= 6, 'six attempts');
		// The waits between attempts double from 20 ms up to the 160 ms ceiling.
		expect(timers.delays.slice(0, 5)).toEqual([20, 40, 80, 160, 160]);
		expect(a.client.state).not.toBe('open');
	});

	it('destroy() closes the socket, stops reconnecting, leaves no timers and removes listeners', async () => {
		const r = await startRelay();
		const timers = trackSocketTimers();

		// An open client, pinging: destroy() closes its socket and stops its ping and pong timers.
		const b = new Peer(r.url, key, { pingIntervalMs: 30 });
		await join(TOPIC, b); // flush() pinged: a pong timer came and went; the ping interval runs
		expect(timers.pending()).toBe(1);
		b.client.destroy();
		expect(b.client.state).toBe('closed');
		expect(timers.pending()).toBe(0);
		await until(() => r.relay.stats().connections === 0, 'the relay sees the socket close');

		// A client waiting to reconnect: destroy() cancels the pending attempt.
		const a = new Peer(r.url, key, { minBackoffMs: 200, maxBackoffMs: 200 });
		await join(TOPIC, a);
		await r.stop();
		await until(() => a.client.state === 'closed', 'a loses the server'); // and waits 100-200 ms to retry
		expect(timers.pending()).toBe(1); // the retry
		const attempts = a.client.connectAttempts;
		let stateEvents = 0;
		a.client.on('state', () => stateEvents++);
		a.client.destroy();
		expect(a.client.state).toBe('closed');
		expect(a.client.destroyed).toBe(true);
		// Nothing left that could ever reconnect it.
		expect(timers.pending()).toBe(0);
		expect(a.client.connectAttempts).toBe(attempts);
		expect(stateEvents).toBe(0); // listeners removed (the final 'closed' state had been set already)
		expect(await a.client.publish(TOPIC, 'x')).toBe(false);
		a.client.on('message', () => {})(); // on() after destroy is harmless
		a.client.destroy(); // twice is fine
		expect(timers.pending()).toBe(0);
	});

	it('destroy() while still connecting is clean, and on() returns an unsubscribe', async () => {
		const { url, relay } = await startRelay();
		const timers = trackSocketTimers();
		const a = new Peer(url, key);
		expect(a.client.state).toBe('connecting');
		a.client.destroy();
		expect(a.client.state).toBe('closed');
		expect(timers.pending()).toBe(0);
		expect(a.client.connectAttempts).toBe(1);
		await until(() => relay.stats().connections === 0, 'no connection left at the relay');

		const b = new Peer(url, key);
		const c = new Peer(url, key);
		const got: unknown[] = [];
		const off = b.client.on('message', (_t, payload) => got.push(payload));
		await join(TOPIC, b, c);
		await c.client.publish(TOPIC, 1);
		await until(() => got.length === 1, 'first');
		off();
		await c.client.publish(TOPIC, 2);
		await until(() => b.messages.length === 2, 'second');
		expect(got).toEqual([1]);
	});

	it('refuses bad URLs, unrepresentable payloads and oversized messages up front', async () => {
		expect(
			() => new SignalingClient({ url: 'http://127.0.0.1/signal', key, WebSocketImpl: WebSocket })
		).toThrow(/ws:\/\/ or wss:\/\//);
		expect(() => new SignalingClient({ url: 'not a url', key, WebSocketImpl: WebSocket })).toThrow(
			/not a URL/
		);
		const { url } = await startRelay();
		const a = new Peer(url, key, { maxMessageBytes: 1000 });
		await join(TOPIC, a);
		expect(() => a.client.publish(TOPIC, { n: 1n })).toThrow(TypeError);
		expect(() => a.client.publish(TOPIC, undefined)).toThrow(TypeError);
		expect(() => a.client.publish(TOPIC, 'x'.repeat(1000))).toThrow(RangeError);
		expect(() => a.client.subscribe('')).toThrow(TypeError);
		expect(await a.client.publish(TOPIC, 'x'.repeat(500))).toBe(true);
		await a.client.flush();
		expect(a.client.state).toBe('open');
	});
});
