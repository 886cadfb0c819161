// `npm run bench -- store`: cold open of a store holding 5,000 articles (open the repo and list
// the catalog) in Chromium, target ≤ 500 ms; y-indexeddb (one database per document) measured on
// the same documents as the peer.
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { docId, KB_SPACE } from '../../src/lib/domain/ids';
import { Repo } from '../../src/lib/repo/repo';
import {
	articleSummary,
	initArticle,
	initSpace,
	putCatalogEntries,
	readCatalog
} from '../../src/lib/schema/index';
import { IndexedDbStorage } from '../../src/lib/storage/indexeddb';
import { generateArticles } from './generate';
import { percentile, report } from './report';

const COUNT = 5000;
const RUNS = 7;
const NODES = [
	'compte.acces.mot-de-passe',
	'bourse.ordres.rejete',
	'versements.virement-sortant.refuse',
	'technique.application'
];

test('store: cold open of 5,000 articles', async () => {
	const name = `plateau-bench-store-${Date.now()}`;
	const articles = generateArticles(COUNT, NODES, 300);
	const updates = new Map<string, Uint8Array>();
	for (const a of articles) {
		const doc = new Y.Doc();
		initArticle(doc, a.meta, a.body);
		updates.set(docId('article', a.id), Y.encodeStateAsUpdate(doc));
	}
	const space = new Y.Doc();
	initSpace(space, { id: KB_SPACE, kind: 'knowledge-base', name: { fr: 'Base', en: 'Base' } });
	putCatalogEntries(
		space,
		articles.map((a) => articleSummary(docId('article', a.id), a.meta))
	);
	updates.set(docId('space', KB_SPACE), Y.encodeStateAsUpdate(space));
	const bytes = [...updates.values()].reduce((s, u) => s + u.byteLength, 0);
	console.log(`store: ${COUNT} articles, ${(bytes / 1e6).toFixed(1)} MB of Yjs updates`);

	// Fill the store (not timed).
	const fill = new IndexedDbStorage(name);
	await Promise.all([...updates].map(([id, u]) => fill.append(id, u)));
	await fill.destroy();

	const plateau: number[] = [];
	const openAll: number[] = [];
	for (let run = 0; run < RUNS; run++) {
		const t0 = performance.now();
		const repo = new Repo({ storage: new IndexedDbStorage(name) });
		const [ids, kb] = await Promise.all([repo.list(), repo.open(docId('space', KB_SPACE))]);
		const entries = readCatalog(kb);
		plateau.push(performance.now() - t0);
		expect(entries).toHaveLength(COUNT);
		expect(ids).toHaveLength(COUNT + 1);
		if (run < 2) {
			// Opening every article (what a full re-index needs).
			const t1 = performance.now();
			for (const id of ids) await repo.open(id);
			openAll.push(performance.now() - t1);
		}
		await repo.destroy();
	}

	// Peer: y-indexeddb, one database per document (space + every article).
	const prefix = `ybench-${Date.now()}-`;
	const tFill = performance.now();
	const ordered = [...updates];
	for (let i = 0; i < ordered.length; i += 50) {
		await Promise.all(
			ordered.slice(i, i + 50).map(async ([id, u]) => {
				const doc = new Y.Doc();
				Y.applyUpdate(doc, u);
				const p = new IndexeddbPersistence(prefix + id, doc);
				await p.whenSynced;
				await p.destroy();
			})
		);
	}
	console.log(
		`store: y-indexeddb fill of ${ordered.length} databases took ${Math.round(performance.now() - tFill)} ms`
	);
	const peer: number[] = [];
	const peerOpenAll: number[] = [];
	for (let run = 0; run < 3; run++) {
		const t0 = performance.now();
		const dbs = (await indexedDB.databases()).filter((d) => d.name?.startsWith(prefix));
		const doc = new Y.Doc();
		const p = new IndexeddbPersistence(prefix + docId('space', KB_SPACE), doc);
		await p.whenSynced;
		const entries = readCatalog(doc);
		peer.push(performance.now() - t0);
		expect(entries).toHaveLength(COUNT);
		expect(dbs).toHaveLength(COUNT + 1);
		await p.destroy();
		if (run === 0) {
			const t1 = performance.now();
			for (const d of dbs) {
				const pd = new IndexeddbPersistence(d.name!, new Y.Doc());
				await pd.whenSynced;
				await pd.destroy();
			}
			peerOpenAll.push(performance.now() - t1);
		}
	}

	report({
		bench: 'store.coldOpen.p50',
		value: percentile(plateau, 50),
		unit: 'ms',
		target: 500,
		peer: 'y-indexeddb',
		peerValue: percentile(peer, 50)
	});
	report({
		bench: 'store.coldOpen.max',
		value: Math.max(...plateau),
		unit: 'ms',
		target: 500,
		peer: 'y-indexeddb',
		peerValue: Math.max(...peer)
	});
	report({
		bench: 'store.openAllArticles',
		value: percentile(openAll, 50),
		unit: 'ms',
		peer: 'y-indexeddb',
		peerValue: peerOpenAll[0]!
	});

	await IndexedDbStorage.deleteDatabase(name);
	for (const d of await indexedDB.databases())
		if (d.name?.startsWith(prefix)) indexedDB.deleteDatabase(d.name);
});
