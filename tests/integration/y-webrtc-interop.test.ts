// Plateau's signaling client against the stock y-webrtc signaling server (node_modules/y-webrtc/
// bin/server.js, run as its own process): two Node peers meet through it and sync an article over
// WebRTC, and the server relays only ciphertext.
//
// The stock server reads its port from the PORT environment variable (default 4444) and listens
// on every interface (no host setting); it serves any path, answers plain HTTP with "okay", and
// logs "Signaling server running…" before it is actually listening, so readiness is polled over
// HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { deriveCentreKey, decryptJson } from '../../src/lib/net/crypto';
import { inboxTopic } from '../../src/lib/net/webrtc';
import { articleBody, initArticle, readArticleMeta } from '../../src/lib/schema/index';
import { createNodePeer, meshTopic, type NodePeer } from '../../src/lib/server/node-peer';
import * as Y from 'yjs';

const SERVER_SCRIPT = resolve('node_modules/y-webrtc/bin/server.js');
const CENTRE = 'interop-test';
const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
const ARTICLE = 'article/carte-avalee';
const WAIT = { timeout: 8_000, interval: 25 };

const meta: ArticleMeta = {
	kind: 'procedure',
	title: 'Carte capturée au distributeur',
	node: 'compte.carte.capturee',
	locale: 'fr',
	tags: [],
	status: 'published',
	createdAt: 1,
	updatedAt: 1
};

let stock: ChildProcess | undefined;
let stockOutput = '';
let url: string;
const peers: NodePeer[] = [];
const dirs: string[] = [];

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

/** Starts the stock server on a free port and resolves once it answers HTTP; retries on another
 *  port if the one picked was taken in between. */
async function startStock(): Promise<{ child: ChildProcess; port: number }> {
	for (let attempt = 0; ; attempt++) {
		const port = await freePort();
		const child = spawn(process.execPath, [SERVER_SCRIPT], {
			env: { ...process.env, PORT: String(port) },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		child.stdout!.on('data', (d: Buffer) => (stockOutput += d.toString()));
		child.stderr!.on('data', (d: Buffer) => (stockOutput += d.toString()));
		const exited = new Promise<'exited'>((r) => child.once('exit', () => r('exited')));
		const deadline = Date.now() + 10_000;
		while (Date.now() < deadline) {
			const state = await Promise.race([
				exited,
				fetch(`http://127.0.0.1:${port}/`)
					.then((r) => r.text())
					.catch(() => 'down')
			]);
			if (state === 'okay') return { child, port };
			if (state === 'exited') break;
			await new Promise((r) => setTimeout(r, 50));
		}
		child.kill('SIGKILL');
		if (attempt >= 2) throw new Error(`The stock y-webrtc server did not start:\n${stockOutput}`);
	}
}

beforeAll(async () => {
	const started = await startStock();
	stock = started.child;
	url = `ws://127.0.0.1:${started.port}`;
});

afterAll(async () => {
	await Promise.all(peers.splice(0).map((p) => p.destroy()));
	if (stock && stock.exitCode === null && stock.signalCode === null) {
		const exited = new Promise((r) => stock!.once('exit', r));
		stock.kill('SIGTERM');
		await exited;
	}
	await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function peer(peerId: string): Promise<NodePeer> {
	const dir = await mkdtemp(join(tmpdir(), 'plateau-interop-'));
	dirs.push(dir);
	const p = await createNodePeer({
		dir,
		signalingUrl: url,
		centreId: CENTRE,
		secret: SECRET,
		floor: 'support',
		signaling: { peerId },
		log: () => {}
	});
	peers.push(p);
	return p;
}

describe('Plateau’s signaling client with the stock y-webrtc signaling server', () => {
	it('lets two Node peers meet and sync an article, relaying only ciphertext', async () => {
		// A plain subscriber on the mesh topic and on both peers' inbox topics records what the
		// server relays.
		const spy = new WebSocket(url);
		const relayed: { type?: string; topic?: string; data?: unknown }[] = [];
		spy.on('message', (raw) => relayed.push(JSON.parse(raw.toString())));
		await new Promise((r, j) => (spy.once('open', r), spy.once('error', j)));
		const centre = meshTopic(CENTRE);
		const inboxes = [inboxTopic(centre, 'interop-a'), inboxTopic(centre, 'interop-b')];
		spy.send(JSON.stringify({ type: 'subscribe', topics: [centre, ...inboxes] }));
		// The server answers in order: once it has ponged, the subscription is in place.
		spy.send(JSON.stringify({ type: 'ping' }));
		await vi.waitFor(() => expect(relayed.some((m) => m.type === 'pong')).toBe(true), WAIT);

		const a = await peer('interop-a');
		initArticle(await a.repo.open(ARTICLE), meta);
		const b = await peer('interop-b');
		const t0 = performance.now();
		await vi.waitFor(async () => {
			const doc = await b.repo.find(ARTICLE);
			expect(doc && doc.getMap('meta').size > 0 ? readArticleMeta(doc).title : undefined).toBe(meta.title);
		}, WAIT);
		const ms = performance.now() - t0;
		expect(a.mesh.peers()).toEqual([b.mesh.peerId]);

		// And live, the other way.
		articleBody(await b.repo.open(ARTICLE)).insert(0, [new Y.XmlText('Appeler le centre carte')]);
		const docA = await a.repo.open(ARTICLE);
		await vi.waitFor(() => expect(articleBody(docA).toString()).toContain('Appeler le centre carte'), WAIT);

		// Ping/pong went through the stock server too (the client's keep-alive speaks its protocol).
		await a.signaling.flush();

		const publishes = relayed.filter((m) => m.type === 'publish');
		expect(publishes.length).toBeGreaterThanOrEqual(3); // announces, offer, answer, candidates
		const key = await deriveCentreKey(SECRET, CENTRE);
		const kinds = new Set<string>();
		for (const m of publishes) {
			expect([centre, ...inboxes]).toContain(m.topic);
			expect(typeof m.data).toBe('string');
			expect(m.data as string).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
			// What the server saw is ciphertext: no signaling field in clear…
			const seen = Buffer.from(m.data as string, 'base64').toString('latin1');
			for (const clear of ['"type"', '"from"', 'announce', 'a=ice-ufrag', 'candidate:'])
				expect(seen).not.toContain(clear);
			// …that the centre key opens into Plateau's signaling messages.
			const plain = (await decryptJson(key, m.data as string)) as {
				from?: unknown;
				topic?: unknown;
				nonce?: unknown;
				ts?: unknown;
				payload?: { type?: string; from?: unknown };
			};
			// Each in its envelope: sender, topic, time and nonce sealed with the payload.
			expect([a.signaling.peerId, b.signaling.peerId]).toContain(plain.from);
			expect(plain.payload?.from).toBe(plain.from);
			// Sealed for the topic it was relayed on; only announces go to the centre topic.
			expect(plain.topic).toBe(m.topic);
			if (m.topic === centre) expect(plain.payload?.type).toBe('announce');
			expect(plain.nonce).toMatch(/^[0-9a-f]{32}$/);
			expect(typeof plain.ts).toBe('number');
			kinds.add(plain.payload?.type ?? '?');
		}
		// b announces, a answers "present", b (the larger id) asks a to offer, then WebRTC's signals.
		expect([...kinds].sort()).toEqual(['announce', 'link', 'present', 'signal']);
		spy.terminate();
		console.info(
			`y-webrtc interop: first sync through the stock server in ${ms.toFixed(0)} ms, ${publishes.length} signaling messages relayed`
		);
	});
});
