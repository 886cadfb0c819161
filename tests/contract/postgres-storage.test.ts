// The storage contract against PostgreSQL (each store in a schema of its own, dropped afterwards),
// plus what only a shared database has: several stores and instances on one table, migrations,
// the bounded pool, and an acknowledged append surviving a SIGKILL of the writing process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Repo } from '../../src/lib/repo/repo';
import { PostgresStorage, STORAGE_SCHEMA_VERSION } from '../../src/lib/storage/postgres';
import { testDatabaseUrl, uniqueName } from '../support/services';
import { runStorageContract } from './storage-contract';

const admin = new pg.Pool({ connectionString: testDatabaseUrl, max: 2 });
const schemas = new Set<string>();
afterAll(async () => {
	for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
	await admin.end();
});

function freshStore(
	options: { schema?: string; store?: string; maxConnections?: number; app?: string } = {}
) {
	const schema = options.schema ?? uniqueName('plateau_test');
	schemas.add(schema);
	return new PostgresStorage({
		connectionString: testDatabaseUrl,
		schema,
		store: options.store ?? 'centre-test',
		maxConnections: options.maxConnections,
		applicationName: options.app
	});
}

async function dropStore(store: PostgresStorage): Promise<void> {
	await store.destroy();
	await admin.query(`DROP SCHEMA IF EXISTS "${store.schema}" CASCADE`);
	schemas.delete(store.schema);
}

const update = (key: string, value: number) => {
	const doc = new Y.Doc();
	doc.getMap('m').set(key, value);
	return Y.encodeStateAsUpdate(doc);
};

runStorageContract('postgres', {
	create: async () => freshStore(),
	reopen: async (previous) => {
		await previous.destroy();
		const p = previous as PostgresStorage;
		return freshStore({ schema: p.schema, store: p.store });
	},
	// Bytes replace the row's data (the Repo finds them undecodable); anything else leaves a row
	// without data, as a hand-made or foreign row would (the Repo says "not binary").
	corrupt: async (store, docId, key, garbage) => {
		const p = store as PostgresStorage;
		const result = await admin.query(
			`UPDATE "${p.schema}".plateau_chunks SET data = $4 WHERE store = $1 AND doc_id = $2 AND key = $3`,
			[p.store, docId, key, garbage instanceof Uint8Array ? Buffer.from(garbage) : null]
		);
		expect(result.rowCount).toBe(1);
	},
	dispose: async (store) => dropStore(store as PostgresStorage)
});

describe('PostgresStorage', () => {
	const open: PostgresStorage[] = [];
	const create = (options?: Parameters<typeof freshStore>[0]) => {
		const s = freshStore(options);
		open.push(s);
		return s;
	};
	afterEach(async () => {
		for (const s of open.splice(0)) await s.destroy();
	});

	it('keeps the stores of different centres apart in one table', async () => {
		const a = create({ store: 'centre-a' });
		const b = create({ schema: a.schema, store: 'centre-b' });
		await a.append('article/x', update('k', 1));
		await b.append('article/y', update('k', 2));
		expect(await a.list()).toEqual(['article/x']);
		expect(await b.list()).toEqual(['article/y']);
		expect(await b.load('article/x')).toEqual([]);
		await b.remove('article/x');
		expect(await a.load('article/x')).toHaveLength(1);
	});

	it('returns plain Uint8Arrays in write order, under keys unique across instances', async () => {
		const a = create();
		const b = create({ schema: a.schema });
		await Promise.all(
			Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).append('article/shared', update(`k${i}`, i)))
		);
		const chunks = await a.load('article/shared');
		expect(chunks).toHaveLength(40);
		expect(new Set(chunks.map((c) => c.key)).size).toBe(40);
		expect(chunks.map((c) => c.key)).toEqual(chunks.map((c) => c.key).sort());
		expect(chunks.every((c) => c.data instanceof Uint8Array && !(c.data instanceof Buffer))).toBe(true);
		const doc = new Y.Doc();
		for (const c of chunks) Y.applyUpdate(doc, c.data as Uint8Array);
		expect(doc.getMap('m').size).toBe(40);
	});

	it('keeps an append made by another instance while this one compacts', async () => {
		const a = create();
		const b = create({ schema: a.schema });
		await a.append('article/c', update('one', 1));
		await a.append('article/c', update('two', 2));
		const keys = (await a.load('article/c')).map((c) => c.key);
		await b.append('article/c', update('late', 3)); // not among the keys a compacts
		await a.compact('article/c', update('merged', 12), keys);
		const after = await b.load('article/c');
		expect(after).toHaveLength(2);
		expect(after.some((c) => c.key.endsWith('s'))).toBe(true);
		const doc = new Y.Doc();
		for (const c of after) Y.applyUpdate(doc, c.data as Uint8Array);
		expect(doc.getMap('m').get('late')).toBe(3);
		expect(doc.getMap('m').get('merged')).toBe(12);
	});

	it('rolls a failed compaction back whole', async () => {
		const a = create();
		await a.append('article/f', update('k', 1));
		const keys = (await a.load('article/f')).map((c) => c.key);
		// A NUL byte is not valid in PostgreSQL text: the DELETE fails after the INSERT ran.
		await expect(a.compact('article/f', update('k', 2), [...keys, 'bad\u0000key'])).rejects.toThrow();
		expect((await a.load('article/f')).map((c) => c.key)).toEqual(keys);
	});

	it('runs operations on one document in call order', async () => {
		const a = create();
		void a.append('article/o', update('k', 1));
		const loaded = a.load('article/o');
		void a.remove('article/o');
		const appended = a.append('article/o', update('k', 2));
		expect(await loaded).toHaveLength(1);
		await appended;
		const after = await a.load('article/o');
		expect(after).toHaveLength(1);
		const doc = new Y.Doc();
		Y.applyUpdate(doc, after[0]!.data as Uint8Array);
		expect(doc.getMap('m').get('k')).toBe(2);
	});

	it('creates its schema once, records the version, and instances starting together agree', async () => {
		const schema = uniqueName('plateau_test');
		const stores = Array.from({ length: 4 }, () => create({ schema }));
		await Promise.all(stores.map((s) => s.ready()));
		const { rows } = await admin.query(`SELECT component, version FROM "${schema}".plateau_schema_version`);
		expect(rows).toEqual([{ component: 'storage', version: STORAGE_SCHEMA_VERSION }]);
		// Reopening an up-to-date schema changes nothing.
		await create({ schema }).append('article/m', update('k', 1));
		expect(await stores[0]!.list()).toEqual(['article/m']);
	});

	it('refuses a database that a newer Plateau has migrated', async () => {
		const first = create();
		await first.ready();
		await admin.query(`UPDATE "${first.schema}".plateau_schema_version SET version = version + 1`);
		const later = create({ schema: first.schema });
		await expect(later.list()).rejects.toThrow(/storage version .*Update Plateau/);
	});

	it('opens at most maxConnections connections and closes them all on destroy', async () => {
		const app = uniqueName('plateau_pool');
		const s = freshStore({ maxConnections: 2, app });
		const count = async () =>
			Number(
				(await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [app]))
					.rows[0].n
			);
		await Promise.all(Array.from({ length: 30 }, (_, i) => s.append(`article/p${i}`, update('k', i))));
		expect(await s.list()).toHaveLength(30);
		const during = await count();
		expect(during).toBeGreaterThan(0);
		expect(during).toBeLessThanOrEqual(2);
		await dropStore(s);
		expect(await count()).toBe(0);
		await expect(s.append('article/p0', update('k', 0))).rejects.toThrow(/destroyed/);
	});

	it('works under a Repo across two instances sharing the database', async () => {
		const a = create();
		const b = create({ schema: a.schema });
		const repoA = new Repo({ storage: a });
		(await repoA.open('plain/r')).getMap('m').set('from', 'a');
		await repoA.flush();
		const repoB = new Repo({ storage: b });
		expect((await repoB.open('plain/r')).getMap('m').get('from')).toBe('a');
		await repoA.destroy(); // destroys a
		await repoB.destroy();
		open.splice(0);
	});

	it('two processes appending to and compacting one document at once lose nothing and never fail', async () => {
		const schema = uniqueName('plateau_test');
		const setup = create({ schema });
		await setup.ready();
		const run = (tag: string) =>
			new Promise<string>((resolve, reject) => {
				const child = spawn(
					process.execPath,
					[
						'--import',
						'tsx',
						fileURLToPath(new URL('./postgres-compact-child.ts', import.meta.url)),
						testDatabaseUrl,
						schema,
						'centre-test',
						'article/busy',
						tag,
						'30'
					],
					{ stdio: ['ignore', 'pipe', 'pipe'] }
				);
				let out = '';
				let err = '';
				child.stdout.on('data', (d) => (out += d));
				child.stderr.on('data', (d) => (err += d));
				child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${tag}: ${err}`))));
			});
		const results = await Promise.all([run('a'), run('b')]);
		// Every compaction succeeded (none was lost to a deadlock) and every append was acknowledged.
		expect(results).toEqual(['done 30 6 0', 'done 30 6 0']);
		const doc = new Y.Doc();
		for (const c of await setup.load('article/busy')) Y.applyUpdate(doc, c.data as Uint8Array);
		const m = doc.getMap('m');
		const missing = ['a', 'b']
			.flatMap((t) => [...Array(30).keys()].map((i) => `${t}-${i}`))
			.filter((k) => !m.has(k));
		expect(missing).toEqual([]);
	}, 60_000);

	it('loses no acknowledged append when the writing process is killed (SIGKILL) mid-write', async () => {
		const schema = uniqueName('plateau_test');
		const setup = create({ schema });
		await setup.ready(); // the child does not race the parent's cleanup on a half-made schema
		const child = spawn(
			process.execPath,
			[
				'--import',
				'tsx',
				fileURLToPath(new URL('./postgres-append-child.ts', import.meta.url)),
				testDatabaseUrl,
				schema,
				'centre-test',
				'plain/crash'
			],
			{ stdio: ['ignore', 'pipe', 'pipe'] }
		);
		const acked = new Set<number>();
		let stderr = '';
		child.stderr.on('data', (d) => (stderr += d));
		const exited = new Promise<NodeJS.Signals | null>((resolve) =>
			child.on('exit', (_c, sig) => resolve(sig))
		);
		try {
			await new Promise<void>((resolve, reject) => {
				let buffered = '';
				child.stdout.on('data', (data: Buffer) => {
					buffered += data.toString();
					const lines = buffered.split('\n');
					buffered = lines.pop()!;
					for (const line of lines) if (line.startsWith('acked ')) acked.add(Number(line.slice(6)));
					// Killed at once when the 200th acknowledgement arrives; more appends are in flight.
					if (acked.size >= 200 && !child.killed) {
						child.kill('SIGKILL');
						resolve();
					}
				});
				child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
			});
		} finally {
			if (child.exitCode === null && !child.killed) child.kill('SIGKILL');
		}
		expect(await exited).toBe('SIGKILL');

		const reopened = create({ schema });
		const doc = new Y.Doc();
		for (const c of await reopened.load('plain/crash')) Y.applyUpdate(doc, c.data as Uint8Array);
		const stored = doc.getMap('acked');
		const missing = [...acked].filter((n) => stored.get(String(n)) !== n);
		expect(missing).toEqual([]);
		expect(stored.size).toBeGreaterThanOrEqual(acked.size);
	}, 30_000);
});
