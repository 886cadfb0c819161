// PostgreSQL storage for hub instances that share one database (issue 13: scale-out). Node only: never
// import it from browser code. The embedded default stays the file system (fs.ts); a hub given
// DATABASE_URL uses this adapter instead.
//
// One table of chunks, `plateau_chunks (store, doc_id, key, data)`: `store` names the centre (several
// centres may share a database), `key` is unique and sorts in write order, `data` is the Yjs update.
// The primary key (store, doc_id, key) is the index for both load (one document's rows) and list
// (distinct doc ids of a store). Keys come from a database sequence, so instances never collide and
// need no clock; a key is the sequence number (19 digits) followed by the kind, `u` for an update and
// `s` for a snapshot.
//
// Durability: append resolves once PostgreSQL has committed the row (each session sets
// synchronous_commit=on, so the commit waited for the WAL flush). compact inserts the snapshot and
// deletes what it replaces in one transaction. Rows written by another instance are not a concern:
// compaction deletes only the keys it was given, so a concurrent append elsewhere survives it; every
// snapshot holds at least what it replaced (Yjs updates merge), so two instances compacting the same
// rows leave two snapshots, never less than before; and they take turns per document (an advisory
// lock), as interleaved deletes of the same rows could deadlock.
//
// A row whose data is NULL (written by hand or by a foreign tool) is returned as `null`: the Repo
// reports it as "not binary" and keeps it, as it does for a damaged file or IndexedDB record.
//
// Schema migrations: the adapter creates its schema and tables if they do not exist and records a
// version per component in `plateau_schema_version`. On first use it takes a transaction-scoped
// advisory lock (so instances starting together do not race), applies the migrations after the
// recorded version in order, and refuses to run on a database a newer Plateau has migrated past.
import pg from 'pg';
import { PerDocQueue } from './per-doc-queue';
import type { StorageAdapter, StoredChunk } from '../repo/storage';
import { Emitter, type Dispose } from '../domain/emitter';

export interface PostgresStorageOptions {
	/** `postgres://user@host:port/database`. */
	connectionString: string;
	/** The centre (or any name) whose documents this adapter holds; several stores share one table. */
	store: string;
	/** PostgreSQL schema holding Plateau's tables (created if missing). Default `public`. */
	schema?: string;
	/** Upper bound on the connections this adapter opens. Default 8. */
	maxConnections?: number;
	/** Shown in pg_stat_activity, so an operator sees which connections are Plateau's. */
	applicationName?: string;
}

/** The migrations of the storage component, in order; the version is the count applied. Never edit
 *  one that has shipped: add the next. `$s` stands for the quoted schema. */
const MIGRATIONS: readonly string[] = [
	`CREATE TABLE IF NOT EXISTS $s.plateau_chunks (
		store text COLLATE "C" NOT NULL,
		doc_id text COLLATE "C" NOT NULL,
		key text COLLATE "C" NOT NULL,
		data bytea,
		PRIMARY KEY (store, doc_id, key)
	);
	CREATE SEQUENCE IF NOT EXISTS $s.plateau_chunk_key;`
];

export const STORAGE_SCHEMA_VERSION = MIGRATIONS.length;
const COMPONENT = 'storage';

export class PostgresStorage implements StorageAdapter {
	readonly store: string;
	readonly schema: string;
	readonly #pool: pg.Pool;
	readonly #q: string; // the quoted schema
	readonly #events = new Emitter<{ error: (error: Error) => void }>();
	readonly #queue = new PerDocQueue();
	#ready: Promise<void> | undefined;
	#destroyed = false;

	constructor(options: PostgresStorageOptions) {
		const schema = options.schema ?? 'public';
		if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
			throw new Error(`Invalid schema name ${JSON.stringify(schema)}.`);
		this.store = options.store;
		this.schema = schema;
		this.#q = `"${schema}"`;
		this.#pool = new pg.Pool({
			connectionString: options.connectionString,
			max: options.maxConnections ?? 8,
			idleTimeoutMillis: 30_000,
			connectionTimeoutMillis: 10_000,
			application_name: options.applicationName ?? 'plateau-hub',
			// An acknowledged append must survive a crash of PostgreSQL's host too, whatever the server's
			// default: the commit waits for the WAL flush.
			options: '-c synchronous_commit=on'
		});
		// An idle connection that breaks (server restart) must not crash the process: the pool drops it
		// and the next query opens a new one.
		this.#pool.on('error', (err) => this.#events.emit('error', err));
	}

	/** Errors of idle connections (the failing query itself rejects as usual). */
	onError(listener: (error: Error) => void): Dispose {
		return this.#events.on('error', listener);
	}

	/** Creates or migrates the schema; every operation awaits it, so calling it is optional. */
	ready(): Promise<void> {
		this.#ready ??= this.#migrate();
		// A failed migration is retried by the next operation (the database may have been starting).
		this.#ready.catch(() => (this.#ready = undefined));
		return this.#ready;
	}

	load(docId: string): Promise<StoredChunk[]> {
		return this.#run(docId, async () => {
			// Named: each connection parses and plans the statement once.
			const { rows } = await this.#pool.query<{ key: string; data: Buffer | null }>({
				name: 'plateau-load',
				text: `SELECT key, data FROM ${this.#q}.plateau_chunks WHERE store = $1 AND doc_id = $2 ORDER BY key`,
				values: [this.store, docId]
			});
			// Plain Uint8Array copies, not Buffers over pg's receive buffer.
			return rows.map((r) => ({ key: r.key, data: r.data === null ? null : new Uint8Array(r.data) }));
		});
	}

	/** The chunks of many documents in one query (not part of StorageAdapter): a hub opening a whole
	 *  centre at start-up. Waits for the operations already queued on those documents. */
	async loadMany(docIds: readonly string[]): Promise<Map<string, StoredChunk[]>> {
		this.#alive();
		await this.#queue.settled(docIds);
		await this.ready();
		const { rows } = await this.#pool.query<{ doc_id: string; key: string; data: Buffer | null }>(
			`SELECT doc_id, key, data FROM ${this.#q}.plateau_chunks
			 WHERE store = $1 AND doc_id = ANY($2::text[]) ORDER BY doc_id, key`,
			[this.store, [...docIds]]
		);
		const out = new Map<string, StoredChunk[]>(docIds.map((id) => [id, []]));
		for (const r of rows)
			out.get(r.doc_id)!.push({ key: r.key, data: r.data === null ? null : new Uint8Array(r.data) });
		return out;
	}

	append(docId: string, update: Uint8Array): Promise<void> {
		return this.#run(docId, async () => {
			await this.#pool.query({
				name: 'plateau-append',
				text: this.#insert('u'),
				values: [this.store, docId, bytes(update)]
			});
		});
	}

	compact(docId: string, snapshot: Uint8Array, replaced: readonly string[]): Promise<void> {
		return this.#run(docId, async () => {
			const client = await this.#pool.connect();
			let broken = false;
			try {
				await client.query('BEGIN');
				// Instances compacting one document at once take turns: two deletes of overlapping row
				// sets in different orders would deadlock (and one compaction would fail).
				await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
					`plateau-compact:${this.schema}:${this.store}:${docId}`
				]);
				await client.query(this.#insert('s'), [this.store, docId, bytes(snapshot)]);
				await client.query(
					`DELETE FROM ${this.#q}.plateau_chunks WHERE store = $1 AND doc_id = $2 AND key = ANY($3::text[])`,
					[this.store, docId, [...replaced]]
				);
				await client.query('COMMIT');
			} catch (err) {
				await client.query('ROLLBACK').catch(() => (broken = true));
				throw err;
			} finally {
				client.release(broken);
			}
		});
	}

	/** Chunks and bytes held for this store (the operator view). */
	async size(): Promise<{ chunks: number; bytes: number }> {
		this.#alive();
		await this.ready();
		const { rows } = await this.#pool.query<{ chunks: string; bytes: string | null }>(
			`SELECT count(*) AS chunks, sum(octet_length(data)) AS bytes FROM ${this.#q}.plateau_chunks WHERE store = $1`,
			[this.store]
		);
		return { chunks: Number(rows[0]?.chunks ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
	}

	async list(): Promise<string[]> {
		this.#alive();
		await this.ready();
		const { rows } = await this.#pool.query<{ doc_id: string }>(
			`SELECT DISTINCT doc_id FROM ${this.#q}.plateau_chunks WHERE store = $1`,
			[this.store]
		);
		return rows.map((r) => r.doc_id);
	}

	remove(docId: string): Promise<void> {
		return this.#run(docId, async () => {
			await this.#pool.query(`DELETE FROM ${this.#q}.plateau_chunks WHERE store = $1 AND doc_id = $2`, [
				this.store,
				docId
			]);
		});
	}

	/** Rejects every later call; waits for the operations already started, then closes the pool. */
	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.#destroyed = true;
		await this.#queue.settled();
		await this.#ready?.catch(() => {});
		await this.#pool.end();
		this.#events.clear();
	}

	#insert(kind: 'u' | 's'): string {
		return `INSERT INTO ${this.#q}.plateau_chunks (store, doc_id, key, data)
			VALUES ($1, $2, lpad(nextval('${this.#q}.plateau_chunk_key')::text, 19, '0') || '${kind}', $3)`;
	}

	/** Runs `op` once the schema is ready and after every earlier operation on the same document, so
	 *  a remove followed by an append (or the reverse) lands in the order it was called. */
	#run<T>(docId: string, op: () => Promise<T>): Promise<T> {
		try {
			this.#alive();
		} catch (err) {
			return Promise.reject(err);
		}
		return this.#queue.run(docId, () => this.ready().then(op));
	}

	async #migrate(): Promise<void> {
		const client = await this.#pool.connect();
		let broken = false;
		try {
			await client.query('BEGIN');
			await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`plateau-schema:${this.schema}`]);
			await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.#q}`);
			await client.query(
				`CREATE TABLE IF NOT EXISTS ${this.#q}.plateau_schema_version (
					component text PRIMARY KEY,
					version integer NOT NULL
				)`
			);
			const { rows } = await client.query<{ version: number }>(
				`SELECT version FROM ${this.#q}.plateau_schema_version WHERE component = $1`,
				[COMPONENT]
			);
			const current = rows[0]?.version ?? 0;
			if (current > MIGRATIONS.length) {
				throw new Error(
					`The database schema "${this.schema}" is at storage version ${current}; this Plateau knows up to ${MIGRATIONS.length}. Update Plateau.`
				);
			}
			for (const sql of MIGRATIONS.slice(current)) await client.query(sql.replaceAll('$s', this.#q));
			if (current < MIGRATIONS.length) {
				await client.query(
					`INSERT INTO ${this.#q}.plateau_schema_version (component, version) VALUES ($1, $2)
					 ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version`,
					[COMPONENT, MIGRATIONS.length]
				);
			}
			await client.query('COMMIT');
		} catch (err) {
			await client.query('ROLLBACK').catch(() => (broken = true));
			throw err;
		} finally {
			client.release(broken);
		}
	}

	#alive(): void {
		if (this.#destroyed) throw new Error('This storage was destroyed.');
	}
}

/** A Buffer view of the bytes (pg sends a Buffer as bytea without copying it again). */
function bytes(data: Uint8Array): Buffer {
	return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
