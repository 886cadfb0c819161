// Filling an empty device in one pass (docs/decisions.md, "Filling a fresh device from the hub"):
// a document the device does not hold is built once from the peer's answer and adopted by the Repo,
// without a trial copy or a storage read — and still vetted. These tests break if that shortcut
// trusts the sender: forged documents in a bulk fill are refused and the rest stored; a fill cut
// halfway resumes; the sender's cached encoding of a document follows its changes.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryHub } from '../../src/lib/net/memory';
import { generateIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { articleBody, initArticle, readArticleMeta, updateArticleMeta } from '../../src/lib/schema/index';
import { MemoryStorage } from '../../src/lib/storage/memory';
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
	async function sourceWith(hub: MemoryHub, n: number): Promise<ProvenPeer> {
		const source = track(provenPeer(hub, 'source', await generateIdentity()));
		for (let i = 0; i < n; i++) initArticle(await source.repo.open(`article/a-${i}`), meta(`Article ${i}`));
		await source.repo.flush();
		return source;
	}

	it('cut halfway, resumes on reconnection and ends with every document, equal to the source', async () => {
		const hub = new MemoryHub();
		const source = await sourceWith(hub, 60);
		const storage = new MemoryStorage();
		const fresh = track(provenPeer(hub, 'fresh', await generateIdentity(), storage));
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
