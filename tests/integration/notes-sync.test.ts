// Notes over the memory network, with real identity keys: private notes reach only the author's
// proven devices (not a peer that merely claims the author's id), shared notes reach their floor or
// the centre, a withdrawal removes colleagues' copies from storage, and a crafted update to a
// read-only note is refused by every peer — not applied, not stored, not relayed, and reported.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { NoteAccess, NoteMeta } from '../../src/lib/domain/note';
import { newNoteId } from '../../src/lib/domain/note';
import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { NoteAccessRegistry, removeUnreadableNotes } from '../../src/lib/repo/note-access';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { encodeMessage, PROTOCOL_VERSION } from '../../src/lib/repo/sync-protocol';
import { settle } from './rogue-kit';
import {
	initNote,
	noteAccessDocId,
	putNoteAccess,
	readNoteBody,
	readNoteMeta,
	updateNoteMeta,
	writeBody,
	bodyFragment
} from '../../src/lib/schema/index';
import { MemoryStorage } from '../../src/lib/storage/memory';

interface Peer {
	id: string;
	agentId: string;
	floor: string;
	repo: Repo;
	storage: MemoryStorage;
	net: MemoryNetworkAdapter;
	sync: Synchronizer;
	rejected: string[];
	stop: () => void;
}

const peers: Peer[] = [];

async function peer(
	hub: MemoryHub,
	id: string,
	identity: AgentIdentity | undefined,
	floor: string,
	claimedAgent?: string
): Promise<Peer> {
	const storage = new MemoryStorage();
	const repo = new Repo({ storage });
	const agentId = identity?.agentId ?? claimedAgent!;
	const p = { id, agentId, floor } as Peer;
	const registry = new NoteAccessRegistry(repo);
	await registry.load();
	const janitor = removeUnreadableNotes(repo, registry, () => ({ id: agentId, floor: p.floor }));
	const policy = new CentreSharePolicy(agentId, { floor: () => p.floor, notes: registry });
	const net = hub.join(id);
	const sync = new Synchronizer({ repo, network: net, policy, agentId, floor, identity });
	const rejected: string[] = [];
	sync.onRejected((r) => rejected.push(r.reason));
	Object.assign(p, { repo, storage, net, sync, rejected, stop: () => (janitor.stop(), registry.destroy()) });
	peers.push(p);
	return p;
}

function meta(author: string, title: string, access: Partial<NoteAccess> = {}): NoteMeta {
	return {
		author,
		authorName: 'Alice',
		title,
		visibility: 'private',
		floor: 'bourse',
		colleaguesMayEdit: false,
		createdAt: 1,
		updatedAt: 1,
		...access
	};
}

/** Creates a note on `p`; returns its document id. */
async function writeNote(p: Peer, title: string, text: string): Promise<string> {
	const id = `note/${newNoteId(p.agentId)}`;
	initNote(await p.repo.open(id), meta(p.agentId, title), [
		{ type: 'paragraph', content: [{ type: 'text', text }] }
	]);
	return id;
}

/** Shares (or withdraws) a note as the UI does: the access record first, then the note's own meta. */
async function share(p: Peer, noteId: string, access: Omit<NoteAccess, 'author'>): Promise<void> {
	putNoteAccess(await p.repo.open(noteAccessDocId(p.agentId)), noteId, { author: p.agentId, ...access });
	updateNoteMeta(await p.repo.open(noteId), access);
}

const stored = async (p: Peer, docId: string) => (await p.storage.list()).includes(docId);

afterEach(async () => {
	for (const p of peers.splice(0)) {
		p.stop();
		p.sync.destroy();
		await p.net.destroy();
		await p.repo.destroy();
	}
});

describe('notes between agents', () => {
	it('keeps a private note on the author’s proven devices, away from a peer claiming the author’s id', async () => {
		const hub = new MemoryHub();
		const alice = await generateIdentity();
		const laptop = await peer(hub, 'laptop', alice, 'bourse');
		const phone = await peer(hub, 'phone', alice, 'bourse');
		const bruno = await peer(hub, 'bruno', await generateIdentity(), 'bourse');
		// An impostor says it is Alice, without her key.
		const impostor = await peer(hub, 'impostor', undefined, 'bourse', alice.agentId);
		const id = await writeNote(laptop, 'Mon astuce', 'code 1234');
		await settle(laptop, phone, bruno, impostor);
		expect(readNoteMeta(await phone.repo.open(id)).title).toBe('Mon astuce');
		expect(await stored(phone, id)).toBe(true);
		for (const other of [bruno, impostor]) {
			expect(await other.repo.find(id)).toBeUndefined();
			expect(await stored(other, id)).toBe(false);
		}
		// The impostor cannot push a "private note of Alice" to her devices either.
		const forged = new Y.Doc();
		initNote(forged, meta(alice.agentId, 'Faux'));
		impostor.net.send(
			'laptop',
			encodeMessage({
				type: 'update',
				docId: `note/${alice.agentId}.forged`,
				update: Y.encodeStateAsUpdate(forged)
			})
		);
		await settle(laptop, impostor);
		expect(await laptop.repo.find(`note/${alice.agentId}.forged`)).toBeUndefined();
		expect(laptop.rejected.some((r) => r.includes('without having proved its key'))).toBe(true);
	});

	it('a hello signed with another key is refused as that agent, and reported', async () => {
		const hub = new MemoryHub();
		const alice = await generateIdentity();
		const mallory = await generateIdentity();
		const laptop = await peer(hub, 'laptop', alice, 'bourse');
		await writeNote(laptop, 'Secret', 'x');
		const net = hub.join('mallory');
		// Mallory announces Alice's id with her own key: the id is not that key's.
		const { toBase64 } = await import('../../src/lib/domain/base64');
		net.send(
			'laptop',
			encodeMessage({
				type: 'hello',
				hello: {
					protocol: PROTOCOL_VERSION,
					agentId: alice.agentId,
					floor: 'bourse',
					spaces: ['kb', `personal:${alice.agentId}`],
					key: toBase64(mallory.publicKey),
					nonce: 'AAAAAAAAAAAAAAAAAAAAAA=='
				}
			})
		);
		net.send('laptop', encodeMessage({ type: 'proof', signature: new Uint8Array(64) }));
		const got: string[] = [];
		net.on('message', (_from, m) => got.push(String(m[0])));
		await settle(laptop);
		expect(laptop.rejected.some((r) => r.includes(`could not prove it is ${alice.agentId}`))).toBe(true);
		expect(laptop.sync.peers().get('mallory')?.verified).toBe(false);
		// Nothing of type syncStep2 (3) or update (4) came back.
		expect(got.filter((t) => t === '3' || t === '4')).toEqual([]);
		await net.destroy();
	});

	it('shares with the floor, then the centre, then withdraws: copies follow, and leave storage', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a', await generateIdentity(), 'bourse');
		const b = await peer(hub, 'b', await generateIdentity(), 'bourse');
		const c = await peer(hub, 'c', await generateIdentity(), 'support');
		const id = await writeNote(a, 'Astuce ordres', 'relancer');
		await settle(a, b, c);
		expect(await b.repo.find(id)).toBeUndefined();

		await share(a, id, { visibility: 'floor', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b, c);
		expect(readNoteMeta(await b.repo.open(id)).title).toBe('Astuce ordres');
		expect(await c.repo.find(id)).toBeUndefined();

		await share(a, id, { visibility: 'centre', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b, c);
		expect(readNoteBody(await c.repo.open(id))).toEqual([
			{ type: 'paragraph', content: [{ type: 'text', text: 'relancer' }] }
		]);

		await share(a, id, { visibility: 'private', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b, c);
		for (const p of [b, c]) {
			expect(await stored(p, id), p.id).toBe(false);
			expect(await p.repo.find(id)).toBeUndefined();
		}
		expect(readNoteMeta(await a.repo.open(id)).visibility).toBe('private');
	});

	it('an agent who chooses their floor after connecting receives that floor’s notes', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a', await generateIdentity(), 'bourse');
		const b = await peer(hub, 'b', await generateIdentity(), '');
		const id = await writeNote(a, 'Pour le plateau', 'x');
		await share(a, id, { visibility: 'floor', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b);
		expect(await b.repo.find(id)).toBeUndefined();
		b.floor = 'bourse';
		b.sync.setFloor('bourse');
		await settle(a, b);
		expect(readNoteMeta(await b.repo.open(id)).title).toBe('Pour le plateau');
	});

	it('a colleague offline at the withdrawal deletes the note when it comes back', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a', await generateIdentity(), 'bourse');
		const b = await peer(hub, 'b', await generateIdentity(), 'bourse');
		const id = await writeNote(a, 'Temporaire', 't');
		await share(a, id, { visibility: 'floor', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b);
		expect(await stored(b, id)).toBe(true);
		hub.unlink('a', 'b');
		await share(a, id, { visibility: 'private', floor: 'bourse', colleaguesMayEdit: false });
		hub.link('a', 'b');
		await settle(a, b);
		expect(await stored(b, id)).toBe(false);
	});

	it('refuses a crafted update to a read-only note at the author and at another reader: not applied, stored or relayed', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a', await generateIdentity(), 'bourse');
		const b = await peer(hub, 'b', await generateIdentity(), 'bourse');
		const c = await peer(hub, 'c', await generateIdentity(), 'support');
		const id = await writeNote(a, 'Lecture seule', 'original');
		await share(a, id, { visibility: 'centre', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b, c);
		const before = new Map<string, Uint8Array>();
		for (const p of [a, c]) before.set(p.id, Y.encodeStateVector(await p.repo.open(id)));
		const chunksBefore = new Map<string, number>();
		for (const p of [a, c]) chunksBefore.set(p.id, (await p.storage.load(id)).length);

		// B edits its own copy (as a modified app would) and sends the update to everyone.
		const docB = await b.repo.open(id);
		const edits: Uint8Array[] = [];
		docB.on('update', (u: Uint8Array) => edits.push(u));
		writeBody(bodyFragment(docB), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'falsifié par B' }] }
		]);
		const crafted = Y.mergeUpdates(edits);
		// The honest synchronizer of B does not send it (it may not write the note)…
		await settle(a, b, c);
		expect(readNoteBody(await a.repo.open(id))[0]?.content?.[0]?.text).toBe('original');
		// …so B sends it by hand, as a crafted message.
		for (const to of ['a', 'c'])
			b.net.send(to, encodeMessage({ type: 'update', docId: id, update: crafted }));
		await settle(a, b, c);
		for (const p of [a, c]) {
			const doc = await p.repo.open(id);
			expect(readNoteBody(doc)[0]?.content?.[0]?.text, p.id).toBe('original');
			expect(Y.encodeStateVector(doc)).toEqual(before.get(p.id));
			expect((await p.storage.load(id)).length, p.id).toBe(chunksBefore.get(p.id));
			expect(
				p.rejected.some((r) => r.includes(`sent ${id}, which it may not write here`)),
				p.id
			).toBe(true);
		}
	});

	it('lets colleagues edit the text of a note the author opened to editing, not who may read it', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a', await generateIdentity(), 'bourse');
		const b = await peer(hub, 'b', await generateIdentity(), 'bourse');
		const c = await peer(hub, 'c', await generateIdentity(), 'support');
		const id = await writeNote(a, 'Ensemble', 'début');
		await share(a, id, { visibility: 'floor', floor: 'bourse', colleaguesMayEdit: true });
		await settle(a, b, c);
		const docB = await b.repo.open(id);
		writeBody(bodyFragment(docB), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'complété par B' }] }
		]);
		await settle(a, b, c);
		expect(readNoteBody(await a.repo.open(id))[0]?.content?.[0]?.text).toBe('complété par B');
		// B widening the audience itself is refused by A (its copy changes; nobody else's).
		updateNoteMeta(docB, { visibility: 'centre' });
		await settle(a, b, c);
		expect(readNoteMeta(await a.repo.open(id)).visibility).toBe('floor');
		expect(a.rejected.some((r) => r.includes('author-only fields'))).toBe(true);
		expect(await c.repo.find(id)).toBeUndefined();
	});
});
