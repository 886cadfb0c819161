// SignalingClient (src/lib/net/signaling-client.ts) against Plateau's real relay on a node:http
// server, with `ws` as the WebSocket: encrypted exchange, wrong secrets, what the server sees,
// reconnection after a restart, dead-connection detection and a clean destroy().
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
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
	type SignalingClientOptions,
	type SignalingState
} from '../../src/lib/net/signaling-client';
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

		// The relay echoed each publish to its sender too; by now the echoes have been handled.
		await Promise.all([a.client.flush(), b.client.flush()]);
		await sleep(20);
		expect(a.messages).toHaveLength(1);
		expect(b.messages).toHaveLength(21);
		expect(a.decryptErrors).toEqual([]);
		expect(b.decryptErrors).toEqual([]);
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
		await a.client.flush();
		await b.client.flush();
		await sleep(20);
		expect(b.messages).toEqual([]);
		expect(b.client.topics).toEqual([]);
	});

	it('delivers a payload without a sender id, even to a client that could have sent it', async () => {
		const { url } = await startRelay();
		const a = new Peer(url, key);
		await join(TOPIC, a);
		const raw = await rawClient(url, TOPIC);
		raw.ws.send(
			JSON.stringify({ type: 'publish', topic: TOPIC, data: await encryptJson(key, { bare: true }) })
		);
		await until(() => a.messages.length === 1, 'bare payload');
		expect(a.messages[0]).toEqual({ topic: TOPIC, payload: { bare: true }, from: undefined });
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
		// It is the payload, encrypted with the centre key, with the sender's id inside.
		expect(await decryptJson(key, seen.data as string)).toEqual({
			from: a.client.peerId,
			payload: { note: marker, agent: 'Camille' }
		});
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
			const a = new Peer(url, key, { pingIntervalMs: 40, pongTimeoutMs: 80 });
			await a.open();
			const started = Date.now();
			await until(() => sockets.length === 2 && a.client.state === 'open', 'a second connection', 1500);
			expect(Date.now() - started).toBeGreaterThanOrEqual(100); // a ping, then the pong timeout
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
		const a = new Peer(`ws://127.0.0.1:${port}${SIGNAL_PATH}`, key, {
			minBackoffMs: 20,
			maxBackoffMs: 160,
			jitter: 0
		});
		await sleep(400);
		// Attempts at 0, 20, 60, 140, 300 ms (20, 40, 80, 160 between them): 5, give or take one.
		expect(a.client.connectAttempts).toBeGreaterThanOrEqual(4);
		expect(a.client.connectAttempts).toBeLessThanOrEqual(6);
		expect(a.client.state).not.toBe('open');
	});

	it('destroy() closes the socket, stops reconnecting, leaves no timers and removes listeners', async () => {
		const r = await startRelay();
		await sleep(10);
		const timers = () => process.getActiveResourcesInfo().filter((t) => t === 'Timeout').length;
		const timersBefore = timers(); // the test runner's own (the relay's idle timer is unref'd: not counted)

		// An open client, pinging: destroy() closes its socket and stops its ping and pong timers.
		const b = new Peer(r.url, key, { pingIntervalMs: 30 });
		await join(TOPIC, b);
		await sleep(50); // a ping or two
		expect(timers()).toBeGreaterThan(timersBefore);
		b.client.destroy();
		expect(b.client.state).toBe('closed');
		expect(timers()).toBeLessThanOrEqual(timersBefore);
		await until(() => r.relay.stats().connections === 0, 'the relay sees the socket close');

		// A client waiting to reconnect: destroy() cancels the pending attempt.
		const a = new Peer(r.url, key, { minBackoffMs: 200, maxBackoffMs: 200 });
		await join(TOPIC, a);
		await r.stop();
		await until(() => a.client.state === 'closed', 'a loses the server'); // and waits 100-200 ms to retry
		expect(timers()).toBeGreaterThan(timersBefore);
		const attempts = a.client.connectAttempts;
		let stateEvents = 0;
		a.client.on('state', () => stateEvents++);
		a.client.destroy();
		expect(a.client.state).toBe('closed');
		expect(a.client.destroyed).toBe(true);
		expect(timers()).toBeLessThanOrEqual(timersBefore);

		const again = await startRelay(r.port);
		await sleep(300); // past the retry that was pending
		expect(a.client.connectAttempts).toBe(attempts);
		expect(again.accepted()).toBe(0);
		expect(a.client.state).toBe('closed');
		expect(stateEvents).toBe(0); // listeners removed (the final 'closed' state had been set already)
		expect(await a.client.publish(TOPIC, 'x')).toBe(false);
		a.client.on('message', () => {})(); // on() after destroy is harmless
		a.client.destroy(); // twice is fine
		expect(timers()).toBeLessThanOrEqual(timersBefore);
	});

	it('destroy() while still connecting is clean, and on() returns an unsubscribe', async () => {
		const { url, relay } = await startRelay();
		const a = new Peer(url, key);
		expect(a.client.state).toBe('connecting');
		a.client.destroy();
		expect(a.client.state).toBe('closed');
		await sleep(100);
		expect(relay.stats().connections).toBe(0);
		expect(a.client.connectAttempts).toBe(1);

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
