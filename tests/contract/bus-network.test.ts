// BusNetwork (hub instances as peers over the hub bus) passes the network contract over the memory
// bus and over the real Redis server; then what is particular to it: a bus outage renews every link
// (so the Synchronizer resyncs), a silent instance times out, a message sealed with another centre's
// key is ignored, and Redis sees no plaintext.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BusNetwork, type BusNetworkOptions } from '../../src/lib/server/bus-network';
import type { HubBus } from '../../src/lib/server/hub-bus';
import { MemoryBusNetwork, type MemoryHubBus } from '../../src/lib/server/hub-bus-memory';
import { RedisHubBus } from '../../src/lib/server/hub-bus-redis';
import { testRedisUrl, uniqueName } from '../support/services';
import { runNetworkContract } from './network-contract';
import { waitFor } from './hub-bus-contract';

const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
const quiet = () => {};

function busNetwork(bus: HubBus, extra: Partial<BusNetworkOptions> = {}) {
	return new BusNetwork({
		bus,
		centreId: 'acme',
		secret: SECRET,
		heartbeatMs: 100,
		reconnectDelayMs: 60_000,
		log: quiet,
		...extra
	});
}

runNetworkContract('bus network over the memory bus', {
	create: async (count) => {
		const net = new MemoryBusNetwork();
		return Array.from({ length: count }, (_, i) => busNetwork(net.join(`instance-${i}`)));
	},
	cut: async (a, b) => a.disconnect(b.peerId, 'cut (test)'),
	dispose: async (adapters) => {
		for (const a of adapters) await a.destroy();
	}
});

const redisBuses: RedisHubBus[] = [];
runNetworkContract('bus network over Redis', {
	create: async (count) => {
		const prefix = `${uniqueName('plateau-busnet')}:`;
		const nets = Array.from({ length: count }, (_, i) => {
			const bus = new RedisHubBus({ url: testRedisUrl, prefix, instanceId: `instance-${i}` });
			redisBuses.push(bus);
			return busNetwork(bus);
		});
		await Promise.all(nets.map((n) => n.ready));
		return nets;
	},
	cut: async (a, b) => a.disconnect(b.peerId, 'cut (test)'),
	dispose: async (adapters) => {
		for (const a of adapters) await a.destroy();
		for (const bus of redisBuses.splice(0)) await bus.destroy();
	}
});

describe('BusNetwork', () => {
	const admin = new Redis(testRedisUrl);
	afterAll(async () => void (await admin.quit()));

	it('renews its links after a bus outage: both ends see a new connection with a new binding', async () => {
		const net = new MemoryBusNetwork();
		const busA = net.join('a');
		const a = busNetwork(busA, { reconnectDelayMs: 10 });
		const b = busNetwork(net.join('b'), { reconnectDelayMs: 10 });
		await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'link');
		const before = a.channelBinding('b');
		const events: string[] = [];
		b.on('peer-disconnected', (p) => events.push(`down ${p}`));
		b.on('peer-connected', (p) => events.push(`up ${p}`));
		await net.drop(busA as MemoryHubBus);
		await waitFor(() => events.includes('up a'), 'b to reconnect to a');
		expect(events).toEqual(['down a', 'up a']);
		await waitFor(() => a.channelBinding('b') !== undefined, 'a linked again');
		expect(a.channelBinding('b')).toBe(b.channelBinding('a'));
		expect(a.channelBinding('b')).not.toBe(before);
		await a.destroy();
		await b.destroy();
	});

	it('disconnects an instance that stops announcing itself (killed, no goodbye)', async () => {
		const net = new MemoryBusNetwork();
		const busB = net.join('b');
		const a = busNetwork(net.join('a'), { timeoutMs: 300 });
		const b = busNetwork(busB);
		await waitFor(() => a.peers().length === 1, 'link');
		// b's process dies: its bus stops delivering and publishing, without a bye.
		(busB as MemoryHubBus).connected = false;
		await busB.destroy();
		await waitFor(() => a.peers().length === 0, 'a to time b out', 5000);
		await a.destroy();
		await b.destroy();
	});

	it('ignores instances of another centre key, and puts no plaintext on Redis', async () => {
		const prefix = `${uniqueName('plateau-busnet')}:`;
		const buses = ['a', 'b', 'c'].map((id) => new RedisHubBus({ url: testRedisUrl, prefix, instanceId: id }));
		const spy = new Redis(testRedisUrl);
		const seen: Buffer[] = [];
		await spy.psubscribe(`${prefix}*`);
		spy.on('pmessageBuffer', (_p: Buffer, _c: Buffer, data: Buffer) => seen.push(data));
		const a = busNetwork(buses[0]!);
		const b = busNetwork(buses[1]!);
		const stranger = new BusNetwork({
			bus: buses[2]!,
			centreId: 'acme',
			secret: 'another0secret0of0this0centre',
			heartbeatMs: 100,
			log: quiet
		});
		await Promise.all([a.ready, b.ready, stranger.ready]);
		await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'a and b linked');
		const got: string[] = [];
		b.on('message', (_f, m) => got.push(new TextDecoder().decode(m)));
		a.send('b', new TextEncoder().encode('plainly-visible-marker'));
		await waitFor(() => got.length === 1, 'the message');
		// A few heartbeats later the stranger still reaches nobody.
		const announces = seen.length;
		await waitFor(() => seen.length > announces + 6, 'more heartbeats');
		expect(stranger.peers()).toEqual([]);
		expect(a.peers()).toEqual(['b']);
		expect(seen.some((d) => d.includes('plainly-visible-marker'))).toBe(false);
		for (const n of [a, b, stranger]) await n.destroy();
		for (const bus of buses) await bus.destroy();
		await spy.quit();
	});
});
