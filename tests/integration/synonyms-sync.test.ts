// Synonym groups between real Repos and Synchronizers (memory network): an expert adds a group with
// the app's code on their own device; it reaches every peer through the centre document's signed
// entries, counts there, and a colleague's search indexer applies it. A knowledge manager replaces it
// (one record left), the expert retires it (a tombstone). An agent without a role who adds one with
// the same code, and a rogue device that forges an expert's group or removes the live record, are
// refused by the other peers (not applied, not stored, not logged) and the session goes on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from '../../src/lib/domain/base64';
import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import {
	retireSynonymGroup,
	signSynonymRecord,
	synonymRecordId,
	verifiedSynonymGroups,
	writeSynonymGroup
} from '../../src/lib/repo/synonym-records';
import {
	addSynonymRecord,
	grantGenesisAdministrator,
	initCentre,
	readEffectiveRoles,
	rolePublishRights,
	SYNONYM_RECORDS_ROOT,
	synonymRecordEntries,
	writeRoleRecord
} from '../../src/lib/schema/index';
import { SearchIndexer } from '../../src/lib/search/indexer';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { signedMessage } from './overlay-kit';
import { introduced, roguePeer, settle } from './rogue-kit';

const CENTRE = 'centre/acme';
/** The indexer re-reads the centre on its own schedule: a condition waited for, generously. */
const WAIT = { timeout: 20_000, interval: 20 };

interface Device {
	repo: Repo;
	storage: MemoryStorage;
	sync: Synchronizer;
	net: MemoryNetworkAdapter;
	rejected: string[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

function device(hub: MemoryHub, id: string, identity: AgentIdentity): Device {
	const storage = new MemoryStorage();
	const repo = new Repo({ storage });
	const net = hub.join(id);
	const sync = new Synchronizer({
		repo,
		network: net,
		policy: new CentreSharePolicy(identity.agentId, {
			publishRights: rolePublishRights(() => repo.opened(CENTRE))
		}),
		agentId: identity.agentId,
		floor: 'bourse',
		identity
	});
	const rejected: string[] = [];
	sync.onRejected((r) => rejected.push(r.reason));
	cleanups.push(async () => {
		sync.destroy();
		await net.destroy();
		await repo.destroy();
	});
	return { repo, storage, sync, net, rejected };
}

/** The groups a device counts, as the app reads them (verified, signer with a role now). */
async function groupsOf(x: Device): Promise<[string, string[]][]> {
	const centre = await x.repo.open(CENTRE);
	await readEffectiveRoles(centre);
	return (await verifiedSynonymGroups(centre)).map((g) => [g.id, g.phrases]);
}

/** What a device's storage holds of the records map, read by a fresh Repo. */
async function stored(x: Device): Promise<string[]> {
	const centre = (await new Repo({ storage: x.storage }).find(CENTRE))!;
	return [...synonymRecordEntries(centre).keys()].sort();
}

async function crafted(doc: Y.Doc, change: (copy: Y.Doc) => unknown): Promise<Uint8Array> {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	const before = Y.encodeStateVector(copy);
	await change(copy);
	return Y.encodeStateAsUpdate(copy, before);
}

describe('synonym groups between peers', () => {
	it('an expert’s group reaches every peer and a colleague’s search; an agent’s, a forgery and a removal are refused', async () => {
		const [founder, eve, kim, carol, dan] = await Promise.all([1, 2, 3, 4, 5].map(() => generateIdentity()));
		const hub = new MemoryHub();
		const a = device(hub, 'a', founder!);
		const centreA = await a.repo.open(CENTRE);
		initCentre(
			centreA,
			{ id: 'acme', name: { fr: 'Acme', en: 'Acme' } },
			[{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' }, topics: ['bourse'] }],
			[{ id: 'bourse', label: { fr: 'Bourse', en: 'Trading' }, order: 0 }],
			[],
			[{ agentId: founder!.agentId, publicKey: toBase64(founder!.publicKey) }]
		);
		await grantGenesisAdministrator(centreA, founder!);
		await writeRoleRecord(centreA, founder!, {
			grantee: eve!.agentId,
			role: 'expert',
			scope: { kind: 'topic', topic: 'bourse' },
			action: 'grant'
		});
		await writeRoleRecord(centreA, founder!, {
			grantee: kim!.agentId,
			role: 'knowledge-manager',
			scope: { kind: 'centre' },
			action: 'grant'
		});
		const e = device(hub, 'e', eve!);
		const k = device(hub, 'k', kim!);
		const c = device(hub, 'c', carol!);
		const all = [a, e, k, c];
		await settle(...all);

		// Carol's search indexer, as the app runs it.
		const indexer = new SearchIndexer(c.repo, { centreDocId: CENTRE, delayMs: 1 });
		cleanups.push(() => indexer.destroy());
		await indexer.start();

		// Eve adds a group with the app's code on her device: every peer counts it, Carol's search too.
		const added = await writeSynonymGroup(await e.repo.open(CENTRE), eve!, {
			group: 'g-carte',
			phrases: ['carte avalée', 'carte capturée'],
			signerName: 'Eve'
		});
		await settle(...all);
		for (const x of all) {
			expect(await groupsOf(x)).toEqual([['g-carte', ['carte avalée', 'carte capturée']]]);
			expect(await stored(x)).toEqual([added.id]);
		}
		await vi.waitFor(() => expect(indexer.synonyms).toEqual([['carte avalée', 'carte capturée']]), WAIT);
		expect([a.rejected, e.rejected, k.rejected, c.rejected]).toEqual([[], [], [], []]);

		// Carol, no role, adds one with the same code: refused by the others, not stored, not logged.
		await writeSynonymGroup(await c.repo.open(CENTRE), carol!, {
			group: 'g-carol',
			phrases: ['crédit', 'arnaque'],
			signerName: 'Carol'
		});
		await settle(...all);
		for (const x of [a, e, k]) {
			expect(
				x.rejected.some((r) => r.includes(`${carol!.agentId} holds no role that may edit synonyms`))
			).toBe(true);
			expect(await stored(x)).toEqual([added.id]);
			expect([...(await x.sync.log(CENTRE)).entries.values()].some((l) => l.agentId === carol!.agentId)).toBe(
				false
			);
		}
		// On her own device it is kept and not counted; her search never applies it.
		expect(await groupsOf(c)).toEqual([['g-carte', ['carte avalée', 'carte capturée']]]);
		expect(indexer.synonyms).toEqual([['carte avalée', 'carte capturée']]);

		// A rogue device of Dan's (no role): Eve's group with a phrase changed after signing, and the
		// removal of Eve's live record.
		const d = roguePeer(hub, 'rogue', { identity: dan! });
		cleanups.push(() => d.net.destroy());
		d.greet('a');
		await introduced(a.sync, 'rogue', true);
		const real = await signSynonymRecord(eve!, {
			centre: 'acme',
			group: 'g-virement',
			phrases: ['virement', 'transfert'],
			signerName: 'Eve',
			time: Date.now()
		});
		const forged = { ...real, phrases: ['virement', 'remboursement'] };
		const centreOnA = await a.repo.open(CENTRE);
		const before = a.rejected.length;
		d.send(
			'a',
			await signedMessage(
				eve!,
				CENTRE,
				await crafted(centreOnA, async (x) => addSynonymRecord(x, await synonymRecordId(forged), forged))
			)
		);
		d.send(
			'a',
			await signedMessage(
				dan!,
				CENTRE,
				await crafted(centreOnA, (x) => x.getMap(SYNONYM_RECORDS_ROOT).delete(added.id))
			)
		);
		await settle(a);
		const reasons = a.rejected.slice(before);
		expect(reasons.some((r) => /signature does not verify/.test(r))).toBe(true);
		expect(reasons.some((r) => /removes a synonym record, which .* \(no role\) may not/.test(r))).toBe(true);
		expect(await stored(a)).toEqual([added.id]);

		// The session goes on: Kim replaces the group (Eve's record goes), Eve then retires it.
		const replaced = await writeSynonymGroup(await k.repo.open(CENTRE), kim!, {
			group: 'g-carte',
			phrases: ['carte avalée', 'carte capturée', 'carte retenue'],
			signerName: 'Kim'
		});
		await settle(...all);
		for (const x of [a, e, k]) {
			expect(await groupsOf(x)).toEqual([['g-carte', ['carte avalée', 'carte capturée', 'carte retenue']]]);
			expect(await stored(x)).toEqual([replaced.id]);
		}
		await vi.waitFor(
			() => expect(indexer.synonyms).toEqual([['carte avalée', 'carte capturée', 'carte retenue']]),
			WAIT
		);
		const tomb = await retireSynonymGroup(await e.repo.open(CENTRE), eve!, {
			group: 'g-carte',
			signerName: 'Eve'
		});
		await settle(...all);
		for (const x of [a, e, k]) {
			expect(await groupsOf(x)).toEqual([]);
			expect(await stored(x)).toEqual([tomb.id]);
		}
		await vi.waitFor(() => expect(indexer.synonyms).toEqual([]), WAIT);
		// Nothing honest was refused: only Carol's group and the rogue's two messages.
		expect([a, e, k].flatMap((x) => x.rejected.filter((r) => !r.includes(carol!.agentId)))).toEqual(reasons);
	});
});
