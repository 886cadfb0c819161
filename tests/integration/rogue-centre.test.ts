// Writes to the centre document (name, floors, taxonomy, administrators) and to the agent directory,
// as every peer enforces them on what it receives: an administrator listed in the document changes
// anything; any other proven agent only its own directory entry; an unproven peer nothing. The
// centre document travels as signed entries (sync-signed.ts): a write is judged by its signer.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from '../../src/lib/domain/base64';
import type { AgentProfile } from '../../src/lib/domain/centre';
import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { initCentre, putAgent, readAgents, readCentreInfo, readFloors } from '../../src/lib/schema/index';
import { signedMessage } from './overlay-kit';
import { introduced, provenPeer, roguePeer, settle, type ProvenPeer } from './rogue-kit';

const CENTRE = 'centre/acme';

const live: ProvenPeer[] = [];
const raws: MemoryNetworkAdapter[] = [];

async function peer(hub: MemoryHub, id: string, identity: AgentIdentity): Promise<ProvenPeer> {
	const p = provenPeer(hub, id, identity);
	live.push(p);
	return p;
}

afterEach(async () => {
	for (const p of live.splice(0)) {
		p.sync.destroy();
		await p.net.destroy();
		await p.repo.destroy();
	}
	for (const n of raws.splice(0)) await n.destroy();
});

const profile = (id: string, name: string): AgentProfile => ({
	id,
	name,
	floor: 'bourse',
	languages: ['fr'],
	skills: [],
	availability: 'available'
});

/** An update that makes `change` to a copy of `doc`: what a peer holding the document would send. */
function crafted(doc: Y.Doc, change: (copy: Y.Doc) => void): Uint8Array {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	const before = Y.encodeStateVector(copy);
	change(copy);
	return Y.encodeStateAsUpdate(copy, before);
}

describe('centre document and directory write rules', () => {
	it('only an administrator changes the centre; an agent only its own entry; unproven peers nothing', async () => {
		const hub = new MemoryHub();
		const admin = await generateIdentity();
		const bob = await generateIdentity();
		const carol = await generateIdentity();
		const a = await peer(hub, 'admin', admin);
		initCentre(
			await a.repo.open(CENTRE),
			{ id: 'acme', name: { fr: 'Acme', en: 'Acme' } },
			[{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' } }],
			[],
			[profile(carol.agentId, 'Carol')],
			[{ agentId: admin.agentId, publicKey: toBase64(admin.publicKey) }]
		);
		const b = await peer(hub, 'bob', bob);
		await settle(a, b);
		const centreA = await a.repo.open(CENTRE);
		const centreB = await b.repo.open(CENTRE);
		expect(readCentreInfo(centreB)?.name.fr).toBe('Acme');

		// Bob writes his own directory entry: accepted everywhere.
		putAgent(centreB, profile(bob.agentId, 'Bob'));
		await settle(a, b);
		expect(readAgents(centreA).map((p) => p.name)).toEqual(['Bob', 'Carol']);
		expect(a.rejected).toEqual([]);

		// Bob, proven but not an administrator, renames the centre, a floor, and Carol: refused.
		const mallory = roguePeer(hub, 'mallory', { identity: bob });
		raws.push(mallory.net);
		mallory.greet('admin');
		await introduced(a.sync, 'mallory', true);
		const attempts = [
			crafted(centreA, (d) => d.getMap('info').set('name', { fr: 'Volé', en: 'Stolen' })),
			crafted(centreA, (d) => d.getMap('floors').set('bourse', { id: 'bourse', name: { fr: 'X', en: 'X' } })),
			crafted(centreA, (d) => d.getMap('agents').set(carol.agentId, { ...profile(carol.agentId, 'Escroc') })),
			crafted(centreA, (d) => d.getMap('admins').set(bob.agentId, toBase64(bob.publicKey))),
			// His own entry under another id, or a malformed one.
			crafted(centreA, (d) => d.getMap('agents').set(bob.agentId, { ...profile(carol.agentId, 'Bob') })),
			crafted(centreA, (d) => d.getMap('agents').set(bob.agentId, { name: 1 }))
		];
		// The centre document is guarded: each attempt goes as an entry Bob signed (vetted as from
		// Bob whoever forwards it), and the first once more as a plain update (refused unread).
		for (const update of attempts) mallory.send('admin', await signedMessage(bob, CENTRE, update));
		mallory.send('admin', { type: 'update', docId: CENTRE, update: attempts[0]! });
		await settle(a);
		expect(a.rejected.some((r) => /centre\/acme.*accepted only as signed entries/.test(r))).toBe(true);
		expect(readCentreInfo(centreA)?.name.fr).toBe('Acme');
		expect(readFloors(centreA)[0]!.name.fr).toBe('Bourse');
		expect(readAgents(centreA).map((p) => p.name)).toEqual(['Bob', 'Carol']);
		expect(a.rejected.filter((r) => /only an administrator may/.test(r))).toHaveLength(4);
		expect(a.rejected.some((r) => /directory entry under another id/.test(r))).toBe(true);
		expect(a.rejected.some((r) => /malformed directory entry/.test(r))).toBe(true);

		// An unproven peer (no key) changes nothing, not even an entry under the id it claims.
		const anon = roguePeer(hub, 'anon', { agentId: carol.agentId });
		raws.push(anon.net);
		anon.greet('admin');
		await introduced(a.sync, 'anon', false);
		anon.send('admin', {
			type: 'update',
			docId: CENTRE,
			update: crafted(centreA, (d) =>
				d.getMap('agents').set(carol.agentId, profile(carol.agentId, 'Anonyme'))
			)
		});
		await settle(a);
		expect(readAgents(centreA).map((p) => p.name)).toEqual(['Bob', 'Carol']);
		expect(a.rejected.some((r) => /centre\/acme without having proved its key/.test(r))).toBe(true);

		// The administrator renames the centre: Bob's device accepts it.
		centreA.getMap('info').set('name', { fr: 'Acme Bourse', en: 'Acme Trading' });
		await settle(a, b);
		expect(readCentreInfo(centreB)?.name.fr).toBe('Acme Bourse');
		expect(b.rejected).toEqual([]);
	});
});
