// Signed role records (domain/role-record.ts), effective roles (domain/roles.ts) and the centre
// document's role map (schema/roles.ts): signatures bind every field and the grantor's chain; roles
// are replayed from the founder's genesis record; every record that may not take effect is ignored
// and listed, and every write of one is refused with why.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from '../../src/lib/domain/base64';
import {
	encodeRoleRecord,
	parseRoleRecord,
	roleSignatureProblem,
	signRoleRecord,
	type SignedRoleRecord
} from '../../src/lib/domain/role-record';
import {
	endorseDevice,
	generateIdentity,
	identityFromChain,
	newDeviceKey
} from '../../src/lib/repo/identity';
import {
	effectiveRolesNow,
	grantGenesisAdministrator,
	initCentre,
	markDemoRoles,
	putRoleRecord,
	readEffectiveRoles,
	roleRecordTexts,
	rolesWriteProblem,
	RoleVerifications,
	writeRoleRecord
} from '../../src/lib/schema/index';

const TAXONOMY = [
	{ id: 'bourse', label: { fr: 'Bourse', en: 'Trading' }, order: 0 },
	{ id: 'bourse.ordres', parent: 'bourse', label: { fr: 'Ordres', en: 'Orders' }, order: 0 },
	{ id: 'bourse.ordres.rejete', parent: 'bourse.ordres', label: { fr: 'Rejeté', en: 'Rejected' }, order: 0 },
	{ id: 'compte', label: { fr: 'Compte', en: 'Account' }, order: 1 }
];
const FLOORS = [
	{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' }, topics: ['bourse'] },
	{ id: 'gestion', name: { fr: 'Gestion', en: 'Accounts' }, topics: ['compte'] }
];

async function centre() {
	const founder = await generateIdentity();
	const doc = new Y.Doc();
	initCentre(
		doc,
		{ id: 'acme', name: { fr: 'Acme', en: 'Acme' } },
		FLOORS,
		TAXONOMY,
		[],
		[{ agentId: founder.agentId, publicKey: toBase64(founder.publicKey) }]
	);
	await grantGenesisAdministrator(doc, founder);
	return { doc, founder };
}

describe('role records', () => {
	it('verify for their grantor, and fail once any field, the chain or the signature changes', async () => {
		const alice = await generateIdentity();
		const mallory = await generateIdentity();
		const r = await signRoleRecord(alice, {
			centre: 'acme',
			grantee: 'agent-bob',
			role: 'expert',
			scope: { kind: 'topic', topic: 'bourse' },
			action: 'grant',
			time: 1000,
			seq: 1
		});
		expect(await roleSignatureProblem(r)).toBeUndefined();
		expect(parseRoleRecord(encodeRoleRecord(r))).toEqual(r);
		const flip = (s: string) =>
			s[10] === 'A' ? s.slice(0, 10) + 'B' + s.slice(11) : s.slice(0, 10) + 'A' + s.slice(11);
		for (const bad of [
			{ ...r, grantee: 'agent-mallory' },
			{ ...r, role: 'administrator', scope: { kind: 'centre' } },
			{ ...r, scope: { kind: 'topic', topic: 'compte' } },
			{ ...r, action: 'revoke' },
			{ ...r, time: 2000 },
			{ ...r, seq: 2 },
			{ ...r, centre: 'other' },
			{ ...r, id: 'f'.repeat(32) },
			{ ...r, signature: flip(r.signature) }
		] as SignedRoleRecord[])
			expect(await roleSignatureProblem(bad)).toBe('its signature does not verify');
		// Another agent's chain, or the grantor claimed by someone else's chain.
		expect(await roleSignatureProblem({ ...r, chain: toBase64(mallory.publicKey) })).toMatch(
			/does not prove/
		);
		expect(await roleSignatureProblem({ ...r, grantor: mallory.agentId })).toMatch(/does not prove/);
	});

	it('from a paired device verify as the agent', async () => {
		const alice = await generateIdentity();
		const device = await newDeviceKey();
		const second = await identityFromChain(
			await endorseDevice(alice, device.publicKey),
			device.publicKey,
			device.privateKey
		);
		const r = await signRoleRecord(second, {
			centre: 'acme',
			grantee: 'agent-bob',
			role: 'knowledge-manager',
			scope: { kind: 'centre' },
			action: 'grant',
			time: 1,
			seq: 1
		});
		expect(r.grantor).toBe(alice.agentId);
		expect(await roleSignatureProblem(r)).toBeUndefined();
	});

	it('refuse malformed text and roles out of their scope', async () => {
		const alice = await generateIdentity();
		const r = await signRoleRecord(alice, {
			centre: 'acme',
			grantee: 'agent-bob',
			role: 'administrator',
			scope: { kind: 'centre' },
			action: 'grant',
			time: 1,
			seq: 1
		});
		const text = encodeRoleRecord(r);
		expect(() => parseRoleRecord('nope')).toThrow(/not JSON/);
		expect(() => parseRoleRecord(text.replace('"administrator"', '"emperor"'))).toThrow(/role/);
		expect(() => parseRoleRecord(text.replace('{"kind":"centre"}', '{"kind":"topic","topic":"x"}'))).toThrow(
			/administrator is granted the centre/
		);
		expect(() => parseRoleRecord(text.replace('"seq":1', '"seq":0'))).toThrow(/seq/);
		expect(() => parseRoleRecord('x'.repeat(3000))).toThrow(/too long/);
	});
});

describe('effective roles', () => {
	it('start from the founder’s genesis record; an administrator’s grants take effect, with sub-topics and floors', async () => {
		const { doc, founder } = await centre();
		const bob = await generateIdentity();
		const carol = await generateIdentity();
		let roles = await readEffectiveRoles(doc);
		expect(roles.isAdministrator(founder.agentId)).toBe(true);
		expect(roles.administersCentre(founder.agentId)).toBe(true);
		expect(roles.roleNamesOf(bob.agentId)).toEqual(['agent']);
		await writeRoleRecord(doc, founder, {
			grantee: bob.agentId,
			role: 'expert',
			scope: { kind: 'topic', topic: 'bourse.ordres' },
			action: 'grant'
		});
		await writeRoleRecord(doc, founder, {
			grantee: carol.agentId,
			role: 'knowledge-manager',
			scope: { kind: 'floor', floor: 'gestion' },
			action: 'grant'
		});
		roles = await readEffectiveRoles(doc);
		expect(roles.ignored).toEqual([]);
		expect(roles.mayPublish(bob.agentId, 'bourse.ordres.rejete')).toBe(true);
		expect(roles.mayPublish(bob.agentId, 'bourse.ordres')).toBe(true);
		expect(roles.mayPublish(bob.agentId, 'bourse')).toBe(false);
		expect(roles.mayArchive(bob.agentId, 'compte')).toBe(false);
		expect(roles.mayPublish(carol.agentId, 'compte')).toBe(true);
		expect(roles.mayPublish(carol.agentId, 'bourse.ordres')).toBe(false);
		expect(roles.isAdministrator(bob.agentId)).toBe(false);
		expect(roles.roleNamesOf(bob.agentId)).toEqual(['agent', 'expert']);
		// A knowledge manager of the centre publishes everything; the founder (administrator) does not.
		await writeRoleRecord(doc, founder, {
			grantee: bob.agentId,
			role: 'knowledge-manager',
			scope: { kind: 'centre' },
			action: 'grant'
		});
		roles = await readEffectiveRoles(doc);
		expect(roles.mayPublish(bob.agentId, 'compte')).toBe(true);
		expect(roles.mayPublish(founder.agentId, 'compte')).toBe(false);
		// Roles follow the taxonomy: a topic moved under Bourse is Bourse's expert's to publish.
		expect(effectiveRolesNow(doc).mayPublish(bob.agentId, 'compte')).toBe(true);
		expect(effectiveRolesNow(doc).mayPublish(carol.agentId, 'bourse.ordres.rejete')).toBe(false);
		doc.getMap('floors').set('gestion', { ...FLOORS[1], topics: ['compte', 'bourse.ordres'] });
		expect(effectiveRolesNow(doc).mayPublish(carol.agentId, 'bourse.ordres.rejete')).toBe(true);
	});

	it('revocation wins over an earlier grant and over one of the same time; a later grant gives the role back', async () => {
		const { doc, founder } = await centre();
		const scope = { kind: 'topic', topic: 'compte' } as const;
		const bob = 'agent-bob';
		const t = Date.now() + 10;
		await writeRoleRecord(doc, founder, { grantee: bob, role: 'expert', scope, action: 'grant', time: t });
		await writeRoleRecord(doc, founder, {
			grantee: bob,
			role: 'expert',
			scope,
			action: 'revoke',
			time: t + 1
		});
		expect((await readEffectiveRoles(doc)).mayPublish(bob, 'compte')).toBe(false);
		await writeRoleRecord(doc, founder, {
			grantee: bob,
			role: 'expert',
			scope,
			action: 'grant',
			time: t + 2
		});
		expect((await readEffectiveRoles(doc)).mayPublish(bob, 'compte')).toBe(true);
		await writeRoleRecord(doc, founder, {
			grantee: bob,
			role: 'expert',
			scope,
			action: 'revoke',
			time: t + 2
		});
		expect((await readEffectiveRoles(doc)).mayPublish(bob, 'compte')).toBe(false);
	});

	it('ignore, and list, a non-administrator’s grant, a forged record, another centre’s, one under another key, a revocation of the founder', async () => {
		const { doc, founder } = await centre();
		const bob = await generateIdentity();
		const own = await writeRoleRecord(doc, bob, {
			grantee: bob.agentId,
			role: 'administrator',
			scope: { kind: 'centre' },
			action: 'grant'
		});
		const real = await writeRoleRecord(doc, founder, {
			grantee: 'agent-carol',
			role: 'expert',
			scope: { kind: 'topic', topic: 'compte' },
			action: 'grant'
		});
		// The founder's record with another grantee: the signature no longer holds.
		const forged = { ...real, id: 'a'.repeat(32), grantee: bob.agentId };
		putRoleRecord(doc, forged);
		const elsewhere = await signRoleRecord(founder, {
			centre: 'other',
			grantee: bob.agentId,
			role: 'expert',
			scope: { kind: 'topic', topic: 'compte' },
			action: 'grant',
			time: Date.now(),
			seq: 9
		});
		putRoleRecord(doc, elsewhere);
		doc.getMap('roles').set('b'.repeat(32), encodeRoleRecord(real));
		await writeRoleRecord(doc, founder, {
			grantee: founder.agentId,
			role: 'administrator',
			scope: { kind: 'centre' },
			action: 'revoke'
		});
		const roles = await readEffectiveRoles(doc);
		const why = new Map(roles.ignored.map((f) => [f.recordId, f.reason]));
		expect(why.get(own.id)).toMatch(/not an administrator/);
		expect(why.get(forged.id)).toBe('its signature does not verify');
		expect(why.get(elsewhere.id)).toMatch(/another centre/);
		expect(why.get('b'.repeat(32))).toMatch(/another key/);
		expect([...why.values()].some((r) => /founder stays/.test(r))).toBe(true);
		expect(roles.isAdministrator(bob.agentId)).toBe(false);
		expect(roles.isAdministrator(founder.agentId)).toBe(true);
		expect(roles.mayPublish(bob.agentId, 'compte')).toBe(false);
		expect(roles.mayPublish('agent-carol', 'compte')).toBe(true);
	});

	it('a revoked administrator’s later records take no effect; its earlier ones stay', async () => {
		const { doc, founder } = await centre();
		const bob = await generateIdentity();
		const t = Date.now() + 10;
		await writeRoleRecord(doc, founder, {
			grantee: bob.agentId,
			role: 'administrator',
			scope: { kind: 'centre' },
			action: 'grant',
			time: t
		});
		const before = await writeRoleRecord(doc, bob, {
			grantee: 'agent-carol',
			role: 'expert',
			scope: { kind: 'topic', topic: 'compte' },
			action: 'grant',
			time: t + 1
		});
		await writeRoleRecord(doc, founder, {
			grantee: bob.agentId,
			role: 'administrator',
			scope: { kind: 'centre' },
			action: 'revoke',
			time: t + 2
		});
		const after = await writeRoleRecord(doc, bob, {
			grantee: 'agent-dave',
			role: 'expert',
			scope: { kind: 'topic', topic: 'compte' },
			action: 'grant',
			time: t + 3
		});
		const roles = await readEffectiveRoles(doc);
		expect(roles.isAdministrator(bob.agentId)).toBe(false);
		expect(roles.mayPublish('agent-carol', 'compte')).toBe(true);
		expect(roles.mayPublish('agent-dave', 'compte')).toBe(false);
		expect(roles.ignored.map((f) => f.recordId)).toEqual([after.id]);
		expect(before.id).not.toBe(after.id);
	});

	it('in a demo centre only: an agent grants itself a role; it never administers the centre', async () => {
		const { doc, founder } = await centre();
		const bob = await generateIdentity();
		const self = await writeRoleRecord(doc, bob, {
			grantee: bob.agentId,
			role: 'administrator',
			scope: { kind: 'centre' },
			action: 'grant'
		});
		expect((await readEffectiveRoles(doc)).isAdministrator(bob.agentId)).toBe(false);
		markDemoRoles(doc);
		const roles = await readEffectiveRoles(doc);
		expect(roles.isAdministrator(bob.agentId)).toBe(true);
		expect(roles.mayGrant(bob.agentId)).toBe(true);
		expect(roles.administersCentre(bob.agentId)).toBe(false);
		expect(roles.rolesOf(bob.agentId)[0]).toMatchObject({ recordId: self.id, demo: true });
		expect(roles.administersCentre(founder.agentId)).toBe(true);
	});
});

describe('writes of role records (what every peer checks on receipt)', () => {
	/** The problem with `change` made by `writer` on a copy of the document. */
	async function judge(
		doc: Y.Doc,
		writer: { agentId: string; administersCentre: boolean },
		change: (copy: Y.Doc) => Promise<void> | void
	): Promise<string | undefined> {
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		const before = roleRecordTexts(copy);
		await change(copy);
		const cache = new RoleVerifications();
		await cache.verify(roleRecordTexts(copy).values());
		return rolesWriteProblem(before, copy, writer, cache);
	}

	it('accept an administrator’s valid record; refuse forged, unverified, unauthorised, malformed records and removals', async () => {
		const { doc, founder } = await centre();
		const bob = await generateIdentity();
		const admin = { agentId: founder.agentId, administersCentre: true };
		const agent = { agentId: bob.agentId, administersCentre: false };
		const grant = {
			grantee: bob.agentId,
			role: 'expert',
			scope: { kind: 'topic', topic: 'compte' },
			action: 'grant'
		} as const;
		expect(await judge(doc, admin, (d) => writeRoleRecord(d, founder, grant).then(() => {}))).toBeUndefined();
		// Signed by a non-administrator, written by itself or relayed by an administrator.
		expect(await judge(doc, agent, (d) => writeRoleRecord(d, bob, grant).then(() => {}))).toMatch(
			/not an administrator/
		);
		expect(await judge(doc, admin, (d) => writeRoleRecord(d, bob, grant).then(() => {}))).toMatch(
			/not an administrator/
		);
		// A valid administrator's record, written by a non-administrator.
		expect(await judge(doc, agent, (d) => writeRoleRecord(d, founder, grant).then(() => {}))).toMatch(
			/only an administrator may/
		);
		// Forged: the founder's record with its grantee changed.
		const real = await signRoleRecord(founder, { ...grant, centre: 'acme', time: Date.now(), seq: 5 });
		expect(await judge(doc, admin, (d) => putRoleRecord(d, { ...real, grantee: 'agent-x' }))).toMatch(
			/signature does not verify/
		);
		expect(
			await judge(doc, admin, (d) => {
				d.getMap('roles').set(real.id, '{"v":1,"junk":true}');
			})
		).toMatch(/malformed role record/);
		// An unknown signer: its chain does not prove the grantor it names.
		const stranger = await generateIdentity();
		const unknown = await signRoleRecord(stranger, { ...grant, centre: 'acme', time: Date.now(), seq: 1 });
		expect(
			await judge(doc, admin, (d) => putRoleRecord(d, { ...unknown, grantor: founder.agentId }))
		).toMatch(/does not prove/);
		// Not verified: rolesWriteProblem with a cache that never saw the text.
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		const before = roleRecordTexts(copy);
		putRoleRecord(copy, real);
		expect(rolesWriteProblem(before, copy, admin, new RoleVerifications())).toMatch(/not verified/);
		// Removing a record: administrators only.
		const genesis = [...roleRecordTexts(doc).keys()][0]!;
		expect(await judge(doc, agent, (d) => d.getMap('roles').delete(genesis))).toMatch(
			/only an administrator may/
		);
	});

	it('refuse a record dated before its grantor’s known revocation', async () => {
		const { doc, founder } = await centre();
		const bob = await generateIdentity();
		const t = Date.now() + 10;
		const adminScope = { role: 'administrator', scope: { kind: 'centre' } } as const;
		await writeRoleRecord(doc, founder, { grantee: bob.agentId, ...adminScope, action: 'grant', time: t });
		await writeRoleRecord(doc, founder, {
			grantee: bob.agentId,
			...adminScope,
			action: 'revoke',
			time: t + 5
		});
		const backdated = (d: Y.Doc) =>
			writeRoleRecord(d, bob, {
				grantee: bob.agentId,
				role: 'expert',
				scope: { kind: 'topic', topic: 'compte' },
				action: 'grant',
				time: t + 1
			}).then(() => {});
		expect(await judge(doc, { agentId: founder.agentId, administersCentre: true }, backdated)).toMatch(
			/no longer an administrator/
		);
	});

	it('in a demo centre, let an agent write and remove its own self-granted records only', async () => {
		const { doc, founder } = await centre();
		markDemoRoles(doc);
		const bob = await generateIdentity();
		const agent = { agentId: bob.agentId, administersCentre: false };
		const self = {
			grantee: bob.agentId,
			role: 'knowledge-manager',
			scope: { kind: 'centre' },
			action: 'grant'
		} as const;
		expect(await judge(doc, agent, (d) => writeRoleRecord(d, bob, self).then(() => {}))).toBeUndefined();
		const mine = await writeRoleRecord(doc, bob, self);
		expect(await judge(doc, agent, (d) => d.getMap('roles').delete(mine.id))).toBeUndefined();
		expect(
			await judge(doc, agent, (d) =>
				writeRoleRecord(d, founder, { ...self, grantee: 'agent-x' }).then(() => {})
			)
		).toMatch(/only an administrator may/);
		expect(effectiveRolesNow(doc).mayPublish(bob.agentId, 'compte')).toBe(true);
	});
});
