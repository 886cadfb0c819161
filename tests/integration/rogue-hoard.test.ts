// Memory hoarding and flooding by one peer. A hello with a key and no proof used to be waited for
// forever, with up to 10,000 early messages of 32 MiB each held for it (968 MiB measured on the
// victim). Now a peer has a deadline to finish its handshake, what is held for it meanwhile is
// bounded in bytes, and once introduced its live messages pass a rate budget with a bounded queue;
// a peer over any bound is disconnected and everything held for it released.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { generateIdentity } from '../../src/lib/repo/identity';
import type { RateLimits } from '../../src/lib/repo/rate-limit';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import type { ProtocolLimits } from '../../src/lib/repo/sync-protocol';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { introduced, roguePeer } from './rogue-kit';

interface Victim {
	repo: Repo;
	net: MemoryNetworkAdapter;
	sync: Synchronizer;
	rejected: string[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

async function victim(
	hub: MemoryHub,
	limits: Partial<ProtocolLimits>,
	rate: Partial<RateLimits> = {}
): Promise<Victim> {
	const identity = await generateIdentity();
	const repo = new Repo({ storage: new MemoryStorage() });
	const net = hub.join('victim');
	const sync = new Synchronizer({
		repo,
		network: net,
		policy: new CentreSharePolicy(identity.agentId),
		agentId: identity.agentId,
		floor: 'bourse',
		identity,
		limits,
		rate
	});
	const rejected: string[] = [];
	sync.onRejected((r) => rejected.push(r.reason));
	cleanups.push(
		() => sync.destroy(),
		() => net.destroy(),
		() => repo.destroy()
	);
	return { repo, net, sync, rejected };
}

/** An update of `bytes` of text to one article. */
function filler(bytes: number): Uint8Array {
	const d = new Y.Doc();
	d.getText('t').insert(0, 'x'.repeat(bytes));
	return Y.encodeStateAsUpdate(d);
}

describe('a peer that never finishes its handshake', () => {
	it('is disconnected at its deadline, and what was held for it is released', async () => {
		const hub = new MemoryHub();
		const v = await victim(hub, { handshakeMs: 300, maxEarlyBytes: 1024 * 1024 });
		// A key, no proof: the victim waits for one, holding what comes meanwhile.
		const hoarder = roguePeer(hub, 'hoarder', { identity: await generateIdentity(), prove: false });
		cleanups.push(() => hoarder.net.destroy());
		hoarder.greet('victim');
		for (let i = 0; i < 5; i++)
			hoarder.send('victim', { type: 'update', docId: `article/h${i}`, update: filler(100 * 1024) });
		await vi.waitFor(() => expect(v.sync.stats.earlyBytes).toBeGreaterThan(500 * 1024));
		expect(v.sync.peers().size).toBe(0);
		await vi.waitFor(() => expect(hub.linked('victim', 'hoarder')).toBe(false), { timeout: 3000 });
		expect(v.sync.stats).toEqual({ peers: 0, earlyBytes: 0, queuedMessages: 0, queuedBytes: 0 });
		expect(v.rejected.some((r) => /disconnected: no complete handshake within 300 ms/.test(r))).toBe(true);
		expect(await v.repo.list()).toEqual([]);
	});

	it('is disconnected at once when it sends more than the early bound', async () => {
		const hub = new MemoryHub();
		const v = await victim(hub, { handshakeMs: 60_000, maxEarlyBytes: 256 * 1024 });
		const hoarder = roguePeer(hub, 'hoarder', { identity: await generateIdentity(), prove: false });
		cleanups.push(() => hoarder.net.destroy());
		hoarder.greet('victim');
		for (let i = 0; i < 4; i++)
			hoarder.send('victim', { type: 'update', docId: `article/h${i}`, update: filler(100 * 1024) });
		await vi.waitFor(() => expect(hub.linked('victim', 'hoarder')).toBe(false));
		expect(v.sync.stats.earlyBytes).toBe(0);
		expect(v.rejected.some((r) => /sent too much before completing its handshake/.test(r))).toBe(true);
	});

	it('an honest peer finishes well within the deadline and keeps its connection', async () => {
		// The victim's timers are fake, so passing its deadline is one call, not a wait.
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
		cleanups.push(() => void vi.useRealTimers());
		const hub = new MemoryHub();
		const v = await victim(hub, { handshakeMs: 300 });
		const honest = roguePeer(hub, 'honest', { identity: await generateIdentity() });
		cleanups.push(() => honest.net.destroy());
		honest.greet('victim');
		await introduced(v.sync, 'honest', true);
		// Past the deadline it is still connected: the deadline stopped when the handshake ended.
		vi.advanceTimersByTime(10_000);
		expect(hub.linked('victim', 'honest')).toBe(true);
		expect(v.rejected).toEqual([]);
	});
});

describe('a peer that floods live updates', () => {
	/** `n` concurrent inserts at one position of one text, each from its own client. */
	function concurrentInserts(n: number): Uint8Array[] {
		return Array.from({ length: n }, () => {
			const d = new Y.Doc();
			d.getText('body').insert(0, 'x');
			return Y.encodeStateAsUpdate(d);
		});
	}

	it('is held to its budget, then disconnected when its queue overflows', { timeout: 30_000 }, async () => {
		const hub = new MemoryHub();
		const rate = { messagesPerSecond: 50, messageBurst: 100, maxQueuedMessages: 200 };
		const v = await victim(hub, {}, rate);
		const flooder = roguePeer(hub, 'flooder', { identity: await generateIdentity() });
		cleanups.push(() => flooder.net.destroy());
		flooder.greet('victim');
		await introduced(v.sync, 'flooder', true);
		for (const update of concurrentInserts(600))
			flooder.send('victim', { type: 'update', docId: 'article/flood', update });
		await vi.waitFor(() => expect(hub.linked('victim', 'flooder')).toBe(false));
		await v.sync.idle();
		expect(
			v.rejected.some((r) => /disconnected: sent more than its rate budget and queue allow/.test(r))
		).toBe(true);
		// What was applied is the burst (the queue was dropped with the peer)
		const applied = (await v.repo.open('article/flood')).getText('body').length;
		expect(applied).toBeGreaterThan(0);
		// (plus what the bucket refilled while the flood was being received, well under a second).
		expect(applied).toBeLessThanOrEqual(rate.messageBurst + rate.messagesPerSecond);
		expect(v.sync.stats).toEqual({ peers: 0, earlyBytes: 0, queuedMessages: 0, queuedBytes: 0 });
	});

	it('spends one message of its budget per document of a batch it was not asked for', async () => {
		const hub = new MemoryHub();
		const v = await victim(hub, {}, { messagesPerSecond: 500, messageBurst: 100, maxQueuedMessages: 500 });
		const sender = roguePeer(hub, 'sender', { identity: await generateIdentity(), batch: true });
		cleanups.push(() => sender.net.destroy());
		sender.greet('victim');
		await introduced(v.sync, 'sender', true);
		const doc = (i: number): [string, Uint8Array] => [`article/b-${i}`, filler(10)];
		// Six batches of 100 documents nobody asked for: six messages, 600 documents.
		for (let b = 0; b < 6; b++)
			sender.send('victim', {
				type: 'syncStep2Batch',
				docs: Array.from({ length: 100 }, (_, i) => doc(b * 100 + i))
			});
		// The burst (100) is spent by the first batch: the others wait in the queue.
		expect(v.sync.stats.queuedMessages).toBeGreaterThanOrEqual(4);
		await v.sync.idle();
		await v.repo.flush();
		expect((await v.repo.list()).length).toBe(600);
		expect(v.rejected).toEqual([]);
	});

	it('a burst within the queue waits for the budget and is applied in full', async () => {
		const hub = new MemoryHub();
		const v = await victim(hub, {}, { messagesPerSecond: 500, messageBurst: 50, maxQueuedMessages: 500 });
		const sender = roguePeer(hub, 'sender', { identity: await generateIdentity() });
		cleanups.push(() => sender.net.destroy());
		sender.greet('victim');
		await introduced(v.sync, 'sender', true);
		for (const update of concurrentInserts(300))
			sender.send('victim', { type: 'update', docId: 'article/burst', update });
		// Beyond the burst, messages wait in the queue rather than run at once.
		expect(v.sync.stats.queuedMessages).toBeGreaterThan(0);
		await v.sync.idle();
		expect((await v.repo.open('article/burst')).getText('body').length).toBe(300);
		expect(hub.linked('victim', 'sender')).toBe(true);
		expect(v.rejected).toEqual([]);
	});
});
