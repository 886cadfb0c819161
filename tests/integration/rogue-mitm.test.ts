// A man in the middle holding only what any centre member has stands between two devices of Alice
// (laptop and phone), posing as each to the other on two links, and relays their hellos and proofs.
// Each proof signs the connection's channel binding, so the relayed proofs fail: neither device
// sees the other as Alice, her private note does not cross, and a write injected into her
// author-only access document is refused. A direct link between the same devices proves at once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { newNoteId } from '../../src/lib/domain/note';
import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { NoteAccessRegistry } from '../../src/lib/repo/note-access';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { decodeMessage, encodeMessage, type SyncMessage } from '../../src/lib/repo/sync-protocol';
import { initNote, noteAccessDocId, putNoteAccess, readNoteMeta } from '../../src/lib/schema/index';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { settle } from './rogue-kit';

interface Device {
	repo: Repo;
	net: MemoryNetworkAdapter;
	sync: Synchronizer;
	rejected: string[];
	registry: NoteAccessRegistry;
}

const live: Device[] = [];
const relays: MemoryNetworkAdapter[] = [];

async function device(hub: MemoryHub, peerId: string, identity: AgentIdentity): Promise<Device> {
	const repo = new Repo({ storage: new MemoryStorage() });
	const registry = new NoteAccessRegistry(repo);
	const net = hub.join(peerId);
	const policy = new CentreSharePolicy(identity.agentId, { floor: () => 'bourse', notes: registry });
	const sync = new Synchronizer({
		repo,
		network: net,
		policy,
		agentId: identity.agentId,
		floor: 'bourse',
		identity
	});
	const rejected: string[] = [];
	sync.onRejected((r) => rejected.push(r.reason));
	const d = { repo, net, sync, rejected, registry };
	live.push(d);
	return d;
}

afterEach(async () => {
	for (const d of live.splice(0)) {
		d.sync.destroy();
		d.registry.destroy();
		await d.net.destroy();
		await d.repo.destroy();
	}
	for (const r of relays.splice(0)) await r.destroy();
});

async function writePrivateNote(d: Device, author: string): Promise<string> {
	const id = `note/${newNoteId(author)}`;
	initNote(await d.repo.open(id), {
		author,
		authorName: 'Alice',
		title: 'Code du coffre',
		visibility: 'private',
		floor: 'bourse',
		colleaguesMayEdit: false,
		createdAt: 1,
		updatedAt: 1
	});
	return id;
}

describe('a man in the middle between two devices of one agent', () => {
	it('relays hellos and proofs: both devices stay unproven, nothing private crosses, injected writes are refused', async () => {
		const alice = await generateIdentity();
		// Two links: laptop ⇄ "phone" (Mallory) on one hub, "laptop" (Mallory) ⇄ phone on the other.
		// Mallory takes each device's network id on the other link, so every id in the messages
		// looks right to both devices.
		const left = new MemoryHub();
		const right = new MemoryHub();
		const asPhone = left.join('phone');
		const asLaptop = right.join('laptop');
		relays.push(asPhone, asLaptop);
		const seen: SyncMessage[] = [];
		asPhone.on('message', (_from, bytes) => {
			seen.push(decodeMessage(bytes));
			asLaptop.send('phone', bytes);
		});
		asLaptop.on('message', (_from, bytes) => {
			seen.push(decodeMessage(bytes));
			asPhone.send('laptop', bytes);
		});
		const laptop = await device(left, 'laptop', alice);
		const phone = await device(right, 'phone', alice);
		// Both said hello into the void before the other existed; a fresh hello from each (as a
		// reconnecting device sends) starts the relayed exchange.
		left.unlink('laptop', 'phone');
		right.unlink('laptop', 'phone');
		left.link('laptop', 'phone');
		right.link('laptop', 'phone');
		const note = await writePrivateNote(laptop, alice.agentId);
		await vi.waitFor(() => {
			expect(laptop.sync.peers().get('phone')).toBeDefined();
			expect(phone.sync.peers().get('laptop')).toBeDefined();
		});
		await settle(laptop, phone);

		// The relayed proofs were refused: each device sees the other unproven.
		expect(seen.some((m) => m.type === 'proof')).toBe(true);
		expect(laptop.sync.peers().get('phone')?.verified).toBe(false);
		expect(phone.sync.peers().get('laptop')?.verified).toBe(false);
		expect(laptop.rejected.some((r) => /could not prove it is .* on this connection/.test(r))).toBe(true);
		expect(phone.rejected.some((r) => /could not prove it is .* on this connection/.test(r))).toBe(true);
		// The private note never crossed (Mallory saw no part of it), and the phone does not hold it.
		expect(seen.some((m) => 'docId' in m && m.docId === note)).toBe(false);
		expect(await phone.repo.find(note)).toBeUndefined();

		// Mallory writes into Alice's author-only access document, posing as her laptop.
		const forged = new Y.Doc();
		putNoteAccess(forged, `note/${newNoteId(alice.agentId)}`, {
			author: alice.agentId,
			visibility: 'centre',
			floor: 'bourse',
			colleaguesMayEdit: true
		});
		asLaptop.send(
			'phone',
			encodeMessage({
				type: 'update',
				docId: noteAccessDocId(alice.agentId),
				update: Y.encodeStateAsUpdate(forged)
			})
		);
		await settle(phone);
		expect(await phone.repo.find(noteAccessDocId(alice.agentId))).toBeUndefined();
		expect(phone.rejected.some((r) => /space\/notes:.* without having proved its key/.test(r))).toBe(true);
	});

	it('the same two devices on one direct link prove each other and share the private note', async () => {
		const alice = await generateIdentity();
		const hub = new MemoryHub();
		const laptop = await device(hub, 'laptop', alice);
		const note = await writePrivateNote(laptop, alice.agentId);
		const phone = await device(hub, 'phone', alice);
		await settle(laptop, phone);
		expect(laptop.sync.peers().get('phone')?.verified).toBe(true);
		expect(phone.sync.peers().get('laptop')?.verified).toBe(true);
		expect(readNoteMeta((await phone.repo.find(note))!).title).toBe('Code du coffre');
		expect(laptop.rejected).toEqual([]);
		expect(phone.rejected).toEqual([]);
	});
});
