// The network contract over real BroadcastChannels in Chromium: adapters in one page on a channel
// of their own per test (BroadcastChannel objects of one page deliver to each other). A cut is a
// crash: one side closes its channel without a bye, and the other drops it by heartbeat timeout.
import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastChannelNetwork } from '../../src/lib/net/broadcast-channel';
import type { PeerId } from '../../src/lib/repo/network';
import { runNetworkContract } from '../contract/network-contract';

const HEARTBEAT_MS = 40;
const TIMEOUT_MS = 250;

let room = 0;
const channelName = () => `plateau-bc-test-${Date.now()}-${++room}`;

function adapters(count: number, channel = channelName()): BroadcastChannelNetwork[] {
	return Array.from(
		{ length: count },
		() => new BroadcastChannelNetwork({ channel, heartbeatMs: HEARTBEAT_MS, timeoutMs: TIMEOUT_MS })
	);
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

/** Everything posted on a channel, as a raw listener hears it. */
function listen(name: string, raw: BroadcastChannel[]): Record<string, unknown>[] {
	const c = new BroadcastChannel(name);
	raw.push(c);
	const seen: Record<string, unknown>[] = [];
	c.onmessage = (e) => seen.push(e.data as Record<string, unknown>);
	return seen;
}

const pingsFrom = (seen: Record<string, unknown>[], id: string) =>
	seen.filter((m) => m.type === 'ping' && m.from === id).length;

runNetworkContract('BroadcastChannel', {
	create: async (count) => adapters(count),
	cut: async (a) => (a as BroadcastChannelNetwork).crash(),
	dispose: async (list) => {
		for (const a of list) await a.destroy();
	}
});

describe('BroadcastChannelNetwork', () => {
	let live: BroadcastChannelNetwork[] = [];
	const raw: BroadcastChannel[] = [];
	afterEach(async () => {
		for (const a of live) await a.destroy();
		for (const c of raw.splice(0)) c.close();
		live = [];
	});

	function rawChannel(name: string): BroadcastChannel {
		const c = new BroadcastChannel(name);
		raw.push(c);
		return c;
	}

	it('drops a peer that crashed without a bye after the timeout, and keeps live peers', async () => {
		const name = channelName();
		const seen = listen(name, raw);
		live = adapters(3, name);
		const [a, b, c] = live as [BroadcastChannelNetwork, BroadcastChannelNetwork, BroadcastChannelNetwork];
		await waitFor(() => live.every((x) => x.peers().length === 2), 'full mesh');
		const lost: string[] = [];
		b.on('peer-disconnected', (p) => lost.push(`b-${p}`));
		c.on('peer-disconnected', (p) => lost.push(`c-${p}`));
		const crashedAt = Date.now();
		a.crash();
		await waitFor(() => lost.length === 2, 'b and c to drop a');
		const after = Date.now() - crashedAt;
		expect(after).toBeGreaterThanOrEqual(TIMEOUT_MS - HEARTBEAT_MS);
		expect(lost.sort()).toEqual([`b-${a.peerId}`, `c-${a.peerId}`].sort());
		expect(b.peers()).toEqual([c.peerId]);
		expect(c.peers()).toEqual([b.peerId]);
		// The heartbeat keeps b and c together well past several timeouts (25 heartbeats each).
		const [pb, pc] = [pingsFrom(seen, b.peerId), pingsFrom(seen, c.peerId)];
		await waitFor(
			() => pingsFrom(seen, b.peerId) >= pb + 25 && pingsFrom(seen, c.peerId) >= pc + 25,
			'25 more heartbeats'
		);
		expect(lost).toHaveLength(2);
		const got: number[] = [];
		c.on('message', (_f, m) => got.push(m[0]!));
		b.send(c.peerId, new Uint8Array([42]));
		await waitFor(() => got.length === 1, 'message after the crash');
		expect(got).toEqual([42]);
	});

	it('does not deliver messages addressed to another peer, nor from unknown peers, and ignores garbage', async () => {
		const name = channelName();
		live = adapters(3, name);
		const [a, b, c] = live as [BroadcastChannelNetwork, BroadcastChannelNetwork, BroadcastChannelNetwork];
		await waitFor(() => live.every((x) => x.peers().length === 2), 'full mesh');
		const inbox = (x: BroadcastChannelNetwork) => {
			const got: { from: PeerId; bytes: number[] }[] = [];
			x.on('message', (from, m) => got.push({ from, bytes: [...m] }));
			return got;
		};
		const atA = inbox(a);
		const atB = inbox(b);
		const atC = inbox(c);
		const forger = rawChannel(name);
		// Addressed to c, posted on the channel every tab hears: only c takes it.
		forger.postMessage({ type: 'data', from: a.peerId, to: c.peerId, bytes: new Uint8Array([1]) });
		// From a peer nobody knows.
		forger.postMessage({ type: 'data', from: 'stranger', to: b.peerId, bytes: new Uint8Array([2]) });
		// Malformed.
		for (const junk of [
			null,
			'hello',
			42,
			{ type: 'data', from: a.peerId, to: b.peerId, bytes: [3] },
			{ type: 'data', from: a.peerId, bytes: new Uint8Array([3]) },
			{ type: 'data', from: 7, to: b.peerId, bytes: new Uint8Array([3]) },
			{ type: 'bye', from: '' },
			{ type: 'hello', from: 'stranger' },
			{ type: 'hello', from: 'stranger', reply: true, nonce: 'not-hex' },
			{
				type: 'hello',
				from: 'stranger',
				to: b.peerId,
				reply: false,
				nonce: '0'.repeat(32),
				re: '1'.repeat(32)
			},
			{ type: 'nonsense', from: a.peerId, to: b.peerId }
		])
			forger.postMessage(junk);
		// Posted last by the same sender: once these arrive, everything before them was handled.
		forger.postMessage({ type: 'data', from: a.peerId, to: b.peerId, bytes: new Uint8Array([8]) });
		forger.postMessage({ type: 'data', from: a.peerId, to: c.peerId, bytes: new Uint8Array([7]) });
		a.send(b.peerId, new Uint8Array([9]));
		await waitFor(() => atB.length === 2 && atC.length === 2, 'the genuine deliveries');
		expect(atB.sort((x, y) => x.bytes[0]! - y.bytes[0]!)).toEqual([
			{ from: a.peerId, bytes: [8] },
			{ from: a.peerId, bytes: [9] }
		]);
		expect(atC).toEqual([
			{ from: a.peerId, bytes: [1] },
			{ from: a.peerId, bytes: [7] }
		]);
		expect(atA).toEqual([]);
		for (const x of live) expect(x.peers()).toHaveLength(2);
	});

	it('sends a copy of the bytes, not the buffer the view sits in', async () => {
		live = adapters(2);
		const [a, b] = live as [BroadcastChannelNetwork, BroadcastChannelNetwork];
		await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'connection');
		const got: Uint8Array[] = [];
		b.on('message', (_f, m) => got.push(m));
		const buffer = new Uint8Array(1000).fill(5);
		const view = buffer.subarray(10, 13);
		a.send(b.peerId, view);
		view[0] = 99; // changed after send: must not show at b
		await waitFor(() => got.length === 1, 'message');
		expect([...got[0]!]).toEqual([5, 5, 5]);
		expect(got[0]!.buffer.byteLength).toBe(3);
	});

	it('reconnects both sides when one side timed the other out while it was alive', async () => {
		const name = channelName();
		live = adapters(2, name);
		const [a, b] = live as [BroadcastChannelNetwork, BroadcastChannelNetwork];
		await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'connection');
		const events: string[] = [];
		a.on('peer-disconnected', () => events.push('a-lost'));
		a.on('peer-connected', () => events.push('a-found'));
		b.on('peer-disconnected', () => events.push('b-lost'));
		b.on('peer-connected', () => events.push('b-found'));
		// What a sends b when it has timed b out.
		rawChannel(name).postMessage({ type: 'bye', from: a.peerId, to: b.peerId });
		await waitFor(() => events.length === 4, 'both sides to drop and reconnect');
		expect(events.filter((e) => e.startsWith('a'))).toEqual(['a-lost', 'a-found']);
		expect(events.filter((e) => e.startsWith('b'))).toEqual(['b-lost', 'b-found']);
		const got: number[] = [];
		a.on('message', (_f, m) => got.push(m[0]!));
		b.send(a.peerId, new Uint8Array([3]));
		await waitFor(() => got.length === 1, 'message after reconnecting');
	});

	it('says bye on pagehide and hello again when the page comes back', async () => {
		live = adapters(2);
		const [a, b] = live as [BroadcastChannelNetwork, BroadcastChannelNetwork];
		await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'connection');
		// Both adapters live in this page, so both hide; b must see a leave at once, not by timeout.
		const start = Date.now();
		window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
		expect(a.peers()).toEqual([]);
		expect(b.peers()).toEqual([]);
		window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
		await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'reconnection');
		expect(Date.now() - start).toBeLessThan(TIMEOUT_MS);
	});

	it('destroy says bye, closes the channel and clears listeners', async () => {
		const name = channelName();
		live = adapters(2, name);
		const [a, b] = live as [BroadcastChannelNetwork, BroadcastChannelNetwork];
		await waitFor(() => b.peers().length === 1, 'connection');
		a.on('message', () => {});
		const seen = listen(name, raw);
		const start = Date.now();
		await a.destroy();
		expect(a.listenerCount).toBe(0);
		await waitFor(() => b.peers().length === 0, 'b to see a leave');
		expect(Date.now() - start).toBeLessThan(TIMEOUT_MS);
		expect(seen).toContainEqual({ type: 'bye', from: a.peerId });
		a.send(b.peerId, new Uint8Array([1])); // no throw on a closed channel
		const count = seen.filter((m) => m.from === a.peerId).length;
		// Three heartbeats of b later, a has posted nothing more.
		const pb = pingsFrom(seen, b.peerId);
		await waitFor(() => pingsFrom(seen, b.peerId) >= pb + 3, 'three heartbeats of b');
		expect(seen.filter((m) => m.from === a.peerId).length).toBe(count);
	});

	it('a peer disconnected for breaking the protocol is kept away for its back-off, then met again with a new binding', async () => {
		const name = channelName();
		const seen = listen(name, raw);
		live = [0, 1].map(
			() =>
				new BroadcastChannelNetwork({
					channel: name,
					heartbeatMs: HEARTBEAT_MS,
					timeoutMs: TIMEOUT_MS,
					protocolBackoffMs: 300
				})
		);
		const [a, b] = live as [BroadcastChannelNetwork, BroadcastChannelNetwork];
		await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'connection');
		const first = a.channelBinding(b.peerId);
		const events: string[] = [];
		a.on('peer-disconnected', () => events.push('a-lost'));
		a.on('peer-connected', () => events.push('a-found'));
		b.on('peer-disconnected', () => events.push('b-lost'));
		b.on('peer-connected', () => events.push('b-found'));
		const mark = seen.length;
		a.disconnect(b.peerId, 'broke the protocol (test)');
		expect(events).toEqual(['a-lost']);
		// b hears the bye, drops a and asks to start over at once; a does not answer…
		await waitFor(() => events.includes('b-lost'), 'b to drop a');
		const helloFromB = (m: Record<string, unknown>) =>
			m.type === 'hello' && m.from === b.peerId && m.to === a.peerId && m.reply === true;
		const after = () => seen.slice(mark);
		await waitFor(() => after().some(helloFromB), "b's hello");
		expect(after().some((m) => m.type === 'hello' && m.from === a.peerId && !m.reply)).toBe(false);
		// …until its back-off ends: then a says hello, and both meet again on a new binding.
		await waitFor(() => events.length === 4, 'both to reconnect');
		expect(events.slice(0, 2)).toEqual(['a-lost', 'b-lost']);
		expect(events.slice(2).sort()).toEqual(['a-found', 'b-found']);
		expect(
			seen
				.slice(mark)
				.some((m) => m.type === 'hello' && m.from === a.peerId && m.to === b.peerId && m.reply === true)
		).toBe(true);
		expect(a.channelBinding(b.peerId)).toBe(b.channelBinding(a.peerId));
		expect(a.channelBinding(b.peerId)).not.toBe(first);
	});
});
