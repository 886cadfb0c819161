// What a join costs in signaling messages, over real WebRTC (`@roamhq/wrtc`) and Plateau's real relay
// on loopback: candidates found after a description was sent travel together (one message for
// several, seen on the wire by a member listening on the inbox) and the link still opens on them
// alone; a peer at its link cap does not answer a newcomer's announce (no reply it could not honour).
//
// Runs in the default `forks` pool: `@roamhq/wrtc` crashes in worker threads.
import wrtc from '@roamhq/wrtc';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { SignalingClient } from '../../src/lib/net/signaling-client';
import type { Signal } from '../../src/lib/net/mesh-signals';
import { inboxTopic, WebRtcMesh, type WebRtcOptions } from '../../src/lib/net/webrtc';
import { attachSignaling } from '../../src/lib/server/attach';
import type { SignalingServer } from '../../src/lib/server/signaling';

const CENTRE = 'signals-test';
const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
/** Bounded waits: conditions checked often; the ceiling is for a loaded machine. */
const WAIT = { timeout: 30_000, interval: 20 };

let server: Server;
let relay: SignalingServer;
let url: string;
let key: CryptoKey;
let room = 0;
const clients: SignalingClient[] = [];
const meshes: WebRtcMesh[] = [];

beforeAll(async () => {
	key = await deriveCentreKey(SECRET, CENTRE);
	server = createServer((_req, res) => res.end());
	relay = attachSignaling(server, () => {}, { exclusive: true });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
});

afterEach(async () => {
	for (const m of meshes.splice(0)) await m.destroy();
	for (const c of clients.splice(0)) c.destroy();
});

afterAll(async () => {
	await relay?.close();
	server?.closeAllConnections();
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const topic = () => `plateau:${CENTRE}:room-${++room}`;

function client(peerId?: string): SignalingClient {
	const c = new SignalingClient({ url, key, WebSocketImpl: WebSocket, peerId });
	clients.push(c);
	return c;
}

function mesh(t: string, options: Partial<WebRtcOptions> & { peerId?: string } = {}): WebRtcMesh {
	const m = new WebRtcMesh({
		signaling: client(options.peerId),
		topic: t,
		RTCPeerConnectionImpl: wrtc.RTCPeerConnection,
		log: () => {},
		...options
	});
	meshes.push(m);
	return m;
}

const opened = async (client: SignalingClient) => vi.waitFor(() => expect(client.state).toBe('open'), WAIT);

describe('signaling of a join', () => {
	it('late candidates travel several to a message, and the link opens on them alone', async () => {
		const t = topic();
		// Descriptions go at once, before any candidate is gathered: every candidate is a late one.
		const a = mesh(t, { peerId: 'a-peer', links: { target: 1, max: 1 }, gatherWaitMs: 0 });
		// A member listening on a's inbox sees what b sends it, as the relay delivers it.
		const spy = client('spy-peer');
		const seen: { candidate?: unknown; candidates?: unknown[] }[] = [];
		const sdps: string[] = [];
		spy.on('message', (_topic, payload) => {
			const p = payload as Signal;
			if (p.type !== 'signal') return;
			if (p.description) sdps.push(p.description.sdp ?? '');
			if (p.candidate || p.candidates) seen.push(p);
		});
		spy.subscribe(inboxTopic(t, a.peerId));
		await opened(spy);
		await spy.flush();
		const b = mesh(t, { peerId: 'b-peer', links: { target: 1, max: 1 }, gatherWaitMs: 0 });

		await vi.waitFor(() => {
			expect(a.peers()).toEqual([b.peerId]);
			expect(b.peers()).toEqual([a.peerId]);
		}, WAIT);
		const sent = [a.stats(), b.stats()];
		const late = sent.reduce((n, s) => n + s.lateCandidatesSent, 0);
		const messages = sent.reduce((n, s) => n + s.candidateMessagesSent, 0);
		// Both sides' candidates came late (the descriptions carried none), fewer messages than them.
		for (const s of sent) expect(s.lateCandidatesSent).toBeGreaterThan(0);
		expect(messages).toBeLessThan(late);
		// On the wire: b's description to a carried no candidate, its candidates followed, at least
		// one message carrying several.
		expect(sdps.length).toBeGreaterThan(0);
		for (const sdp of sdps) expect(sdp).not.toMatch(/^a=candidate:/m);
		await vi.waitFor(() => expect(seen.some((p) => (p.candidates?.length ?? 0) > 1)).toBe(true), WAIT);
		const onWire = seen.reduce((n, p) => n + (p.candidates?.length ?? (p.candidate ? 1 : 0)), 0);
		expect(onWire).toBe(b.stats().lateCandidatesSent);
		expect(seen.length).toBe(b.stats().candidateMessagesSent);
	}, 60_000);

	it('a peer at its link cap does not answer an announce; one with room does', async () => {
		const t = topic();
		const full = mesh(t, { links: { target: 1, max: 1 } });
		const roomy = mesh(t, { links: { target: 1, max: 2 } });
		await vi.waitFor(() => {
			expect(full.peers()).toEqual([roomy.peerId]);
			expect(roomy.pendingLinks()).toBe(0);
		}, WAIT);
		const presentsBefore = full.stats().sentByType.present ?? 0;
		const announcesBefore = full.stats().receivedByType.announce ?? 0;

		const joiner = mesh(t, { links: { target: 1, max: 1 } });
		await vi.waitFor(() => {
			expect(joiner.peers()).toEqual([roomy.peerId]);
			expect(joiner.pendingLinks()).toBe(0);
		}, WAIT);
		// The joiner's announce reached the full peer too (the relay delivers it to every member).
		await vi.waitFor(
			() => expect(full.stats().receivedByType.announce ?? 0).toBeGreaterThan(announcesBefore),
			WAIT
		);
		expect(full.stats().sentByType.present ?? 0).toBe(presentsBefore);
		expect(full.stats().linksRefused).toBe(0);
		expect(joiner.stats().receivedByType.present ?? 0).toBeGreaterThan(0);
		expect(full.peers()).toEqual([roomy.peerId]);
	}, 60_000);
});
