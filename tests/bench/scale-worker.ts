// A worker process of the scale benchmark: several full Plateau Node peers (createNodePeer: Repo,
// Synchronizer, WebRtcMesh over @roamhq/wrtc, FsStorage) — and, in hub modes, the hub — driven by
// the parent over IPC. Processes, not worker threads: @roamhq/wrtc crashes in worker threads.
//
// Requests are {id, cmd, args}; replies {id, ok, result | error}. Besides replies, the worker pushes
// {type:'seen', label, seq, t} when an edit's marker reaches one of its peers. Times are on the
// machine's shared clock (performance.timeOrigin + performance.now()), comparable across processes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { docId, KB_SPACE } from '../../src/lib/domain/ids';
import type { Repo } from '../../src/lib/repo/repo';
import { createNodePeer, type NodePeer, type NodePeerOptions } from '../../src/lib/server/node-peer';
import {
	articleBody,
	articleSummary,
	initArticle,
	initSpace,
	putCatalogEntries
} from '../../src/lib/schema/index';
import { generateArticles } from './generate';

const now = () => performance.timeOrigin + performance.now();

/** The article every edit goes to. */
export const SCALE_ARTICLE = 'article/scale-edits';
const MARKER = /\[e(\d+)\]/g;

/** What the benchmark needs of a peer or of the hub. */
interface Member {
	label: string;
	repo: Repo;
	/** Open links; the hub reports its own (or none, if it does not say). */
	links(): string[];
	id: string;
	/** The mesh's own signaling counters, where the mesh keeps them (bounded links add `stats()`). */
	meshStats(): unknown;
	idle(): Promise<void>;
	destroy(): Promise<void>;
	seen: Set<number>;
	startedAt: number;
	off: () => void;
}

interface Common {
	url: string;
	centreId: string;
	secret: string;
	floor: string;
}

const members = new Map<string, Member>();
/** This process's event-loop delay: a loop held up delays every signaling message and update. */
const lag = monitorEventLoopDelay({ resolution: 20 });
lag.enable();
const dirs: string[] = [];
const logs: string[] = [];
let logCount = 0;
const log = (label: string) => (m: string) => {
	logCount++;
	if (logs.length < 20) logs.push(`${label}: ${m}`);
};

async function tempDir(label: string): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), `plateau-scale-${label}-`));
	dirs.push(dir);
	return dir;
}

/** Reports each edit marker the first time it is in the peer's copy of the article. */
function watch(label: string, repo: Repo, seen: Set<number>): () => void {
	return repo.onChange((e) => {
		if (e.docId !== SCALE_ARTICLE) return;
		const t = now();
		void repo.open(SCALE_ARTICLE).then((doc) => {
			for (const m of articleBody(doc).toString().matchAll(MARKER)) {
				const seq = Number(m[1]);
				if (seen.has(seq)) continue;
				seen.add(seq);
				process.send!({ type: 'seen', label, seq, t });
			}
		});
	});
}

function signalingUrl(common: Common, label: string): string {
	return `${common.url}?peer=${encodeURIComponent(label)}`;
}

async function startPeer(common: Common, label: string, extra: Record<string, unknown>): Promise<void> {
	const startedAt = now();
	const peer: NodePeer = await createNodePeer({
		dir: await tempDir(label),
		signalingUrl: signalingUrl(common, label),
		centreId: common.centreId,
		secret: common.secret,
		floor: common.floor,
		log: log(label),
		// Bounded links and the profile (links, profile) pass through here once NodePeerOptions has them.
		...(extra as Partial<NodePeerOptions>)
	});
	const seen = new Set<number>();
	const mesh = peer.mesh as unknown as { stats?: () => unknown };
	members.set(label, {
		label,
		repo: peer.repo,
		id: peer.mesh.peerId,
		links: () => peer.mesh.peers(),
		meshStats: () => (typeof mesh.stats === 'function' ? mesh.stats() : undefined),
		idle: () => peer.sync.idle(),
		destroy: () => peer.destroy(),
		seen,
		startedAt,
		off: watch(label, peer.repo, seen)
	});
}

/** What the benchmark uses of the always-on hub (src/lib/server/hub.ts `createHub`, on the hub
 *  branch): its repo, its peers (every transport's, through its CompositeNetwork) and its sync. */
interface HubLike {
	instanceId: string;
	repo: Repo;
	network: { peers(): string[] };
	sync: { idle(): Promise<void> };
	destroy(): Promise<void>;
}

async function startHub(common: Common, label: string, extra: Record<string, unknown>): Promise<void> {
	// A computed specifier: the module is not on this branch yet, and type-checking must not need it.
	const specifier = '../../src/lib/server/' + 'hub';
	const { createHub } = (await import(/* @vite-ignore */ specifier)) as {
		createHub: (o: Record<string, unknown>) => Promise<HubLike>;
	};
	const startedAt = now();
	const write = log(label);
	const quiet = (level: string) => (event: string, fields?: Record<string, unknown>) =>
		level === 'info' ? undefined : write(`${level} ${event} ${JSON.stringify(fields ?? {})}`);
	const hub = await createHub({
		dataDir: await tempDir(label),
		signalingUrl: signalingUrl(common, label),
		centreId: common.centreId,
		secret: common.secret,
		log: { info: quiet('info'), warn: quiet('warn'), error: quiet('error'), recent: () => [] },
		...extra
	});
	const seen = new Set<number>();
	members.set(label, {
		label,
		repo: hub.repo,
		// The mesh's peer id is the instance id (the hub's signaling client is created with it).
		id: hub.instanceId,
		links: () => hub.network.peers(),
		meshStats: () => undefined,
		idle: () => hub.sync.idle(),
		destroy: () => hub.destroy(),
		seen,
		startedAt,
		off: watch(label, hub.repo, seen)
	});
}

const meta = (title: string): ArticleMeta => ({
	kind: 'procedure',
	title,
	node: 'bourse.ordres',
	locale: 'fr',
	tags: [],
	status: 'published',
	createdAt: 1,
	updatedAt: 1
});

function member(label: unknown): Member {
	const m = members.get(String(label));
	if (!m) throw new Error(`no peer ${String(label)} in this worker`);
	return m;
}

const commands: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
	/** Starts peers one after the other (and the hub first, if asked); returns their ids. */
	async start(args) {
		const common = args.common as Common;
		if (args.hub)
			await startHub(common, String(args.hub), (args.hubOptions ?? {}) as Record<string, unknown>);
		for (const label of args.labels as string[])
			await startPeer(common, label, (args.peerOptions ?? {}) as Record<string, unknown>);
		return Object.fromEntries(
			[...members.values()].map((m) => [m.label, { id: m.id, startedAt: m.startedAt }])
		);
	},
	async status() {
		const peers = await Promise.all(
			[...members.values()].map(async (m) => {
				const doc = await m.repo.find(SCALE_ARTICLE);
				return {
					label: m.label,
					id: m.id,
					links: m.links(),
					article: !!doc && doc.getMap('meta').size > 0,
					meshStats: m.meshStats()
				};
			})
		);
		const mem = process.memoryUsage();
		return {
			peers,
			rssMB: mem.rss / 1024 / 1024,
			heapMB: mem.heapUsed / 1024 / 1024,
			lagP99Ms: lag.percentile(99) / 1e6,
			lagMaxMs: lag.max / 1e6,
			logCount,
			logs: logs.slice(0, 5)
		};
	},
	/** The shared article, created on one peer. */
	async article(args) {
		initArticle(await member(args.label).repo.open(SCALE_ARTICLE), meta('Échelle'), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'Article des mesures.' }] }
		]);
		return true;
	},
	/** Inserts marker [e<seq>] at the start of the article's body; returns the edit's time. */
	async edit(args) {
		const doc = await member(args.label).repo.open(SCALE_ARTICLE);
		const t = now();
		articleBody(doc).insert(0, [new Y.XmlText(`[e${Number(args.seq)}] `)]);
		return t;
	},
	/** Fills a peer with `count` generated articles and the knowledge base's catalogue. */
	async fill(args) {
		const repo = member(args.label).repo;
		const t0 = now();
		const articles = generateArticles(
			Number(args.count),
			['compte.acces', 'bourse.ordres', 'technique.site'],
			380,
			7
		);
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
		return { bytes, ms: now() - t0 };
	},
	/** Waits (polling locally) until the peer holds `count` documents, synced and on disk; returns
	 *  the time it did, or how many it held at the deadline. */
	async waitCount(args) {
		const m = member(args.label);
		const deadline = now() + Number(args.timeoutMs);
		for (;;) {
			const held = (await m.repo.list()).length;
			if (held >= Number(args.count)) {
				await m.idle();
				await m.repo.flush();
				return { reached: true, t: now(), held };
			}
			if (now() > deadline) return { reached: false, t: now(), held };
			await new Promise((r) => setTimeout(r, 100));
		}
	},
	async stop() {
		await Promise.all(
			[...members.values()].map(async (m) => {
				m.off();
				await m.destroy().catch(() => {});
			})
		);
		members.clear();
		await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
		return true;
	}
};

process.on('message', (m: { id: number; cmd: string; args?: Record<string, unknown> }) => {
	const run = commands[m.cmd];
	if (!run) return process.send!({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
	run(m.args ?? {}).then(
		(result) => process.send!({ id: m.id, ok: true, result }),
		(err: unknown) =>
			process.send!({
				id: m.id,
				ok: false,
				error: err instanceof Error ? (err.stack ?? err.message) : String(err)
			})
	);
});
process.send!({ type: 'ready' });
