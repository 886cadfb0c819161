// Filling an empty device in one pass (docs/decisions.md, "Filling a fresh device from the hub"):
// a document the device does not hold is built once from the peer's answer and adopted by the Repo,
// without a trial copy or a storage read — and still vetted. These tests break if that shortcut
// trusts the sender: forged documents in a bulk fill are refused and the rest stored; a fill cut
// halfway resumes; the sender's cached encoding of a document follows its changes.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryHub } from '../../src/lib/net/memory';
import { encodeSnapshot, snapshotOf, type PublishRights } from '../../src/lib/domain/revision';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { publishDraft, revisionId, signRevision } from '../../src/lib/repo/revisions';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import {
	articleBody,
	encodeRevision,
	initArticle,
	readArticleMeta,
	readRevisions,
	updateArticleMeta
} from '../../src/lib/schema/index';
import { MemoryStorage } from '../../src/lib/storage/memory';
import {
	decodeMessage,
	encodeMessage,
	type ProtocolLimits,
	type SyncMessage
} from '../../src/lib/repo/sync-protocol';
import { introduced, provenPeer, roguePeer, settle, type ProvenPeer } from './rogue-kit';

const meta = (title: string) => ({
	kind: 'faq' as const,
	title,
	node: 'compte',
	locale: 'fr' as const,
	tags: [],
	status: 'published' as const,
	createdAt: 1,
	updatedAt: 1
});

function article(title: string, depth = 1): Uint8Array {
	const doc = new Y.Doc();
	initArticle(doc, meta(title));
	doc.transact(() => {
		let parent: Y.XmlFragment | Y.XmlElement = articleBody(doc);
		for (let i = 0; i < depth; i++) {
			const child = new Y.XmlElement('blockquote');
			parent.insert(0, [child]);
			parent = child;
		}
	});
	return Y.encodeStateAsUpdate(doc);
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

function track(p: ProvenPeer): ProvenPeer {
	cleanups.push(
		() => p.sync.destroy(),
		() => p.net.destroy(),
		() => p.repo.destroy()
	);
	return p;
}

/** Documents the device holds in storage (what survives a restart). */
async function stored(storage: MemoryStorage): Promise<string[]> {
	return (await storage.list()).sort();
}

describe('a bulk fill of an empty device', () => {
	it('vets every document it adopts: forged ones are refused, the rest stored and readable after a restart', async () => {
		const hub = new MemoryHub();
		const storage = new MemoryStorage();
		const victim = track(provenPeer(hub, 'fresh', await generateIdentity(), storage));
		const source = roguePeer(hub, 'source', { identity: await generateIdentity() });
		cleanups.push(() => source.net.destroy());
		const changes: string[] = [];
		victim.repo.onChange((e) => changes.push(e.docId));
		source.greet('fresh');
		await introduced(victim.sync, 'source', true);

		const good = Array.from({ length: 20 }, (_, i) => [`article/good-${i}`, article(`Fiche ${i}`)] as const);
		const whole = article('Tronquée');
		const forged: [string, Uint8Array][] = [
			['article/deep', article('Profonde', 100)], // over the shape limits (64 levels)
			['article/garbage', new Uint8Array([7, 200, 13, 255, 255, 255, 255, 9])],
			['article/truncated', whole.slice(0, Math.floor(whole.byteLength / 2))]
		];
		const all = [...good, ...forged];
		source.send('fresh', { type: 'inventory', space: 'kb', entries: all.map(([id]) => [id, 'ffff']) });
		await settle(victim);
		const asked = (source.received.get('fresh') ?? []).filter((m) => m.type === 'syncStep1');
		expect(asked.map((m) => (m as { docId: string }).docId).sort()).toEqual(all.map(([id]) => id).sort());
		// The answers, forged ones in the middle of the bulk.
		for (const [docId, update] of [...good.slice(0, 10), ...forged, ...good.slice(10)])
			source.send('fresh', { type: 'syncStep2', docId, update });
		await settle(victim);

		expect(await stored(storage)).toEqual(good.map(([id]) => id).sort());
		expect((await victim.repo.list()).filter((id) => forged.some(([f]) => f === id))).toEqual([]);
		expect(
			victim.rejected.some((r) => /article\/deep refused: the document would be nested deeper/.test(r))
		).toBe(true);
		expect(victim.rejected.some((r) => /update for article\/garbage is undecodable/.test(r))).toBe(true);
		expect(victim.rejected.some((r) => /update for article\/truncated is undecodable/.test(r))).toBe(true);
		// Every adopted document was announced once, as a change from the peer.
		expect([...new Set(changes)].sort()).toEqual(good.map(([id]) => id).sort());
		expect(readArticleMeta((await victim.repo.find('article/good-7'))!).title).toBe('Fiche 7');

		// Stored as received: a fresh Repo on the same storage reads every one.
		await victim.repo.flush();
		const reopened = new Repo({ storage });
		for (const [id, update] of good) {
			const doc = (await reopened.find(id))!;
			const original = new Y.Doc();
			Y.applyUpdate(original, update);
			expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(original));
			expect(readArticleMeta(doc).title).toBe(readArticleMeta(original).title);
		}
		expect(reopened.errors).toEqual([]);
	});

	it('applies an answer to a document opened meanwhile as a plain update (no adoption over it)', async () => {
		const hub = new MemoryHub();
		const victim = track(provenPeer(hub, 'fresh', await generateIdentity()));
		const source = roguePeer(hub, 'source', { identity: await generateIdentity() });
		cleanups.push(() => source.net.destroy());
		source.greet('fresh');
		await introduced(victim.sync, 'source', true);
		source.send('fresh', { type: 'inventory', space: 'kb', entries: [['article/both', 'ffff']] });
		await settle(victim);
		// The device writes into the document before the answer comes: both edits are kept.
		const local = await victim.repo.open('article/both');
		initArticle(local, meta('Locale'));
		const remote = new Y.Doc();
		remote.getMap('extra').set('from', 'source');
		source.send('fresh', { type: 'syncStep2', docId: 'article/both', update: Y.encodeStateAsUpdate(remote) });
		await settle(victim);
		expect(victim.repo.opened('article/both')).toBe(local);
		expect(readArticleMeta(local).title).toBe('Locale');
		expect(local.getMap('extra').get('from')).toBe('source');
	});
});

describe('a fill between two honest devices', () => {
	async function sourceWith(
		hub: MemoryHub,
		n: number,
		limits?: Partial<ProtocolLimits>
	): Promise<ProvenPeer> {
		const source = track(provenPeer(hub, 'source', await generateIdentity(), new MemoryStorage(), limits));
		for (let i = 0; i < n; i++) initArticle(await source.repo.open(`article/a-${i}`), meta(`Article ${i}`));
		await source.repo.flush();
		return source;
	}

	it('cut halfway, resumes on reconnection and ends with every document, equal to the source', async () => {
		const hub = new MemoryHub();
		// Batches of a few documents each (4 KiB), so the cut falls between batches.
		const small = { maxBatchBytes: 4096 };
		const source = await sourceWith(hub, 60, small);
		const storage = new MemoryStorage();
		const fresh = track(provenPeer(hub, 'fresh', await generateIdentity(), storage, small));
		const batches: number[] = [];
		fresh.net.on('message', (_from, bytes) => {
			const m = decodeMessage(bytes);
			if (m.type === 'syncStep2Batch') batches.push(m.docs.length);
		});
		const got = new Set<string>();
		fresh.repo.onChange((e) => {
			got.add(e.docId);
			if (got.size === 20) hub.unlink('source', 'fresh');
		});
		await settle(source, fresh);
		const before = (await storage.list()).length;
		expect(before).toBeGreaterThanOrEqual(20);
		expect(before).toBeLessThan(60);

		hub.link('source', 'fresh');
		await settle(source, fresh);
		expect((await storage.list()).length).toBe(60);
		for (let i = 0; i < 60; i++) {
			const id = `article/a-${i}`;
			expect(Y.encodeStateVector((await fresh.repo.find(id))!)).toEqual(
				Y.encodeStateVector((await source.repo.find(id))!)
			);
		}
		expect(fresh.rejected).toEqual([]);
		// It came in batches, each of several documents and none of all of them.
		expect(batches.length).toBeGreaterThan(2);
		expect(Math.max(...batches)).toBeGreaterThan(1);
		expect(Math.max(...batches)).toBeLessThan(60);
	});

	it('serves a document changed after an earlier fill as it is now, not as it was encoded then', async () => {
		const hub = new MemoryHub();
		const source = await sourceWith(hub, 5);
		const first = track(provenPeer(hub, 'first', await generateIdentity()));
		await settle(source, first);
		expect(readArticleMeta((await first.repo.find('article/a-0'))!).title).toBe('Article 0');
		updateArticleMeta((await source.repo.open('article/a-0'))!, { title: 'Article 0, revu' });
		await settle(source, first);
		const second = track(provenPeer(hub, 'second', await generateIdentity()));
		hub.unlink('first', 'second'); // only the source fills it
		await settle(source, first, second);
		expect(readArticleMeta((await second.repo.find('article/a-0'))!).title).toBe('Article 0, revu');
		expect(readArticleMeta((await first.repo.find('article/a-0'))!).title).toBe('Article 0, revu');
	});
});

describe('batched anti-entropy', () => {
	/** A proven rogue source speaking batches, introduced to a fresh device that asked it for
	 *  `ids` (the inventory lists them). */
	async function askedFor(ids: string[]) {
		const hub = new MemoryHub();
		const storage = new MemoryStorage();
		const victim = track(provenPeer(hub, 'fresh', await generateIdentity(), storage));
		const source = roguePeer(hub, 'source', { identity: await generateIdentity(), batch: true });
		cleanups.push(() => source.net.destroy());
		const changes: string[] = [];
		victim.repo.onChange((e) => changes.push(e.docId));
		source.greet('fresh');
		await introduced(victim.sync, 'source', true);
		source.send('fresh', { type: 'inventory', space: 'kb', entries: ids.map((id) => [id, 'ffff']) });
		await settle(victim);
		const sent = source.received.get('fresh') ?? [];
		return { victim, source, storage, changes, sent };
	}

	it('asks in one batch and stores every good document of an answer batch, refusing each forged one', async () => {
		const good = Array.from({ length: 20 }, (_, i) => [`article/good-${i}`, article(`Fiche ${i}`)] as const);
		const whole = article('Tronquée');
		const forged: [string, Uint8Array][] = [
			['article/deep', article('Profonde', 100)],
			['article/garbage', new Uint8Array([7, 200, 13, 255, 255, 255, 255, 9])],
			['article/truncated', whole.slice(0, Math.floor(whole.byteLength / 2))],
			['article/empty', new Uint8Array()]
		];
		const all = [...good, ...forged];
		const { victim, source, storage, changes, sent } = await askedFor(all.map(([id]) => id));
		// One step 1 batch naming every document, no single step 1.
		expect(sent.filter((m) => m.type === 'syncStep1')).toEqual([]);
		const asks = sent.filter(
			(m): m is Extract<SyncMessage, { type: 'syncStep1Batch' }> => m.type === 'syncStep1Batch'
		);
		expect(asks).toHaveLength(1);
		expect(asks[0]!.docs.map(([id]) => id).sort()).toEqual(all.map(([id]) => id).sort());

		// One answer, the forged documents in the middle of it.
		source.send('fresh', {
			type: 'syncStep2Batch',
			docs: [...good.slice(0, 10), ...forged, ...good.slice(10)].map(([id, u]) => [id, u])
		});
		await settle(victim);
		expect(await stored(storage)).toEqual(good.map(([id]) => id).sort());
		expect(
			victim.rejected.some((r) => /article\/deep refused: the document would be nested deeper/.test(r))
		).toBe(true);
		expect(victim.rejected.some((r) => /update for article\/garbage is undecodable/.test(r))).toBe(true);
		expect(victim.rejected.some((r) => /update for article\/truncated is undecodable/.test(r))).toBe(true);
		expect(victim.rejected.some((r) => /update for article\/empty is empty/.test(r))).toBe(true);
		expect(victim.rejected).toHaveLength(4);
		expect([...new Set(changes)].sort()).toEqual(good.map(([id]) => id).sort());
		expect(changes).toHaveLength(20);
		await victim.repo.flush();
		const reopened = new Repo({ storage });
		expect(readArticleMeta((await reopened.find('article/good-13'))!).title).toBe('Fiche 13');
	});

	it('checks the publication record of each document of a batch on its own: forged ones refused, even by a known signer', async () => {
		const [expert, other, fresh] = await Promise.all([1, 2, 3].map(() => generateIdentity()));
		const rights: PublishRights = (who) => who === expert!.agentId;
		/** An article whose revisions map holds `record` (bytes) under `id`. */
		const withRecord = (title: string, id: string, record: Uint8Array): Uint8Array => {
			const doc = new Y.Doc();
			initArticle(doc, meta(title));
			doc.getMap('revisions').set(id, record);
			return Y.encodeStateAsUpdate(doc);
		};
		const sign = (by: AgentIdentity, articleId: string, title: string) =>
			signRevision(by, {
				articleId,
				snapshot: snapshotOf(meta(title), []),
				number: 1,
				previous: 0,
				note: 'Première version',
				publisherName: 'Eve',
				time: 1
			});
		const good: [string, Uint8Array][] = [];
		for (let i = 0; i < 12; i++) {
			const doc = new Y.Doc();
			initArticle(doc, meta(`Fiche ${i}`));
			await publishDraft(doc, `pub-${i}`, expert!, { note: 'Première version', publisherName: 'Eve' });
			good.push([`article/pub-${i}`, Y.encodeStateAsUpdate(doc)]);
		}
		// The expert's real records, altered: content changed under the digest, a field changed after
		// signing (its id recomputed, so only the signature can tell).
		const real = await sign(expert!, 'digest', 'Fiche');
		const altered = { ...(await sign(expert!, 'fields', 'Fiche')), note: 'Vendez tout' };
		// The expert's id with another agent's key chain; and a record by an agent without the role.
		const borrowed = { ...(await sign(other!, 'chain', 'Fiche')), publisher: expert!.agentId };
		const unentitled = await sign(other!, 'norole', 'Fiche');
		const forged: [string, Uint8Array][] = [
			[
				'article/digest',
				withRecord(
					'Fiche',
					await revisionId(real),
					encodeRevision({ ...real, snapshot: encodeSnapshot(snapshotOf(meta('Vendez tout'), [])) })
				)
			],
			['article/fields', withRecord('Fiche', await revisionId(altered), encodeRevision(altered))],
			['article/chain', withRecord('Fiche', await revisionId(borrowed), encodeRevision(borrowed))],
			['article/norole', withRecord('Fiche', await revisionId(unentitled), encodeRevision(unentitled))]
		];
		const all = [...good, ...forged];
		const hub = new MemoryHub();
		const storage = new MemoryStorage();
		const repo = new Repo({ storage });
		const net = hub.join('fresh');
		const sync = new Synchronizer({
			repo,
			network: net,
			policy: new CentreSharePolicy(fresh!.agentId, { publishRights: rights }),
			agentId: fresh!.agentId,
			floor: 'bourse',
			identity: fresh!
		});
		const victim = track({ repo, net, sync, rejected: [] });
		sync.onRejected((r) => victim.rejected.push(r.reason));
		const source = roguePeer(hub, 'source', { identity: await generateIdentity(), batch: true });
		cleanups.push(() => source.net.destroy());
		source.greet('fresh');
		await introduced(sync, 'source', true);
		source.send('fresh', { type: 'inventory', space: 'kb', entries: all.map(([id]) => [id, 'ffff']) });
		await settle(victim);
		source.send('fresh', {
			type: 'syncStep2Batch',
			docs: [...good.slice(0, 6), ...forged, ...good.slice(6)]
		});
		await settle(victim);
		expect(await stored(storage)).toEqual(good.map(([id]) => id).sort());
		const refused = (id: string, reason: string) =>
			expect(
				victim.rejected.some((r) => r.includes(`update for article/${id} refused`) && r.includes(reason))
			).toBe(true);
		refused('digest', 'its digest does not match its content');
		refused('fields', 'its signature does not verify');
		refused('chain', `the key chain does not prove ${expert!.agentId}`);
		refused('norole', `${other!.agentId} may not publish topic compte`);
		expect(victim.rejected).toHaveLength(4);
		await repo.flush();
		const reopened = new Repo({ storage });
		for (const [id] of good)
			expect(readRevisions((await reopened.find(id))!).map((r) => r.number)).toEqual([1]);
	});

	it('refuses a whole batch over the byte limit, and takes a big document sent alone', async () => {
		const big = (title: string) => {
			const doc = new Y.Doc();
			initArticle(doc, meta(title));
			doc.getMap('extra').set('blob', 'x'.repeat(150 * 1024));
			return Y.encodeStateAsUpdate(doc);
		};
		const { victim, source, storage } = await askedFor(['article/big-1', 'article/big-2']);
		source.send('fresh', {
			type: 'syncStep2Batch',
			docs: [
				['article/big-1', big('Un')],
				['article/big-2', big('Deux')]
			]
		});
		await settle(victim);
		expect(victim.rejected.some((r) => /exceeds the 262144-byte batch limit/.test(r))).toBe(true);
		expect(await stored(storage)).toEqual([]);
		// The same document alone, as a plain step 2 (what an honest peer does with a big one).
		source.send('fresh', { type: 'syncStep2', docId: 'article/big-1', update: big('Un') });
		await settle(victim);
		expect(await stored(storage)).toEqual(['article/big-1']);
	});

	it('answers a step 1 batch in batches within the byte limit, a document too big for one alone', async () => {
		const hub = new MemoryHub();
		const source = track(provenPeer(hub, 'source', await generateIdentity()));
		for (let i = 0; i < 300; i++) initArticle(await source.repo.open(`article/a-${i}`), meta(`Article ${i}`));
		const huge = await source.repo.open('article/huge');
		initArticle(huge, meta('Énorme'));
		huge.getMap('extra').set('blob', 'x'.repeat(300 * 1024));
		await source.repo.flush();
		const fresh = roguePeer(hub, 'fresh', { identity: await generateIdentity(), batch: true });
		cleanups.push(() => fresh.net.destroy());
		fresh.greet('source');
		await introduced(source.sync, 'fresh', true);
		const ids = [
			...Array.from({ length: 300 }, (_, i) => `article/a-${i}`),
			'article/huge',
			'article/nowhere'
		];
		const empty = Y.encodeStateVector(new Y.Doc());
		fresh.send('source', { type: 'syncStep1Batch', docs: ids.map((id) => [id, empty]) });
		await settle(source);
		const got = fresh.received.get('source') ?? [];
		const batches = got.filter(
			(m): m is Extract<SyncMessage, { type: 'syncStep2Batch' }> => m.type === 'syncStep2Batch'
		);
		const singles = got.filter(
			(m): m is Extract<SyncMessage, { type: 'syncStep2' }> => m.type === 'syncStep2'
		);
		expect(singles.map((m) => m.docId)).toEqual(['article/huge']);
		expect(batches.length).toBeGreaterThan(0);
		const served = batches.flatMap((b) => b.docs.map(([id]) => id));
		expect(served.sort()).toEqual(ids.slice(0, 300).sort());
		// Each batch decodes within the receiver's limits (decodeMessage would have thrown).
		for (const b of batches) expect(encodeMessage(b).byteLength).toBeLessThanOrEqual(256 * 1024);
		const doc = new Y.Doc();
		Y.applyUpdate(doc, batches[0]!.docs[0]![1]);
		expect(readArticleMeta(doc).title).toMatch(/^Article \d+$/);
	});

	it('speaks one message per document to a peer that does not announce batches', async () => {
		const hub = new MemoryHub();
		const source = track(provenPeer(hub, 'source', await generateIdentity()));
		for (let i = 0; i < 5; i++) initArticle(await source.repo.open(`article/a-${i}`), meta(`Article ${i}`));
		await source.repo.flush();
		const old = roguePeer(hub, 'old', { identity: await generateIdentity() });
		cleanups.push(() => old.net.destroy());
		old.greet('source');
		await introduced(source.sync, 'old', true);
		old.send('source', { type: 'inventory', space: 'kb', entries: [['article/x', 'ffff']] });
		for (let i = 0; i < 5; i++)
			old.send('source', {
				type: 'syncStep1',
				docId: `article/a-${i}`,
				stateVector: Y.encodeStateVector(new Y.Doc())
			});
		await settle(source);
		const got = old.received.get('source') ?? [];
		expect(got.some((m) => m.type === 'syncStep1Batch' || m.type === 'syncStep2Batch')).toBe(false);
		expect(got.filter((m) => m.type === 'syncStep1').map((m) => (m as { docId: string }).docId)).toEqual([
			'article/x'
		]);
		expect(got.filter((m) => m.type === 'syncStep2')).toHaveLength(5);
	});
});
