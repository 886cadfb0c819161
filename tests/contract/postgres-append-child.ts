// Child process of the crash test in postgres-storage.test.ts: appends updates to one document as fast
// as it can and prints "acked <n>" as soon as each append has resolved. The parent kills it with
// SIGKILL while later appends are still in flight.
import * as Y from 'yjs';
import { PostgresStorage } from '../../src/lib/storage/postgres';

const [connectionString, schema, store, docId] = process.argv.slice(2) as [string, string, string, string];
// Never outlives a parent that failed before killing it.
setTimeout(() => process.exit(2), 30_000).unref();
process.stdout.on('error', () => process.exit(2));
const storage = new PostgresStorage({ connectionString, schema, store });
await storage.ready();
const doc = new Y.Doc();
doc.on('update', (update: Uint8Array) => {
	const n = doc.getMap('acked').size;
	// Several appends in flight at once, as a busy hub would have.
	void storage.append(docId, update).then(() => process.stdout.write(`acked ${n}\n`));
});
for (let n = 1; ; n++) {
	doc.getMap('acked').set(String(n), n);
	if (n % 4 === 0) await new Promise((r) => setImmediate(r));
}
