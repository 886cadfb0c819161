// Role records between real Repos and Synchronizers (memory network): the founder's grants reach
// every peer and take effect there; a role grant crafted on a non-administrator's device — by the
// honest app or by hand, forged, by an unknown signer, or a revoked administrator's — is refused by
// the other peers (logged as a refused message, not applied, not stored, not forwarded) and the
// session goes on; records stay verifiable in a compacted copy of the document (no entry signers).
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from '../../src/lib/domain/base64';
import { signRoleRecord } from '../../src/lib/domain/role-record';
import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import {
	grantGenesisAdministrator,
	initCentre,
	putRoleRecord,
	readEffectiveRoles,
	roleRecordTexts,
	writeRoleRecord
} from '../../src/lib/schema/index';
import { changeOn, initAcmeCentre } from '../support/governance-fixtures';
import { signedMessage } from './overlay-kit';
import { introduced, provenPeer, roguePeer, settle, type ProvenPeer } from './rogue-kit';

const CENTRE = 'centre/acme';
const live: ProvenPeer[] = [];
const raws: MemoryNetworkAdapter[] = [];

afterEach(async () => {
	for (const p of live.splice(0)) {
		p.sync.destroy();
		await p.net.destroy();
		await p.repo.destroy();
	}
	for (const n of raws.splice(0)) await n.destroy();
});

function peer(hub: MemoryHub, id: string, identity: AgentIdentity): ProvenPeer {
	const p = provenPeer(hub, id, identity);
	live.push(p);
	return p;
}

const topic = (t: string) => ({ kind: 'topic', topic: t }) as const;

describe('role records between peers', () => {
	it('the founder’s grants take effect everywhere; a non-administrator’s crafted grants are refused by the others', async () => {
		const hub = new MemoryHub();
		const founder = await generateIdentity();
		const bob = await generateIdentity();
		const carol = await generateIdentity();
		const a = peer(hub, 'a', founder);
		const centreA = await a.repo.open(CENTRE);
		initAcmeCentre(centreA, founder);
		await grantGenesisAdministrator(centreA, founder);
		const b = peer(hub, 'b', bob);
		const c = peer(hub, 'c', carol);
		await settle(a, b, c);
		const centreB = await b.repo.open(CENTRE);
		const centreC = await c.repo.open(CENTRE);
		expect((await readEffectiveRoles(centreC)).isAdministrator(founder.agentId)).toBe(true);

		// The founder makes Bob an expert of Bourse: Carol's device sees it.
		await writeRoleRecord(centreA, founder, {
			grantee: bob.agentId,
			role: 'expert',
			scope: topic('bourse'),
			action: 'grant'
		});
		await settle(a, b, c);
		expect((await readEffectiveRoles(centreC)).mayPublish(bob.agentId, 'bourse.ordres')).toBe(true);
		expect((await readEffectiveRoles(centreB)).mayPublish(bob.agentId, 'bourse.ordres')).toBe(true);
		expect([a.rejected, b.rejected, c.rejected]).toEqual([[], [], []]);

		// Bob's own device grants him administrator: the app signs and sends it; the others refuse it.
		const own = await writeRoleRecord(centreB, bob, {
			grantee: bob.agentId,
			role: 'administrator',
			scope: { kind: 'centre' },
			action: 'grant'
		});
		await settle(a, b, c);
		for (const p of [a, c]) {
			expect(
				p.rejected.some((r) => /role record .* refused: its grantor .* is not an administrator/.test(r))
			).toBe(true);
			const doc = await p.repo.open(CENTRE);
			expect(roleRecordTexts(doc).has(own.id)).toBe(false);
			expect((await readEffectiveRoles(doc)).isAdministrator(bob.agentId)).toBe(false);
			// Nothing stored: the document's signed log holds no entry of Bob's.
			expect([...(await p.sync.log(CENTRE)).entries.values()].some((e) => e.agentId === bob.agentId)).toBe(
				false
			);
		}
		// On Bob's own device the record sits there, ignored: he is not an administrator there either.
		expect((await readEffectiveRoles(centreB)).isAdministrator(bob.agentId)).toBe(false);

		// By hand: a forged record (the founder's with another grantee) inside an entry the founder's
		// device signed, forwarded by Bob; an unknown signer's record; Bob's record under his entry.
		const mallory = roguePeer(hub, 'mallory', { identity: bob });
		raws.push(mallory.net);
		mallory.greet('c');
		await introduced(c.sync, 'mallory', true);
		const real = await signRoleRecord(founder, {
			centre: 'acme',
			grantee: carol.agentId,
			role: 'expert',
			scope: topic('bourse'),
			action: 'grant',
			time: Date.now(),
			seq: 50
		});
		const stranger = await generateIdentity();
		const unknown = await signRoleRecord(stranger, {
			centre: 'acme',
			grantee: bob.agentId,
			role: 'knowledge-manager',
			scope: { kind: 'centre' },
			action: 'grant',
			time: Date.now(),
			seq: 1
		});
		const attempts = [
			await signedMessage(
				founder,
				CENTRE,
				await changeOn(centreC, (d) => putRoleRecord(d, { ...real, grantee: bob.agentId }))
			),
			await signedMessage(
				bob,
				CENTRE,
				await changeOn(centreC, (d) => putRoleRecord(d, { ...unknown, grantor: founder.agentId }))
			),
			await signedMessage(bob, CENTRE, await changeOn(centreC, (d) => putRoleRecord(d, real))),
			await signedMessage(
				bob,
				CENTRE,
				await changeOn(centreC, (d) => d.getMap('admins').set(bob.agentId, toBase64(bob.publicKey)))
			)
		];
		const before = c.rejected.length;
		for (const m of attempts) mallory.send('c', m);
		await settle(c);
		const reasons = c.rejected.slice(before);
		expect(reasons.some((r) => /signature does not verify/.test(r))).toBe(true);
		expect(reasons.some((r) => /does not prove/.test(r))).toBe(true);
		expect(reasons.some((r) => /by .*, which only an administrator may/.test(r))).toBe(true);
		expect(reasons.some((r) => /administrators list/.test(r))).toBe(true);
		const rolesC = await readEffectiveRoles(centreC);
		expect(rolesC.mayPublish(bob.agentId, 'bourse')).toBe(true);
		expect(rolesC.rolesOf(bob.agentId).map((x) => x.role)).toEqual(['expert']);
		expect(rolesC.mayPublish(carol.agentId, 'bourse')).toBe(false);

		// The session goes on: the founder's next grant reaches everyone.
		await writeRoleRecord(centreA, founder, {
			grantee: carol.agentId,
			role: 'knowledge-manager',
			scope: { kind: 'floor', floor: 'bourse' },
			action: 'grant'
		});
		await settle(a, b, c);
		expect((await readEffectiveRoles(centreC)).mayPublish(carol.agentId, 'bourse.ordres')).toBe(true);
		expect((await readEffectiveRoles(centreB)).mayPublish(carol.agentId, 'bourse.ordres')).toBe(true);

		// A compacted copy (one snapshot, no per-entry signers): the records still verify alone.
		const compacted = new Y.Doc();
		Y.applyUpdate(compacted, Y.encodeStateAsUpdate(centreA));
		const rolesCopy = await readEffectiveRoles(compacted);
		expect(rolesCopy.mayPublish(bob.agentId, 'bourse.ordres')).toBe(true);
		expect(rolesCopy.mayPublish(carol.agentId, 'bourse')).toBe(true);
		expect(rolesCopy.isAdministrator(founder.agentId)).toBe(true);
	});

	it('an administrator the founder granted grants too; once revoked, its new grants are refused', async () => {
		const hub = new MemoryHub();
		const founder = await generateIdentity();
		const bob = await generateIdentity();
		const carol = await generateIdentity();
		const a = peer(hub, 'a', founder);
		const centreA = await a.repo.open(CENTRE);
		initCentre(
			centreA,
			{ id: 'acme', name: { fr: 'Acme', en: 'Acme' } },
			[],
			[],
			[],
			[{ agentId: founder.agentId, publicKey: toBase64(founder.publicKey) }]
		);
		await grantGenesisAdministrator(centreA, founder);
		const admin = { role: 'administrator', scope: { kind: 'centre' } } as const;
		await writeRoleRecord(centreA, founder, { grantee: bob.agentId, ...admin, action: 'grant' });
		const b = peer(hub, 'b', bob);
		const c = peer(hub, 'c', carol);
		await settle(a, b, c);
		const centreB = await b.repo.open(CENTRE);
		const centreC = await c.repo.open(CENTRE);
		// Bob, administrator, renames the centre and makes Carol an expert: accepted everywhere.
		centreB.getMap('info').set('name', { fr: 'Acme Bourse', en: 'Acme Trading' });
		await writeRoleRecord(centreB, bob, {
			grantee: carol.agentId,
			role: 'expert',
			scope: topic('compte'),
			action: 'grant'
		});
		await settle(a, b, c);
		expect((centreA.getMap('info').get('name') as { fr: string }).fr).toBe('Acme Bourse');
		expect((await readEffectiveRoles(centreA)).mayPublish(carol.agentId, 'compte')).toBe(true);
		// The founder revokes Bob; his later grant and rename are refused by the others.
		await writeRoleRecord(centreA, founder, { grantee: bob.agentId, ...admin, action: 'revoke' });
		await settle(a, b, c);
		expect((await readEffectiveRoles(centreB)).isAdministrator(bob.agentId)).toBe(false);
		const late = await writeRoleRecord(centreB, bob, {
			grantee: bob.agentId,
			role: 'expert',
			scope: topic('compte'),
			action: 'grant'
		});
		centreB.getMap('info').set('name', { fr: 'Volé', en: 'Stolen' });
		await settle(a, b, c);
		for (const [p, doc] of [
			[a, centreA],
			[c, centreC]
		] as const) {
			expect(roleRecordTexts(doc).has(late.id)).toBe(false);
			expect((doc.getMap('info').get('name') as { fr: string }).fr).toBe('Acme Bourse');
			expect(p.rejected.some((r) => /is not an administrator|only an administrator may/.test(r))).toBe(true);
			expect((await readEffectiveRoles(doc)).mayPublish(carol.agentId, 'compte')).toBe(true);
		}
	});
});
