// One configuration of the scale benchmark (a mode, N peers), and the fill measurement: starts the
// relay and the worker processes (scale-relay.ts, scale-worker.ts), measures, stops them all. A
// configuration that cannot complete (not linked within the plan's bound) is measured as far as it
// got — links formed, edits that reached everyone — and marked stopped, with the reason.
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { percentile } from './report';
import type { ModeSpec } from './scale-modes';
import type { Tally } from './scale-tap';
import {
	isLinked,
	spreadPeers,
	summariseLinks,
	type LinkSummary,
	type PeerLinks,
	type ScalePlan
} from './scale-stats';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const now = () => performance.timeOrigin + performance.now();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
export const FLOOR = 'bourse';

/** A child process answering {id, cmd, args} requests over IPC. */
export class Child {
	readonly #child: ChildProcess;
	readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
	#next = 1;
	readonly ready: Promise<Record<string, unknown>>;
	exited = false;

	constructor(
		script: string,
		env: Record<string, string> = {},
		onPush?: (m: Record<string, unknown>) => void
	) {
		this.#child = fork(here(script), [], {
			execArgv: ['--import', 'tsx'],
			env: { ...process.env, ...env },
			stdio: ['ignore', 'inherit', 'inherit', 'ipc']
		});
		this.ready = new Promise((resolve, reject) => {
			this.#child.on('message', (m: Record<string, unknown>) => {
				if (m.type === 'ready') return resolve(m);
				const waiter = typeof m.id === 'number' ? this.#pending.get(m.id) : undefined;
				if (waiter) {
					this.#pending.delete(m.id as number);
					if (m.ok) waiter.resolve(m.result);
					else waiter.reject(new Error(String(m.error)));
				} else onPush?.(m);
			});
			this.#child.once('exit', (code) => {
				this.exited = true;
				const error = new Error(`${script} exited (${code})`);
				reject(error);
				for (const w of this.#pending.values()) w.reject(error);
				this.#pending.clear();
			});
		});
	}

	call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
		if (this.exited) return Promise.reject(new Error(`the process is gone (asked ${cmd})`));
		const id = this.#next++;
		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#pending.delete(id);
				reject(new Error(`${cmd} timed out after ${timeoutMs} ms`));
			}, timeoutMs);
			this.#pending.set(id, {
				resolve: (v) => (clearTimeout(timer), resolve(v as T)),
				reject: (e) => (clearTimeout(timer), reject(e))
			});
			this.#child.send({ id, cmd, args });
		});
	}

	/** Asks the process to stop (its peers destroyed, directories removed), killing it if it hangs. */
	async stop(): Promise<void> {
		if (this.exited) return;
		const exited = new Promise((r) => this.#child.once('exit', r));
		await this.call('stop', {}, 20_000).catch(() => {});
		if (!this.exited) this.#child.kill('SIGTERM');
		const killer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
		await exited;
		clearTimeout(killer);
	}
}

interface RelayBytes {
	read: number;
	written: number;
	byPeer: Record<string, { read: number; written: number }>;
	rateLimit: number;
	slowConsumer: number;
	refused: number;
	connections: number;
	rssMB: number;
}

interface WorkerStatus {
	peers: (PeerLinks & { label: string; article: boolean; meshStats: unknown })[];
	rssMB: number;
	heapMB: number;
	lagP99Ms: number;
	lagMaxMs: number;
	logCount: number;
	logs: string[];
}

export interface ConfigResult {
	mode: string;
	n: number;
	processes: number;
	/** Why the configuration stopped before completing, or undefined. */
	stopped?: string;
	linkedMs?: number;
	links: LinkSummary;
	/** Fraction of the pairs a full mesh would hold. */
	pairFraction: number;
	editAllP50?: number;
	editAllP95?: number;
	/** Per (edit, peer) arrival latency, all peers pooled. */
	editPeerP95?: number;
	editsDelivered: number;
	editsTried: number;
	rssPerPeerMB: number;
	heapPerPeerMB: number;
	hubRssMB?: number;
	/** The worst worker's event-loop delay over the run (p99 and max). */
	lagP99Ms: number;
	lagMaxMs: number;
	join?: {
		relayedBytes: number;
		joinerBytes: number;
		linkedMs: number;
		joinerLinks: number;
		/** The joiner's own signaling counters (WebRtcMesh.stats(), once bounded links land). */
		joinerMeshStats: unknown;
		settled: boolean;
		/** The relay's publishes during the join, by message type (scale-tap.ts). */
		byType: Tally;
		/** The same over the 2 s before the join (the formed overlay's own background). */
		backgroundByType: Tally;
	};
	relay: { rateLimitCloses: number; slowConsumers: number; refused: number; rssMB: number };
	loadBefore: number;
	loadAfter: number;
	peerLogs: number;
	sampleLogs: string[];
}

async function startRelay(
	plan: ScalePlan,
	fanout: 'targeted' | 'broadcast' = 'targeted'
): Promise<{ relay: Child; url: string }> {
	const relay = new Child('./scale-relay.ts', {
		SCALE_RELAY: fanout === 'broadcast' ? 'lifted' : plan.relay,
		SCALE_FANOUT: fanout,
		SCALE_SECRET: SECRET
	});
	const { port } = (await relay.ready) as { port: number };
	return { relay, url: `ws://127.0.0.1:${port}/signal` };
}

/** Every worker's status, flattened. */
async function statusOf(workers: Child[]): Promise<WorkerStatus[]> {
	return Promise.all(workers.map((w) => w.call<WorkerStatus>('status', {}, 90_000)));
}

/** Runs one configuration; `progress` hears a line now and then. */
export async function runConfig(
	plan: ScalePlan,
	spec: ModeSpec,
	n: number,
	progress: (line: string) => void
): Promise<ConfigResult> {
	const loadBefore = loadavg()[0]!;
	const centreId = `scale-${spec.mode.replace('+', '-')}-${n}-${Date.now()}`;
	const groups = spreadPeers(n, plan.perProcess);
	const labels = groups.flat();
	const seen = new Map<number, Map<string, number>>();
	const onPush = (m: Record<string, unknown>) => {
		if (m.type !== 'seen') return;
		const bySeq = seen.get(m.seq as number) ?? new Map<string, number>();
		seen.set(m.seq as number, bySeq);
		if (!bySeq.has(m.label as string)) bySeq.set(m.label as string, m.t as number);
	};
	const { relay, url } = await startRelay(plan, spec.fanout);
	const common = { url, centreId, secret: SECRET, floor: FLOOR };
	const hub = spec.hubOptions ? new Child('./scale-worker.ts', {}, onPush) : undefined;
	const workers = groups.map(() => new Child('./scale-worker.ts', {}, onPush));
	const joinerWorker = new Child('./scale-worker.ts', {}, onPush);
	const all = [...(hub ? [hub] : []), ...workers];
	try {
		await Promise.all([...all, joinerWorker].map((w) => w.ready));
		const members = n + (hub ? 1 : 0);
		const target = spec.target(members);
		let lastLine = 0;
		if (hub) await hub.call('start', { common, labels: [], hub: 'hub', hubOptions: spec.hubOptions });

		const t0 = now();
		let status: WorkerStatus[] = [];
		let links: LinkSummary = summariseLinks([]);
		let linkedMs: number | undefined;
		let stopped: string | undefined;
		if (spec.oneByOne) {
			// One at a time: each peer starts once the previous ones are all linked (a full mesh
			// formed by joins, the way a centre's browsers arrive), each join bounded on its own.
			const perJoinMs = plan.linkTimeoutMs;
			for (let i = 0; i < labels.length && !stopped; i++) {
				const label = labels[i]!;
				const worker = workers[groups.findIndex((g) => g.includes(label))]!;
				await worker.call('start', { common, labels: [label], peerOptions: spec.peerOptions(members) });
				if (i === 0) await worker.call('article', { label });
				const started = i + 1 + (hub ? 1 : 0);
				const joinStart = now();
				for (;;) {
					status = await statusOf(all);
					links = summariseLinks(status.flatMap((s) => s.peers));
					if (links.peers === started && isLinked(links, Math.min(target, started - 1))) break;
					if (now() - joinStart > perJoinMs) {
						stopped = `peer ${i + 1} of ${members} not linked to all ${started - 1} others within ${perJoinMs / 1000} s (links min ${links.min} mean ${links.mean.toFixed(1)}, ${links.components} component(s))`;
						break;
					}
					await pause(250);
				}
				if (now() - lastLine > 10_000) {
					lastLine = now();
					progress(
						`  ${spec.mode} n=${n}: ${started}/${members} joined one by one, ${((now() - t0) / 1000).toFixed(0)} s; event loop p99 ${Math.max(...status.map((s) => s.lagP99Ms)).toFixed(0)} ms`
					);
				}
			}
			if (!stopped) linkedMs = now() - t0;
		} else {
			// Linking: every peer starts at once (each worker starts its own one after the other).
			const started = workers.map((w, i) =>
				w.call(
					'start',
					{ common, labels: groups[i], peerOptions: spec.peerOptions(members) },
					plan.linkTimeoutMs + 60_000
				)
			);
			await started[0];
			await workers[0]!.call('article', { label: labels[0] });
			while (now() - t0 < plan.linkTimeoutMs) {
				status = await statusOf(all);
				links = summariseLinks(status.flatMap((s) => s.peers));
				if (links.peers === members && isLinked(links, target)) {
					linkedMs = now() - t0;
					break;
				}
				if (now() - lastLine > 10_000) {
					lastLine = now();
					progress(
						`  ${spec.mode} n=${n}: ${links.peers}/${members} started, links mean ${links.mean.toFixed(1)} min ${links.min}, ${links.components} component(s), ${((now() - t0) / 1000).toFixed(0)} s; event loop p99 ${Math.max(...status.map((s) => s.lagP99Ms)).toFixed(0)} ms`
					);
				}
				await pause(500);
			}
			await Promise.allSettled(started);
			if (linkedMs === undefined)
				stopped = `not linked after ${plan.linkTimeoutMs / 1000} s (${links.peers}/${members} peers up, links min ${links.min} mean ${links.mean.toFixed(1)} of ${target}, ${links.components} component(s))`;
		}
		if (stopped) progress(`  ${spec.mode} n=${n}: STOPPED, ${stopped}`);
		else
			progress(
				`  ${spec.mode} n=${n}: linked in ${(linkedMs! / 1000).toFixed(1)} s${spec.oneByOne ? ' (one by one)' : ''}`
			);

		// The article reaches everyone (bounded by the edit timeout once linked).
		const articleDeadline = now() + (stopped ? plan.editTimeoutMs : 30_000);
		while (now() < articleDeadline) {
			status = await statusOf(all);
			if (status.every((s) => s.peers.every((p) => p.article))) break;
			await pause(250);
		}

		// Edits, each from another peer; an edit's time to reach all is its last arrival.
		const receivers = status.flatMap((s) => s.peers.map((p) => p.label));
		const editsTried = stopped ? Math.min(plan.edits, 5) : plan.edits;
		const allTimes: number[] = [];
		const peerTimes: number[] = [];
		for (let i = 0; i < editsTried; i++) {
			const seq = i + 1;
			// Editors among the peers that started (all of them, unless one by one stopped early).
			const editors = labels.filter((l) => receivers.includes(l));
			const editor = editors[(i * 7) % editors.length]!;
			const worker = workers[groups.findIndex((g) => g.includes(editor))]!;
			const t = await worker.call<number>('edit', { label: editor, seq });
			const others = receivers.filter((l) => l !== editor);
			const deadline = t + plan.editTimeoutMs;
			while (now() < deadline && others.some((l) => !seen.get(seq)?.has(l))) await pause(20);
			const arrivals = others.map((l) => seen.get(seq)?.get(l)).filter((x): x is number => x !== undefined);
			for (const a of arrivals) peerTimes.push(a - t);
			if (arrivals.length === others.length) allTimes.push(Math.max(...arrivals) - t);
		}

		// Memory: each process's RSS over the peers in it.
		status = await statusOf(all);
		const peerStatus = hub ? status.slice(1) : status;
		const perPeer = (key: 'rssMB' | 'heapMB') =>
			peerStatus.reduce((a, s) => a + s[key], 0) /
			Math.max(
				1,
				peerStatus.reduce((a, s) => a + s.peers.length, 0)
			);

		// A join into the formed overlay: the relay's bytes over the join, less the background rate.
		let join: ConfigResult['join'];
		if (!stopped) {
			await relay.call('tap', { on: true });
			const b0 = await relay.call<RelayBytes>('bytes');
			const q0 = now();
			await pause(2_000);
			const b1 = await relay.call<RelayBytes>('bytes');
			const q1 = now();
			const backgroundByType = await relay.call<Tally>('tap', { on: false });
			await relay.call('tap', { on: true });
			const background = (b1.written + b1.read - b0.written - b0.read) / (q1 - q0);
			const backgroundWritten = (b1.written - b0.written) / (q1 - q0);
			const j0 = now();
			await joinerWorker.call('start', {
				common,
				labels: ['joiner'],
				peerOptions: spec.peerOptions(members + 1)
			});
			let joinerLinks = 0;
			let joinerMeshStats: unknown;
			let joinLinkedMs = Number.NaN;
			const joinTarget = spec.target(members + 1);
			while (now() - j0 < plan.linkTimeoutMs) {
				const s = await statusOf([...all, joinerWorker]);
				const l = summariseLinks(s.flatMap((x) => x.peers));
				joinerLinks = s.at(-1)!.peers[0]!.links.length;
				joinerMeshStats = s.at(-1)!.peers[0]!.meshStats;
				if (l.peers === members + 1 && isLinked(l, joinTarget)) {
					joinLinkedMs = now() - j0;
					break;
				}
				await pause(250);
			}
			// Settled: trickled candidates and answers are through once the relay's rate is back
			// near the background (checked over 500 ms windows, 10 s at most).
			let settled = false;
			let prev = await relay.call<RelayBytes>('bytes');
			let prevT = now();
			const settleEnd = now() + 10_000;
			while (now() < settleEnd) {
				await pause(500);
				const cur = await relay.call<RelayBytes>('bytes');
				const rate = (cur.written + cur.read - prev.written - prev.read) / (now() - prevT);
				prev = cur;
				prevT = now();
				if (rate <= Math.max(2 * background, 0.5)) {
					settled = true;
					break;
				}
			}
			const byType = await relay.call<Tally>('tap', { on: false });
			const joiner = prev.byPeer['joiner'] ?? { read: 0, written: 0 };
			join = {
				relayedBytes: Math.max(0, prev.written - b1.written - backgroundWritten * (prevT - q1)),
				joinerBytes: joiner.read + joiner.written,
				linkedMs: joinLinkedMs,
				joinerLinks,
				joinerMeshStats,
				settled,
				byType,
				backgroundByType
			};
		}

		const final = await relay.call<RelayBytes>('bytes');
		const workerStatus = status.filter((s) => s.peers.length > 0);
		return {
			mode: spec.mode,
			n,
			processes: workers.length + (hub ? 1 : 0),
			stopped,
			linkedMs,
			links,
			pairFraction: links.pairs / ((members * (members - 1)) / 2),
			editAllP50: allTimes.length ? percentile(allTimes, 50) : undefined,
			editAllP95: allTimes.length ? percentile(allTimes, 95) : undefined,
			editPeerP95: peerTimes.length ? percentile(peerTimes, 95) : undefined,
			editsDelivered: allTimes.length,
			editsTried,
			rssPerPeerMB: perPeer('rssMB'),
			heapPerPeerMB: perPeer('heapMB'),
			hubRssMB: hub ? status[0]!.rssMB : undefined,
			lagP99Ms: Math.max(...status.map((s) => s.lagP99Ms)),
			lagMaxMs: Math.max(...status.map((s) => s.lagMaxMs)),
			join,
			relay: {
				rateLimitCloses: final.rateLimit,
				slowConsumers: final.slowConsumer,
				refused: final.refused,
				rssMB: final.rssMB
			},
			loadBefore,
			loadAfter: loadavg()[0]!,
			peerLogs: workerStatus.reduce((a, s) => a + s.logCount, 0),
			sampleLogs: workerStatus.flatMap((s) => s.logs).slice(0, 3)
		};
	} finally {
		await Promise.all([...all, joinerWorker].map((w) => w.stop()));
		await relay.stop();
	}
}

export interface FillResult {
	source: 'peer' | 'hub';
	articles: number;
	/** Bytes of the source's documents (Yjs updates). */
	bytes: number;
	ms: number;
	reached: boolean;
	held: number;
}

/** A fresh peer joins a centre whose only other member (a peer or the hub) holds `articles`. */
export async function runFill(
	plan: ScalePlan,
	spec: ModeSpec,
	source: 'peer' | 'hub',
	progress: (line: string) => void
): Promise<FillResult> {
	const { relay, url } = await startRelay(plan);
	const common = { url, centreId: `scale-fill-${source}-${Date.now()}`, secret: SECRET, floor: FLOOR };
	const full = new Child('./scale-worker.ts');
	const fresh = new Child('./scale-worker.ts');
	try {
		await Promise.all([full.ready, fresh.ready]);
		const label = source === 'hub' ? 'hub' : 'full';
		await full.call(
			'start',
			source === 'hub'
				? { common, labels: [], hub: 'hub', hubOptions: spec.hubOptions }
				: { common, labels: ['full'], peerOptions: spec.peerOptions(2) }
		);
		const filled = await full.call<{ bytes: number; ms: number }>(
			'fill',
			{ label, count: plan.fillArticles },
			600_000
		);
		progress(
			`  fill from ${source}: source holds ${plan.fillArticles} articles (${(filled.bytes / 1e6).toFixed(1)} MB) after ${(filled.ms / 1000).toFixed(1)} s`
		);
		const started = await fresh.call<Record<string, { startedAt: number }>>('start', {
			common,
			labels: ['fresh'],
			peerOptions: spec.peerOptions(2)
		});
		const r = await fresh.call<{ reached: boolean; t: number; held: number }>(
			'waitCount',
			{ label: 'fresh', count: plan.fillArticles + 1, timeoutMs: 120_000 },
			180_000
		);
		return {
			source,
			articles: plan.fillArticles,
			bytes: filled.bytes,
			ms: r.t - started['fresh']!.startedAt,
			reached: r.reached,
			held: r.held
		};
	} finally {
		await Promise.all([full.stop(), fresh.stop()]);
		await relay.stop();
	}
}
