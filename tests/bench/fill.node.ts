// `npm run bench -- fill`: a fresh device filled by the centre hub (issue 13: 5,000 articles in a
// fresh browser in ≤ 5 s). One real hub (createHub on FsStorage, restarted from its directory so it
// serves from disk as after a restart) holding PLATEAU_FILL_ARTICLES generated articles (5,000) and
// the knowledge base's catalog; in the same run, interleaved so both see the same machine load:
//  (a) a fresh Node peer (Repo on FsStorage, Synchronizer) over the hub socket (`ws`);
//  (b) a fresh browser (headless Chromium, a harness page with the real Repo on IndexedDB and the
//      Synchronizer) over the hub socket — until every document is stored in IndexedDB and listed.
// p50 over PLATEAU_FILL_RUNS rounds (3); the first round meets a hub that has just started (its
// documents still on disk), later ones a hub holding them open. Load average printed at both ends.
// PLATEAU_FILL_NODE=0 leaves the Node peer out (A/B runs of the page's code; the browser's first
// round then meets the cold hub).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { build } from 'vite';
import { expect, test } from 'vitest';
import { createHub, type Hub } from '../../src/lib/server/hub';
import { createHubLog } from '../../src/lib/server/hub-log';
import { chromiumLaunchOptions } from '../support/chromium';
import { fillHubStore, fillNodePeer, FILL_SECRET } from './fill-node';
import { percentile, report } from './report';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ARTICLES = Number(process.env.PLATEAU_FILL_ARTICLES ?? 5000);
const RUNS = Number(process.env.PLATEAU_FILL_RUNS ?? 3);
const TIMEOUT_MS = 180_000;
/** PLATEAU_FILL_PROFILE=1: a CPU profile of the page during each browser fill, its heaviest
 *  functions (self time) printed. */
const PROFILE = process.env.PLATEAU_FILL_PROFILE === '1';
/** PLATEAU_FILL_NODE=0: the browser fill alone (A/B runs of the page's code). */
const NODE_PEER = process.env.PLATEAU_FILL_NODE !== '0';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
}

/** The functions that took most of the samples, self time, as "name (file:line) ms". */
function heaviest(profile: { nodes: ProfileNode[]; startTime: number; endTime: number }, n = 30): string[] {
	const total = profile.nodes.reduce((a, x) => a + (x.hitCount ?? 0), 0) || 1;
	const ms = (profile.endTime - profile.startTime) / 1000;
	const by = new Map<string, number>();
	for (const node of profile.nodes) {
		const f = node.callFrame;
		const key = `${f.functionName || '(anonymous)'} (${f.url.split('/').pop()}:${f.lineNumber})`;
		by.set(key, (by.get(key) ?? 0) + (node.hitCount ?? 0));
	}
	return [...by]
		.sort((a, b) => b[1] - a[1])
		.slice(0, n)
		.map(([k, hits]) => `${((hits / total) * ms).toFixed(0)} ms ${k}`);
}

async function bundle(): Promise<string> {
	const out = await build({
		configFile: false,
		logLevel: 'warn',
		root,
		build: {
			write: false,
			minify: false,
			lib: { entry: 'tests/bench/fill-page.ts', formats: ['iife'], name: 'PlateauFillBench' }
		}
	});
	const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; code?: string }[] }[];
	return outputs[0]!.output.find((o) => o.type === 'chunk')!.code!;
}

interface PageResult {
	ms: number;
	firstMs: number;
	allMs: number;
	stored: number;
	rejected: number;
	reached: boolean;
	phases: Record<string, number>;
}

/** CPU time (ms) of every process descended from this one: the Chromium we launched (renderer,
 *  storage, network processes), read from /proc. */
function childrenCpuMs(): number {
	const stats = new Map<number, { ppid: number; ticks: number }>();
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
			const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			stats.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
		} catch {
			// gone meanwhile
		}
	}
	const ours = (pid: number): boolean => {
		for (let p = stats.get(pid)?.ppid; p; p = stats.get(p)?.ppid) if (p === process.pid) return true;
		return false;
	};
	let ticks = 0;
	for (const [pid, s] of stats) if (ours(pid)) ticks += s.ticks;
	return (ticks * 1000) / 100; // USER_HZ
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const load = () => loadavg().map((l) => Math.round(l * 100) / 100);

test('fill: a fresh Node peer and a fresh browser filled by the hub', { timeout: 1_800_000 }, async () => {
	const loadBefore = load();
	console.log(`fill: load average ${loadBefore.join(' ')} at start`);
	const script = await bundle();
	const dir = await mkdtemp(join(tmpdir(), 'plateau-fill-'));
	const centreId = `fill-${Date.now()}`;
	const seeded = await fillHubStore(join(dir, 'hub'), ARTICLES);
	console.log(
		`fill: hub store holds ${ARTICLES} articles (${(seeded.bytes / 1e6).toFixed(1)} MB of updates), written in ${(seeded.ms / 1000).toFixed(1)} s`
	);

	const server = createServer((req, res) => {
		if (req.url === '/fill.js') {
			res.setHeader('content-type', 'text/javascript');
			res.end(script);
		} else {
			res.setHeader('content-type', 'text/html');
			res.end('<!doctype html><meta charset="utf-8"><script src="/fill.js"></script>');
		}
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const port = (server.address() as AddressInfo).port;
	const hubUrl = `ws://127.0.0.1:${port}/hub`;
	const quiet = createHubLog({ write: () => {} });
	let hub: Hub | undefined;
	const browser = await chromium.launch(chromiumLaunchOptions);
	const nodeMs: number[] = [];
	const browserMs: number[] = [];
	// CPU time besides wall time: on the shared machine the wall clock mostly measures others' load.
	const nodeCpu: number[] = [];
	const browserCpu: number[] = [];
	const hubCpu: number[] = [];
	const chromiumCpu: number[] = [];
	const count = ARTICLES + 1; // and the knowledge base's catalog
	try {
		hub = await createHub({
			centreId,
			secret: FILL_SECRET,
			dataDir: join(dir, 'hub'),
			httpServer: server,
			log: quiet
		});
		for (let round = 0; round < RUNS; round++) {
			const cpu0 = process.cpuUsage();
			const node = NODE_PEER
				? await fillNodePeer({
						url: hubUrl,
						centreId,
						dir: join(dir, `node-${round}`),
						count,
						timeoutMs: TIMEOUT_MS
					})
				: { ms: 0, stored: 0, rejected: 0, reached: true };
			console.log(
				`fill: round ${round + 1}, Node peer ${node.reached ? `${(node.ms / 1000).toFixed(2)} s` : `NOT complete: ${node.stored} stored`} (rejected ${node.rejected}), load ${load()[0]}`
			);
			expect(node.reached).toBe(true);
			nodeMs.push(node.ms);
			nodeCpu.push(cpuMs(process.cpuUsage(cpu0)));

			const context = await browser.newContext();
			const page = await context.newPage();
			page.on('console', (m) => m.type() === 'error' && console.log(`page: ${m.text()}`));
			await page.goto(`http://127.0.0.1:${port}/`);
			const cdp = await context.newCDPSession(page);
			await cdp.send('Performance.enable');
			const task = async () =>
				(await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value;
			const task0 = await task();
			if (PROFILE) {
				await cdp.send('Profiler.enable');
				await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
				await cdp.send('Profiler.start');
			}
			const chromium0 = childrenCpuMs();
			const hub0 = process.cpuUsage();
			const b = await page.evaluate(
				(a) =>
					(
						globalThis as unknown as {
							bench: {
								fill: (x: typeof a) => Promise<PageResult>;
							};
						}
					).bench.fill(a),
				{ url: hubUrl, centreId, secret: FILL_SECRET, count, timeoutMs: TIMEOUT_MS }
			);
			browserCpu.push((await task()) * 1000 - task0 * 1000);
			if (PROFILE) {
				const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
					profile: { nodes: ProfileNode[]; startTime: number; endTime: number };
				};
				console.log(`fill: page profile, self time:\n  ${heaviest(profile).join('\n  ')}`);
			}
			hubCpu.push(cpuMs(process.cpuUsage(hub0)));
			chromiumCpu.push(childrenCpuMs() - chromium0);
			await context.close();
			console.log(
				`fill: round ${round + 1}, browser ${b.reached ? `${(b.ms / 1000).toFixed(2)} s (first document at ${(b.firstMs / 1000).toFixed(2)} s, all applied at ${(b.allMs / 1000).toFixed(2)} s; main thread busy ${(browserCpu.at(-1)! / 1000).toFixed(2)} s, Chromium CPU ${(chromiumCpu.at(-1)! / 1000).toFixed(2)} s, hub process CPU ${(hubCpu.at(-1)! / 1000).toFixed(2)} s)` : `NOT complete: ${b.stored} stored`} (rejected ${b.rejected}), load ${load()[0]}`
			);
			console.log(
				`fill: round ${round + 1}, browser: first message of each kind at ${Object.entries(b.phases)
					.sort((x, y) => x[1] - y[1])
					.map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`)
					.join(', ')}`
			);
			expect(b.reached).toBe(true);
			browserMs.push(b.ms);
		}
	} finally {
		await browser.close();
		await hub?.destroy();
		server.closeAllConnections();
		server.close();
		await rm(dir, { recursive: true, force: true });
	}
	const loadAfter = load();
	console.log(`fill: load average ${loadAfter.join(' ')} at end`);
	report({
		bench: `fill.browser.hub.${ARTICLES}articles.p50`,
		value: percentile(browserMs, 50),
		unit: 'ms',
		target: 5000
	});
	report({
		bench: `fill.node.hub.${ARTICLES}articles.p50`,
		value: percentile(nodeMs, 50),
		unit: 'ms',
		target: 5000
	});
	report({ bench: `fill.node.hub.${ARTICLES}articles.coldHub`, value: nodeMs[0]!, unit: 'ms' });
	report({
		bench: `fill.browser.hub.${ARTICLES}articles.mainThread.p50`,
		value: percentile(browserCpu, 50),
		unit: 'ms'
	});
	report({
		bench: `fill.browser.hub.${ARTICLES}articles.chromiumCpu.p50`,
		value: percentile(chromiumCpu, 50),
		unit: 'ms'
	});
	report({
		bench: `fill.browser.hub.${ARTICLES}articles.hubCpu.p50`,
		value: percentile(hubCpu, 50),
		unit: 'ms'
	});
	report({ bench: `fill.node.hub.${ARTICLES}articles.cpu.p50`, value: percentile(nodeCpu, 50), unit: 'ms' });
	report({ bench: 'fill.loadavg.start', value: loadBefore[0]!, unit: 'load' });
	report({ bench: 'fill.loadavg.end', value: loadAfter[0]!, unit: 'load' });
});
