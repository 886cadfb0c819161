// One hub instance of the chaos test (hub-chaos.test.ts), as a child process: PostgreSQL storage,
// the Redis bus, its agents on hub sockets. Tells the parent over IPC:
//  - `{ type: 'stored', docId, ranges }` once each write is stored (acknowledged = stored), with the
//    ranges [client, clock, length] of the items it holds, so the parent can check PostgreSQL for them;
//  - answers `{ type: 'state', docIds }` with each document's state vector (base64) and the
//    instances it is linked to over the bus.
// Settings come in CHAOS_* environment variables. Never outlives a parent that died.
import { createServer } from 'node:http';
import * as Y from 'yjs';
import { createHub } from '../../src/lib/server/hub';
import { RedisHubBus } from '../../src/lib/server/hub-bus-redis';
import { createHubLog } from '../../src/lib/server/hub-log';

const env = process.env;
const send = (m: unknown) => process.connected && process.send?.(m);
process.on('disconnect', () => process.exit(3));
setTimeout(() => process.exit(2), 300_000).unref();

// The bus is made here, with the test's own prefix.
const bus = new RedisHubBus({
	url: env.CHAOS_REDIS_URL!,
	prefix: env.CHAOS_BUS_PREFIX!,
	instanceId: env.CHAOS_INSTANCE
});
// The instance's own HTTP server: its agents' hub sockets connect to /hub on CHAOS_PORT (the same
// port after a restart, so they reconnect on their own).
const server = createServer((_req, res) => res.end());
await new Promise<void>((resolve) => server.listen(Number(env.CHAOS_PORT), '127.0.0.1', () => resolve()));
const hub = await createHub({
	centreId: env.CHAOS_CENTRE!,
	secret: env.CHAOS_SECRET!,
	httpServer: server,
	databaseUrl: env.CHAOS_DATABASE_URL,
	databaseSchema: env.CHAOS_SCHEMA,
	bus,
	busTiming: { heartbeatMs: 250, timeoutMs: 1500, reconnectDelayMs: 250 },
	log: createHubLog({ write: (line) => process.stderr.write(`${line}\n`) })
});

hub.storage.onStored((docId, update) => {
	const ranges: [number, number, number][] = [];
	for (const s of Y.decodeUpdate(update).structs)
		if (!(s instanceof Y.Skip)) ranges.push([s.id.client, s.id.clock, s.length]);
	send({ type: 'stored', docId, ranges });
});

process.on('message', async (m: { type: string; docIds?: string[] }) => {
	if (m.type !== 'state') return;
	const out: Record<string, string> = {};
	for (const id of m.docIds ?? []) {
		const doc = await hub.repo.find(id);
		out[id] = doc ? Buffer.from(Y.encodeStateVector(doc)).toString('base64') : '';
	}
	const status = await hub.status();
	send({ type: 'state', svs: out, instances: status.bus.instances, connected: status.bus.connected });
});

send({ type: 'ready', agentId: hub.identity.agentId });
