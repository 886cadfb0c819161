// `npm run bench -- hubsocket`: the hub socket in Node over real `ws` on 127.0.0.1. Time from opening
// the WebSocket to a sealed channel open at the client (handshake: ECDH, HKDF, sealed hellos and
// finished records; p50/p95 over 30 connections), and one 5 MB message client → hub (throughput of
// framing, AES-GCM both ways and flow control, beside the same message over the memory network as
// the floor). WebRTC's 20 MB figure is in the sync group (Chromium).
import { expect, test } from 'vitest';
import { MemoryHub } from '../../src/lib/net/memory';
import { closeHub, hubClient, serveHub, waitFor } from '../support/hub-socket-fixture';
import { percentile, report } from './report';

test('hub socket: handshake and 5 MB throughput', { timeout: 600_000 }, async () => {
	const served = await serveHub({ peerId: 'hub' });
	const times: number[] = [];
	for (let i = 0; i < 30; i++) {
		const start = performance.now();
		const { client } = await hubClient(served.url, `b-${i}`);
		await waitFor(() => client.peers().length === 1, 'open');
		times.push(performance.now() - start);
		await client.destroy();
		await waitFor(() => served.hub.peers().length === 0, 'closed');
	}
	report({ bench: 'hubsocket.handshake.p50', value: percentile(times, 50), unit: 'ms', target: 50 });
	report({ bench: 'hubsocket.handshake.p95', value: percentile(times, 95), unit: 'ms', target: 100 });

	const big = new Uint8Array(5 * 1024 * 1024);
	for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
	const { client } = await hubClient(served.url, 'sender');
	await waitFor(() => served.hub.peers().includes('sender'), 'open');
	const got: Uint8Array[] = [];
	served.hub.on('message', (_f, m) => got.push(m));
	const sentAt = performance.now();
	client.send('hub', big);
	await waitFor(() => got.length === 1, '5 MB at the hub', 120_000);
	const ms = performance.now() - sentAt;
	expect(got[0]!.length).toBe(big.length);
	report({ bench: 'hubsocket.5mb.ms', value: ms, unit: 'ms', target: 2000 });
	const memory = new MemoryHub();
	const [a, b] = [memory.join('a'), memory.join('b')];
	let arrived = 0;
	b.on('message', () => arrived++);
	const memAt = performance.now();
	a.send('b', big);
	await waitFor(() => arrived === 1, 'memory');
	report({ bench: 'hubsocket.5mb.memory-floor.ms', value: performance.now() - memAt, unit: 'ms' });
	await client.destroy();
	await closeHub(served);
});
