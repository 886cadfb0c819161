// The relay across instances: two relays behind one (imagined) load balancer share a bus, and a
// publish made by a client of one reaches the subscribers of the same topic on the other — with the
// in-process bus and with the real Redis server (PLATEAU_TEST_REDIS_URL, a key prefix of its own).
// Topics nobody holds on an instance are not subscribed there, and a client's unsubscribe or its
// disconnection releases the bus channel.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { attachSignaling, SIGNAL_PATH } from '../../src/lib/server/attach';
import type { HubBus } from '../../src/lib/server/hub-bus';
import { MemoryBusNetwork } from '../../src/lib/server/hub-bus-memory';
import { RedisHubBus } from '../../src/lib/server/hub-bus-redis';
import { busChannel } from '../../src/lib/server/signaling-topics';
import { testRedisUrl, uniqueName } from '../support/services';
import { Client, relayFixture } from '../support/ws-client';

const { servers, relays, clients } = relayFixture();
const admin = new Redis(testRedisUrl);
afterAll(async () => void (await admin.quit()));

async function relayOn(bus: HubBus): Promise<string> {
	const server = createServer((_req, res) => res.end());
	servers.push(server);
	relays.push(attachSignaling(server, () => {}, { exclusive: true, bus, origins: 'any' }));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return `ws://127.0.0.1:${(server.address() as AddressInfo).port}${SIGNAL_PATH}`;
}

async function client(url: string): Promise<Client> {
	const ws = new WebSocket(url);
	const c = new Client(ws);
	clients.push(c);
	await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
	return c;
}

const publishes = (c: Client, topic: string) => c.of('publish').filter((m) => m.topic === topic);

interface Buses {
	a: HubBus;
	b: HubBus;
	/** Instances subscribed to the topic's bus channel. */
	subscribers(topic: string): Promise<number>;
	dispose(): Promise<void>;
}

function runAcross(name: string, buses: () => Promise<Buses>) {
	describe(`signaling relay fan-out over the ${name} bus`, () => {
		it('delivers a publish on instance A to the subscribers of B (and to A’s), never to other topics', async () => {
			const { a, b, subscribers, dispose } = await buses();
			try {
				const urlA = await relayOn(a);
				const urlB = await relayOn(b);
				const onA = await client(urlA);
				const onB = await client(urlB);
				const elsewhere = await client(urlB);
				onA.send({ type: 'subscribe', topics: ['plateau:c/peer-1'] });
				onB.send({ type: 'subscribe', topics: ['plateau:c/peer-1'] });
				elsewhere.send({ type: 'subscribe', topics: ['plateau:c/peer-2'] });
				await Promise.all([onA.roundTrip(), onB.roundTrip(), elsewhere.roundTrip()]);
				await Promise.all(relays.map((r) => r.busReady()));
				expect(await subscribers('plateau:c/peer-1')).toBe(2);
				expect(await subscribers('plateau:c/peer-2')).toBe(1);

				onA.send({ type: 'publish', topic: 'plateau:c/peer-1', data: 'sealed-1' });
				await onB.until(() => publishes(onB, 'plateau:c/peer-1').length === 1, 'the publish on B', 5000);
				await onA.until(() => publishes(onA, 'plateau:c/peer-1').length === 1, 'the echo on A', 5000);
				// As sent, with the delivering instance's own subscriber count.
				expect(publishes(onB, 'plateau:c/peer-1')[0]).toEqual({
					type: 'publish',
					topic: 'plateau:c/peer-1',
					data: 'sealed-1',
					clients: 1
				});
				expect(relays[1]!.busDelivered()).toBe(1);

				// And the other way; the client on another topic heard nothing.
				onB.send({ type: 'publish', topic: 'plateau:c/peer-1', data: 'sealed-2' });
				await onA.until(() => publishes(onA, 'plateau:c/peer-1').length === 2, 'the publish on A', 5000);
				await elsewhere.roundTrip();
				expect(elsewhere.of('publish')).toEqual([]);

				// The last subscriber of a topic on an instance leaving releases its bus channel there.
				onB.send({ type: 'unsubscribe', topics: ['plateau:c/peer-1'] });
				elsewhere.ws.terminate();
				await onB.roundTrip();
				await expect.poll(() => subscribers('plateau:c/peer-2'), { timeout: 5000 }).toBe(0);
				await expect.poll(() => subscribers('plateau:c/peer-1'), { timeout: 5000 }).toBe(1);
			} finally {
				await dispose();
			}
		});
	});
}

/** A bus that counts its live subscriptions per channel (what the relay holds on it). */
function counting(bus: HubBus): HubBus & { held(channel: string): number } {
	const held = new Map<string, number>();
	return {
		instanceId: bus.instanceId,
		publish: (docId, kind, data) => bus.publish(docId, kind, data),
		subscribe(docId, listener) {
			held.set(docId, (held.get(docId) ?? 0) + 1);
			const sub = bus.subscribe(docId, listener);
			let live = true;
			const off = () => {
				if (live) held.set(docId, held.get(docId)! - 1);
				live = false;
				sub();
			};
			return Object.assign(off, { ready: sub.ready });
		},
		onResync: (l) => bus.onResync(l),
		onError: (l) => bus.onError(l),
		destroy: () => bus.destroy(),
		held: (channel) => held.get(channel) ?? 0
	};
}

runAcross('memory', async () => {
	const network = new MemoryBusNetwork();
	const a = counting(network.join('relay-a'));
	const b = counting(network.join('relay-b'));
	return {
		a,
		b,
		subscribers: async (topic) => a.held(busChannel(topic)) + b.held(busChannel(topic)),
		dispose: async () => {
			await a.destroy();
			await b.destroy();
		}
	};
});

runAcross('Redis', async () => {
	const prefix = `${uniqueName('plateau-signal')}:`;
	const a = new RedisHubBus({ url: testRedisUrl, prefix, instanceId: 'relay-a' });
	const b = new RedisHubBus({ url: testRedisUrl, prefix, instanceId: 'relay-b' });
	return {
		a,
		b,
		subscribers: async (topic) => {
			await Promise.all([a.roundTrip(), b.roundTrip()]);
			const channel = `${prefix}doc:${busChannel(topic)}`;
			return Number(((await admin.pubsub('NUMSUB', channel)) as [string, number])[1]);
		},
		dispose: async () => {
			await a.destroy();
			await b.destroy();
		}
	};
});
