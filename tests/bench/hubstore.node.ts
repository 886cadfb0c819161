// `npm run bench -- hubstore`: the hub's distributed-mode foundations, beside the embedded default in
// the same run. PostgresStorage against FsStorage: append throughput (one document, and 8 documents
// written concurrently; every append awaited, i.e. durable) and loading a 5,000-article centre (list,
// then every document's chunks). RedisHubBus: one-way latency and throughput between two instances,
// and what a Hocuspocus-style fan-out (publish a state vector per change, each other instance answers
// with a diff) would cost per change on a typical article, against forwarding the update itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import type { StorageAdapter } from '../../src/lib/repo/storage';
import { initArticle } from '../../src/lib/schema/index';
import { RedisHubBus } from '../../src/lib/server/hub-bus-redis';
import { FsStorage } from '../../src/lib/storage/fs';
import { PostgresStorage } from '../../src/lib/storage/postgres';
import { testDatabaseUrl, testRedisUrl, uniqueName } from '../support/services';
import { generateArticles } from './generate';
import { percentile, report } from './report';

const ARTICLES = 5000;
const NODES = ['compte.acces', 'bourse.ordres', 'technique.site', 'compte.cloture', 'bourse.fiscalite'];

/** A figure where more is better (throughput): the same two lines as report(), with "better":"higher". */
function reportHigher(f: { bench: string; value: number; unit: string; peer?: string; peerValue?: number }) {
	const r = (v: number) => Math.round(v * 100) / 100;
	const peer = f.peer ? `  ${f.peer}: ${r(f.peerValue!)} ${f.unit}, ratio ${r(f.value / f.peerValue!)}x` : '';
	console.log(`${f.bench}: ${r(f.value)} ${f.unit}${peer}`);
	console.log(
		JSON.stringify({
			...f,
			value: r(f.value),
			...(f.peerValue !== undefined ? { peerValue: r(f.peerValue) } : {}),
			better: 'higher'
		})
	);
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: width }, async () => {
			while (next < items.length) await fn(items[next++]!);
		})
	);
}

function smallUpdates(count: number): Uint8Array[] {
	const doc = new Y.Doc();
	const out: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => out.push(u));
	const meta = doc.getMap('meta');
	for (let i = 0; i < count; i++) meta.set('title', `Titre ${i}`);
	return out;
}

interface StoreRun {
	single: number;
	eight: number;
	write5000: number;
	load5000: number;
	bulk5000?: number;
	bytes: number;
}

async function measureStore(
	open: () => StorageAdapter,
	articles: readonly { id: string; update: Uint8Array }[]
): Promise<StoreRun> {
	const store = open();
	// Warm up (schema creation, first directory).
	await store.append('warm/up', smallUpdates(1)[0]!);

	const single = smallUpdates(300);
	let t = performance.now();
	for (const u of single) await store.append('article/single', u);
	const singleRate = single.length / ((performance.now() - t) / 1000);

	const perDoc = smallUpdates(150);
	t = performance.now();
	await Promise.all(
		Array.from({ length: 8 }, async (_, d) => {
			for (const u of perDoc) await store.append(`article/eight-${d}`, u);
		})
	);
	const eightRate = (8 * perDoc.length) / ((performance.now() - t) / 1000);

	t = performance.now();
	await pool(articles, 16, (a) => store.append(`article/${a.id}`, a.update));
	const write5000 = performance.now() - t;
	await store.destroy();

	const reopened = open();
	t = performance.now();
	const ids = (await reopened.list()).filter((id) => id.startsWith('article/gen-'));
	let bytes = 0;
	await pool(ids, 16, async (id) => {
		for (const c of await reopened.load(id)) bytes += (c.data as Uint8Array).byteLength;
	});
	const load5000 = performance.now() - t;
	expect(ids).toHaveLength(articles.length);
	await reopened.destroy();

	// PostgreSQL can also read many documents per query (500 at a time here).
	let bulk5000: number | undefined;
	const bulk = open();
	if (bulk instanceof PostgresStorage) {
		t = performance.now();
		const all = (await bulk.list()).filter((id) => id.startsWith('article/gen-'));
		let bulkBytes = 0;
		for (let i = 0; i < all.length; i += 500)
			for (const chunks of (await bulk.loadMany(all.slice(i, i + 500))).values())
				for (const c of chunks) bulkBytes += (c.data as Uint8Array).byteLength;
		bulk5000 = performance.now() - t;
		expect(bulkBytes).toBe(bytes);
	}
	await bulk.destroy();
	return { single: singleRate, eight: eightRate, write5000, load5000, bulk5000, bytes };
}

test(
	'hubstore: PostgreSQL storage against the file system, and the Redis hub bus',
	{ timeout: 600_000 },
	async () => {
		const articles = generateArticles(ARTICLES, NODES, 300).map((a) => {
			const doc = new Y.Doc();
			initArticle(doc, a.meta, a.body);
			return { id: a.id, update: Y.encodeStateAsUpdate(doc) };
		});

		// --- storage ---
		const dir = await mkdtemp(join(tmpdir(), 'plateau-bench-fs-'));
		const schema = uniqueName('plateau_bench');
		const admin = new pg.Pool({ connectionString: testDatabaseUrl, max: 1 });
		try {
			const fs = await measureStore(() => new FsStorage(dir), articles);
			const pgRun = await measureStore(
				() => new PostgresStorage({ connectionString: testDatabaseUrl, schema, store: 'bench' }),
				articles
			);
			expect(pgRun.bytes).toBe(fs.bytes);
			reportHigher({
				bench: 'hubstore.append.single',
				value: pgRun.single,
				unit: 'updates/s',
				peer: 'fs',
				peerValue: fs.single
			});
			reportHigher({
				bench: 'hubstore.append.8docs',
				value: pgRun.eight,
				unit: 'updates/s',
				peer: 'fs',
				peerValue: fs.eight
			});
			report({
				bench: 'hubstore.write.5000',
				value: pgRun.write5000,
				unit: 'ms',
				peer: 'fs',
				peerValue: fs.write5000
			});
			report({
				bench: 'hubstore.load.5000',
				value: pgRun.load5000,
				unit: 'ms',
				peer: 'fs',
				peerValue: fs.load5000
			});
			report({
				bench: 'hubstore.load.5000.bulk',
				value: pgRun.bulk5000!,
				unit: 'ms',
				peer: 'fs',
				peerValue: fs.load5000
			});
			console.log(`hubstore: 5,000 articles, ${(fs.bytes / 1e6).toFixed(1)} MB of updates`);
		} finally {
			await rm(dir, { recursive: true, force: true });
			await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			await admin.end();
		}

		// --- bus ---
		const prefix = `${uniqueName('plateau-bench')}:`;
		const a = new RedisHubBus({ url: testRedisUrl, prefix });
		const b = new RedisHubBus({ url: testRedisUrl, prefix });
		try {
			const sentAt = new Map<number, number>();
			const latencies: number[] = [];
			let received = 0;
			const sub = b.subscribe('article/bench', (m) => {
				received++;
				const n = new DataView(m.data.buffer, m.data.byteOffset).getUint32(0);
				const at = sentAt.get(n);
				if (at !== undefined) latencies.push(performance.now() - at);
			});
			await sub.ready;
			const payload = (n: number) => {
				const p = new Uint8Array(100);
				new DataView(p.buffer).setUint32(0, n);
				return p;
			};
			for (let n = 0; n < 1000; n++) {
				sentAt.set(n, performance.now());
				await a.publish('article/bench', 'update', payload(n));
				while (received <= n) await new Promise((r) => setImmediate(r));
			}
			report({ bench: 'hubstore.bus.latency.p50', value: percentile(latencies, 50), unit: 'ms' });
			report({ bench: 'hubstore.bus.latency.p95', value: percentile(latencies, 95), unit: 'ms' });
			const before = received;
			const t = performance.now();
			await Promise.all(
				Array.from({ length: 10_000 }, (_, i) => a.publish('article/bench', 'update', payload(1e6 + i)))
			);
			while (received < before + 10_000) await new Promise((r) => setTimeout(r, 1));
			reportHigher({
				bench: 'hubstore.bus.throughput',
				value: 10_000 / ((performance.now() - t) / 1000),
				unit: 'messages/s'
			});
		} finally {
			await a.destroy();
			await b.destroy();
		}

		// --- fan-out per change: forwarding the update vs. a state vector answered by a diff ---
		const doc = new Y.Doc();
		Y.applyUpdate(doc, articles[0]!.update);
		const replica = new Y.Doc(); // the other instance, Hocuspocus-style
		Y.applyUpdate(replica, articles[0]!.update);
		const forwarded = new Y.Doc(); // the other instance, ours
		Y.applyUpdate(forwarded, articles[0]!.update);
		let ownBytes = 0;
		let hpBytes = 0;
		let own = 0;
		let hp = 0;
		const title = doc.getMap('meta');
		for (let i = 0; i < 2000; i++) {
			let update: Uint8Array | undefined;
			doc.once('update', (u: Uint8Array) => (update = u));
			title.set('title', `Titre ${i}`);
			// Ours: the update goes out as it is and the other instance applies it.
			let t0 = performance.now();
			Y.applyUpdate(forwarded, update!);
			own += performance.now() - t0;
			ownBytes += update!.byteLength;
			// Hocuspocus-style: the changed instance publishes its state vector; the other answers with
			// encodeStateAsUpdate(its doc, that vector) and the changed instance applies the answer.
			t0 = performance.now();
			const sv = Y.encodeStateVector(doc);
			const diff = Y.encodeStateAsUpdate(replica, sv);
			Y.applyUpdate(doc, diff);
			const svBack = Y.encodeStateVector(replica);
			const diff2 = Y.encodeStateAsUpdate(doc, svBack);
			Y.applyUpdate(replica, diff2);
			hp += performance.now() - t0;
			hpBytes += sv.byteLength + diff.byteLength + svBack.byteLength + diff2.byteLength;
		}
		report({
			bench: 'hubstore.fanout.cpu',
			value: (own / 2000) * 1000,
			unit: 'µs',
			peer: 'statevector-diff',
			peerValue: (hp / 2000) * 1000
		});
		report({
			bench: 'hubstore.fanout.bytes',
			value: ownBytes / 2000,
			unit: 'B',
			peer: 'statevector-diff',
			peerValue: hpBytes / 2000
		});
		console.log(`hubstore: one article is ${articles[0]!.update.byteLength} bytes`);
	}
);
