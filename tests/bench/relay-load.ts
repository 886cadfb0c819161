// The load of the relay benchmark, in a process of its own so that generating it does not delay the
// honest client's pings (measured by the parent): 500 ordinary connections over ten loopback
// addresses exchanging small messages, then, on `flood`, slow consumers that stop reading and
// publish 60 KB messages within the rate limit, reconnecting whenever the relay drops them, until
// they have published 86 MB (the probe's volume).
import WebSocket from 'ws';

const url = process.env.RELAY_URL!;
const ORDINARY = 500;
const SLOW = 10;
const SLOW_RATE_PER_S = 28; // the limit is 300 per 10 s
const FLOOD_BYTES = 86 * 1024 * 1024; // the probe's volume
const MAX_FLOOD_MS = 120_000;

function open(localAddress: string): Promise<WebSocket> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
		ws.once('open', () => resolve(ws));
		ws.once('error', reject);
	});
}

const frame = (message: unknown) => JSON.stringify(message);
const send = (ws: WebSocket, data: string) => {
	if (ws.readyState === ws.OPEN) ws.send(data);
};

const ordinary: WebSocket[] = [];
for (let i = 0; i < ORDINARY; i += 50) {
	const batch = await Promise.all(
		Array.from({ length: 50 }, (_, k) => open(`127.0.0.${2 + Math.floor((i + k) / 50)}`))
	);
	batch.forEach((ws, k) => {
		ws.on('message', () => {});
		send(ws, frame({ type: 'subscribe', topics: [`space-${(i + k) % 50}`] }));
		ordinary.push(ws);
	});
}
// A small message (an offer-sized 2 KB) from one agent in twenty every 80 ms, about 300 a second.
const small = ordinary.map((_, k) =>
	frame({ type: 'publish', topic: `space-${k % 50}`, data: 'x'.repeat(2000) })
);
const chatter = setInterval(() => {
	for (let k = 0; k < ordinary.length; k += 20) send(ordinary[k]!, small[k]!);
}, 80);
// Keep-alive, as Plateau's client does every 15 s.
const keepAlive = setInterval(() => ordinary.forEach((ws) => send(ws, frame({ type: 'ping' }))), 15_000);

async function flood(): Promise<{
	offeredMB: number;
	relayedMB: number;
	floodMs: number;
	reconnects: number;
}> {
	const big = frame({ type: 'publish', topic: 'flood', data: 'y'.repeat(60 * 1024) });
	// A reading subscriber of the flood topic: what the relay passes on to a reader.
	const observer = await open('127.0.0.201');
	send(observer, frame({ type: 'subscribe', topics: ['flood'] }));
	let relayed = 0;
	let lastRelayed = performance.now();
	observer.on('message', (data: Buffer) => {
		relayed += data.length;
		lastRelayed = performance.now();
	});
	let offered = 0;
	let reconnects = 0;
	const started = performance.now();
	const slow = new Set<WebSocket>();
	const done = () => offered >= FLOOD_BYTES || performance.now() - started > MAX_FLOOD_MS;
	const addSlow = async (): Promise<void> => {
		const ws = await open('127.0.0.200');
		ws.on('error', () => {});
		send(ws, frame({ type: 'subscribe', topics: ['flood'] }));
		ws.pause(); // reads nothing from now on
		slow.add(ws);
		ws.once('close', () => {
			slow.delete(ws);
			if (!done()) {
				reconnects++;
				void addSlow();
			}
		});
	};
	await Promise.all(Array.from({ length: SLOW }, addSlow));
	await new Promise<void>((resolve) => {
		const tick = setInterval(() => {
			for (const ws of slow) {
				if (done()) {
					clearInterval(tick);
					return resolve();
				}
				if (ws.bufferedAmount > 1024 * 1024) continue; // this process's own queue: wait for it
				send(ws, big);
				offered += big.length;
			}
		}, 1000 / SLOW_RATE_PER_S);
	});
	// Sent is not yet handled: wait until the relay has passed nothing on for a second.
	await new Promise<void>((resolve) => {
		const quiet = setInterval(() => {
			if (performance.now() - lastRelayed < 1000 && performance.now() - started < MAX_FLOOD_MS) return;
			clearInterval(quiet);
			resolve();
		}, 100);
	});
	const floodMs = performance.now() - started;
	for (const ws of slow) ws.terminate();
	observer.terminate();
	return { offeredMB: offered / 1024 / 1024, relayedMB: relayed / 1024 / 1024, floodMs, reconnects };
}

process.on('message', (message) => {
	if (message === 'flood') void flood().then((r) => process.send!({ type: 'flooded', ...r }));
	if (message === 'stop') {
		clearInterval(chatter);
		clearInterval(keepAlive);
		for (const ws of ordinary) ws.terminate();
		process.exit(0);
	}
});
process.send!({ type: 'ready', connections: ordinary.length });
