// The hub socket against those who do not play by the rules, over real `ws` sockets: a client
// without the centre key, a man in the middle who terminates both sealed channels (holding the key,
// like any member), a proxy that passes the channel through but tampers with its frames, and clients
// that send too much, say nothing, do not read, or open too many connections.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { newNoteId } from '../../src/lib/domain/note';
import { deriveCentreKey } from '../../src/lib/net/crypto';
import type { HubSocket } from '../../src/lib/net/hub-socket';
import { HubSocketClose, SealedSocket, type ByteSocket } from '../../src/lib/net/sealed-socket';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import type { NetworkAdapter } from '../../src/lib/repo/network';
import { encodeMessage } from '../../src/lib/repo/sync-protocol';
import { noteAccessDocId, putNoteAccess } from '../../src/lib/schema/index';
import {
	CENTRE,
	centreKey,
	closeHub,
	hubClient,
	serveHub,
	syncedDevice,
	waitFor,
	type ServedHub,
	type SyncedDevice
} from '../support/hub-socket-fixture';
import { settle } from './rogue-kit';

const hubs: ServedHub[] = [];
const clients: HubSocket[] = [];
const raw: WebSocket[] = [];
const teardown: (() => Promise<void> | void)[] = [];

afterEach(async () => {
	for (const t of teardown.splice(0).reverse()) await t();
	for (const c of clients.splice(0)) await c.destroy();
	for (const w of raw.splice(0)) w.terminate();
	for (const h of hubs.splice(0)) await closeHub(h);
});

async function hub(options: Parameters<typeof serveHub>[0]): Promise<ServedHub> {
	const served = await serveHub(options);
	hubs.push(served);
	return served;
}

async function client(...args: Parameters<typeof hubClient>) {
	const made = await hubClient(...args);
	clients.push(made.client);
	return made;
}

/** A raw `ws` client; resolves with its close code (or the HTTP status it was refused with). */
function rawSocket(url: string, headers: Record<string, string> = {}) {
	const ws = new WebSocket(url, { headers });
	raw.push(ws);
	const outcome = new Promise<{ code?: number; status?: number }>((resolve) => {
		ws.on('close', (code) => resolve({ code }));
		ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
		ws.on('error', () => {});
	});
	const opened = new Promise<void>((resolve) => ws.on('open', () => resolve()));
	return { ws, outcome, opened };
}

type Device = SyncedDevice;

function device(net: NetworkAdapter, identity: AgentIdentity): Device {
	return syncedDevice(net, identity, (u) => teardown.push(u));
}

describe('who gets through the handshake', () => {
	it('a client with another centre key is refused: no peer on either side', async () => {
		const served = await hub({ peerId: 'hub' });
		const wrongKey = await deriveCentreKey('WRONG-SECR-ETXX-YYYY', CENTRE);
		const { client: intruder, opened } = await client(served.url, 'intruder', {
			key: wrongKey,
			minBackoffMs: 60_000
		});
		const connected: string[] = [];
		intruder.on('peer-connected', (p) => connected.push(p));
		await waitFor(() => served.hub.stats().refused.handshake === 1, 'the refusal');
		await waitFor(() => opened[0]!.readyState === WebSocket.CLOSED, 'the socket closed');
		expect(served.hub.peers()).toEqual([]);
		expect(served.hub.stats().connections).toBe(0);
		expect(intruder.peers()).toEqual([]);
		expect(connected).toEqual([]);
		// A member gets through the same hub.
		await client(served.url, 'member');
		await waitFor(() => served.hub.peers().length === 1, 'the member connected');
		expect(served.hub.peers()).toEqual(['member']);
	});

	it('a silent client is closed at the handshake deadline, garbage at once', async () => {
		const served = await hub({ peerId: 'hub', limits: { handshakeTimeoutMs: 300 } });
		const silent = rawSocket(served.url);
		const garbage = rawSocket(served.url);
		await garbage.opened;
		garbage.ws.send(crypto.getRandomValues(new Uint8Array(120)));
		expect(await garbage.outcome).toEqual({ code: HubSocketClose.handshake });
		expect(await silent.outcome).toEqual({ code: HubSocketClose.handshake });
		expect(served.hub.stats().refused.handshake).toBe(2);
		expect(served.hub.stats().connections).toBe(0);
	});

	it('refuses other origins, and connections over the per-address and total limits, before any WebSocket', async () => {
		const served = await hub({
			peerId: 'hub',
			limits: { maxConnectionsPerAddress: 2, maxConnections: 3 },
			clientAddress: (req) => String(req.headers['x-test-address'] ?? 'a')
		});
		expect(await rawSocket(served.url, { origin: 'https://elsewhere.example' }).outcome).toEqual({
			status: 403
		});
		const held = [rawSocket(served.url), rawSocket(served.url)];
		await Promise.all(held.map((h) => h.opened));
		expect(await rawSocket(served.url).outcome).toEqual({ status: 429 });
		const other = rawSocket(served.url, { 'x-test-address': 'b' });
		await other.opened;
		expect(await rawSocket(served.url, { 'x-test-address': 'c' }).outcome).toEqual({ status: 503 });
		expect(served.hub.stats().refused).toMatchObject({ origin: 1, limit: 2 });
	});
});

describe('a man in the middle holding the centre key', () => {
	it('terminates both sealed channels and relays: the hello proofs fail, the relayed writes are refused', async () => {
		const alice = await generateIdentity();
		const real = await hub({ peerId: 'hub' });
		const hubDevice = device(real.hub, await generateIdentity());
		// Mallory: a hub posing as 'hub' to the laptop, and a client posing as 'laptop' to the hub.
		const fake = await hub({ peerId: 'hub' });
		const { client: upstream } = await client(real.url, 'laptop', { minBackoffMs: 60_000 });
		const toLaptop: Uint8Array[] = [];
		let relayed = 0;
		const down = (m: Uint8Array) => {
			relayed++;
			if (fake.hub.peers().includes('laptop')) fake.hub.send('laptop', m);
			else toLaptop.push(m);
		};
		upstream.on('message', (_from, m) => down(m));
		fake.hub.on('message', (_from, m) => {
			relayed++;
			upstream.send('hub', m);
		});
		fake.hub.on('peer-connected', () => {
			for (const m of toLaptop.splice(0)) fake.hub.send('laptop', m);
		});
		await waitFor(() => upstream.peers().length === 1, 'Mallory connected to the hub');
		const { client: laptopNet } = await client(fake.url, 'laptop', { minBackoffMs: 60_000 });
		const laptop = device(laptopNet, alice);
		await waitFor(
			() => !!laptop.sync.peers().get('hub') && !!hubDevice.sync.peers().get('laptop'),
			'both introduced'
		);
		await settle(laptop, hubDevice);
		expect(relayed).toBeGreaterThan(2);
		// Two channels, two bindings: each proof signed the other one.
		expect(laptopNet.channelBinding('hub')).not.toBe(real.hub.channelBinding('laptop'));
		expect(laptop.sync.peers().get('hub')?.verified).toBe(false);
		expect(hubDevice.sync.peers().get('laptop')?.verified).toBe(false);
		expect(laptop.rejected.some((r) => /could not prove it is .* on this connection/.test(r))).toBe(true);
		expect(hubDevice.rejected.some((r) => /could not prove it is .* on this connection/.test(r))).toBe(true);

		// Mallory writes Alice's author-only access document into the hub, posing as her laptop.
		const forged = new Y.Doc();
		putNoteAccess(forged, `note/${newNoteId(alice.agentId)}`, {
			author: alice.agentId,
			visibility: 'centre',
			floor: 'bourse',
			colleaguesMayEdit: true
		});
		upstream.send(
			'hub',
			encodeMessage({
				type: 'update',
				docId: noteAccessDocId(alice.agentId),
				update: Y.encodeStateAsUpdate(forged)
			})
		);
		await waitFor(
			() => hubDevice.rejected.some((r) => /without having proved its key/.test(r)),
			'the refusal'
		);
		await settle(hubDevice);
		expect(await hubDevice.repo.find(noteAccessDocId(alice.agentId))).toBeUndefined();
	});
});

type Tamper = 'flip' | 'replay' | 'drop' | 'reorder';

/** A WebSocket proxy that passes every frame through unread (it has no way to read them), except
 *  that the next client-to-hub frame after `arm()` is tampered with. */
async function passThroughProxy(target: string) {
	const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
	await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
	const upward: Buffer[] = [];
	let armed: Tamper | undefined;
	let held: Buffer | undefined;
	wss.on('connection', (down) => {
		const up = new WebSocket(target);
		up.on('error', () => {});
		down.on('error', () => {});
		const queue: Buffer[] = [];
		up.on('open', () => queue.splice(0).forEach((f) => up.send(f)));
		const toUp = (f: Buffer) => (up.readyState === WebSocket.OPEN ? up.send(f) : queue.push(f));
		down.on('message', (data: Buffer) => {
			upward.push(data);
			const mode = armed;
			armed = undefined;
			if (held) {
				toUp(data);
				toUp(held);
				held = undefined;
			} else if (mode === 'flip') {
				const f = Buffer.from(data);
				f[f.length >> 1]! ^= 0x01;
				toUp(f);
			} else if (mode === 'replay') {
				toUp(data);
				toUp(data);
			} else if (mode === 'drop') {
				// swallowed
			} else if (mode === 'reorder') held = data;
			else toUp(data);
		});
		up.on('message', (data: Buffer) => down.send(data));
		up.on('close', () => down.terminate());
		down.on('close', () => up.terminate());
	});
	teardown.push(
		() =>
			new Promise<void>((resolve) => {
				for (const c of wss.clients) c.terminate();
				wss.close(() => resolve());
			})
	);
	return {
		url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/hub`,
		upward,
		arm: (mode: Tamper) => (armed = mode)
	};
}

describe('a proxy passing the sealed channel through', () => {
	it('sees no plaintext in the frames it carries', async () => {
		const served = await hub({ peerId: 'hub' });
		const proxy = await passThroughProxy(served.url);
		const { client: c } = await client(proxy.url, 'b-0');
		const got: string[] = [];
		served.hub.on('message', (_f, m) => got.push(new TextDecoder().decode(m)));
		await waitFor(() => c.peers().length === 1, 'connected through the proxy');
		c.send('hub', new TextEncoder().encode('carte avalée au DAB, code 4711'));
		await waitFor(() => got.length === 1, 'the message');
		expect(got).toEqual(['carte avalée au DAB, code 4711']);
		const seen = Buffer.concat(proxy.upward).toString('latin1');
		expect(seen).not.toContain('4711');
		expect(seen).not.toContain('b-0'); // the peer id travels sealed too
	});

	it.each<Tamper>(['flip', 'replay', 'drop', 'reorder'])(
		'a %s frame closes the channel, and nothing tampered is delivered',
		async (mode) => {
			const served = await hub({ peerId: 'hub' });
			const proxy = await passThroughProxy(served.url);
			const { client: c } = await client(proxy.url, 'b-0', { minBackoffMs: 60_000 });
			const got: number[] = [];
			served.hub.on('message', (_f, m) => got.push(m[0]!));
			const gone: string[] = [];
			served.hub.on('peer-disconnected', (p) => gone.push(`hub lost ${p}`));
			c.on('peer-disconnected', (p) => gone.push(`client lost ${p}`));
			await waitFor(() => c.peers().length === 1 && served.hub.peers().length === 1, 'connected');
			c.send('hub', new Uint8Array([1]));
			await waitFor(() => got.length === 1, 'an untouched message');
			proxy.arm(mode);
			c.send('hub', new Uint8Array([2]));
			c.send('hub', new Uint8Array([3]));
			await waitFor(() => gone.length === 2, 'both sides to see the channel close');
			expect(gone.sort()).toEqual(['client lost hub', 'hub lost b-0']);
			// A replayed frame is delivered once (the original), never twice; the rest never.
			expect(got).toEqual(mode === 'replay' ? [1, 2] : [1]);
			expect(served.hub.peers()).toEqual([]);
		}
	);
});

describe('clients that send too much or read too little', () => {
	it('a frame over one record, and a message over the limit, close the connection with 1009', async () => {
		const served = await hub({ peerId: 'hub', limits: { maxMessageBytes: 256 * 1024 } });
		const big = rawSocket(served.url);
		await big.opened;
		big.ws.send(new Uint8Array(200 * 1024));
		expect(await big.outcome).toEqual({ code: 1009 });

		const { client: c, opened } = await client(served.url, 'b-0', { minBackoffMs: 60_000 });
		await waitFor(() => c.peers().length === 1, 'connected');
		const closed = new Promise<number>((resolve) => opened[0]!.on('close', (code) => resolve(code)));
		const got: Uint8Array[] = [];
		served.hub.on('message', (_f, m) => got.push(m));
		c.send('hub', new Uint8Array(1024 * 1024));
		expect(await closed).toBe(HubSocketClose.tooLarge);
		expect(got).toEqual([]);
		expect(served.hub.peers()).toEqual([]);
	});

	it('a client that stops reading is closed as a slow consumer once its queue passes the bound', async () => {
		const served = await hub({
			peerId: 'hub',
			limits: { maxBufferedBytes: 1024 * 1024, highWaterMark: 64 * 1024 }
		});
		const ws = new WebSocket(served.url);
		raw.push(ws);
		ws.on('error', () => {});
		let closeCode: number | undefined;
		const sealed = new SealedSocket(ws as unknown as ByteSocket, {
			key: await centreKey(),
			peerId: 'sloth',
			maxMessageBytes: 1024 * 1024,
			highWaterMark: 64 * 1024,
			maxQueuedBytes: 1024 * 1024,
			silenceMs: 60_000,
			onOpen: () => ws.pause(), // reads nothing more
			onMessage: () => {},
			onClose: () => {}
		});
		ws.on('close', (code) => (closeCode = code));
		await waitFor(() => served.hub.peers().includes('sloth'), 'sloth connected');
		const chunk = new Uint8Array(64 * 1024);
		for (let i = 0; i < 4000 && served.hub.peers().includes('sloth'); i++) {
			served.hub.send('sloth', chunk);
			await new Promise((r) => setImmediate(r));
		}
		expect(served.hub.peers()).toEqual([]);
		expect(served.hub.stats().refused.slowConsumer).toBe(1);
		ws.resume();
		await waitFor(() => closeCode !== undefined, 'the socket closed');
		expect(sealed.open).toBe(false);
	});
});

describe('the endpoint', () => {
	it('answers 404 on /hub when no hub is attached, and on other paths of an exclusive server', async () => {
		const { attachHubSocket, attachSignaling } = await import('../../src/lib/server/attach');
		const server = createServer((_req, res) => res.end());
		const relay = attachSignaling(server, () => {}, { exclusive: true });
		attachHubSocket(server, undefined);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		teardown.push(async () => {
			await relay.close();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		});
		const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
		expect(await rawSocket(`${base}/hub`).outcome).toEqual({ status: 404 });
		expect(await rawSocket(`${base}/elsewhere`).outcome).toEqual({ status: 404 });
		const signal = rawSocket(`${base}/signal`);
		await signal.opened; // signaling still answers beside it
	});
});
