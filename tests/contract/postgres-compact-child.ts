// Child process of the concurrent-compaction test in postgres-storage.test.ts: appends `count`
// updates to one document, and after every few it compacts what it read, as a hub instance opening
// a busy document does, while another process does the same on the same document. Prints one line
// `done <appends acknowledged> <compactions> <failures>` and any failure's message on stderr.
import * as Y from 'yjs';
import { PostgresStorage } from '../../src/lib/storage/postgres';

const [connectionString, schema, store, docId, tag, countText] = process.argv.slice(2) as string[];
setTimeout(() => process.exit(2), 60_000).unref();
const storage = new PostgresStorage({ connectionString: connectionString!, schema, store: store! });
await storage.ready();
let acked = 0;
let compactions = 0;
let failures = 0;
for (let i = 0; i < Number(countText); i++) {
	const doc = new Y.Doc();
	doc.getMap('m').set(`${tag}-${i}`, i);
	await storage.append(docId!, Y.encodeStateAsUpdate(doc));
	acked++;
	if (i % 5 !== 4) continue;
	try {
		const chunks = await storage.load(docId!);
		const merged = new Y.Doc();
		for (const c of chunks) Y.applyUpdate(merged, c.data as Uint8Array);
		await storage.compact(
			docId!,
			Y.encodeStateAsUpdate(merged),
			chunks.map((c) => c.key)
		);
		compactions++;
	} catch (err) {
		failures++;
		process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
	}
}
await storage.destroy();
process.stdout.write(`done ${acked} ${compactions} ${failures}\n`);
