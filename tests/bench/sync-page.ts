// The page each benchmark agent runs (bundled by sync.node.ts, one browser context per agent):
// Plateau's real sync stack, and stock y-webrtc for comparison.
import * as Y from 'yjs';
import { WebrtcProvider } from 'y-webrtc';
import { docId, KB_SPACE } from '../../src/lib/domain/ids';
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { SignalingClient } from '../../src/lib/net/signaling-client';
import { meshTopic, WebRtcMesh } from '../../src/lib/net/webrtc';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { articleSummary, initArticle, initSpace, putCatalogEntries } from '../../src/lib/schema/index';
import { IndexedDbStorage } from '../../src/lib/storage/indexeddb';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { generateArticles } from './generate';

const now = () => performance.timeOrigin + performance.now();

let repo: Repo;
let sync: Synchronizer;
let mesh: WebRtcMesh;
const received = new Map<number, number>();

const bench = {
	async start(opts: { url: string; room: string; agent: string; storage: 'memory' | 'indexeddb' }) {
		const key = await deriveCentreKey('7demqp4tc2h9x3vbnk8rfa6wgy5s', 'bench');
		repo = new Repo({
			storage:
				opts.storage === 'memory'
					? new MemoryStorage()
					: new IndexedDbStorage(`plateau-bench-${opts.room}-${opts.agent}`)
		});
		const signaling = new SignalingClient({ url: opts.url, key });
		mesh = new WebRtcMesh({ signaling, topic: meshTopic('bench', opts.room) });
		sync = new Synchronizer({
			repo,
			network: mesh,
			policy: new CentreSharePolicy(opts.agent),
			agentId: opts.agent,
			floor: 'bourse'
		});
		repo.onChange((e) => {
			if (e.docId !== 'article/latency' || !(e.origin as { peer?: string } | null)?.peer) return;
			const t = now();
			void repo.open(e.docId).then((doc) => received.set(doc.getMap('meta').get('seq') as number, t));
		});
	},
	peers: () => mesh.peers().length,
	async fill(count: number, words: number) {
		const articles = generateArticles(count, ['compte.acces', 'bourse.ordres', 'technique.site'], words, 7);
		let bytes = 0;
		for (const a of articles) {
			const doc = await repo.open(docId('article', a.id));
			initArticle(doc, a.meta, a.body);
			bytes += Y.encodeStateAsUpdate(doc).byteLength;
		}
		const space = await repo.open(docId('space', KB_SPACE));
		initSpace(space, { id: KB_SPACE, kind: 'knowledge-base', name: { fr: 'Base', en: 'Base' } });
		putCatalogEntries(
			space,
			articles.map((a) => articleSummary(docId('article', a.id), a.meta))
		);
		await repo.flush();
		return bytes;
	},
	async count() {
		await sync.idle();
		return (await repo.list()).length;
	},
	async flush() {
		await sync.idle();
		await repo.flush();
	},
	/** Writes sequence number `seq` into the latency document; returns the send time. */
	async send(seq: number) {
		const doc = await repo.open('article/latency');
		const t = now();
		doc.getMap('meta').set('seq', seq);
		return t;
	},
	receivedAt: (seq: number) => received.get(seq),
	// Stock y-webrtc on one document, through the same signaling relay.
	yStart(opts: { url: string; room: string }) {
		const doc = new Y.Doc();
		const provider = new WebrtcProvider(`ybench-${opts.room}`, doc, {
			signaling: [opts.url],
			password: 'bench',
			peerOpts: { config: { iceServers: [] } }
		});
		const map = doc.getMap('m');
		map.observe((e) => {
			if (e.transaction.local) return;
			const seq = map.get('seq') as number;
			yReceived.set(seq, now());
		});
		Object.assign(bench, {
			yPeers: () => provider.room?.webrtcConns.size ?? 0,
			ySend: (seq: number) => {
				const t = now();
				map.set('seq', seq);
				return t;
			},
			yReceivedAt: (seq: number) => yReceived.get(seq)
		});
	}
};
const yReceived = new Map<number, number>();

(globalThis as unknown as { bench: typeof bench }).bench = bench;
