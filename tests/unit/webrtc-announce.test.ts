// When a peer short of links announces again (src/lib/net/webrtc.ts): never before the answers to
// its last announce had time to come (`replyWaitMs`), since every announce is written to every peer
// of the centre. The mesh runs on a stand-in signaling client that records what is published, with
// fake timers (nobody answers, so no RTCPeerConnection is made).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SignalingClient } from '../../src/lib/net/signaling-client';
import { WebRtcMesh } from '../../src/lib/net/webrtc';

function stubSignaling(published: { topic: string; payload: { type?: string } }[]): SignalingClient {
	return {
		peerId: 'me',
		state: 'open',
		on: () => () => {},
		subscribe: () => {},
		unsubscribe: () => {},
		publish: (topic: string, payload: { type?: string }) => {
			published.push({ topic, payload });
			return Promise.resolve(true);
		}
	} as unknown as SignalingClient;
}

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
