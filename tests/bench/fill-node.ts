// The Node halves of the fill benchmark (fill.node.ts): the hub's store written once with generated
// articles (as the hub itself would have stored them, under the hub's identity), and a fresh Node
// peer (Repo on FsStorage, Synchronizer) filled by the hub over the hub socket.
import { join } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { docId, KB_SPACE } from '../../src/lib/domain/ids';
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { HubSocket } from '../../src/lib/net/hub-socket';
import type { ByteSocket } from '../../src/lib/net/sealed-socket';
import { generateIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy, type SharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { articleSummary, initArticle, initSpace, putCatalogEntries } from '../../src/lib/schema/index';
import { FsStorage } from '../../src/lib/storage/fs';
import { generateArticles } from './generate';

export const FILL_SECRET = '7demqp4tc2h9x3vbnk8rfa6wgy5s';

/** Writes `count` articles (about 380 words each) and the catalog into the hub's document store
 *  (`<dataDir>/docs`, where createHub's FsStorage reads). `publish`, if given, is called on each
 *  article once written (the governance bench publishes each one). */
export async function fillHubStore(
	dataDir: string,
	count: number,
	publish?: (doc: Y.Doc, articleId: string, i: number) => Promise<void>
): Promise<{ bytes: number; ms: number }> {
	const t0 = performance.now();
	const repo = new Repo({ storage: new FsStorage(join(dataDir, 'docs')) });
	const articles = generateArticles(count, ['compte.acces', 'bourse.ordres', 'technique.site'], 380, 7);
	let bytes = 0;
	for (const [i, a] of articles.entries()) {
		const doc = await repo.open(docId('article', a.id));
		initArticle(doc, a.meta, a.body);
		await publish?.(doc, a.id, i);
		bytes += Y.encodeStateAsUpdate(doc).byteLength;
		if (i % 500 === 499) await repo.flush(); // bounded writes in flight
	}
	const space = await repo.open(docId('space', KB_SPACE));
	initSpace(space, { id: KB_SPACE, kind: 'knowledge-base', name: { fr: 'Base', en: 'Base' } });
	putCatalogEntries(
		space,
		articles.map((a) => articleSummary(docId('article', a.id), a.meta))
	);
	await repo.destroy();
	return { bytes, ms: performance.now() - t0 };
}

export interface FillRun {
	ms: number;
	stored: number;
	rejected: number;
	reached: boolean;
}

/** A fresh Node peer joins through the hub socket; resolves once `count` documents are on disk. */
export async function fillNodePeer(a: {
	url: string;
	centreId: string;
	dir: string;
	count: number;
	timeoutMs: number;
	/** The device's share policy (default: the centre's, which accepts no publication record). */
	policy?: (agentId: string) => SharePolicy;
}): Promise<FillRun> {
	const key = await deriveCentreKey(FILL_SECRET, a.centreId);
	const identity = await generateIdentity();
	const storage = new FsStorage(a.dir);
	const repo = new Repo({ storage });
	const t0 = performance.now();
	const net = new HubSocket({
		url: a.url,
		key,
		peerId: `node-${identity.agentId.slice(0, 8)}`,
		WebSocketImpl: WebSocket as unknown as new (url: string) => ByteSocket,
		log: () => {}
	});
	const sync = new Synchronizer({
		repo,
		network: net,
		policy: a.policy?.(identity.agentId) ?? new CentreSharePolicy(identity.agentId),
		agentId: identity.agentId,
		floor: 'bourse',
		identity
	});
	const seen = new Set<string>();
	const off = repo.onChange((e) => seen.add(e.docId));
	let reached = false;
	let stored = 0;
	while (performance.now() - t0 < a.timeoutMs) {
		if (seen.size >= a.count) {
			await sync.idle();
			await repo.flush();
			stored = (await storage.list()).length;
			if (stored >= a.count) {
				reached = true;
				break;
			}
		}
		await new Promise((r) => setTimeout(r, 25));
	}
	const ms = performance.now() - t0;
	if (!reached) stored = (await storage.list()).length;
	const rejected = sync.rejected.length;
	off();
	sync.destroy();
	await net.destroy();
	await repo.destroy();
	return { ms, stored, rejected, reached };
}
