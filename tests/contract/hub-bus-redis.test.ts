// The hub bus contract over the Redis server the development and CI machines run (PLATEAU_TEST_REDIS_URL),
// each centre under a key prefix of its own. A broken connection is simulated with CLIENT KILL of the
// bus's own connections: the shared Redis service is never stopped.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeHubMessage, encodeHubMessage } from '../../src/lib/server/hub-bus';
import { RedisHubBus } from '../../src/lib/server/hub-bus-redis';
import { testRedisUrl, uniqueName } from '../support/services';
import { runHubBusContract, waitFor } from './hub-bus-contract';

const admin = new Redis(testRedisUrl);
afterAll(async () => void (await admin.quit()));

/** Kills every connection of `bus` (both of them) from the server side. */
async function killConnections(bus: RedisHubBus): Promise<number> {
	const list = (await admin.client('LIST')) as string;
	const ids = list
		.split('\n')
		.filter((line) => line.includes(` name=${bus.connectionName} `))
		.map((line) => line.match(/^id=(\d+)/)![1]!);
	for (const id of ids) await admin.client('KILL', 'ID', id);
	return ids.length;
}

runHubBusContract('redis', {
	centre: async () => {
		const prefix = `${uniqueName('plateau-test')}:`;
		return {
			join: () => new RedisHubBus({ url: testRedisUrl, prefix }),
			interrupt: async (bus) => {
				const r = bus as RedisHubBus;
				// Both connections are up before they are cut, so the kill is what the test sees.
				await waitFor(() => r.connected, 'the bus to be connected');
				expect(await killConnections(r)).toBe(2);
			}
		};
	},
	dispose: async () => {}
});

describe('RedisHubBus', () => {
	it('encodes and decodes its wire form, and ignores a foreign message', () => {
		const wire = encodeHubMessage('awareness', 'hub-1', new Uint8Array([1, 2]));
		expect(decodeHubMessage('article/a', wire)).toEqual({
			docId: 'article/a',
			kind: 'awareness',
			from: 'hub-1',
			data: new Uint8Array([1, 2])
		});
		expect(decodeHubMessage('article/a', new Uint8Array([7, 0]))).toBeUndefined();
		expect(decodeHubMessage('article/a', new Uint8Array([0, 9, 1]))).toBeUndefined();
	});

	it('subscribes once per document on the server and unsubscribes when the last listener leaves', async () => {
		const prefix = `${uniqueName('plateau-test')}:`;
		const bus = new RedisHubBus({ url: testRedisUrl, prefix });
		try {
			const channel = `${prefix}doc:article/n`;
			const numsub = async () => Number(((await admin.pubsub('NUMSUB', channel)) as [string, number])[1]);
			const off1 = bus.subscribe('article/n', () => {});
			const off2 = bus.subscribe('article/n', () => {});
			await Promise.all([off1.ready, off2.ready]);
			expect(await numsub()).toBe(1);
			off1();
			// A PING on the subscriber connection answers after any UNSUBSCRIBE sent before it.
			await bus.roundTrip();
			expect(await numsub()).toBe(1);
			off2();
			await bus.roundTrip();
			expect(await numsub()).toBe(0);
		} finally {
			await bus.destroy();
		}
	});

	it('resyncs after the Redis server dropped every connection (as on a restart)', async () => {
		const prefix = `${uniqueName('plateau-test')}:`;
		const a = new RedisHubBus({ url: testRedisUrl, prefix });
		const b = new RedisHubBus({ url: testRedisUrl, prefix });
		try {
			const got: number[] = [];
			const sub = a.subscribe('article/z', (m) => got.push(m.data[0]!));
			const subB = b.subscribe('article/z', () => {});
			await Promise.all([sub.ready, subB.ready]);
			let resyncs = 0;
			a.onResync(() => resyncs++);
			b.onResync(() => resyncs++);
			await waitFor(() => a.connected && b.connected, 'connections');
			// What a restart does to clients: every connection of the centre closes at once.
			await killConnections(a);
			await killConnections(b);
			await waitFor(() => resyncs === 2, 'both instances to resync', 15_000);
			await b.publish('article/z', 'update', new Uint8Array([42]));
			await waitFor(() => got.includes(42), 'delivery after the restart', 15_000);
		} finally {
			await a.destroy();
			await b.destroy();
		}
	}, 30_000);
});
