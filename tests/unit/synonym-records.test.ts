// Synonym groups as signed records (domain/synonym-record.ts, schema/synonym-records.ts,
// repo/synonym-records.ts): any agent with a role (an expert of any topic, a knowledge manager, an
// administrator) adds, replaces and retires groups; the sync policy as every peer runs it
// (CentreSharePolicy on real Yjs centre documents) refuses an agent's crafted group, a forged one, and
// a removal or overwrite nobody may make; reading keeps only verified groups of signers with a role
// now, the latest per group, and the administrators' older plain groups.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from '../../src/lib/domain/base64';
import { liveGroups, type StoredSynonymRecord } from '../../src/lib/domain/synonym-record';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { PROTOCOL_VERSION, type Hello } from '../../src/lib/repo/sync-protocol';
import {
	mayEditSynonymsIn,
	retireSynonymGroup,
	signSynonymRecord,
	synonymCheck,
	synonymRecordId,
	verifiedSynonymGroups,
	writeSynonymGroup
} from '../../src/lib/repo/synonym-records';
import {
	addSynonymRecord,
	encodeSynonymRecord,
	grantGenesisAdministrator,
	initCentre,
	putSynonymGroup,
	readEffectiveRoles,
	SYNONYM_RECORDS_ROOT,
	synonymFieldsProblem,
	writeRoleRecord
} from '../../src/lib/schema/index';

const TAXONOMY = [
	{ id: 'bourse', label: { fr: 'Bourse', en: 'Trading' }, order: 0 },
	{ id: 'compte', label: { fr: 'Compte', en: 'Account' }, order: 1 }
];

/** A centre whose founder made Eve an expert of Bourse and Kim a knowledge manager (Bob: no role). */
async function centre() {
	const [founder, eve, kim, bob] = await Promise.all([
		generateIdentity(),
		generateIdentity(),
		generateIdentity(),
		generateIdentity()
	]);
	const doc = new Y.Doc();
	initCentre(
		doc,
		{ id: 'acme', name: { fr: 'Acme', en: 'Acme' } },
		[{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' }, topics: ['bourse'] }],
		TAXONOMY,
		[],
		[{ agentId: founder.agentId, publicKey: toBase64(founder.publicKey) }]
	);
	await grantGenesisAdministrator(doc, founder);
	await writeRoleRecord(doc, founder, {
		grantee: eve.agentId,
		role: 'expert',
		scope: { kind: 'topic', topic: 'bourse' },
		action: 'grant'
	});
	await writeRoleRecord(doc, founder, {
		grantee: kim.agentId,
		role: 'knowledge-manager',
		scope: { kind: 'centre' },
		action: 'grant'
	});
	await readEffectiveRoles(doc);
	return { doc, founder, eve, kim, bob };
}

const helloOf = (id: AgentIdentity): Hello => ({
	protocol: PROTOCOL_VERSION,
	agentId: id.agentId,
	floor: 'bourse',
	spaces: ['kb', 'centre'],
	key: toBase64(id.publicKey),
	verified: true
});

/** The update a device sends after a change made on its copy of `doc`. */
async function changeOn(doc: Y.Doc, change: (copy: Y.Doc) => unknown): Promise<Uint8Array> {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	const sv = Y.encodeStateVector(copy);
	await change(copy);
	return Y.encodeStateAsUpdate(copy, sv);
}

/** The policy's verdict on a signed centre entry by `signer`, as a receiving peer reaches it. */
async function verdict(doc: Y.Doc, signer: AgentIdentity, update: Uint8Array): Promise<string | undefined> {
	const policy = new CentreSharePolicy('agent-reader');
	await policy.prepareVet('centre/acme', doc, update);
	return policy.vetUpdate(helloOf(signer), 'centre/acme', doc, update);
}

const write = (who: AgentIdentity, group: string, phrases: string[]) => (c: Y.Doc) =>
	writeSynonymGroup(c, who, { group, phrases, signerName: 'X' });

const phrasesOf = async (doc: Y.Doc) => (await verifiedSynonymGroups(doc)).map((g) => [g.id, g.phrases]);

describe('synonym records through the sync policy', () => {
	it('accept an expert’s, a knowledge manager’s and an administrator’s group; refuse an agent’s crafted one', async () => {
		const { doc, founder, eve, kim, bob } = await centre();
		for (const who of [eve, kim, founder]) {
			const update = await changeOn(doc, write(who, 'g-dab', ['DAB', 'distributeur']));
			expect(await verdict(doc, who, update)).toBeUndefined();
		}
		expect(mayEditSynonymsIn(doc, bob.agentId)).toBe(false);
		expect(mayEditSynonymsIn(doc, eve.agentId)).toBe(true);
		// Bob (no role) writes a group with the app's own code: every peer refuses it.
		const bobs = await changeOn(doc, write(bob, 'g-bob', ['carte avalée', 'carte capturée']));
		expect(await verdict(doc, bob, bobs)).toBe(
			`adds a synonym record that is refused: ${bob.agentId} holds no role that may edit synonyms`
		);
		// Nor may he touch the administrators' plain map (the centre's fields).
		const plain = await changeOn(doc, (c) => putSynonymGroup(c, 'g-bob', ['carte avalée', 'carte capturée']));
		expect(await verdict(doc, bob, plain)).toMatch(/only an administrator may/);
		// Eve's valid record relayed as Bob's entry: non-administrators write only their own.
		const eves = await changeOn(doc, write(eve, 'g-eve', ['IBAN', 'RIB']));
		expect(await verdict(doc, bob, eves)).toMatch(
			/signed by .*which only its signer or an administrator may write/
		);
	});

	it('refuse a forged signature, another chain, another id, another centre and a group the app would refuse', async () => {
		const { doc, eve, bob } = await centre();
		const real = await signSynonymRecord(eve, {
			centre: 'acme',
			group: 'g1',
			phrases: ['carte avalée', 'carte capturée'],
			signerName: 'Eve',
			time: Date.now()
		});
		const add = (r: typeof real, id?: string) =>
			changeOn(doc, async (c) => addSynonymRecord(c, id ?? (await synonymRecordId(r)), r));
		const forged = { ...real, phrases: ['carte avalée', 'crédit immobilier'] };
		expect(await verdict(doc, eve, await add(forged))).toBe(
			'adds a synonym record that is refused: its signature does not verify'
		);
		expect(await synonymCheck(encodeSynonymRecord(forged))).toEqual({
			problem: 'its signature does not verify'
		});
		expect(await verdict(doc, eve, await add({ ...real, chain: bob.publicKey }))).toMatch(
			/signer is unknown/
		);
		expect(await verdict(doc, eve, await add(real, 'f'.repeat(32)))).toMatch(/stored under another id/);
		const elsewhere = await signSynonymRecord(eve, { ...real, centre: 'autre' });
		expect(await verdict(doc, eve, await add(elsewhere))).toMatch(/belongs to another centre \(autre\)/);
		const single = await signSynonymRecord(eve, { ...real, phrases: ['seul'] });
		expect(await verdict(doc, eve, await add(single))).toMatch(/at least two different phrases/);
		const long = await signSynonymRecord(eve, { ...real, phrases: ['a', 'x'.repeat(61)] });
		expect(await verdict(doc, eve, await add(long))).toMatch(/at most 60 characters/);
		// The app itself refuses them before signing, changing nothing.
		await expect(write(eve, 'g2', ['seul'])(doc)).rejects.toThrow(/two different phrases/);
		expect(doc.getMap(SYNONYM_RECORDS_ROOT).size).toBe(0);
		expect(synonymFieldsProblem({ ...real, phrases: [' a', 'b'] })).toMatch(/not as the app cleans/);
		expect(await verdict(doc, eve, await add(real))).toBeUndefined();
	});

	it('let an editor replace and retire a group (one record left per group); refuse removals and overwrites nobody may make', async () => {
		const { doc, founder, eve, kim, bob } = await centre();
		await writeSynonymGroup(doc, eve, { group: 'g1', phrases: ['DAB', 'distributeur'], signerName: 'Eve' });
		const [first] = [...doc.getMap(SYNONYM_RECORDS_ROOT).keys()];

		// Kim replaces Eve's group: her record is added and Eve's removed in one change, accepted.
		const replace = await changeOn(doc, write(kim, 'g1', ['DAB', 'distributeur', 'GAB']));
		expect(await verdict(doc, kim, replace)).toBeUndefined();

		// Bob (no role) removes Eve's record, or writes over it: refused.
		expect(
			await verdict(doc, bob, await changeOn(doc, (c) => c.getMap(SYNONYM_RECORDS_ROOT).delete(first!)))
		).toMatch(/removes a synonym record, which .* \(no role\) may not/);
		const other = encodeSynonymRecord(
			await signSynonymRecord(bob, {
				centre: 'acme',
				group: 'g1',
				phrases: ['a', 'b'],
				signerName: 'B',
				time: 9
			})
		);
		for (const who of [bob, eve, founder])
			expect(
				await verdict(doc, who, await changeOn(doc, (c) => c.getMap(SYNONYM_RECORDS_ROOT).set(first!, other)))
			).toBe('changes a synonym record');
		// An editor (the administrator too) may not remove a record nothing later replaces.
		for (const who of [kim, founder])
			expect(
				await verdict(doc, who, await changeOn(doc, (c) => c.getMap(SYNONYM_RECORDS_ROOT).delete(first!)))
			).toMatch(/while no later record of its group replaces it/);
		// Bob's tombstone of Eve's group: refused.
		expect(
			await verdict(
				doc,
				bob,
				await changeOn(doc, (c) => retireSynonymGroup(c, bob, { group: 'g1', signerName: 'B' }))
			)
		).toMatch(/no role/);

		Y.applyUpdate(doc, replace);
		expect(doc.getMap(SYNONYM_RECORDS_ROOT).size).toBe(1);
		expect(await phrasesOf(doc)).toEqual([['g1', ['DAB', 'distributeur', 'GAB']]]);

		// Retired by Eve: a tombstone, accepted; the group is gone, one record left.
		const retire = await changeOn(doc, (c) => retireSynonymGroup(c, eve, { group: 'g1', signerName: 'Eve' }));
		expect(await verdict(doc, eve, retire)).toBeUndefined();
		Y.applyUpdate(doc, retire);
		expect(doc.getMap(SYNONYM_RECORDS_ROOT).size).toBe(1);
		expect(await phrasesOf(doc)).toEqual([]);
	});
});

describe('synonym groups when read', () => {
	it('keep verified groups of signers with a role now, the latest per group, and older plain groups', async () => {
		const { doc, founder, eve, bob } = await centre();
		// An administrator's plain groups from before records.
		putSynonymGroup(doc, 'old-1', ['CB', 'carte bancaire']);
		putSynonymGroup(doc, 'old-2', ['PEA', 'plan d’épargne en actions']);
		// Eve replaces one (a record of the same id wins over the plain entry) and retires the other.
		await writeSynonymGroup(doc, eve, { group: 'old-1', phrases: ['CB', 'carte bleue'], signerName: 'Eve' });
		await retireSynonymGroup(doc, eve, { group: 'old-2', signerName: 'Eve' });
		// Bob's and a forged record, as a crafted first state could carry them.
		const bobs = await signSynonymRecord(bob, {
			centre: 'acme',
			group: 'g-bob',
			phrases: ['crédit', 'arnaque'],
			signerName: 'Bob',
			time: 5
		});
		addSynonymRecord(doc, await synonymRecordId(bobs), bobs);
		const forged = {
			...(await signSynonymRecord(eve, { ...bobs, group: 'g-f', signerName: 'Eve' })),
			phrases: ['virement', 'remboursement']
		};
		addSynonymRecord(doc, await synonymRecordId(forged), forged);
		expect(await phrasesOf(doc)).toEqual([['old-1', ['CB', 'carte bleue']]]);

		// Concurrent edits of one group from two devices merge; every reader takes the latest.
		const a = new Y.Doc();
		const b = new Y.Doc();
		Y.applyUpdate(a, Y.encodeStateAsUpdate(doc));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(doc));
		await writeSynonymGroup(a, eve, { group: 'g2', phrases: ['x1', 'y1'], signerName: 'Eve', time: 100 });
		await writeSynonymGroup(b, founder, { group: 'g2', phrases: ['x2', 'y2'], signerName: 'F', time: 200 });
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		for (const d of [a, b])
			expect((await verifiedSynonymGroups(d)).find((g) => g.id === 'g2')?.phrases).toEqual(['x2', 'y2']);
		// The next edit is later than both, whatever the clock, and compacts them.
		await writeSynonymGroup(a, eve, { group: 'g2', phrases: ['x3', 'y3'], signerName: 'Eve', time: 1 });
		expect((await verifiedSynonymGroups(a)).find((g) => g.id === 'g2')?.phrases).toEqual(['x3', 'y3']);

		// Eve's expert role revoked: her records stop counting (the plain group shows again).
		await writeRoleRecord(doc, founder, {
			grantee: eve.agentId,
			role: 'expert',
			scope: { kind: 'topic', topic: 'bourse' },
			action: 'revoke'
		});
		await readEffectiveRoles(doc);
		expect(await phrasesOf(doc)).toEqual([
			['old-1', ['CB', 'carte bancaire']],
			['old-2', ['PEA', 'plan d’épargne en actions']]
		]);
	});

	it('rank by time, then signer, then id; a tombstone hides the group', () => {
		const rec = (p: Partial<StoredSynonymRecord>): StoredSynonymRecord => ({
			id: 'r',
			centre: 'acme',
			group: 'g',
			phrases: ['a', 'b'],
			signer: 's1',
			signerName: 'S',
			time: 1,
			...p
		});
		const older = rec({ id: 'r1', phrases: ['old', 'vieux'], time: 1 });
		const newer = rec({ id: 'r2', phrases: ['new', 'neuf'], time: 2 });
		const tie = rec({ id: 'r3', phrases: ['tie', 'égal'], time: 2, signer: 's2' });
		expect(liveGroups([newer, older], [], 10)[0]!.phrases).toEqual(['new', 'neuf']);
		expect(liveGroups([tie, newer], [], 10)[0]!.phrases).toEqual(['tie', 'égal']);
		expect(
			liveGroups([newer, rec({ id: 'r4', phrases: [], time: 3 })], [{ id: 'g', phrases: ['p', 'q'] }], 10)
		).toEqual([]);
		expect(liveGroups([], [{ id: 'g', phrases: ['p', 'q'] }], 10)).toEqual([
			{ id: 'g', phrases: ['p', 'q'] }
		]);
	});
});
