// `npm run bench -- sync`: Chromium, two browser contexts, real WebRTC through Plateau's signaling
// relay. Small-update latency A→B (p50/p95, targets 5 and 15 ms) beside stock y-webrtc on one
// document in the same run; time for an empty peer to receive 5,000 articles (~20 MB, ≤ 10 s).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright';
import { build } from 'vite';
import { expect, test } from 'vitest';
import { attachSignaling } from '../../src/lib/server/attach';
import { chromiumLaunchOptions } from '../support/chromium';
import { percentile, report } from './report';

const root = fileURLToPath(new URL('../../', import.meta.url));
type Bench = Record<string, (...args: never[]) => unknown>;
const call = <T>(page: Page, fn: string, ...args: unknown[]) =>
	page.evaluate(
		([f, a]) => (globalThis as unknown as { bench: Bench })['bench'][f as string]!(...(a as never[])),
		[fn, args] as const
	) as Promise<T>;

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
	const start = Date.now();
	while (!(await check())) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out: ${what}`);
		await new Promise((r) => setTimeout(r, 20));
	}
}

test('sync: latency and bulk transfer over real WebRTC', { timeout: 600_000 }, async () => {
	const out = await build({
		configFile: false,
		logLevel: 'warn',
		root,
		// simple-peer's browser build, which needs no Node polyfills.
		resolve: {
			alias: [{ find: /^simple-peer$/, replacement: `${root}node_modules/simple-peer/simplepeer.min.js` }]
		},
		build: {
			write: false,
			minify: false,
			lib: { entry: 'tests/bench/sync-page.ts', formats: ['iife'], name: 'PlateauSyncBench' }
		}
	});
	const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; code?: string }[] }[];
	const script = outputs[0]!.output.find((o) => o.type === 'chunk')!.code!;

	const server = createServer((req, res) => {
		if (req.url === '/bench.js') {
			res.setHeader('content-type', 'text/javascript');
			res.end(script);
		} else {
			res.setHeader('content-type', 'text/html');
			res.end('<!doctype html><meta charset="utf-8"><script src="/bench.js"></script>');
		}
	});
	const relay = attachSignaling(server, () => {}, { exclusive: true });
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const base = `http://localhost:${(server.address() as AddressInfo).port}`;
	const url = `${base.replace('http', 'ws')}/signal`;
	const browser = await chromium.launch(chromiumLaunchOptions);
	try {
		const open = async () => {
			const page = await (await browser.newContext()).newPage();
			await page.goto(base);
			return page;
		};
		const room = `r${Date.now()}`;
		const a = await open();
		const b = await open();
		await call(a, 'start', { url, room, agent: 'agent-a', storage: 'memory' });
		await call(b, 'start', { url, room, agent: 'agent-b', storage: 'memory' });
		await waitFor(
			async () => (await call<number>(a, 'peers')) === 1 && (await call<number>(b, 'peers')) === 1,
			'A and B to connect'
		);
		await call(a, 'send', 0);
		await waitFor(
			async () => (await call<number | undefined>(b, 'receivedAt', 0)) !== undefined,
			'first update'
		);

		await call(a, 'yStart', { url, room });
		await call(b, 'yStart', { url, room });
		await waitFor(
			async () => (await call<number>(a, 'yPeers')) === 1 && (await call<number>(b, 'yPeers')) === 1,
			'y-webrtc peers'
		);

		const RUNS = 200;
		const plateau: number[] = [];
		const stock: number[] = [];
		for (let i = 1; i <= RUNS; i++) {
			// Interleaved so both stacks see the same machine load.
			const t0 = await call<number>(a, 'send', i);
			await waitFor(
				async () => (await call<number | undefined>(b, 'receivedAt', i)) !== undefined,
				`update ${i}`,
				5000
			);
			plateau.push((await call<number>(b, 'receivedAt', i)) - t0);
			const y0 = await call<number>(a, 'ySend', i);
			await waitFor(
				async () => (await call<number | undefined>(b, 'yReceivedAt', i)) !== undefined,
				`y-webrtc update ${i}`,
				5000
			);
			stock.push((await call<number>(b, 'yReceivedAt', i)) - y0);
		}
		report({
			bench: 'sync.latency.p50',
			value: percentile(plateau, 50),
			unit: 'ms',
			target: 5,
			peer: 'y-webrtc',
			peerValue: percentile(stock, 50)
		});
		report({
			bench: 'sync.latency.p95',
			value: percentile(plateau, 95),
			unit: 'ms',
			target: 15,
			peer: 'y-webrtc',
			peerValue: percentile(stock, 95)
		});

		// Bulk: a full peer with 5,000 articles, an empty peer (IndexedDB) joining.
		const bulkRoom = `bulk${Date.now()}`;
		const full = await open();
		await call(full, 'start', { url, room: bulkRoom, agent: 'agent-full', storage: 'memory' });
		const bytes = await call<number>(full, 'fill', 5000, 380);
		console.log(`sync: full peer holds 5,000 articles, ${(bytes / 1e6).toFixed(1)} MB of updates`);
		const empty = await open();
		const t0 = Date.now();
		await call(empty, 'start', { url, room: bulkRoom, agent: 'agent-empty', storage: 'indexeddb' });
		await waitFor(
			async () => (await call<number>(empty, 'count')) >= 5001,
			'the empty peer to hold 5,001 documents',
			120_000
		);
		await call(empty, 'flush');
		const elapsed = Date.now() - t0;
		expect(await call<number>(empty, 'count')).toBe(5001);
		report({ bench: 'sync.bulk.5000articles', value: elapsed, unit: 'ms', target: 10_000 });
	} finally {
		await browser.close();
		await relay.close();
		server.closeAllConnections();
		server.close();
	}
});
