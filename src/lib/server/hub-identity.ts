// The hub's own agent identity: generated once, then kept, so browsers see the same hub across
// restarts. On the file system it is `<data dir>/identity.json` (mode 0600, written to a temp file
// and renamed); with PostgreSQL it is a row of `plateau_hub_identity` per centre, so every instance
// of a centre proves the same hub agent. The record is the JSON form identity.ts imports
// (ExportedIdentity: agent id, raw public key, private JWK); once imported the private key is a
// CryptoKey that cannot be exported again, and nothing here ever logs or returns the record.
import { webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { toBase64 } from '../domain/base64';
import { agentIdOf, importIdentity, type AgentIdentity, type ExportedIdentity } from '../repo/identity';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const FILE = 'identity.json';

/** A new identity in its storable form (the only moment the private key is extractable). */
async function newExportedIdentity(): Promise<ExportedIdentity> {
	const pair = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
	const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', pair.publicKey));
	return {
		agentId: await agentIdOf(raw),
		publicKey: toBase64(raw),
		privateKey: (await webcrypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey
	};
}

/** The identity kept in `dir`, created on the first call. Throws if the file exists but is not a
 *  valid identity (it is left as is for the operator to inspect). */
export async function fileHubIdentity(dir: string): Promise<AgentIdentity> {
	const path = join(dir, FILE);
	let text: string | undefined;
	try {
		text = await readFile(path, 'utf8');
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
	}
	if (text === undefined) {
		await mkdir(dir, { recursive: true, mode: 0o700 });
		text = JSON.stringify(await newExportedIdentity());
		const temp = `${path}.${process.pid}.tmp`;
		await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
		await chmod(temp, 0o600);
		await rename(temp, path);
	}
	try {
		return await importIdentity(JSON.parse(text));
	} catch (err) {
		throw new Error(`${path} is not a hub identity (${err instanceof Error ? err.message : String(err)})`, {
			cause: err
		});
	}
}

/** The identity of the centre's hub kept in PostgreSQL, created by the first instance (the others
 *  read the same row). */
export async function postgresHubIdentity(
	connectionString: string,
	store: string,
	schema = 'public'
): Promise<AgentIdentity> {
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
		throw new Error(`Invalid schema name ${JSON.stringify(schema)}.`);
	const client = new pg.Client({ connectionString, application_name: 'plateau-hub' });
	await client.connect();
	try {
		// The lock the storage's migration takes: instances starting together do not race to create.
		await client.query('BEGIN');
		await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`plateau-schema:${schema}`]);
		await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
		await client.query(
			`CREATE TABLE IF NOT EXISTS "${schema}".plateau_hub_identity (store text PRIMARY KEY, identity text NOT NULL)`
		);
		await client.query(
			`INSERT INTO "${schema}".plateau_hub_identity (store, identity) VALUES ($1, $2) ON CONFLICT (store) DO NOTHING`,
			[store, JSON.stringify(await newExportedIdentity())]
		);
		const { rows } = await client.query<{ identity: string }>(
			`SELECT identity FROM "${schema}".plateau_hub_identity WHERE store = $1`,
			[store]
		);
		await client.query('COMMIT');
		return await importIdentity(JSON.parse(rows[0]!.identity));
	} finally {
		await client.end();
	}
}
