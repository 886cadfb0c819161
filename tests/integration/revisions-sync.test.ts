// Publications between real Repos and Synchronizers over the memory network: an expert's
// publication reaches a colleague and is stored there; a publication by an agent without the role,
// made with the real publishing code on that agent's own device, and a forged one sent by hand
// (content changed under its digest), are refused by the other peers — not applied, not stored —
// and the session goes on; two experts publishing while partitioned both keep their revision and
// every peer shows the same one as current.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	currentRevision,
	encodeSnapshot,
	snapshotOf,
	type PublishRights
} from '../../src/lib/domain/revision';
import { MemoryHub } from '../../src/lib/net/memory';
import { generateIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { publishDraft, revisionId, signRevision } from '../../src/lib/repo/revisions';
import {
	encodeRevision,
	initArticle,
	readArticleMeta,
	readRevisions,
	updateArticleMeta
} from '../../src/lib/schema/index';
import { destroyDevices, procedureMeta, syncDevice, type SyncDevice } from '../support/governance-fixtures';
import { introduced, roguePeer, settle } from './rogue-kit';

const ARTICLE = 'article/ordre-rejete';
const meta = procedureMeta();

afterEach(destroyDevices);

async function storedRevisions(d: SyncDevice): Promise<number[]> {
	const fresh = new Repo({ storage: d.storage });
	const doc = await fresh.find(ARTICLE);
	return doc ? readRevisions(doc).map((r) => r.number) : [];
}

describe('publications between peers', () => {
	it('an expert’s reaches everyone; one by an agent without the role, or forged, is refused and nothing is stored', async () => {
		const [expert, reader, agent, forger] = await Promise.all([1, 2, 3, 4].map(() => generateIdentity()));
		const rights: PublishRights = (who, topic) => who === expert!.agentId && topic === 'bourse-ordres';
		const hub = new MemoryHub();
		const e = syncDevice(hub, 'expert', expert!, rights);
		const r = syncDevice(hub, 'reader', reader!, rights);
		const a = syncDevice(hub, 'agent', agent!, rights);
		const all = [e, r, a];
		const doc = await e.repo.open(ARTICLE);
		initArticle(doc, meta, [{ type: 'paragraph', content: [{ type: 'text', text: 'Vérifier le solde.' }] }]);
		await publishDraft(doc, 'ordre-rejete', expert!, { note: 'Première version', publisherName: 'Eve' });
		await settle(...all);
		expect((await r.repo.open(ARTICLE)).getMap('meta').get('title')).toBe('Ordre rejeté');
		expect(await storedRevisions(r)).toEqual([1]);
		expect(await storedRevisions(a)).toEqual([1]);
		expect(r.rejected).toEqual([]);

		// The agent's device runs the real publishing code on its own copy: peers refuse it.
		const agentDoc = await a.repo.open(ARTICLE);
		await publishDraft(agentDoc, 'ordre-rejete', agent!, { note: 'Je publie', publisherName: 'Mallory' });
		await settle(...all);
		for (const peer of [e, r]) {
			expect(
				peer.rejected.some((m) => m.includes(`${agent!.agentId} may not publish topic bourse-ordres`))
			).toBe(true);
			expect(readRevisions(await peer.repo.open(ARTICLE)).map((x) => x.number)).toEqual([1]);
			expect(await storedRevisions(peer)).toEqual([1]);
		}

		// A forged record sent by hand: the content changed under the digest of a real publication.
		const rogue = roguePeer(hub, 'rogue', { identity: forger! });
		rogue.greet('reader');
		await introduced(r.sync, 'rogue', true);
		const real = await signRevision(expert!, {
			articleId: 'ordre-rejete',
			snapshot: snapshotOf(meta, []),
			number: 2,
			previous: 1,
			note: 'Correction',
			publisherName: 'Eve',
			time: Date.now()
		});
		const forged = { ...real, snapshot: encodeSnapshot(snapshotOf({ ...meta, title: 'Vendez tout' }, [])) };
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(await r.repo.open(ARTICLE)));
		const sv = Y.encodeStateVector(copy);
		copy.getMap('revisions').set(await revisionId(real), encodeRevision(forged));
		rogue.send('reader', { type: 'update', docId: ARTICLE, update: Y.encodeStateAsUpdate(copy, sv) });
		await settle(...all);
		expect(r.rejected.some((m) => m.includes('its digest does not match its content'))).toBe(true);
		expect(await storedRevisions(r)).toEqual([1]);

		// The honest session goes on: the expert's next edit and publication reach the reader.
		updateArticleMeta(doc, { title: 'Ordre rejeté par le marché' });
		await publishDraft(doc, 'ordre-rejete', expert!, { note: 'Titre précisé', publisherName: 'Eve' });
		await settle(...all);
		const readerDoc = await r.repo.open(ARTICLE);
		expect(readArticleMeta(readerDoc).title).toBe('Ordre rejeté par le marché');
		expect(currentRevision(readRevisions(readerDoc))?.note).toBe('Titre précisé');
		expect((await storedRevisions(r)).sort()).toEqual([1, 2]);
	});

	it('a fresh device filled by a peer refuses a publication its roles do not allow, in a document it did not hold', async () => {
		const [lenient, agent, fresh] = await Promise.all([1, 2, 3].map(() => generateIdentity()));
		const hub = new MemoryHub();
		// A peer that accepted anyone's publication (a rogue, or one with other roles) holds one.
		const source = syncDevice(hub, 'source', lenient!, () => true);
		const doc = await source.repo.open(ARTICLE);
		initArticle(doc, meta, [{ type: 'paragraph', content: [{ type: 'text', text: 'Vérifier le solde.' }] }]);
		await publishDraft(doc, 'ordre-rejete', agent!, { note: 'Je publie', publisherName: 'Mallory' });
		initArticle(await source.repo.open('article/autre'), { ...meta, title: 'Autre' }, []);
		// The fresh device holds neither: both come in its first fill, built from the peer's update alone.
		const f = syncDevice(hub, 'fresh', fresh!, () => false);
		await settle(source, f);
		expect(f.rejected.some((m) => m.includes(`${agent!.agentId} may not publish topic bourse-ordres`))).toBe(
			true
		);
		expect(await storedRevisions(f)).toEqual([]);
		expect(await new Repo({ storage: f.storage }).find(ARTICLE)).toBeUndefined();
		expect(readArticleMeta((await f.repo.find('article/autre'))!).title).toBe('Autre');
	});

	it('two experts publishing while partitioned both keep their revision; the same one is current everywhere', async () => {
		const [x, y] = await Promise.all([generateIdentity(), generateIdentity()]);
		const rights: PublishRights = (_who, topic) => topic === 'bourse-ordres';
		const hub = new MemoryHub();
		const dx = syncDevice(hub, 'x', x, rights);
		const dy = syncDevice(hub, 'y', y, rights);
		const docX = await dx.repo.open(ARTICLE);
		initArticle(docX, meta);
		await publishDraft(docX, 'ordre-rejete', x, { note: 'v1', publisherName: 'X' });
		await settle(dx, dy);
		hub.unlink('x', 'y');
		const docY = await dy.repo.open(ARTICLE);
		updateArticleMeta(docX, { title: 'Ordre rejeté (X)' });
		updateArticleMeta(docY, { tags: ['marché'] });
		await publishDraft(docX, 'ordre-rejete', x, { note: 'par X', publisherName: 'X' });
		await publishDraft(docY, 'ordre-rejete', y, { note: 'par Y', publisherName: 'Y' });
		hub.link('x', 'y');
		await settle(dx, dy);
		const winner = x.agentId > y.agentId ? 'par X' : 'par Y';
		for (const d of [docX, docY]) {
			const revisions = readRevisions(d);
			expect(revisions.map((r) => r.number).sort()).toEqual([1, 2, 2]);
			expect(currentRevision(revisions)?.note).toBe(winner);
		}
		expect(dx.rejected).toEqual([]);
		expect(dy.rejected).toEqual([]);
	});
});
