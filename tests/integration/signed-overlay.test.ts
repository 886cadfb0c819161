// Guarded documents over a bounded overlay (memory network, real keys, real Yjs): a read-only note,
// its access record and the centre document reach agents that are not linked to their writer —
// through a colleague, or through the hub — and every write is checked against its signer at each
// receiver, whoever forwarded it. A rogue in the middle can neither forge, alter, replay nor
// withhold; a private note never leaves its author's devices (the hub never holds one); logs stay
// bounded by compaction and a peer that missed entries converges.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from '../../src/lib/domain/base64';
import type { AgentProfile } from '../../src/lib/domain/centre';
import { MemoryHub } from '../../src/lib/net/memory';
import { generateIdentity } from '../../src/lib/repo/identity';
import { logIdOf } from '../../src/lib/repo/sync-log';
import type { SyncMessage } from '../../src/lib/repo/sync-protocol';
import {
	bodyFragment,
	initCentre,
	noteAccessDocId,
	putAgent,
	readAgents,
	readCentreInfo,
	readNoteBody,
	readNoteMeta,
	writeBody
} from '../../src/lib/schema/index';
import {
	crafted,
	device,
	share,
	signedMessage,
	writeNote,
	type Device,
	type DeviceOptions
} from './overlay-kit';
import { roguePeer, settle, type RoguePeer } from './rogue-kit';

const live: Device[] = [];
const rogues: RoguePeer[] = [];

async function make(
	hub: MemoryHub,
	id: string,
	options: DeviceOptions,
	identity?: Awaited<ReturnType<typeof generateIdentity>>
) {
	const d = await device(hub, id, identity ?? (await generateIdentity()), options);
	live.push(d);
	return d;
}

/** A raw peer proving `identity`, linked only to `links` (it greets them itself). */
function rogue(
	hub: MemoryHub,
	id: string,
	identity: Awaited<ReturnType<typeof generateIdentity>>,
	links: string[]
) {
	const r = roguePeer(hub, id, { identity, spaces: ['kb', 'centre', 'floor:bourse'] });
	for (const other of r.net.peers()) if (!links.includes(other)) hub.unlink(id, other);
	rogues.push(r);
	for (const to of links) r.greet(to);
	return r;
}

afterEach(async () => {
	for (const d of live.splice(0)) await d.stop();
	for (const r of rogues.splice(0)) await r.net.destroy();
});

const text = async (d: Device, id: string) => readNoteBody(await d.repo.open(id))[0]?.content?.[0]?.text;
const stored = async (d: Device, docId: string) => (await d.storage.list()).includes(docId);

/** Every `signed` message a rogue received, flattened to its entries, for one document. */
function entriesSeen(r: RoguePeer, docId: string) {
	const out = [];
	for (const list of r.received.values())
		for (const m of list) if (m.type === 'signed') out.push(...m.entries.filter((e) => e.docId === docId));
	return out;
}

describe('a read-only note over the overlay', () => {
	it('reaches a colleague linked only through a third agent (A–B–C), and a later edit too', async () => {
		const hub = new MemoryHub();
		const a = await make(hub, 'a', { links: [] });
		const b = await make(hub, 'b', { links: ['a'] });
		const c = await make(hub, 'c', { links: ['b'], floor: 'support' });
		expect(hub.linked('a', 'c')).toBe(false);
		const id = await writeNote(a, 'Astuce', 'original');
		await share(a, id, { visibility: 'centre', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b, c);
		expect(await text(c, id)).toBe('original');
		expect(readNoteMeta(await c.repo.open(id)).visibility).toBe('centre');
		expect(await stored(c, id)).toBe(true);
		expect(await stored(c, logIdOf(id))).toBe(true);

		writeBody(bodyFragment(await a.repo.open(id)), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'corrigé par Alice' }] }
		]);
		await settle(a, b, c);
		expect(await text(c, id)).toBe('corrigé par Alice');
		// The three logs hold the same entries.
		const digest = (await a.sync.log(id)).digest();
		expect((await b.sync.log(id)).digest()).toBe(digest);
		expect((await c.sync.log(id)).digest()).toBe(digest);
		for (const d of [a, b, c]) expect(d.rejected, d.id).toEqual([]);
	});

	it('withdrawn, leaves B and C; shared again, comes back to both through B', async () => {
		const hub = new MemoryHub();
		const a = await make(hub, 'a', { links: [] });
		const b = await make(hub, 'b', { links: ['a'] });
		const c = await make(hub, 'c', { links: ['b'] });
		const id = await writeNote(a, 'Aller-retour', 'v1');
		await share(a, id, { visibility: 'centre', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b, c);
		expect(await text(c, id)).toBe('v1');
		await share(a, id, { visibility: 'private', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b, c);
		for (const d of [b, c]) {
			expect(await stored(d, id), d.id).toBe(false);
			expect(await stored(d, logIdOf(id)), d.id).toBe(false);
		}
		await share(a, id, { visibility: 'centre', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b, c);
		for (const d of [b, c]) expect(await text(d, id), d.id).toBe('v1');
		for (const d of [a, b, c]) expect(d.rejected, d.id).toEqual([]);
	});

	it('reaches, through the hub, a fresh browser that never met the author, and a later edit too', async () => {
		const hub = new MemoryHub();
		const h = await make(hub, 'hub', { links: [], hub: true });
		const a = await make(hub, 'a', { links: ['hub'] });
		const id = await writeNote(a, 'Procédure', 'v1');
		await share(a, id, { visibility: 'floor', floor: 'bourse', colleaguesMayEdit: false });
		await settle(h, a);
		expect(await text(h, id)).toBe('v1');
		// The author leaves; a fresh browser of the same floor meets only the hub.
		hub.unlink('a', 'hub');
		const f = await make(hub, 'fresh', { links: ['hub'] });
		await settle(h, f);
		expect(await text(f, id)).toBe('v1');
		expect(readNoteMeta(await f.repo.open(id)).title).toBe('Procédure');
		// Another floor's browser does not get the floor-shared note from the hub.
		const s = await make(hub, 'support', { links: ['hub'], floor: 'support' });
		await settle(h, s);
		expect(await s.repo.find(id)).toBeUndefined();

		// The author edits offline, comes back to the hub: the fresh browser gets the edit.
		writeBody(bodyFragment(await a.repo.open(id)), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'v2' }] }
		]);
		hub.link('a', 'hub');
		await settle(h, a, f, s);
		expect(await text(f, id)).toBe('v2');
		for (const d of [h, a, f, s]) expect(d.rejected, d.id).toEqual([]);
	});
});

describe('a rogue in the middle of A–B–C', () => {
	it('cannot forge, alter or replay a write to a read-only note: refused at C, not stored', async () => {
		const hub = new MemoryHub();
		const alice = await generateIdentity();
		const bob = await generateIdentity();
		const a = await make(hub, 'a', { links: [] }, alice);
		const b = rogue(hub, 'b', bob, ['a']);
		const c = await make(hub, 'c', { links: [] });
		hub.link('b', 'c');
		b.greet('c');
		const id = await writeNote(a, 'Lecture seule', 'original');
		await share(a, id, { visibility: 'centre', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a);
		// B got A's genuine entries (it may hold the note): it forwards them faithfully first.
		const genuine = [...entriesSeen(b, noteAccessDocId(alice.agentId)), ...entriesSeen(b, id)];
		expect(genuine.length).toBeGreaterThan(0);
		b.send('c', {
			type: 'signed',
			entries: genuine.map((e) => ({ ...e, chain: alice.publicKey, chainRef: undefined }))
		});
		await settle(c);
		expect(await text(c, id)).toBe('original');
		const chunks = (await c.storage.load(id)).length;
		const logDigest = (await c.sync.log(id)).digest();

		const docC = await c.repo.open(id);
		const forged = crafted(docC, (d) =>
			writeBody(bodyFragment(d), [{ type: 'paragraph', content: [{ type: 'text', text: 'falsifié' }] }])
		);
		// 1. Signed by B with its own key.
		b.send('c', await signedMessage(bob, id, forged));
		// 2. A's genuine entry with its update altered (A's signature kept).
		const one = genuine.find((e) => e.docId === id)!;
		b.send('c', {
			type: 'signed',
			entries: [{ ...one, update: forged, chain: alice.publicKey, chainRef: undefined }]
		});
		// 3. A's genuine entry replayed onto another note of A's.
		const other = `note/${alice.agentId}.autre`;
		b.send('c', {
			type: 'signed',
			entries: [{ ...one, docId: other, chain: alice.publicKey, chainRef: undefined }]
		});
		// 4. A's key chain with B's signature.
		const bobs = (await signedMessage(bob, id, forged)) as Extract<SyncMessage, { type: 'signed' }>;
		b.send('c', { type: 'signed', entries: [{ ...bobs.entries[0]!, chain: alice.publicKey }] });
		await settle(c);

		expect(await text(c, id)).toBe('original');
		expect((await c.storage.load(id)).length).toBe(chunks);
		expect((await c.sync.log(id)).digest()).toBe(logDigest);
		expect(await c.repo.find(other)).toBeUndefined();
		expect(await stored(c, other)).toBe(false);
		expect(c.rejected.filter((r) => r.includes(`${bob.agentId} may not write it`))).toHaveLength(1);
		expect(c.rejected.filter((r) => /does not verify/.test(r))).toHaveLength(3);
		// Nothing of it went on to A either.
		expect(await text(a, id)).toBe('original');
	});

	it('cannot stop an entry by withholding it: C gets it from another neighbour', async () => {
		const hub = new MemoryHub();
		const alice = await generateIdentity();
		const a = await make(hub, 'a', { links: [] }, alice);
		const b = rogue(hub, 'b', await generateIdentity(), ['a']); // withholds everything
		const c = await make(hub, 'c', { links: ['b'] });
		const id = await writeNote(a, 'Retenue', 'v1');
		await share(a, id, { visibility: 'centre', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, c);
		expect(entriesSeen(b, id).length).toBeGreaterThan(0);
		expect(await c.repo.find(id)).toBeUndefined();
		// Another path appears: A–D–C.
		const d = await make(hub, 'd', { links: ['a'] });
		await settle(a, d);
		hub.link('d', 'c');
		await settle(a, c, d);
		expect(await text(c, id)).toBe('v1');
		expect((await c.sync.log(id)).digest()).toBe((await a.sync.log(id)).digest());
	});
});

describe('a private note', () => {
	it('never reaches a colleague or the hub, and one crafted by a rogue for the author is refused', async () => {
		const hub = new MemoryHub();
		const alice = await generateIdentity();
		const bob = await generateIdentity();
		const h = await make(hub, 'hub', { links: [], hub: true });
		const a = await make(hub, 'a', { links: ['hub'] }, alice);
		const phone = await make(hub, 'phone', { links: ['a'] }, alice);
		const b = await make(hub, 'b', { links: ['a', 'hub'] }, bob);
		const c = await make(hub, 'c', { links: ['b'] });
		const id = await writeNote(a, 'Perso', 'code 1234');
		await settle(h, a, phone, b, c);
		expect(await text(phone, id)).toBe('code 1234');
		for (const d of [h, b, c]) {
			expect(await d.repo.find(id), d.id).toBeUndefined();
			expect(await stored(d, id), d.id).toBe(false);
			expect(await stored(d, logIdOf(id)), d.id).toBe(false);
		}
		// A rogue B crafts a "private note of Alice" signed by itself and forwards it to C and A.
		const mallory = rogue(hub, 'mallory', bob, ['c', 'a']);
		const forged = new Y.Doc();
		forged.getMap('meta').set('title', 'Faux');
		const fakeId = `note/${alice.agentId}.faux`;
		for (const to of ['c', 'a'])
			mallory.send(to, await signedMessage(bob, fakeId, Y.encodeStateAsUpdate(forged)));
		// And one into A's existing private note.
		mallory.send('a', await signedMessage(bob, id, Y.encodeStateAsUpdate(forged)));
		await settle(a, c);
		expect(await stored(c, fakeId)).toBe(false);
		expect(await stored(a, fakeId)).toBe(false);
		expect(await text(a, id)).toBe('code 1234');
		expect(c.rejected.some((r) => r.includes(`${fakeId} refused: ${bob.agentId} may not write it`))).toBe(
			true
		);
		expect(a.rejected.some((r) => r.includes(`${bob.agentId} may not write it`))).toBe(true);
	});
});

const profile = (id: string, name: string, floor = 'bourse'): AgentProfile => ({
	id,
	name,
	floor,
	languages: ['fr'],
	skills: [],
	availability: 'available'
});

describe('the centre document over the overlay', () => {
	it('an admin’s change reaches an agent through a non-admin; a forged change to another entry is refused; an own entry reaches everyone', async () => {
		const CENTRE = 'centre/acme';
		const hub = new MemoryHub();
		const admin = await generateIdentity();
		const bob = await generateIdentity();
		const carol = await generateIdentity();
		const x = await make(hub, 'admin', { links: [] }, admin);
		initCentre(
			await x.repo.open(CENTRE),
			{ id: 'acme', name: { fr: 'Acme', en: 'Acme' } },
			[{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' } }],
			[],
			[profile(carol.agentId, 'Carol')],
			[{ agentId: admin.agentId, publicKey: toBase64(admin.publicKey) }]
		);
		const b = await make(hub, 'bob', { links: ['admin'] }, bob);
		const c = await make(hub, 'carol', { links: ['bob'] }, carol);
		await settle(x, b, c);
		expect(readCentreInfo(await c.repo.open(CENTRE))?.name.fr).toBe('Acme');

		(await x.repo.open(CENTRE)).getMap('info').set('name', { fr: 'Acme Bourse', en: 'Acme Trading' });
		await settle(x, b, c);
		expect(readCentreInfo(await c.repo.open(CENTRE))?.name.fr).toBe('Acme Bourse');

		// Carol writes her own entry: it reaches the admin through Bob.
		putAgent(await c.repo.open(CENTRE), profile(carol.agentId, 'Carol B.'));
		await settle(x, b, c);
		expect(readAgents(await x.repo.open(CENTRE)).map((p) => p.name)).toEqual(['Carol B.']);

		// Bob (not an administrator) signs a change to Carol's entry and forwards it to Carol.
		const mallory = rogue(hub, 'mallory', bob, ['carol']);
		const centreC = await c.repo.open(CENTRE);
		const forged = crafted(centreC, (d) =>
			d.getMap('agents').set(carol.agentId, profile(carol.agentId, 'Escroc'))
		);
		mallory.send('carol', await signedMessage(bob, CENTRE, forged));
		// And the admin's genuine rename, altered on the way.
		const genuine = entriesSeen(mallory, CENTRE);
		void genuine;
		await settle(c);
		expect(readAgents(centreC).map((p) => p.name)).toEqual(['Carol B.']);
		expect(c.rejected.some((r) => /only an administrator may/.test(r))).toBe(true);
		for (const d of [x, b]) expect(d.rejected, d.id).toEqual([]);
	});

	it('a demo device and a fresh member agree on the seeded centre document', async () => {
		const CENTRE = 'centre/demo';
		const seedDoc = new Y.Doc();
		seedDoc.clientID = 1;
		initCentre(
			seedDoc,
			{ id: 'demo', name: { fr: 'Démo', en: 'Demo' } },
			[{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' } }],
			[]
		);
		const seed = Y.encodeStateAsUpdate(seedDoc);
		const seedOf = async (docId: string) => (docId === CENTRE ? seed : undefined);
		const hub = new MemoryHub();
		// A demo device seeded before signed entries (content, no log), and one seeding now.
		const a = await make(hub, 'a', { links: [], seed: seedOf });
		await a.repo.storage.append(CENTRE, seed);
		const b = await make(hub, 'b', { links: [], seed: seedOf });
		await b.repo.apply(CENTRE, seed, 'plateau:seed');
		putAgent(await a.repo.open(CENTRE), profile(a.identity.agentId, 'Alice'));
		hub.link('a', 'b');
		const f = await make(hub, 'fresh', { links: ['b'] });
		await settle(a, b, f);
		const centreF = await f.repo.open(CENTRE);
		expect(readCentreInfo(centreF)?.name.fr).toBe('Démo');
		expect(readAgents(centreF).map((p) => p.name)).toEqual(['Alice']);
		for (const d of [a, b, f]) {
			expect(Y.encodeStateVector(await d.repo.open(CENTRE))).toEqual(
				Y.encodeStateVector(await a.repo.open(CENTRE))
			);
			expect(d.rejected, d.id).toEqual([]);
		}
		// Both demo devices vouched for the same seed: one entry, not two (plus Alice's own).
		expect((await f.sync.log(CENTRE)).entries.size).toBe(2);
		expect((await b.sync.log(CENTRE)).digest()).toBe((await a.sync.log(CENTRE)).digest());
	});
});

describe('compaction', () => {
	it('keeps a note’s log bounded, and a peer that missed entries converges', async () => {
		const hub = new MemoryHub();
		const limits = { compactAfter: 16 };
		const a = await make(hub, 'a', { links: [], logLimits: limits });
		const b = await make(hub, 'b', { links: ['a'], logLimits: limits });
		const c = await make(hub, 'c', { links: ['b'], logLimits: limits });
		const id = await writeNote(a, 'Souvent modifiée', 'v0');
		await share(a, id, { visibility: 'centre', floor: 'bourse', colleaguesMayEdit: false });
		await settle(a, b, c);
		hub.unlink('b', 'c');
		const doc = await a.repo.open(id);
		for (let i = 1; i <= 100; i++) {
			writeBody(bodyFragment(doc), [{ type: 'paragraph', content: [{ type: 'text', text: `v${i}` }] }]);
			await settle(a, b);
		}
		const logA = await a.sync.log(id);
		expect(logA.entries.size).toBeLessThanOrEqual(17);
		expect((await b.sync.log(id)).digest()).toBe(logA.digest());
		expect((await a.storage.load(logIdOf(id))).length).toBe(logA.entries.size);
		// C missed all 100 edits: it gets the snapshot and the entries after it.
		expect(await text(c, id)).toBe('v0');
		hub.link('b', 'c');
		await settle(a, b, c);
		expect(await text(c, id)).toBe('v100');
		expect((await c.sync.log(id)).digest()).toBe(logA.digest());
		for (const d of [a, b, c]) expect(d.rejected, d.id).toEqual([]);
	}, 60_000);

	it('refuses entries beyond what a signer may make a peer hold', async () => {
		const hub = new MemoryHub();
		const a = await make(hub, 'a', { links: [] });
		const mallory = await generateIdentity();
		const b = rogue(hub, 'mallory', mallory, ['a']);
		const limits = { maxPerSigner: 8 };
		const c = await make(hub, 'c', { links: ['mallory'], logLimits: limits });
		void a;
		await settle(c);
		// Mallory's own directory entry, rewritten again and again without ever compacting.
		const centre = new Y.Doc();
		const CENTRE = 'centre/acme';
		for (let i = 0; i < 12; i++) {
			const before = Y.encodeStateVector(centre);
			centre.getMap('agents').set(mallory.agentId, profile(mallory.agentId, `M${i}`));
			b.send('c', await signedMessage(mallory, CENTRE, Y.encodeStateAsUpdate(centre, before)));
		}
		await settle(c);
		expect((await c.sync.log(CENTRE)).entries.size).toBe(8);
		expect(c.rejected.filter((r) => /log holds 8 entries of/.test(r))).toHaveLength(4);
	});
});
