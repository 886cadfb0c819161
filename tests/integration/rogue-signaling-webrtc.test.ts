// The WebRTC mesh against rogue signaling and rogue peers, over real WebRTC (`@roamhq/wrtc`) and
// Plateau's real relay on loopback: a captured offer replayed (same ciphertext), a stale one, one
// whose inner sender is forged, and a fresh offer for a live link all leave the link up; the
// channel binding agrees at both ends of a connection and differs on the two sides of a relaying
// man in the middle (so a hello proof relayed from one to the other fails); a peer that announces a
// huge message costs only the bytes it sent, is dropped past them, and is not reconnected before
// its back-off.
//
// Runs in the default `forks` pool: `@roamhq/wrtc` crashes in worker threads.
import wrtc from '@roamhq/wrtc';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { decryptJson, deriveCentreKey, encryptJson } from '../../src/lib/net/crypto';
import { SignalingClient } from '../../src/lib/net/signaling-client';
import { envelope, FRESHNESS_MS } from '../../src/lib/net/signaling-envelope';
import { inboxTopic, WebRtcMesh, type WebRtcOptions } from '../../src/lib/net/webrtc';
import { attachSignaling } from '../../src/lib/server/attach';
import type { SignalingServer } from '../../src/lib/server/signaling';

const CENTRE = 'rogue-test';
const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
/** Bounded waits: WebRTC on loopback connects in well under a second; this is the ceiling. */
const WAIT = { timeout: 8_000, interval: 20 };

let server: Server;
let relay: SignalingServer;
let url: string;
let key: CryptoKey;
let room = 0;

interface Node {
	mesh: WebRtcMesh;
	signaling: SignalingClient;
	logs: string[];
	events: string[];
	inbox: { from: string; bytes: number[] }[];
}

const live: Node[] = [];
const spies: WebSocket[] = [];

beforeAll(async () => {
	key = await deriveCentreKey(SECRET, CENTRE);
	server = createServer((_req, res) => res.end());
	relay = attachSignaling(server, () => {}, { exclusive: true });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
});

afterEach(async () => {
	for (const n of live.splice(0)) {
		await n.mesh.destroy();
		n.signaling.destroy();
	}
	for (const ws of spies.splice(0)) ws.terminate();
});

afterAll(async () => {
	await relay?.close();
	server?.closeAllConnections();
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const topic = () => `plateau:${CENTRE}:room-${++room}`;

function node(peerId: string, meshTopic: string, options: Partial<WebRtcOptions> = {}): Node {
	const signaling = new SignalingClient({ url, key, peerId, WebSocketImpl: WebSocket });
	const logs: string[] = [];
	const mesh = new WebRtcMesh({
		signaling,
		topic: meshTopic,
		RTCPeerConnectionImpl: wrtc.RTCPeerConnection,
		log: (m) => logs.push(m),
		...options
	});
	const n: Node = { mesh, signaling, logs, events: [], inbox: [] };
	mesh.on('peer-connected', (p) => n.events.push(`+${p}`));
	mesh.on('peer-disconnected', (p) => n.events.push(`-${p}`));
	mesh.on('message', (from, m) => n.inbox.push({ from, bytes: [...m] }));
	live.push(n);
	return n;
}

/** A plain WebSocket on a topic (a mesh topic or a peer's inbox): records every publish the relay
 *  carries there, and can publish. */
async function spy(meshTopic: string) {
	const ws = new WebSocket(url);
	spies.push(ws);
	const seen: { data: string }[] = [];
	let pongs = 0;
	ws.on('message', (raw) => {
		const m = JSON.parse(raw.toString()) as { type: string; data?: string };
		if (m.type === 'publish') seen.push({ data: m.data! });
		if (m.type === 'pong') pongs++;
	});
	await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
	ws.send(JSON.stringify({ type: 'subscribe', topics: [meshTopic] }));
	ws.send(JSON.stringify({ type: 'ping' }));
	await vi.waitFor(() => expect(pongs).toBe(1), WAIT);
	return {
		seen,
		publish: (data: string) => ws.send(JSON.stringify({ type: 'publish', topic: meshTopic, data }))
	};
}

async function linked(a: Node, b: Node): Promise<void> {
	await vi.waitFor(() => {
		expect(a.mesh.peers()).toContain(b.mesh.peerId);
		expect(b.mesh.peers()).toContain(a.mesh.peerId);
	}, WAIT);
}

/** A message a → b arrives (the link works, after whatever was tried before it). */
async function roundTrip(a: Node, b: Node, n: number): Promise<void> {
	a.mesh.send(b.mesh.peerId, new Uint8Array([n]));
	await vi.waitFor(() => expect(b.inbox.at(-1)).toEqual({ from: a.mesh.peerId, bytes: [n] }), WAIT);
}

/** The sealed offer `from` sent on the wire (its ciphertext as relayed) and its opened envelope. */
async function capturedOffer(seen: { data: string }[], from: string) {
	for (const { data } of seen) {
		const e = (await decryptJson(key, data)) as {
			from: string;
			topic: string;
			payload: { type: string; from: string; to: string; description?: { type: string; sdp: string } };
		};
		if (e.from === from && e.payload.description?.type === 'offer') return { data, envelope: e };
	}
	throw new Error('no offer captured');
}

describe('WebRTC mesh against rogue signaling', () => {
	it('a captured offer replayed (same ciphertext), stale or with a forged sender leaves the link up', async () => {
		const t = topic();
		// Offers travel to the recipient's inbox topic: that is where the probe listens.
		const inbox = inboxTopic(t, 'peer-b');
		const wire = await spy(inbox);
		const a = node('peer-a', t); // the smaller id offers
		const b = node('peer-b', t);
		await linked(a, b);
		await roundTrip(a, b, 1);
		const binding = b.mesh.channelBinding(a.mesh.peerId);
		const offer = await capturedOffer(wire.seen, 'peer-a');
		expect(offer.envelope.payload.to).toBe('peer-b');

		// The probe's attack: the same ciphertext again and again (no key needed).
		for (let i = 0; i < 5; i++) wire.publish(offer.data);
		// With the key: the offer re-sealed two minutes old; and sealed by someone else, the signal
		// still naming peer-a.
		wire.publish(
			await encryptJson(key, envelope('peer-a', inbox, offer.envelope.payload, Date.now() - 2 * FRESHNESS_MS))
		);
		wire.publish(await encryptJson(key, envelope('peer-x', inbox, offer.envelope.payload)));
		await vi.waitFor(() => expect(b.signaling.rejectedMessages).toBe(7), WAIT);
		expect(b.logs.join('\n')).toMatch(/refused a signaling message \(replay\)/);

		// Nothing happened to the link: no event, same connection, messages flow.
		await roundTrip(a, b, 2);
		await roundTrip(b, a, 3);
		expect(a.events).toEqual(['+peer-b']);
		expect(b.events).toEqual(['+peer-a']);
		expect(b.mesh.channelBinding(a.mesh.peerId)).toBe(binding);
	});

	it('a fresh, well-sealed offer for a live link is ignored: the link stays open', async () => {
		const t = topic();
		const inbox = inboxTopic(t, 'peer-b');
		const wire = await spy(inbox);
		const a = node('peer-a', t);
		const b = node('peer-b', t);
		await linked(a, b);
		const binding = b.mesh.channelBinding(a.mesh.peerId);

		// Someone holding the centre key and using peer-a's id makes a genuine offer of its own.
		const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
		try {
			pc.createDataChannel('plateau', { ordered: true });
			const offer = await pc.createOffer();
			await pc.setLocalDescription(offer);
			const signal = {
				type: 'signal',
				from: 'peer-a',
				to: 'peer-b',
				description: { type: offer.type, sdp: offer.sdp }
			};
			wire.publish(await encryptJson(key, envelope('peer-a', inbox, signal)));
			await vi.waitFor(
				() => expect(b.logs).toContain('ignored an offer from peer-a: its link is live'),
				WAIT
			);
		} finally {
			pc.close();
		}
		await roundTrip(a, b, 4);
		expect(b.events).toEqual(['+peer-a']);
		expect(a.events).toEqual(['+peer-b']);
		expect(b.mesh.channelBinding(a.mesh.peerId)).toBe(binding);
	});
});

describe('WebRTC channel binding', () => {
	/** The hello proof, as the sync layer makes it: the agent's key signs the channel binding. */
	async function proofKeys() {
		return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
	}
	const sign = (k: CryptoKeyPair, binding: string) =>
		crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, k.privateKey, new TextEncoder().encode(binding));
	const verify = (k: CryptoKeyPair, sig: ArrayBuffer, binding: string) =>
		crypto.subtle.verify(
			{ name: 'ECDSA', hash: 'SHA-256' },
			k.publicKey,
			sig,
			new TextEncoder().encode(binding)
		);

	it('is the same at both ends: both DTLS fingerprints, sorted, and new for every connection', async () => {
		const t = topic();
		const a = node('peer-a', t, { protocolBackoffMs: 50 });
		const b = node('peer-b', t);
		await linked(a, b);
		const ab = a.mesh.channelBinding('peer-b')!;
		expect(ab).toBe(b.mesh.channelBinding('peer-a'));
		const prints = ab.replace(/^webrtc-dtls:/, '').split(',');
		expect(prints).toHaveLength(2);
		for (const p of prints) expect(p).toMatch(/^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
		expect(prints[0]).not.toBe(prints[1]);
		expect([...prints].sort()).toEqual(prints);

		// A proof over the binding made at one end verifies at the other.
		const agentA = await proofKeys();
		expect(await verify(agentA, await sign(agentA, ab), b.mesh.channelBinding('peer-a')!)).toBe(true);

		// A new connection between the same two peers has another binding.
		a.mesh.disconnect('peer-b', 'test');
		await vi.waitFor(() => expect(b.events).toEqual(['+peer-a', '-peer-a', '+peer-a']), WAIT);
		await linked(a, b);
		const again = a.mesh.channelBinding('peer-b');
		expect(again).toBe(b.mesh.channelBinding('peer-a'));
		expect(again).not.toBe(ab);
	});

	it('differs on the two sides of a man in the middle, so a hello proof relayed across fails', async () => {
		// The man in the middle terminates both connections: toward A it uses B's id, toward B
		// A's id, and relays every message both ways. Each side sees the peer it expects.
		const left = topic();
		const right = topic();
		const a = node('peer-a', left);
		const b = node('peer-b', right);
		const mToA = node('peer-b', left);
		const mToB = node('peer-a', right);
		mToA.mesh.on('message', (_f, m) => mToB.mesh.send('peer-b', m));
		mToB.mesh.on('message', (_f, m) => mToA.mesh.send('peer-a', m));
		await linked(a, mToA);
		await linked(mToB, b);
		expect(a.mesh.peers()).toEqual(['peer-b']);
		expect(b.mesh.peers()).toEqual(['peer-a']);
		await roundTrip(a, b, 5); // relayed: b receives it from "peer-a"

		const atA = a.mesh.channelBinding('peer-b')!;
		const atB = b.mesh.channelBinding('peer-a')!;
		expect(atA).toMatch(/^webrtc-dtls:/);
		expect(atB).toMatch(/^webrtc-dtls:/);
		expect(atA).not.toBe(atB);
		// Each side's binding matches the man in the middle's end of its own connection only.
		expect(mToA.mesh.channelBinding('peer-a')).toBe(atA);
		expect(mToB.mesh.channelBinding('peer-b')).toBe(atB);

		// A signs its hello proof over its binding; relayed verbatim to B, it fails there.
		const agentA = await proofKeys();
		const proof = new Uint8Array(await sign(agentA, atA));
		const relayed: Uint8Array[] = [];
		b.mesh.on('message', (_f, m) => relayed.push(m));
		a.mesh.send('peer-b', proof);
		await vi.waitFor(() => expect(relayed).toHaveLength(1), WAIT);
		expect([...relayed[0]!]).toEqual([...proof]);
		expect(await verify(agentA, relayed[0]!.slice().buffer, atB)).toBe(false);
		expect(await verify(agentA, relayed[0]!.slice().buffer, atA)).toBe(true);
	});
});

describe('WebRTC reassembly limits and protocol back-off', () => {
	it('a tiny frame announcing a huge message costs only the bytes sent; past them the peer is dropped and kept away for its back-off', async () => {
		const t = topic();
		// The rogue peer offers (smaller id), so it creates the data channel: the test keeps it to
		// write raw frames on it.
		const channels: RTCDataChannel[] = [];
		class KeepChannels extends wrtc.RTCPeerConnection {
			createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
				const channel = super.createDataChannel(label, init);
				channels.push(channel);
				return channel;
			}
		}
		const rogue = node('peer-0-rogue', t, {
			RTCPeerConnectionImpl: KeepChannels as unknown as typeof RTCPeerConnection
		});
		const victim = node('peer-victim', t, { maxMessageBytes: 256 * 1024, protocolBackoffMs: 4000 });
		await linked(rogue, victim);
		const raw = channels.at(-1)!;
		expect(raw.readyState).toBe('open');

		// First frame of a message announced at 200 KiB, carrying nothing.
		const claim = new Uint8Array(5);
		claim[0] = 1;
		new DataView(claim.buffer).setUint32(1, 200 * 1024);
		raw.send(claim);
		const middle = new Uint8Array(1 + 1000);
		middle[0] = 2;
		raw.send(middle);
		await vi.waitFor(() => expect(victim.mesh.reassemblyBytes('peer-0-rogue')).toBe(1000), WAIT);

		// More than announced: dropped.
		const full = new Uint8Array(16 * 1024);
		full[0] = 2;
		for (let i = 0; i < 13; i++) raw.send(full);
		await vi.waitFor(() => expect(victim.events).toEqual(['+peer-0-rogue', '-peer-0-rogue']), WAIT);
		expect(victim.logs.join('\n')).toMatch(/disconnected peer-0-rogue \(message longer than announced\)/);
		expect(victim.mesh.reassemblyBytes('peer-0-rogue')).toBe(0);

		// The rogue comes back at once (it announces after the close); the victim does not listen…
		await vi.waitFor(
			() => expect(victim.logs).toContain('ignored an announce from peer-0-rogue: backing off'),
			WAIT
		);
		expect(victim.mesh.peers()).toEqual([]);
		// …until its back-off is over, then meets it again.
		await linked(rogue, victim);
		expect(victim.events).toEqual(['+peer-0-rogue', '-peer-0-rogue', '+peer-0-rogue']);

		// A first frame announcing more than the cap: dropped at once, back-off doubled.
		const huge = new Uint8Array(5);
		huge[0] = 1;
		new DataView(huge.buffer).setUint32(1, 64 * 1024 * 1024);
		channels.at(-1)!.send(huge);
		await vi.waitFor(() => expect(victim.events).toHaveLength(4), WAIT);
		expect(victim.logs.join('\n')).toMatch(
			/disconnected peer-0-rogue \(message of 67108864 bytes exceeds 262144\); not reconnecting for 8 s/
		);
		// Two links, a 4 s back-off (longer than the 3 s between announces, replyWaitMs, so the
		// rogue's next announce falls inside it) and its doubling: beyond vitest's 5 s.
	}, 40_000);
});
