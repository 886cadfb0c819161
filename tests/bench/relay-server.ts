// The relay under benchmark, in a process of its own so that its memory is measured apart from the
// clients': Plateau's production wiring (createAppServer) on a free loopback port. It samples its RSS
// and answers the parent's `stats` requests over IPC. RELAY_UNBOUNDED=1 lifts the per-subscriber
// byte budget (the queue as it was before the budget existed), as the comparison.
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createAppServer } from '../../src/lib/server/http-server';

const unbounded = process.env.RELAY_UNBOUNDED === '1';
const { server, signaling } = createAppServer((_req, res) => res.end('bench'), {
	signaling: unbounded ? { maxBufferedBytes: Number.POSITIVE_INFINITY } : {}
});

const mb = () => process.memoryUsage().rss / 1024 / 1024;
let peak = mb();
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const sampler = setInterval(() => (peak = Math.max(peak, mb())), 20);

process.on('message', (message) => {
	if (message === 'stats') {
		process.send!({
			type: 'stats',
			rssMB: mb(),
			peakMB: Math.max(peak, mb()),
			...signaling.stats(),
			dropped: signaling.slowConsumersDropped(),
			lagP99Ms: lag.percentile(99) / 1e6,
			lagMaxMs: lag.max / 1e6
		});
	} else if (message === 'stop') {
		clearInterval(sampler);
		void signaling.close().then(() => {
			server.closeAllConnections();
			server.close(() => process.exit(0));
		});
	}
});

server.listen(0, '127.0.0.1', () => {
	process.send!({ type: 'ready', port: (server.address() as AddressInfo).port, rssMB: mb() });
});
