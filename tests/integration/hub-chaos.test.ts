// The scale-out chaos test (issue 13): two hub instances as child processes on one PostgreSQL
// schema and one Redis bus, 50 simulated agents (PLATEAU_CHAOS_AGENTS), half on each instance:
// light in-process peers (memory storage, the real Synchronizer) on sealed hub sockets, each agent
// connected to its own instance only, so whatever reaches the other half went through the instances
// and the bus. Agents edit shared articles in rounds while instance A is killed with SIGKILL
// mid-writes and restarted on the same port (its agents reconnect on their own), and then Redis
// itself is killed and restarted (a redis-server of this test's own, on its own port: the shared
// service is never touched). Then:
//  - every edit an instance acknowledged (its storage write resolved: acknowledged = stored) is in
//    PostgreSQL, read back with a fresh adapter;
//  - every agent and both instances converged on the same documents, holding every edit.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { ArticleMeta } from '../../src/lib/domain/article';
import WebSocket from 'ws';
import { deriveCentreKey } from '../../src/lib/net/crypto';
import { HubSocket } from '../../src/lib/net/hub-socket';
import type { ByteSocket } from '../../src/lib/net/sealed-socket';
import { generateIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { initArticle } from '../../src/lib/schema/index';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { PostgresStorage } from '../../src/lib/storage/postgres';
import { testDatabaseUrl, uniqueName } from '../support/services';

const CENTRE = 'chaos';
const SECRET = 'k3f92m7q8hxd0pz47tncv1wae5gr';
const AGENTS = Number(process.env.PLATEAU_CHAOS_AGENTS ?? 50);
const PER_INSTANCE = Math.ceil(AGENTS / 2);
const DOCS = ['article/chaos-0', 'article/chaos-1', 'article/chaos-2'];
const ROUNDS = 10;
const WAIT = { timeout: 60_000, interval: 100 };
const CHILD = fileURLToPath(new URL('./hub-chaos-child.ts', import.meta.url));

const meta = (title: string): ArticleMeta => ({
	kind: 'faq',
	title,
	node: 'bourse',
	locale: 'fr',
	tags: [],
	status: 'published',
	createdAt: 1,
	updatedAt: 1
});

interface Instance {
	id: string;
	child: ChildProcess;
	agentId: string;
	stderr: string[];
}

/** A simulated agent: a Repo in memory and the Synchronizer, on a hub socket to one instance. */
interface SimAgent {
	agentId: string;
	repo: Repo;
	sync: Synchronizer;
	socket: HubSocket;
	destroy(): Promise<void>;
}

let redis: ChildProcess | undefined;
let redisPort: number;
const schema = uniqueName('plateau_chaos');
const busPrefix = `${uniqueName('plateau-chaos')}:`;
const instances = new Set<Instance>();
const agents: SimAgent[] = [];
const ports = new Map<string, number>();
/** What each instance acknowledged: per document, [client, clock, length] of the stored items. */
const acked = new Map<string, [number, number, number][]>();
const ackedBy = new Map<string, number>();

async function freePort(): Promise<number> {
	const s = createNetServer();
	await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
	const port = (s.address() as AddressInfo).port;
	await new Promise((r) => s.close(r));
	return port;
}

/** A redis-server of this test's own, in the foreground (killed with the test). */
async function startRedis(): Promise<void> {
	const child = spawn(
		'redis-server',
		['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{ stdio: ['ignore', 'pipe', 'pipe'] }
	);
	redis = child;
	await new Promise<void>((resolve, reject) => {
		let out = '';
		child.stdout!.on('data', (d) => {
			out += d;
			if (out.includes('Ready to accept connections')) resolve();
		});
		child.on('exit', () => reject(new Error(`redis-server exited: ${out}`)));
	});
}

async function stopRedis(): Promise<void> {
	const child = redis;
	redis = undefined;
	if (!child || child.exitCode !== null) return;
	const exited = new Promise((r) => child.once('exit', r));
	child.kill('SIGKILL');
	await exited;
}

async function startInstance(id: string, port: number): Promise<Instance> {
	const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
		stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
		env: {
			...process.env,
			CHAOS_CENTRE: CENTRE,
			CHAOS_SECRET: SECRET,
			CHAOS_PORT: String(port),
			CHAOS_DATABASE_URL: testDatabaseUrl,
			CHAOS_SCHEMA: schema,
			CHAOS_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
			CHAOS_BUS_PREFIX: busPrefix,
			CHAOS_INSTANCE: id
		}
	});
	const stderr: string[] = [];
	let buffered = '';
	child.stderr!.on('data', (d) => {
		buffered += d;
		const lines = buffered.split('\n');
		buffered = lines.pop()!;
		stderr.push(...lines);
	});
	child.on('message', (m: { type: string; docId?: string; ranges?: [number, number, number][] }) => {
		if (m.type !== 'stored') return;
		const list = acked.get(m.docId!) ?? [];
		list.push(...m.ranges!);
		acked.set(m.docId!, list);
		ackedBy.set(id, (ackedBy.get(id) ?? 0) + 1);
	});
	const agentId = await new Promise<string>((resolve, reject) => {
		child.on('message', (m: { type: string; agentId?: string }) => m.type === 'ready' && resolve(m.agentId!));
		child.once('exit', (code) => reject(new Error(`instance ${id} exited (${code}): ${stderr.join('\n')}`)));
	});
	const instance = { id, child, agentId, stderr };
	instances.add(instance);
	return instance;
}

async function kill(instance: Instance): Promise<void> {
	instances.delete(instance);
	problems.push(...instance.stderr.filter((l) => !l.includes('"level":"info"')));
	if (instance.child.exitCode !== null || instance.child.signalCode) return;
	const exited = new Promise((r) => instance.child.once('exit', r));
	instance.child.kill('SIGKILL');
	await exited;
}

interface InstanceState {
	svs: Record<string, string>;
	instances: string[];
	connected: boolean;
}

/** The instance's documents and bus links (rejects if it does not answer within 10 s). */
function state(instance: Instance): Promise<InstanceState> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			instance.child.off('message', listener);
			reject(new Error(`instance ${instance.id} did not answer`));
		}, 10_000);
		const listener = (m: { type: string } & InstanceState) => {
			if (m.type !== 'state') return;
			clearTimeout(timer);
			instance.child.off('message', listener);
			resolve(m);
		};
		instance.child.on('message', listener);
		instance.child.send({ type: 'state', docIds: DOCS });
	});
}

const t0 = Date.now();
/** Progress on the console, so a slow run shows where its time went. */
const phase = (what: string) => console.info(`chaos +${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);

async function agent(port: number): Promise<SimAgent> {
	const identity = await generateIdentity();
	const repo = new Repo({ storage: new MemoryStorage() });
	const socket = new HubSocket({
		url: `ws://127.0.0.1:${port}/hub`,
		key: await centreKey,
		peerId: `agent-peer-${agents.length}`,
		WebSocketImpl: WebSocket as unknown as new (url: string) => ByteSocket,
		minBackoffMs: 100,
		maxBackoffMs: 1000,
		log: () => {}
	});
	const sync = new Synchronizer({
		repo,
		network: socket,
		policy: new CentreSharePolicy(identity.agentId),
		agentId: identity.agentId,
		floor: 'bourse',
		identity
	});
	const a: SimAgent = {
		agentId: identity.agentId,
		repo,
		sync,
		socket,
		destroy: async () => {
			sync.destroy();
			await socket.destroy();
			await repo.destroy();
		}
	};
	agents.push(a);
	return a;
}

/** Every agent writes one edit to every document. */
async function round(r: number): Promise<void> {
	for (const [i, a] of agents.entries())
		for (const id of DOCS) (await a.repo.open(id)).getMap('chaos').set(`${i}:${r}`, r);
}

const svOf = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc)).toString('base64');

async function linkedTo(instance: Instance, other: string): Promise<boolean> {
	const s = await state(instance);
	return s.connected && s.instances.includes(other);
}

const centreKey = deriveCentreKey(SECRET, CENTRE);

beforeAll(async () => {
	redisPort = await freePort();
	ports.set('a', await freePort());
	ports.set('b', await freePort());
	await startRedis();
}, 30_000);

/** Every instance's warnings and errors, shown when the test fails. */
const problems: string[] = [];

afterAll(async () => {
	for (const i of instances) problems.push(...i.stderr.filter((l) => !l.includes('"level":"info"')));
	if (problems.length)
		console.warn(`chaos: instances' warnings and errors:\n${problems.slice(0, 40).join('\n')}`);
	await Promise.all([...instances].map((i) => kill(i)));
	await Promise.all(agents.map((a) => a.destroy()));
	await stopRedis();
	const admin = new pg.Client({ connectionString: testDatabaseUrl });
	await admin.connect();
	await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
	await admin.end();
}, 60_000);

describe('hub scale-out under chaos', () => {
	it('loses no acknowledged edit and converges through a SIGKILLed instance and a Redis restart', async () => {
		phase('instances starting');
		let a = await startInstance('hub-a', ports.get('a')!);
		const b = await startInstance('hub-b', ports.get('b')!);
		// One hub agent for the centre: both instances read the identity PostgreSQL keeps.
		expect(a.agentId).toBe(b.agentId);
		await vi.waitFor(
			async () => expect((await linkedTo(a, 'hub-b')) && (await linkedTo(b, 'hub-a'))).toBe(true),
			WAIT
		);

		phase('instances linked; agents starting');
		for (let i = 0; i < PER_INSTANCE; i++) await agent(ports.get('a')!);
		for (let i = PER_INSTANCE; i < AGENTS; i++) await agent(ports.get('b')!);
		const hubAgent = a.agentId;
		const seesHub = (p: SimAgent) =>
			[...p.sync.peers().values()].some((h) => h.agentId === hubAgent && h.verified);
		await vi.waitFor(() => expect(agents.every(seesHub)).toBe(true), WAIT);

		phase('agents see the hub');
		// Created by an agent of A: B's agents can only get them through A, the bus and B.
		for (const [n, id] of DOCS.entries()) initArticle(await agents[0]!.repo.open(id), meta(`Chaos ${n}`));
		await vi.waitFor(async () => {
			for (const p of agents.slice(PER_INSTANCE))
				expect((await p.repo.list()).filter((id) => DOCS.includes(id))).toHaveLength(DOCS.length);
		}, WAIT);

		phase('articles crossed to the agents of B');
		await round(0);
		await round(1);
		await round(2);
		// Instance A stored something before it dies: the check below means something.
		await vi.waitFor(() => expect(ackedBy.get('hub-a') ?? 0).toBeGreaterThan(0), WAIT);
		await round(3);
		phase('killing A');
		await kill(a); // mid-writes: round 3 is on its way to A
		await round(4);
		await round(5);

		phase('restarting A');
		a = await startInstance('hub-a2', ports.get('a')!);
		await vi.waitFor(
			async () => expect((await linkedTo(a, 'hub-b')) && (await linkedTo(b, 'hub-a2'))).toBe(true),
			WAIT
		);
		await vi.waitFor(() => expect(agents.slice(0, PER_INSTANCE).every(seesHub)).toBe(true), WAIT);

		phase('A2 linked and seen; killing Redis');
		// Redis dies and comes back: the bus links renew and the instances resync.
		await stopRedis();
		await round(6);
		await round(7);
		phase('restarting Redis');
		await startRedis();
		await vi.waitFor(
			async () => expect((await linkedTo(a, 'hub-b')) && (await linkedTo(b, 'hub-a2'))).toBe(true),
			WAIT
		);
		phase('bus relinked after Redis');
		await round(8);
		await round(9);

		phase('waiting for convergence');
		// Every agent and both instances converge on documents holding every edit.
		const everyEdit = agents.length * ROUNDS;
		await vi.waitFor(
			async () => {
				const reference = new Map<string, string>();
				for (const id of DOCS) {
					const doc = await agents[0]!.repo.open(id);
					expect(doc.getMap('chaos').size).toBe(everyEdit);
					reference.set(id, svOf(doc));
				}
				for (const p of agents)
					for (const id of DOCS) expect(svOf(await p.repo.open(id))).toBe(reference.get(id));
				for (const inst of [a, b]) {
					const s = await state(inst);
					for (const id of DOCS) expect(s.svs[id]).toBe(reference.get(id));
				}
			},
			{ timeout: 90_000, interval: 250 }
		);

		phase('converged; reading PostgreSQL back');
		// Read back from PostgreSQL with a fresh adapter: every acknowledged item is there, and every
		// edit made it to storage.
		const storage = new PostgresStorage({ connectionString: testDatabaseUrl, schema, store: CENTRE });
		const missing: string[] = [];
		try {
			for (const id of DOCS) {
				const doc = new Y.Doc();
				for (const c of await storage.load(id)) Y.applyUpdate(doc, c.data as Uint8Array);
				expect(doc.getMap('chaos').size).toBe(everyEdit);
				const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
				for (const [client, clock, length] of acked.get(id) ?? [])
					if ((sv.get(client) ?? 0) < clock + length) missing.push(`${id} ${client}:${clock}+${length}`);
			}
		} finally {
			await storage.destroy();
		}
		expect(missing).toEqual([]);
		expect(ackedBy.get('hub-a2') ?? 0).toBeGreaterThan(0);
		expect(ackedBy.get('hub-b') ?? 0).toBeGreaterThan(0);
		// Nothing refused between the instances or from agents.
		const rejected = [a, b].flatMap((i) => i.stderr.filter((l) => l.includes('"sync.rejected"')));
		expect(rejected).toEqual([]);
	}, 240_000);
});
