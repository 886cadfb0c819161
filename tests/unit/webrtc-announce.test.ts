// When a peer short of links announces again (src/lib/net/webrtc.ts): never before the answers to
// its last announce had time to come (`replyWaitMs`), since every announce is written to every peer
// of the centre. And where it announces (lobby shards, mesh-lobby.ts): up from its deepest shard as
// the relay's echoed counts say, to the centre topic when no echo comes. The mesh runs on a
// stand-in signaling client that records what is published (and echoes it back with the count a
// test chooses), with fake timers (nobody answers, so no RTCPeerConnection is made).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SignalingClient } from '../../src/lib/net/signaling-client';
import { WebRtcMesh } from '../../src/lib/net/webrtc';

type Echo = (topic: string, clients: number | undefined) => void;

/** `count(topic)`: subscribers the relay reports when echoing a publish on `topic`; undefined:
 *  no echo. */
function stubSignaling(
	published: { topic: string; payload: { type?: string } }[],
	count: (topic: string) => number | undefined = () => undefined
): SignalingClient {
	const echoes: Echo[] = [];
	return {
		peerId: 'me',
		state: 'open',
		on: (event: string, listener: Echo) => {
			if (event === 'echo') echoes.push(listener);
			return () => {};
		},
		subscribe: () => {},
		unsubscribe: () => {},
		publish: (topic: string, payload: { type?: string }) => {
			published.push({ topic, payload });
			const clients = count(topic);
			if (clients !== undefined) queueMicrotask(() => echoes.forEach((e) => e(topic, clients)));
			return Promise.resolve(true);
		}
	} as unknown as SignalingClient;
}

const level = (topic: string) => /\/lobby\/(\d+)\//.exec(topic)?.[1];

describe('announcing again', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('waits replyWaitMs after an announce, however short lookAgainMs is, then backs off', async () => {
		const published: { topic: string; payload: { type?: string } }[] = [];
		const mesh = new WebRtcMesh({
			signaling: stubSignaling(published),
			topic: 'plateau:c',
			// The centre topic only (lobby shards: webrtc-lobby.test.ts).
			lobbyLevels: 0,
			links: { target: 2, max: 4 },
			lookAgainMs: 10,
			replyWaitMs: 3000,
			random: () => 0.5,
			log: () => {}
		});
		const announces = () => published.filter((p) => p.payload.type === 'announce').length;
		expect(announces()).toBe(1);
		expect(published[0]!.topic).toBe('plateau:c');
		await vi.advanceTimersByTimeAsync(2999);
		expect(announces()).toBe(1);
		await vi.advanceTimersByTimeAsync(1);
		expect(announces()).toBe(2);
		// Still alone: announces keep coming, never closer than replyWaitMs.
		await vi.advanceTimersByTimeAsync(2999);
		expect(announces()).toBe(2);
		await vi.advanceTimersByTimeAsync(60_000);
		expect(announces()).toBeGreaterThan(2);
		expect(announces()).toBeLessThanOrEqual(2 + 60_000 / 3000);
		await mesh.destroy();
	});
});

describe('announcing on lobby shards', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	const announced = (published: { topic: string; payload: { type?: string } }[]) =>
		published.filter((p) => p.payload.type === 'announce').map((p) => level(p.topic) ?? p.topic);

	it('moves up from its deepest shard as the counts say, and stops on one holding enough', async () => {
		const published: { topic: string; payload: { type?: string } }[] = [];
		// Its level-6 shard holds one other peer (a centre of ~64: shards of 8 at level 3), and its
		// level-3 shard eight.
		const sizes: Record<string, number> = { '6': 2, '3': 9 };
		const mesh = new WebRtcMesh({
			signaling: stubSignaling(published, (t) => sizes[level(t) ?? ''] ?? 0),
			topic: 'plateau:c',
			links: { target: 4, max: 12 },
			log: () => {}
		});
		await vi.advanceTimersByTimeAsync(10);
		// The hubs' topic first (the joiner is linked to no hub), then its shards at levels 6, 3.
		expect(announced(published)).toEqual(['plateau:c/hubs', '6', '3']);
		expect(mesh.stats().announcesSent).toBe(0);
		await mesh.destroy();
	});

	it('after a second short count, asks other shards of that level, as many as it should take', async () => {
		const published: { topic: string; payload: { type?: string } }[] = [];
		// Level 6: one other peer (a centre of ~64: level 3). Level 3: two others, so about two per
		// shard there: the three more peers sought (five, for four links) take two other shards.
		const sizes: Record<string, number> = { '6': 2, '3': 3 };
		const mesh = new WebRtcMesh({
			signaling: stubSignaling(published, (t) =>
				t.endsWith('/hubs') ? undefined : (sizes[level(t) ?? ''] ?? 0)
			),
			topic: 'plateau:c',
			links: { target: 4, max: 12 },
			log: () => {}
		});
		await vi.advanceTimersByTimeAsync(10);
		expect(announced(published)).toEqual(['plateau:c/hubs', '6', '3', '3', '3']);
		const shards = published.filter((p) => level(p.topic) === '3').map((p) => p.topic);
		expect(new Set(shards).size).toBe(3);
		// No count comes from those (the joiner is not in them): nothing more until it looks again.
		await vi.advanceTimersByTimeAsync(2500);
		expect(announced(published)).toHaveLength(5);
		await mesh.destroy();
	});

	it('ends on the centre topic in a small centre, and when the relay never echoes', async () => {
		const small: { topic: string; payload: { type?: string } }[] = [];
		const one = new WebRtcMesh({
			signaling: stubSignaling(small, (t) => (t === 'plateau:c' ? 3 : 1)),
			topic: 'plateau:c',
			links: { target: 4, max: 12 },
			log: () => {}
		});
		await vi.advanceTimersByTimeAsync(10);
		expect(announced(small)).toEqual(['plateau:c/hubs', '6', '3', 'plateau:c']);

		const silent: { topic: string; payload: { type?: string } }[] = [];
		const two = new WebRtcMesh({
			signaling: stubSignaling(silent),
			topic: 'plateau:c',
			links: { target: 4, max: 12 },
			echoWaitMs: 500,
			log: () => {}
		});
		await vi.advanceTimersByTimeAsync(499);
		expect(announced(silent)).toEqual(['plateau:c/hubs', '6']);
		await vi.advanceTimersByTimeAsync(1);
		expect(announced(silent)).toEqual(['plateau:c/hubs', '6', 'plateau:c']);
		await one.destroy();
		await two.destroy();
	});

	it('looks again on other shards of the level it stopped at, then on the centre topic', async () => {
		const published: { topic: string; payload: { type?: string } }[] = [];
		const mesh = new WebRtcMesh({
			signaling: stubSignaling(published, (t) => (level(t) === '6' ? 6 : 1)),
			topic: 'plateau:c',
			links: { target: 4, max: 12 },
			lookAgainMs: 10,
			replyWaitMs: 1000,
			random: () => 0.5,
			log: () => {}
		});
		await vi.advanceTimersByTimeAsync(10);
		expect(announced(published)).toEqual(['plateau:c/hubs', '6']);
		const own = published[1]!.topic;
		// Nobody answered: two other level-6 shards, one per round, then the centre.
		await vi.advanceTimersByTimeAsync(1000);
		await vi.advanceTimersByTimeAsync(1000);
		await vi.advanceTimersByTimeAsync(1000);
		const shards = published.filter((p) => level(p.topic) === '6').map((p) => p.topic);
		expect(shards.length).toBe(3);
		expect(new Set(shards).size).toBe(3);
		expect(shards[0]).toBe(own);
		expect(announced(published).filter((t) => t === 'plateau:c').length).toBe(1);
		await mesh.destroy();
	});
});
