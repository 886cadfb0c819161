// The signaling relay over a real HTTP server and real WebSocket clients: the y-webrtc protocol
// (subscribe, unsubscribe, publish, ping) and the limits that protect the server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Client, relayFixture } from '../support/ws-client';
import { attachSignaling, SIGNAL_PATH } from '../../src/lib/server/attach';
import {
	createSignalingServer,
	SignalingClose,
	type SignalingLimits,
	type SignalingServer
} from '../../src/lib/server/signaling';

// What each test opened, closed after it.
const { servers, relays, clients } = relayFixture();

async function listen(server: Server): Promise<number> {
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return (server.address() as AddressInfo).port;
}

/** Plateau's own wiring: the relay on SIGNAL_PATH of an HTTP server. */
async function startAttached(): Promise<{ url: string; relay: SignalingServer }> {
	const server = createServer((_req, res) => res.end('app'));
	const relay = attachSignaling(server);
	relays.push(relay);
	const port = await listen(server);
	return { url: `ws://127.0.0.1:${port}${SIGNAL_PATH}`, relay };
}

/** A relay with the given limits, on this test's own upgrade handler. */
async function startLimited(
	limits: Partial<SignalingLimits>
): Promise<{ url: string; relay: SignalingServer }> {
	const server = createServer();
	const relay = createSignalingServer(limits);
	relays.push(relay);
	server.on('upgrade', (req, socket, head) => relay.handleUpgrade(req, socket, head));
	const port = await listen(server);
	return { url: `ws://127.0.0.1:${port}/`, relay };
}

async function connect(url: string): Promise<Client> {
	const ws = new WebSocket(url);
	const client = new Client(ws);
	clients.push(client);
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	return client;
}

async function subscribe(client: Client, ...topics: string[]): Promise<void> {
	client.send({ type: 'subscribe', topics });
	await client.roundTrip();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('signaling protocol', () => {
	it('relays a publish to every subscriber of the topic, sender included, with the subscriber count', async () => {
		const { url } = await startAttached();
		const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
		await subscribe(a, 'room-1');
		await subscribe(b, 'room-1');
		await subscribe(c, 'room-2');
		a.send({ type: 'publish', topic: 'room-1', data: { ciphertext: 'abc' } });
		await a.until(() => a.of('publish').length === 1, 'publish at a');
		await b.until(() => b.of('publish').length === 1, 'publish at b');
		const expected = { type: 'publish', topic: 'room-1', data: { ciphertext: 'abc' }, clients: 2 };
		expect(a.of('publish')).toEqual([expected]);
		expect(b.of('publish')).toEqual([expected]);
		// The publish was handled before c's round trip; anything sent to c would have come first.
		await c.roundTrip();
		expect(c.of('publish')).toEqual([]);
	});

	it('stops relaying to a client once it unsubscribes', async () => {
		const { url } = await startAttached();
		const [a, b] = await Promise.all([connect(url), connect(url)]);
		await subscribe(a, 'room-1');
		await subscribe(b, 'room-1', 'room-2');
		b.send({ type: 'unsubscribe', topics: ['room-1'] });
		await b.roundTrip();
		a.send({ type: 'publish', topic: 'room-1', data: 'x' });
		await a.until(() => a.of('publish').length === 1, 'publish at a');
		expect(a.of('publish')[0]!.clients).toBe(1);
		await b.roundTrip();
		expect(b.of('publish')).toEqual([]);
		// b still receives on the topic it kept.
		a.send({ type: 'subscribe', topics: ['room-2'] });
		a.send({ type: 'publish', topic: 'room-2', data: 'y' });
		await b.until(() => b.of('publish').length === 1, 'publish on room-2 at b');
		expect(b.of('publish')[0]).toMatchObject({ topic: 'room-2', data: 'y', clients: 2 });
	});

	it('answers a ping with a pong', async () => {
		const { url } = await startAttached();
		const a = await connect(url);
		a.send({ type: 'ping' });
		await a.until(() => a.messages.length === 1, 'a reply');
		expect(a.messages).toEqual([{ type: 'pong' }]);
	});

	it('ignores messages that are not JSON or not protocol messages, and keeps the connection', async () => {
		const { url } = await startAttached();
		const [a, b] = await Promise.all([connect(url), connect(url)]);
		for (const junk of [
			'not json',
			'{"type":',
			'null',
			'42',
			'"subscribe"',
			'{"type":"subscribe","topics":"room-1"}',
			'{"type":"publish"}',
			'{"type":"dance"}'
		])
			a.send(junk);
		await a.roundTrip();
		expect(a.closed).toBeUndefined();
		expect(a.messages).toEqual([{ type: 'pong' }]);
		// The connection still works fully.
		await subscribe(a, 'room-1');
		await subscribe(b, 'room-1');
		b.send({ type: 'publish', topic: 'room-1', data: 1 });
		await a.until(() => a.of('publish').length === 1, 'publish after junk');
	});

	it('counts connections and topics, and drops to zero once clients leave', async () => {
		const { url, relay } = await startAttached();
		const [a, b] = await Promise.all([connect(url), connect(url)]);
		await subscribe(a, 'room-1', 'room-2');
		await subscribe(b, 'room-1');
		expect(relay.stats()).toEqual({ connections: 2, topics: 2 });
		a.ws.close();
		await a.waitClosed();
		await b.roundTrip();
		expect(relay.stats()).toEqual({ connections: 1, topics: 1 });
		b.ws.close();
		await b.waitClosed();
		const deadline = Date.now() + 1000;
		while (relay.stats().connections > 0 && Date.now() < deadline) await sleep(10);
		expect(relay.stats()).toEqual({ connections: 0, topics: 0 });
	});
});

describe('production wiring', () => {
	it('refuses WebSocket upgrades on other paths when exclusive, so the server still shuts down', async () => {
		const server = createServer((_req, res) => res.end('app'));
		const relay = attachSignaling(server, undefined, { exclusive: true });
		relays.push(relay);
		const port = await listen(server);
		const stray = new WebSocket(`ws://127.0.0.1:${port}/elsewhere`);
		const outcome = await new Promise<string>((resolve) => {
			stray.once('open', () => resolve('open'));
			stray.once('error', () => resolve('refused'));
		});
		expect(outcome).toBe('refused');
		const ok = await connect(`ws://127.0.0.1:${port}${SIGNAL_PATH}`);
		ok.send({ type: 'ping' });
		await ok.until(() => ok.messages.some((m) => m.type === 'pong'), 'pong');
		ok.ws.terminate();
		await relay.close();
		relays.splice(relays.indexOf(relay), 1);
		servers.splice(servers.indexOf(server), 1);
		// With no socket left behind, close() calls back without closeAllConnections().
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});
});

describe('signaling limits', () => {
	it('closes a connection that sends a message over the size limit', async () => {
		const { url, relay } = await startLimited({ maxMessageBytes: 256 });
		const a = await connect(url);
		await subscribe(a, 'room-1'); // small messages are fine
		a.send({ type: 'publish', topic: 'room-1', data: 'x'.repeat(1000) });
		const closed = await a.waitClosed();
		expect(closed.code).toBe(SignalingClose.tooLarge);
		expect(a.of('publish')).toEqual([]);
		const deadline = Date.now() + 1000;
		while (relay.stats().connections > 0 && Date.now() < deadline) await sleep(10);
		expect(relay.stats().connections).toBe(0);
	});

	it('closes with a policy violation when a connection subscribes to too many topics', async () => {
		const { url } = await startLimited({ maxTopicsPerConnection: 3 });
		const a = await connect(url);
		await subscribe(a, 't1', 't2', 't3');
		await subscribe(a, 't1', 't3'); // already held: no new topic
		expect(a.closed).toBeUndefined();
		a.send({ type: 'subscribe', topics: ['t4'] });
		expect((await a.waitClosed()).code).toBe(SignalingClose.policy);
	});

	it('closes with a policy violation when a connection sends faster than the rate limit', async () => {
		const { url } = await startLimited({ maxMessagesPerWindow: 5, rateWindowMs: 10_000 });
		const a = await connect(url);
		for (let i = 0; i < 5; i++) a.send({ type: 'ping' });
		await a.until(() => a.of('pong').length === 5, 'five pongs');
		expect(a.closed).toBeUndefined();
		a.send({ type: 'ping' });
		expect((await a.waitClosed()).code).toBe(SignalingClose.policy);
		expect(a.of('pong')).toHaveLength(5);
	});

	it('accepts the same rate again once the window has passed', async () => {
		const { url } = await startLimited({ maxMessagesPerWindow: 3, rateWindowMs: 150 });
		const a = await connect(url);
		for (let i = 0; i < 3; i++) a.send({ type: 'ping' });
		await a.until(() => a.of('pong').length === 3, 'three pongs');
		await sleep(250);
		for (let i = 0; i < 3; i++) a.send({ type: 'ping' });
		await a.until(() => a.of('pong').length === 6, 'three more pongs');
		expect(a.closed).toBeUndefined();
	});

	it('closes an idle connection and keeps an active one', async () => {
		const { url, relay } = await startLimited({ idleTimeoutMs: 150 });
		const [idle, active] = await Promise.all([connect(url), connect(url)]);
		const started = Date.now();
		const keepAlive = setInterval(() => active.send({ type: 'ping' }), 40);
		try {
			const closed = await idle.waitClosed(1500);
			expect(closed.code).toBe(SignalingClose.idle);
			expect(Date.now() - started).toBeGreaterThanOrEqual(140);
			await sleep(200);
			expect(active.closed).toBeUndefined();
			expect(relay.stats().connections).toBe(1);
		} finally {
			clearInterval(keepAlive);
		}
	});
});
