// A poisoned article: a body nested 5,000 levels deep (about 100 KiB of update) overflows the stack
// of every recursive reader (the page, the indexer). It is refused on receipt, and a copy already in
// storage is reported like a corrupt entry and kept out: find() does not return it, so the page
// shows it missing and the index never reads it.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryHub } from '../../src/lib/net/memory';
import { generateIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { CorruptEntryError } from '../../src/lib/repo/storage';
import { articleBody, initArticle, readArticleBody } from '../../src/lib/schema/index';
import { docShapeProblem } from '../../src/lib/schema/limits';
import { openAndFollow, type ReadDoc } from '../../src/lib/state/doc-reading';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { introduced, provenPeer, roguePeer, settle } from './rogue-kit';

const ARTICLE = 'article/poison';

/** An article whose body nests `depth` blockquotes. */
function poisoned(depth: number): Y.Doc {
	const doc = new Y.Doc();
	initArticle(doc, {
		kind: 'faq',
		title: 'Poison',
		node: 'compte',
		locale: 'fr',
		tags: [],
		status: 'published',
		createdAt: 1,
		updatedAt: 1
	});
	doc.transact(() => {
		let parent: Y.XmlFragment | Y.XmlElement = articleBody(doc);
		for (let i = 0; i < depth; i++) {
			const child = new Y.XmlElement('blockquote');
			parent.insert(0, [child]);
			parent = child;
		}
	});
	return doc;
}

let deep: Uint8Array | undefined;
/** The 5,000-level update (built once: it takes a while). */
const deepUpdate = () => (deep ??= Y.encodeStateAsUpdate(poisoned(5_000)));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a body nested thousands of levels deep', () => {
	it('is what overflows a reader, and the shape check catches it without recursing', () => {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, deepUpdate());
		expect(deepUpdate().byteLength).toBeLessThan(200 * 1024);
		expect(() => readArticleBody(doc)).toThrow();
		expect(docShapeProblem(doc)).toMatch(/nested deeper than 64 levels/);
		expect(docShapeProblem(poisoned(40))).toBeUndefined();
	});

	it('is refused on receipt: not applied, not stored, reported', async () => {
		const hub = new MemoryHub();
		const identity = await generateIdentity();
		const storage = new MemoryStorage();
		const { repo, net, sync, rejected } = provenPeer(hub, 'victim', identity, storage);
		const rogue = roguePeer(hub, 'rogue', { identity: await generateIdentity() });
		cleanups.push(
			() => sync.destroy(),
			() => net.destroy(),
			() => repo.destroy(),
			() => rogue.net.destroy()
		);
		rogue.greet('victim');
		await introduced(sync, 'rogue', true);
		rogue.send('victim', { type: 'update', docId: ARTICLE, update: deepUpdate() });
		// A reasonable article from the same peer still goes through.
		rogue.send('victim', {
			type: 'update',
			docId: 'article/fine',
			update: Y.encodeStateAsUpdate(poisoned(10))
		});
		await settle({ sync, repo });
		expect(rejected.some((r) => /article\/poison refused: the document would be nested deeper/.test(r))).toBe(
			true
		);
		expect((await repo.find(ARTICLE))?.store.clients.size ?? 0).toBe(0);
		expect(storage.chunks.get(ARTICLE)?.size ?? 0).toBe(0);
		expect(readArticleBody((await repo.find('article/fine'))!)).toHaveLength(1);
	});

	it('found in storage, is reported as corrupt and kept out of the page and the index', async () => {
		const storage = new MemoryStorage();
		await storage.append(ARTICLE, deepUpdate());
		await storage.append('article/fine', Y.encodeStateAsUpdate(poisoned(3)));
		const repo = new Repo({ storage });
		const errors: Error[] = [];
		repo.onError((e) => errors.push(e));
		cleanups.push(() => repo.destroy());
		expect(await repo.find(ARTICLE)).toBeUndefined();
		expect(repo.isQuarantined(ARTICLE)).toBe(true);
		expect(errors).toHaveLength(1);
		expect(errors[0]).toBeInstanceOf(CorruptEntryError);
		expect(errors[0]!.message).toMatch(/article\/poison.*nested deeper than 64 levels/);
		// The page's reader sees it missing (never reads the body); the entry stays in storage.
		const view: ReadDoc<unknown> = { status: 'loading', meta: null, body: [], problem: '' };
		await openAndFollow(
			repo,
			ARTICLE,
			view,
			{ meta: () => null, body: readArticleBody },
			() => false,
			() => {}
		);
		expect(view.status).toBe('missing');
		expect(storage.chunks.get(ARTICLE)?.size).toBe(1);
		expect(await repo.find('article/fine')).toBeDefined();
	});
});
