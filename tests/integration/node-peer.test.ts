// Node peers (file-system storage, `ws` signaling, `@roamhq/wrtc` WebRTC) meeting through Plateau's
// real signaling relay on loopback: an article reaches an empty peer over real WebRTC, live edits
// flow back, a restarted peer keeps its documents on disk and catches up, and a peer with another
// centre secret never sees anything.
//
// Runs in the default `forks` pool: `@roamhq/wrtc` crashes in worker threads.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { inboxTopic, LOBBY_LEVELS, ownLobbies } from '../../src/lib/net/webrtc';
import { Repo } from '../../src/lib/repo/repo';
import { attachSignaling } from '../../src/lib/server/attach';
import {
	createNodePeer,
	meshTopic,
	type NodePeer,
	type NodePeerOptions
} from '../../src/lib/server/node-peer';
import type { SignalingServer } from '../../src/lib/server/signaling';
import { articleBody, initArticle, readArticleMeta, updateArticleMeta } from '../../src/lib/schema/index';
import { FsStorage } from '../../src/lib/storage/fs';

const CENTRE = 'node-peer-test';
const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
const WRONG_SECRET = 'zzzz2m7q8hxd0pz47tncv1wae5gr';
const ARTICLE = 'article/ordre-rejete';
/** Bounded waits: WebRTC on loopback connects in well under a second; this is the ceiling. */
const WAIT = { timeout: 8_000, interval: 25 };

const meta = (title: string): ArticleMeta => ({
	kind: 'procedure',
	title,
	node: 'bourse.ordres.rejete',
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
const live = new Set<NodePeer>();
const logs: string[] = [];

async function tempDir(): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'plateau-node-peer-'));
	dirs.push(dir);
	return dir;
}

/** Each named peer keeps one identity across restarts, as a device does. */
const identities = new Map<string, AgentIdentity>();

async function peer(dir: string, name: string, extra: Partial<NodePeerOptions> = {}): Promise<NodePeer> {
	let identity = identities.get(name);
	if (!identity) identities.set(name, (identity = await generateIdentity()));
	const p = await createNodePeer({
		dir,
		signalingUrl: url,
		centreId: CENTRE,
		secret: SECRET,
		identity,
		floor: 'bourse',
		log: (m) => logs.push(`${name}: ${m}`),
		...extra
	});
	live.add(p);
	return p;
}

async function stop(p: NodePeer): Promise<void> {
	live.delete(p);
	await p.destroy();
}

/** The article's title on a peer, or undefined while the peer does not hold it. */
async function titleOn(p: NodePeer): Promise<string | undefined> {
	const doc = await p.repo.find(ARTICLE);
	if (!doc || doc.getMap('meta').size === 0) return undefined;
	return readArticleMeta(doc).title;
}

beforeAll(async () => {
	server = createServer((_req, res) => res.end());
	relay = attachSignaling(server, () => {}, { exclusive: true });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
});

afterEach(async () => {
	await Promise.all([...live].map((p) => stop(p)));
});

afterAll(async () => {
	await relay?.close();
	server?.closeAllConnections();
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
	await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('Node peer over real WebRTC (@roamhq/wrtc) and Plateau’s relay', () => {
	it('sends an article to an empty peer, live edits back, and survives a restart from its directory', async () => {
		const dirA = await tempDir();
		const dirB = await tempDir();
		const a = await peer(dirA, 'archive');
		initArticle(await a.repo.open(ARTICLE), meta('Ordre rejeté'), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'Vérifier le solde.' }] }
		]);

		let b = await peer(dirB, 'agent-b');
		const t0 = performance.now();
		await vi.waitFor(async () => expect(await titleOn(b)).toBe('Ordre rejeté'), WAIT);
		const firstSyncMs = performance.now() - t0;
		expect(a.mesh.peers()).toEqual([b.mesh.peerId]);
		expect(b.mesh.peers()).toEqual([a.mesh.peerId]);
		// B knows A by A's proven key.
		expect([...b.sync.peers().values()].map((h) => [h.agentId, h.verified])).toEqual([
			[a.identity.agentId, true]
		]);

		// A live edit on B reaches A.
		const docB = await b.repo.open(ARTICLE);
		articleBody(docB).insert(0, [new Y.XmlText('edit from b')]);
		const docA = await a.repo.open(ARTICLE);
		await vi.waitFor(() => expect(articleBody(docA).toString()).toContain('edit from b'), WAIT);

		// B stops; its documents are on disk.
		await stop(b);
		const onDisk = new Repo({ storage: new FsStorage(dirB) });
		expect(await onDisk.list()).toContain(ARTICLE);
		const stored = await onDisk.open(ARTICLE);
		expect(readArticleMeta(stored).title).toBe('Ordre rejeté');
		expect(articleBody(stored).toString()).toContain('edit from b');
		await onDisk.destroy();
		await vi.waitFor(() => expect(a.mesh.peers()).toEqual([]), WAIT);

		// A edits while B is away; B restarts from its directory and catches up.
		updateArticleMeta(docA, { title: 'Ordre rejeté (marché fermé)' }, 2);
		b = await peer(dirB, 'agent-b');
		const reopened = await b.repo.find(ARTICLE);
		expect(reopened).toBeDefined();
		expect(articleBody(reopened!).toString()).toContain('edit from b');
		await vi.waitFor(async () => expect(await titleOn(b)).toBe('Ordre rejeté (marché fermé)'), WAIT);
		expect(Y.encodeStateVector(await b.repo.open(ARTICLE))).toEqual(Y.encodeStateVector(docA));
		expect(a.sync.rejected).toEqual([]);
		expect(b.sync.rejected).toEqual([]);
		expect(logs).toEqual([]);
		console.info(`node peer: first sync over wrtc in ${firstSyncMs.toFixed(0)} ms`);
	});

	it('never lets a peer with another centre secret in, while a peer with the right one syncs', async () => {
		const a = await peer(await tempDir(), 'archive');
		initArticle(await a.repo.open(ARTICLE), meta('Confidentiel'));
		const intruder = await peer(await tempDir(), 'intruder', { secret: WRONG_SECRET });
		const colleague = await peer(await tempDir(), 'colleague');
		// The colleague, started after the intruder, receiving the article bounds the wait: by then
		// the intruder has had every chance to connect.
		await vi.waitFor(async () => expect(await titleOn(colleague)).toBe('Confidentiel'), WAIT);
		await vi.waitFor(() => expect(intruder.signaling.decryptErrors).toBeGreaterThan(0), WAIT);
		await vi.waitFor(() => expect(a.signaling.decryptErrors).toBeGreaterThan(0), WAIT);
		// The centre topic, its own inbox (where peers would address it) and its lobby shards.
		expect(intruder.signaling.topics).toEqual([
			meshTopic(CENTRE),
			inboxTopic(meshTopic(CENTRE), intruder.mesh.peerId),
			...ownLobbies(meshTopic(CENTRE), intruder.mesh.peerId, LOBBY_LEVELS).keys()
		]);
		expect(intruder.mesh.peers()).toEqual([]);
		expect(intruder.sync.peers().size).toBe(0);
		expect(await intruder.repo.list()).toEqual([]);
		expect(await intruder.repo.find(ARTICLE)).toBeUndefined();
		expect(a.mesh.peers()).toEqual([colleague.mesh.peerId]);
		expect(logs.some((l) => l.startsWith('intruder: ') && /could not be decrypted/.test(l))).toBe(true);
	});

	it('tears down completely: no connection left on the relay, destroy is idempotent', async () => {
		const a = await peer(await tempDir(), 'archive');
		const b = await peer(await tempDir(), 'agent-b');
		await vi.waitFor(() => expect(a.mesh.peers()).toHaveLength(1), WAIT);
		await vi.waitFor(() => expect(relay.stats().connections).toBe(2), WAIT);
		await stop(a);
		await stop(b);
		await b.destroy();
		expect(a.signaling.state).toBe('closed');
		await vi.waitFor(() => expect(relay.stats().connections).toBe(0), WAIT);
		expect(() => a.repo.open(ARTICLE)).toThrow(/destroyed/);
	});
});
