// The relay's protection against clients that cost it memory or sockets: a subscriber that stops
// reading is dropped past its byte budget while others keep being served; overall and per-address
// connection limits; a half-open HTTP request or upgrade is closed; pages of other origins are refused.
// Real HTTP server, real WebSocket clients and sockets; waits are on events, never fixed sleeps.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SIGNAL_PATH } from '../../src/lib/server/attach';
import { signalingOptionsFromEnv } from '../../src/lib/server/config';
import { createAppServer, type HttpTimeouts } from '../../src/lib/server/http-server';
import {
	SignalingClose,
	SignalingRefusal,
	type SignalingOptions,
	type SignalingServer
} from '../../src/lib/server/signaling';
import { Client, relayFixture } from '../support/ws-client';

// What each test opened, closed after it.
const { servers, relays, clients } = relayFixture();

interface Started {
	port: number;
	url: string;
	relay: SignalingServer;
}

/** Plateau's production wiring (createAppServer) with the given relay options and timeouts. */
async function start(
	signaling: SignalingOptions = {},
	timeouts: Partial<HttpTimeouts> = {}
): Promise<Started> {
	// The app answers once it has read the whole request, as SvelteKit does.
	const app = (req: IncomingMessage, res: ServerResponse) => req.resume().on('end', () => res.end('app'));
	const { server, signaling: relay } = createAppServer(app, { signaling, timeouts });
	servers.push(server);
	relays.push(relay);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const port = (server.address() as AddressInfo).port;
	return { port, url: `ws://127.0.0.1:${port}${SIGNAL_PATH}`, relay };
}

type Outcome = { open: Client } | { refused: IncomingMessage };

/** Opens a WebSocket, or reports the HTTP response that refused it. */
function attempt(url: string, options: WebSocket.ClientOptions = {}): Promise<Outcome> {
	const ws = new WebSocket(url, options);
	const client = new Client(ws);
	clients.push(client);
	return new Promise((resolve, reject) => {
		ws.once('open', () => resolve({ open: client }));
		ws.once('unexpected-response', (_req, res) => {
			res.resume();
			resolve({ refused: res });
			ws.terminate();
		});
		ws.once('error', (err) => reject(err));
	});
}

async function open(url: string, options?: WebSocket.ClientOptions): Promise<Client> {
	const outcome = await attempt(url, options);
	if ('refused' in outcome) throw new Error(`refused with ${outcome.refused.statusCode}`);
	return outcome.open;
}

async function refusedStatus(url: string, options?: WebSocket.ClientOptions): Promise<IncomingMessage> {
	const outcome = await attempt(url, options);
	if ('open' in outcome) throw new Error('the connection was accepted');
	return outcome.refused;
}

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setImmediate(resolve));
	}
}

async function subscribe(client: Client, topic: string): Promise<void> {
	client.send({ type: 'subscribe', topics: [topic] });
	await client.roundTrip();
}

describe('slow consumers', () => {
	it('closes a subscriber that stops reading once its queue passes the byte budget, and keeps serving the others', async () => {
		const budget = 64 * 1024;
		const { url, relay } = await start({
			maxBufferedBytes: budget,
			maxMessagesPerWindow: 100_000,
			slowConsumerGraceMs: 30_000
		});
		const [publisher, honest, slow] = await Promise.all([open(url), open(url), open(url)]);
		for (const c of [publisher, honest, slow]) await subscribe(c, 'room');
		slow.ws.pause(); // reads nothing more: the kernel's buffers fill, then the relay's queue

		const payload = 'x'.repeat(30_000);
		let sent = 0;
		// The loopback socket buffers take a few MB before the relay queues anything; 3,000 messages
		// of 30 KB (90 MB) is far beyond them.
		while (relay.slowConsumersDropped() === 0) {
			if (sent >= 3000) throw new Error(`no slow consumer dropped after ${sent} publishes`);
			for (let i = 0; i < 20; i++, sent++) publisher.send({ type: 'publish', topic: 'room', data: payload });
			// The honest client is served throughout: its pings are answered between the publishes.
			await honest.roundTrip();
		}
		expect(relay.slowConsumersDropped()).toBe(1);
		// Everything published reached the honest client, and it still gets new messages.
		publisher.send({ type: 'publish', topic: 'room', data: 'after' });
		sent++;
		await honest.until(
			() => honest.of('publish').length === sent,
			`${sent} publishes at the honest client`,
			10_000
		);
		expect(honest.of('publish').at(-1)).toMatchObject({ data: 'after', clients: 2 });
		expect(honest.closed).toBeUndefined();

		// Reading again, the slow client finds part of the stream, then the close code.
		slow.ws.resume();
		const closed = await slow.waitClosed(20_000);
		expect(closed).toEqual({ code: SignalingClose.slowConsumer, reason: 'slow consumer' });
		expect(slow.of('publish').length).toBeLessThan(sent);
		await until(() => relay.stats().connections === 2, 'the relay forgets the slow consumer');
	});

	it('frees a slow consumer that never reads again after the grace period', async () => {
		const { url, relay } = await start({
			maxBufferedBytes: 32 * 1024,
			maxMessagesPerWindow: 100_000,
			slowConsumerGraceMs: 200
		});
		const [publisher, slow] = await Promise.all([open(url), open(url)]);
		for (const c of [publisher, slow]) await subscribe(c, 'room');
		slow.ws.pause();
		const payload = 'y'.repeat(30_000);
		for (let sent = 0; relay.slowConsumersDropped() === 0; sent += 20) {
			if (sent >= 3000) throw new Error('no slow consumer dropped');
			for (let i = 0; i < 20; i++) publisher.send({ type: 'publish', topic: 'room', data: payload });
			await publisher.roundTrip();
		}
		// Its socket is destroyed (memory freed) although it never read its close frame.
		await until(() => relay.stats().connections === 1, 'the slow consumer destroyed', 5000);
		expect(relay.stats().topics).toBe(1);
	});
});

describe('connection limits', () => {
	it('refuses the connection past the overall limit, and admits again once one leaves', async () => {
		const { url, relay } = await start({ maxConnections: 3 });
		const first = await Promise.all([open(url), open(url), open(url)]);
		const refused = await refusedStatus(url);
		expect(refused.statusCode).toBe(SignalingRefusal.full);
		expect(refused.headers['retry-after']).toBe('10');
		expect(relay.stats().connections).toBe(3);
		// The open ones are still served.
		await first[0]!.roundTrip();

		first[0]!.ws.close();
		await first[0]!.waitClosed();
		await until(() => relay.stats().connections === 2, 'the relay sees the close');
		const again = await open(url);
		await again.roundTrip();
	});

	it('refuses the connection past the per-address limit while another address still connects', async () => {
		const { url } = await start({ maxConnections: 100, maxConnectionsPerAddress: 2 });
		await Promise.all([open(url), open(url)]);
		const refused = await refusedStatus(url);
		expect(refused.statusCode).toBe(SignalingRefusal.perAddress);
		// Another loopback address (all of 127/8 is local) is another client.
		const other = await open(url, { localAddress: '127.0.0.2' });
		await other.roundTrip();
		expect((await refusedStatus(url)).statusCode).toBe(SignalingRefusal.perAddress);
	});

	it('counts the client address from the proxy header when ADDRESS_HEADER says so', async () => {
		const options = signalingOptionsFromEnv({
			ADDRESS_HEADER: 'X-Forwarded-For',
			PLATEAU_SIGNAL_MAX_PER_ADDRESS: '1'
		});
		const { url } = await start(options);
		const via = (address: string) => ({ headers: { 'x-forwarded-for': `10.0.0.1, ${address}` } });
		await open(url, via('192.0.2.10'));
		expect((await refusedStatus(url, via('192.0.2.10'))).statusCode).toBe(SignalingRefusal.perAddress);
		await open(url, via('192.0.2.11'));
	});
});

describe('half-open connections', () => {
	/** A raw TCP client: resolves with what the server sent once it closes the connection. */
	function rawRequest(port: number, text: string): Promise<{ reply: string; ms: number }> {
		const started = Date.now();
		return new Promise((resolve, reject) => {
			const socket = tcpConnect(port, '127.0.0.1', () => socket.write(text));
			let reply = '';
			socket.on('data', (d) => (reply += d.toString()));
			socket.on('error', reject);
			socket.on('close', () => resolve({ reply, ms: Date.now() - started }));
		});
	}

	it('closes an upgrade whose headers never finish and a request whose body never comes, and keeps open WebSockets', async () => {
		const timeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 };
		const { port, url, relay } = await start({}, timeouts);
		const healthy = await open(url);
		const partialUpgrade = rawRequest(
			port,
			`GET ${SIGNAL_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
		);
		const silent = rawRequest(port, '');
		const bodyless = rawRequest(
			port,
			`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 100\r\n\r\nonly part of it`
		);
		const [a, b, c] = await Promise.all([partialUpgrade, silent, bodyless]);
		for (const r of [a, b]) {
			expect(r.reply).toMatch(/^HTTP\/1\.1 408/);
			expect(r.ms).toBeGreaterThanOrEqual(timeouts.headersTimeoutMs - 20);
		}
		expect(c.reply).toMatch(/^HTTP\/1\.1 408/);
		expect(c.ms).toBeGreaterThanOrEqual(timeouts.requestTimeoutMs - 20);
		// The WebSocket opened before them outlived both timeouts and is still served.
		await healthy.roundTrip();
		expect(healthy.closed).toBeUndefined();
		expect(relay.stats().connections).toBe(1);
	});
});

describe('origins', () => {
	it('by default admits pages of the same host and clients without Origin, and refuses other origins', async () => {
		const { port, url } = await start();
		await open(url, { origin: `http://127.0.0.1:${port}` });
		await open(url); // a Node peer or the hub: no Origin header
		for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, 'null']) {
			const refused = await refusedStatus(url, { origin });
			expect(refused.statusCode, origin).toBe(SignalingRefusal.origin);
			// Refusals carry the security headers like every other response.
			expect(refused.headers['x-content-type-options']).toBe('nosniff');
			expect(refused.headers['content-security-policy']).toContain("frame-ancestors 'none'");
		}
	});

	it('with an allow-list admits exactly the listed origins', async () => {
		const { port, url } = await start(
			signalingOptionsFromEnv({
				PLATEAU_ALLOWED_ORIGINS: 'https://plateau.example.org, http://LOCALHOST:5173/'
			})
		);
		await open(url, { origin: 'https://plateau.example.org' });
		await open(url, { origin: 'http://localhost:5173' });
		// The list is strict: even the request's own host is not in it (nor a DNS-rebound name).
		expect((await refusedStatus(url, { origin: `http://127.0.0.1:${port}` })).statusCode).toBe(403);
		expect((await refusedStatus(url, { origin: 'https://plateau.example.org.evil' })).statusCode).toBe(403);
	});

	it('rejects settings that are not origins or counts at start', () => {
		expect(() => signalingOptionsFromEnv({ PLATEAU_ALLOWED_ORIGINS: 'plateau.example.org' })).toThrow(
			/not an origin/
		);
		expect(() => signalingOptionsFromEnv({ PLATEAU_SIGNAL_MAX_CONNECTIONS: '0' })).toThrow(/positive/);
		expect(signalingOptionsFromEnv({ PLATEAU_ALLOWED_ORIGINS: '*' }).origins).toBe('any');
		expect(signalingOptionsFromEnv({}).origins).toBe('same-host');
	});

	it('refuses upgrades on other paths with an HTTP error that carries the security headers', async () => {
		const { port } = await start();
		const refused = await refusedStatus(`ws://127.0.0.1:${port}/elsewhere`);
		expect(refused.statusCode).toBe(404);
		expect(refused.headers['referrer-policy']).toBe('no-referrer');
	});
});
