// The centre hub on the file system, over real WebRTC (@roamhq/wrtc) through Plateau's relay: an
// agent writes articles and a private note and leaves; a fresh agent then gets every article from
// the hub alone; the private note never reaches the hub's storage; the hub restarts from its
// directory, with the same identity, and still serves everything. A hub of the demo centre takes a
// seeded device's published revisions, each verified by the demo's signed roles. Also the operator view: refused
// without the token, right counts with it, and the hub's log is JSON lines without secrets.
//
// Runs in the default `forks` pool: `@roamhq/wrtc` crashes in worker threads.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { newNoteId } from '../../src/lib/domain/note';
import { Repo } from '../../src/lib/repo/repo';
import { attachSignaling } from '../../src/lib/server/attach';
import { createHub, type Hub } from '../../src/lib/server/hub';
import { createHubLog } from '../../src/lib/server/hub-log';
import { serveHubStatus } from '../../src/lib/server/hub-status';
import { createNodePeer, type NodePeer } from '../../src/lib/server/node-peer';
import type { SignalingServer } from '../../src/lib/server/signaling';
import { initArticle, initNote, readArticleMeta, readRevisions } from '../../src/lib/schema/index';
import { parseInviteCode } from '../../src/lib/domain/codes';
import { DEMO_INVITE } from '../../src/lib/server/hub-config';
import { applySeed, loadDemoSeed } from '../../src/lib/seed/seed';
import * as Y from 'yjs';
import { FsStorage } from '../../src/lib/storage/fs';

const CENTRE = 'hub-test';
const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
const TOKEN = 'operator-token-for-the-hub-test';
const ARTICLES = 20;
const WAIT = { timeout: 20_000, interval: 50 };

const meta = (title: string): ArticleMeta => ({
	kind: 'faq',
	title,
	node: 'bourse.ordres',
	locale: 'fr',
	tags: [],
	status: 'published',
	createdAt: 1,
	updatedAt: 1
});

let server: Server;
let relay: SignalingServer;
let url: string;
const dirs: string[] = [];
const peers = new Set<NodePeer>();
const hubs = new Set<Hub>();
const lines: string[] = [];

async function tempDir(): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'plateau-hub-'));
	dirs.push(dir);
	return dir;
}

async function agent(floor = 'bourse', centre = { id: CENTRE, secret: SECRET }): Promise<NodePeer> {
	const p = await createNodePeer({
		dir: await tempDir(),
		signalingUrl: url,
		centreId: centre.id,
		secret: centre.secret,
		floor,
		log: () => {}
	});
	peers.add(p);
	return p;
}

async function hub(dataDir: string, centre = { id: CENTRE, secret: SECRET }): Promise<Hub> {
	const h = await createHub({
		centreId: centre.id,
		secret: centre.secret,
		signalingUrl: url,
		dataDir,
		log: createHubLog({ write: (l) => lines.push(l) })
	});
	hubs.add(h);
	return h;
}

async function articleIds(repo: Repo): Promise<string[]> {
	return (await repo.list()).filter((id) => id.startsWith('article/')).sort();
}

beforeAll(async () => {
	server = createServer((req, res) => {
		const h = [...hubs][0];
		if (h && serveHubStatus(req, res, TOKEN, () => h.status())) return;
		res.end();
	});
	relay = attachSignaling(server, () => {}, { exclusive: true });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
});

afterEach(async () => {
	await Promise.all([...peers].map((p) => p.destroy()));
	peers.clear();
	await Promise.all([...hubs].map((h) => h.destroy()));
	hubs.clear();
});

afterAll(async () => {
	await relay?.close();
	server?.closeAllConnections();
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
	await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('the centre hub', () => {
	it('fills a fresh agent alone, never holds a private note, and serves everything after a restart', async () => {
		const dataDir = await tempDir();
		let h = await hub(dataDir);
		const writer = await agent();
		const expected: string[] = [];
		for (let i = 0; i < ARTICLES; i++) {
			const id = `article/hub-${String(i).padStart(2, '0')}`;
			expected.push(id);
			initArticle(await writer.repo.open(id), meta(`Article ${i}`));
		}
		const noteId = `note/${newNoteId(writer.identity.agentId)}`;
		initNote(await writer.repo.open(noteId), {
			author: writer.identity.agentId,
			visibility: 'private',
			floor: 'bourse',
			colleaguesMayEdit: false,
			title: 'Mon code de cantine',
			authorName: 'Ana',
			createdAt: 1,
			updatedAt: 1
		});
		// Everything the writer shares is stored by the hub (acknowledged = stored).
		await vi.waitFor(async () => expect(await articleIds(h.repo)).toEqual(expected), WAIT);
		await h.sync.idle();
		await h.repo.flush();
		expect(h.storage.counts.acknowledged).toBeGreaterThanOrEqual(ARTICLES);
		await writer.destroy();
		peers.delete(writer);
		await vi.waitFor(() => expect(h.network.peers()).toEqual([]), WAIT);

		// A fresh agent, with nobody else online, gets every article from the hub.
		const fresh = await agent('support');
		await vi.waitFor(async () => expect(await articleIds(fresh.repo)).toEqual(expected), WAIT);
		expect(readArticleMeta((await fresh.repo.find(expected[7]!))!).title).toBe('Article 7');
		expect([...fresh.sync.peers().values()].map((p) => [p.agentId, p.verified])).toEqual([
			[h.identity.agentId, true]
		]);

		// The private note is nowhere in the hub: not in memory, not in its storage directory.
		expect(await h.repo.list()).not.toContain(noteId);
		const onDisk = new FsStorage(join(dataDir, 'docs'));
		expect(await onDisk.list()).not.toContain(noteId);
		expect((await onDisk.list()).filter((id) => id.startsWith('note/'))).toEqual([]);
		await onDisk.destroy();
		expect(await fresh.repo.find(noteId)).toBeUndefined();

		// The identity file is the owner's alone.
		expect((await stat(join(dataDir, 'identity.json'))).mode & 0o777).toBe(0o600);

		// The hub restarts from its directory: same agent, still serves everything.
		const agentId = h.identity.agentId;
		await h.destroy();
		hubs.delete(h);
		h = await hub(dataDir);
		expect(h.identity.agentId).toBe(agentId);
		const later = await agent('bourse');
		await vi.waitFor(async () => expect(await articleIds(later.repo)).toEqual(expected), WAIT);
		expect(h.sync.rejected).toEqual([]);
	}, 90_000);

	it('takes the demo seed’s published revisions from a seeded device, verified by the demo’s signed roles', async () => {
		const demo = parseInviteCode(DEMO_INVITE);
		const h = await hub(await tempDir(), { id: demo.centreId, secret: demo.secret });
		const seeded = await agent('bourse', { id: demo.centreId, secret: demo.secret });
		const seed = await loadDemoSeed();
		await applySeed(seeded.repo, seed);
		const articles = Object.keys(seed.docs).filter((id) => id.startsWith('article/'));
		const revisions = async (repo: Repo) => {
			let n = 0;
			for (const id of articles) n += readRevisions((await repo.find(id)) ?? new Y.Doc()).length;
			return n;
		};
		const expected = await revisions(seeded.repo);
		expect(expected).toBeGreaterThan(100);
		// Every article, with every revision: the hub judged each publication (its signer's role
		// records come with the centre document, whatever arrives first) and refused none.
		await vi.waitFor(async () => expect(await revisions(h.repo)).toBe(expected), {
			...WAIT,
			timeout: 60_000
		});
		expect(h.sync.rejected).toEqual([]);
	}, 120_000);

	it('the operator view is refused without the token and counts agents, documents and storage with it', async () => {
		const dataDir = await tempDir();
		const h = await hub(dataDir);
		const a = await agent('bourse');
		await agent('bourse');
		const c = await agent('support');
		initArticle(await a.repo.open('article/status-1'), meta('Un'));
		initArticle(await c.repo.open('article/status-2'), meta('Deux'));
		await vi.waitFor(async () => expect(await articleIds(h.repo)).toHaveLength(2), WAIT);
		await vi.waitFor(
			() => expect([...h.sync.peers().values()].filter((p) => p.verified)).toHaveLength(3),
			WAIT
		);
		// Storage counts what is on disk: let the writes land first (they are batched).
		await h.sync.idle();
		await h.repo.flush();
		const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub/status`;

		expect((await fetch(base)).status).toBe(401);
		expect(
			(await fetch(base, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status
		).toBe(401);
		const res = await fetch(base, { headers: { authorization: `Bearer ${TOKEN}` } });
		expect(res.status).toBe(200);
		const s = await res.json();
		expect(s.agents).toEqual({ total: 3, byFloor: { bourse: 2, support: 1 } });
		expect(s.agentId).toBe(h.identity.agentId);
		expect(s.documents).toBeGreaterThanOrEqual(2);
		expect(s.storage.kind).toBe('fs');
		expect(s.storage.chunks).toBeGreaterThan(0);
		expect(s.storage.bytes).toBeGreaterThan(0);
		expect(s.bus).toEqual({ kind: 'none', connected: false, instances: [] });
		expect(s.uptimeSeconds).toBeGreaterThanOrEqual(0);

		// The log: one JSON object per line, with time, level and event; no secret, no content.
		const privateD = JSON.parse(await readFile(join(dataDir, 'identity.json'), 'utf8')).privateKey
			.d as string;
		expect(privateD.length).toBeGreaterThan(20);
		expect(lines.length).toBeGreaterThan(0);
		for (const line of lines) {
			const entry = JSON.parse(line);
			expect(typeof entry.time).toBe('string');
			expect(['info', 'warn', 'error']).toContain(entry.level);
			expect(typeof entry.event).toBe('string');
			expect(line).not.toContain(SECRET);
			expect(line).not.toContain(TOKEN);
			expect(line).not.toContain('Deux');
			expect(line).not.toContain(privateD);
		}
		expect(lines.some((l) => JSON.parse(l).event === 'hub.started')).toBe(true);
	}, 60_000);

	it('the operator view is off without a token', async () => {
		const h = await hub(await tempDir());
		const res = {
			code: 0,
			writeHead(code: number) {
				this.code = code;
			},
			end() {}
		};
		const handled = serveHubStatus(
			{ url: '/hub/status', method: 'GET', headers: { authorization: 'Bearer x' } } as never,
			res as never,
			undefined,
			() => h.status()
		);
		expect(handled).toBe(true);
		expect(res.code).toBe(404);
	});
});
