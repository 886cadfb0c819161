// Signed entries over real WebRTC (@roamhq/wrtc) and Plateau's signaling relay: an author's
// read-only note reaches a hub (file-system storage), which serves it — with its signed log — to a
// fresh device that never met the author, and again after the hub restarts from its directory.
// The hub may hold the note but not write it: under per-hop trust it could not serve it at all.
//
// Runs in the default `forks` pool: `@roamhq/wrtc` crashes in worker threads.
import wrtc from '@roamhq/wrtc';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { newNoteId } from '../../src/lib/domain/note';
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { SignalingClient } from '../../src/lib/net/signaling-client';
import { meshTopic, WebRtcMesh } from '../../src/lib/net/webrtc';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { NoteAccessRegistry } from '../../src/lib/repo/note-access';
import { Repo } from '../../src/lib/repo/repo';
import type { StorageAdapter } from '../../src/lib/repo/storage';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { logIdOf } from '../../src/lib/repo/sync-log';
import { attachSignaling } from '../../src/lib/server/attach';
import type { SignalingServer } from '../../src/lib/server/signaling';
import { initNote, noteAccessDocId, putNoteAccess, readNoteBody } from '../../src/lib/schema/index';
import { FsStorage } from '../../src/lib/storage/fs';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { meta } from './overlay-kit';

const CENTRE = 'signed-webrtc-test';
const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
const WAIT = { timeout: 15_000, interval: 25 };

let server: Server;
let relay: SignalingServer;
let url: string;
const dirs: string[] = [];
const live = new Set<Peer>();

interface Peer {
	repo: Repo;
	sync: Synchronizer;
	rejected: string[];
	stop(): Promise<void>;
}

async function peer(
	room: string,
	identity: AgentIdentity,
	storage: StorageAdapter,
	options: { hub?: boolean } = {}
): Promise<Peer> {
	const repo = new Repo({ storage });
	const registry = new NoteAccessRegistry(repo);
	await registry.load();
	const signaling = new SignalingClient({
		url,
		key: await deriveCentreKey(SECRET, CENTRE),
		WebSocketImpl: WebSocket
	});
	const mesh = new WebRtcMesh({
		signaling,
		topic: meshTopic(CENTRE, room),
		iceServers: [],
		RTCPeerConnectionImpl: wrtc.RTCPeerConnection,
		log: () => {}
	});
	const sync = new Synchronizer({
		repo,
		network: mesh,
		policy: new CentreSharePolicy(identity.agentId, {
			floor: () => 'bourse',
			notes: registry,
			hub: options.hub,
			floors: () => ['bourse']
		}),
		agentId: identity.agentId,
		floor: options.hub ? '' : 'bourse',
		identity,
		role: options.hub ? 'hub' : undefined
	});
	const rejected: string[] = [];
	sync.onRejected((r) => rejected.push(r.reason));
	const p: Peer = {
		repo,
		sync,
		rejected,
		stop: async () => {
			live.delete(p);
			sync.destroy();
			await mesh.destroy();
			signaling.destroy();
			await sync.idle();
			registry.destroy();
			await repo.destroy();
		}
	};
	live.add(p);
	return p;
}

async function textOn(p: Peer, id: string): Promise<string | undefined> {
	const doc = await p.repo.find(id);
	return doc ? readNoteBody(doc)[0]?.content?.[0]?.text : undefined;
}

beforeAll(async () => {
	server = createServer((_req, res) => res.end());
	relay = attachSignaling(server, () => {}, { exclusive: true });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
});

afterEach(async () => {
	await Promise.all([...live].map((p) => p.stop()));
});

afterAll(async () => {
	await relay?.close();
	server?.closeAllConnections();
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
	await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('signed entries over real WebRTC', () => {
	it('a hub that may not write a read-only note serves it, signed, to fresh devices, before and after a restart', async () => {
		const room = `signed-${Date.now()}`;
		const dir = await mkdtemp(join(tmpdir(), 'plateau-signed-hub-'));
		dirs.push(dir);
		const alice = await generateIdentity();
		const hubIdentity = await generateIdentity();

		const a = await peer(room, alice, new MemoryStorage());
		const id = `note/${newNoteId(alice.agentId)}`;
		const access = {
			author: alice.agentId,
			visibility: 'centre' as const,
			floor: 'bourse',
			colleaguesMayEdit: false
		};
		putNoteAccess(await a.repo.open(noteAccessDocId(alice.agentId)), id, access);
		initNote(await a.repo.open(id), meta(alice.agentId, 'Relais', access), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'signé par Alice' }] }
		]);
		let h = await peer(room, hubIdentity, new FsStorage(dir), { hub: true });
		await vi.waitFor(async () => expect(await textOn(h, id)).toBe('signé par Alice'), WAIT);
		await a.stop();

		const f = await peer(room, await generateIdentity(), new MemoryStorage());
		await vi.waitFor(async () => expect(await textOn(f, id)).toBe('signé par Alice'), WAIT);
		await vi.waitFor(
			async () => expect((await f.sync.log(id)).digest()).toBe((await h.sync.log(id)).digest()),
			WAIT
		);
		await f.stop();

		// The hub restarts from its directory: the log was on disk beside the note.
		await h.stop();
		const onDisk = new FsStorage(dir);
		expect((await onDisk.list()).sort()).toContain(logIdOf(id));
		await onDisk.destroy();
		h = await peer(room, hubIdentity, new FsStorage(dir), { hub: true });
		const g = await peer(room, await generateIdentity(), new MemoryStorage());
		await vi.waitFor(async () => expect(await textOn(g, id)).toBe('signé par Alice'), WAIT);
		for (const p of [h, g]) expect(p.rejected).toEqual([]);
	}, 60_000);
});
