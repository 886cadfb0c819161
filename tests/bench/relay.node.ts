// `npm run bench -- relay`: the signaling relay's memory and responsiveness under the load that once
// grew it without bound (see relay-load.ts): 500 ordinary connections, then 10 slow consumers that
// stop reading and publish within the rate limit until 86 MB have been offered. Relay, load and the
// honest client (here, a ping every 50 ms) are three processes, so the relay's RSS is its own and
// the pings are not delayed by the load's generation. Figures: the relay's peak RSS, the honest
// client's ping p50/p95 before and during the flood, beside the same run with the byte budget lifted.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import WebSocket from 'ws';
import { percentile, report } from './report';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** A child process speaking `{type}` messages over IPC. */
class Child {
	readonly #child: ChildProcess;
	constructor(script: string, env: Record<string, string>) {
		this.#child = fork(here(script), [], {
			execArgv: ['--import', 'tsx'],
			env: { ...process.env, ...env },
			stdio: ['ignore', 'inherit', 'inherit', 'ipc']
		});
	}
	/** Sends `command` (if any) and resolves with the next message of `type`. */
	ask<T>(type: string, command?: string): Promise<T> {
		const reply = new Promise<T>((resolve, reject) => {
			const onMessage = (m: { type?: string }) => {
				if (m.type !== type) return;
				this.#child.off('message', onMessage);
				this.#child.off('exit', onExit);
				resolve(m as T);
			};
			const onExit = (code: number | null) => reject(new Error(`child exited (${code}) waiting for ${type}`));
			this.#child.on('message', onMessage);
			this.#child.once('exit', onExit);
		});
		if (command) this.#child.send(command);
		return reply;
	}
	async stop(): Promise<void> {
		if (this.#child.exitCode !== null) return;
		const exited = new Promise((resolve) => this.#child.once('exit', resolve));
		this.#child.send('stop');
		await exited;
	}
}

interface RelayStats {
	rssMB: number;
	peakMB: number;
	connections: number;
	dropped: number;
	lagP99Ms: number;
}

/** Pings every 50 ms (one at a time) until stopped; round trips in ms, and pings left unanswered 2 s. */
function pinger(ws: WebSocket): { stop: () => { rtts: number[]; unanswered: number } } {
	const rtts: number[] = [];
	let pending: number | undefined;
	let unanswered = 0;
	const onMessage = (data: WebSocket.RawData) => {
		if (pending !== undefined && data.toString() === '{"type":"pong"}') {
			rtts.push(performance.now() - pending);
			pending = undefined;
		}
	};
	ws.on('message', onMessage);
	const timer = setInterval(() => {
		if (pending !== undefined) {
			if (performance.now() - pending < 2000) return;
			unanswered++;
		}
		pending = performance.now();
		ws.send('{"type":"ping"}');
	}, 50);
	return {
		stop: () => {
			clearInterval(timer);
			ws.off('message', onMessage);
			return { rtts, unanswered };
		}
	};
}

async function run(unbounded: boolean) {
	const relay = new Child('./relay-server.ts', { RELAY_UNBOUNDED: unbounded ? '1' : '0' });
	let load: Child | undefined;
	let honest: WebSocket | undefined;
	try {
		const { port, rssMB: startMB } = await relay.ask<{ port: number; rssMB: number }>('ready');
		const url = `ws://127.0.0.1:${port}/signal`;
		load = new Child('./relay-load.ts', { RELAY_URL: url });
		await load.ask('ready');
		honest = new WebSocket(url, { localAddress: '127.0.0.1' });
		await new Promise((resolve, reject) => honest!.once('open', resolve).once('error', reject));

		// 3 s of ordinary traffic, then the flood.
		let ping = pinger(honest);
		await new Promise((resolve) => setTimeout(resolve, 3000));
		const quiet = ping.stop();
		const before = await relay.ask<RelayStats>('stats', 'stats');
		ping = pinger(honest);
		const flood = await load.ask<{
			offeredMB: number;
			relayedMB: number;
			floodMs: number;
			reconnects: number;
		}>('flooded', 'flood');
		const flooded = ping.stop();
		const after = await relay.ask<RelayStats>('stats', 'stats');
		return {
			startMB,
			beforeMB: before.rssMB,
			peakMB: after.peakMB,
			quietP50: percentile(quiet.rtts, 50),
			quietP95: percentile(quiet.rtts, 95),
			p50: percentile(flooded.rtts, 50),
			p95: percentile(flooded.rtts, 95),
			unanswered: flooded.unanswered,
			dropped: after.dropped,
			lagP99Ms: after.lagP99Ms,
			connections: before.connections,
			...flood
		};
	} finally {
		honest?.terminate();
		await load?.stop();
		await relay.stop();
	}
}

test('relay: memory and ping latency under slow consumers', { timeout: 600_000 }, async () => {
	const budget = await run(false);
	const lifted = await run(true);
	for (const [name, r] of [
		['budget', budget],
		['nobudget', lifted]
	] as const)
		console.log(
			`relay.detail.${name}: ${r.connections} connections; RSS ${r.startMB.toFixed(0)} MB empty, ` +
				`${r.beforeMB.toFixed(0)} MB loaded, peak ${r.peakMB.toFixed(0)} MB; ping p50/p95 ` +
				`${r.quietP50.toFixed(1)}/${r.quietP95.toFixed(1)} ms before the flood, ` +
				`${r.p50.toFixed(1)}/${r.p95.toFixed(1)} ms during it (${r.unanswered} unanswered); ` +
				`${r.offeredMB.toFixed(0)} MB published, ${r.relayedMB.toFixed(0)} MB relayed to a reader, in ${(r.floodMs / 1000).toFixed(1)} s; ` +
				`${r.reconnects} reconnections; ` +
				`${r.dropped} slow consumers dropped; relay event loop p99 ${r.lagP99Ms.toFixed(0)} ms`
		);
	const peer = 'no byte budget';
	report({
		bench: 'relay.rss.peak',
		value: budget.peakMB,
		unit: 'MB',
		target: 200,
		peer,
		peerValue: lifted.peakMB
	});
	report({ bench: 'relay.ping.quiet.p95', value: budget.quietP95, unit: 'ms', target: 50 });
	report({ bench: 'relay.ping.p50', value: budget.p50, unit: 'ms', target: 20, peer, peerValue: lifted.p50 });
	report({
		bench: 'relay.ping.p95',
		value: budget.p95,
		unit: 'ms',
		target: 100,
		peer,
		peerValue: lifted.p95
	});
	report({
		bench: 'relay.ping.unanswered',
		value: budget.unanswered,
		unit: 'pings',
		target: 0,
		peer,
		peerValue: lifted.unanswered
	});
	expect(budget.connections).toBeGreaterThanOrEqual(501);
	expect(budget.dropped).toBeGreaterThan(0);
	expect(budget.offeredMB).toBeGreaterThanOrEqual(86);
	expect(budget.relayedMB).toBeGreaterThan(0);
});
