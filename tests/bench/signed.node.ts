// `npm run bench -- signed`: what signing guarded documents costs (repo/sync-signed*.ts). Time to
// sign and to verify one entry (a keystroke, and a 10 KB paste), with the key chain already known
// and first seen; the bytes an entry adds on the wire against the plain update message; and a note
// edited 1,000 times (one keystroke each): its log with compaction against the log it would be
// without, and a fresh peer filled from it.
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { MemoryHub } from '../../src/lib/net/memory';
import { generateIdentity } from '../../src/lib/repo/identity';
import { logIdOf } from '../../src/lib/repo/sync-log';
import { encodeMessage } from '../../src/lib/repo/sync-protocol';
import { ChainCache, signEntry, verifyEntry } from '../../src/lib/repo/sync-signed-entry';
import { bodyFragment } from '../../src/lib/schema/index';
import { device, share, writeNote } from '../integration/overlay-kit';
import { settle } from '../integration/rogue-kit';
import { percentile, report } from './report';

const RUNS = 300;

function keystrokes(n: number): Uint8Array[] {
	const doc = new Y.Doc();
	const out: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => out.push(u));
	const text = doc.getText('t');
	for (let i = 0; i < n; i++) text.insert(i, 'a');
	return out;
}

test('signed entries: sign, verify, bytes', async () => {
	const identity = await generateIdentity();
	const docId = 'note/agent-x.abcdefghijklmnop';
	const small = keystrokes(RUNS);
	const paste = new Uint8Array(10 * 1024).map((_, i) => i % 251);
	for (const [name, updates] of [
		['keystroke', small],
		['paste10k', Array.from({ length: RUNS }, () => paste)]
	] as const) {
		const signMs: number[] = [];
		const verifyMs: number[] = [];
		const coldMs: number[] = [];
		const warm = new ChainCache();
		for (const update of updates) {
			let t = performance.now();
			const e = await signEntry(identity, 0, docId, update);
			signMs.push(performance.now() - t);
			t = performance.now();
			expect(await verifyEntry(e, warm)).toBeDefined();
			verifyMs.push(performance.now() - t);
			t = performance.now();
			expect(await verifyEntry(e, new ChainCache())).toBeDefined();
			coldMs.push(performance.now() - t);
		}
		report({ bench: `signed.sign.${name}.p50`, value: percentile(signMs, 50), unit: 'ms' });
		report({ bench: `signed.sign.${name}.p95`, value: percentile(signMs, 95), unit: 'ms' });
		report({ bench: `signed.verify.${name}.p50`, value: percentile(verifyMs, 50), unit: 'ms' });
		report({ bench: `signed.verify.${name}.p95`, value: percentile(verifyMs, 95), unit: 'ms' });
		report({ bench: `signed.verify-new-chain.${name}.p50`, value: percentile(coldMs, 50), unit: 'ms' });
	}
	const update = small[10]!;
	const e = await signEntry(identity, 0, docId, update);
	const plain = encodeMessage({ type: 'update', docId, update }).length;
	const inline = encodeMessage({ type: 'signed', entries: [{ ...e, chain: e.chain }] }).length;
	const byRef = encodeMessage({ type: 'signed', entries: [{ ...e, chain: undefined, chainRef: 1 }] }).length;
	report({ bench: 'signed.bytes.plain-update', value: plain, unit: 'B' });
	report({ bench: 'signed.bytes.entry-chain-inline', value: inline, unit: 'B' });
	report({ bench: 'signed.bytes.entry-chain-ref', value: byRef, unit: 'B' });
});

test('signed entries: a note edited 1,000 times', { timeout: 600_000 }, async () => {
	const hub = new MemoryHub();
	const a = await device(hub, 'a', await generateIdentity(), { links: [] });
	const id = await writeNote(a, 'Souvent modifiée', '');
	await share(a, id, { visibility: 'centre', floor: 'bourse', colleaguesMayEdit: false });
	const doc = await a.repo.open(id);
	const body = bodyFragment(doc);
	const paragraph = new Y.XmlElement('paragraph');
	const text = new Y.XmlText();
	paragraph.insert(0, [text]);
	body.insert(0, [paragraph]);
	await settle(a);
	let uncompacted = 0;
	const t0 = performance.now();
	for (let i = 0; i < 1000; i++) {
		const before = Y.encodeStateVector(doc);
		text.insert(i, 'x');
		uncompacted +=
			(await signEntry(a.identity, 0, id, Y.encodeStateAsUpdate(doc, before))).update.length + 64 + 65 + 40;
		await settle(a);
	}
	const editMs = (performance.now() - t0) / 1000;
	const log = await a.sync.log(id);
	const stored = (await a.storage.load(logIdOf(id))).reduce((n, c) => n + (c.data as Uint8Array).length, 0);
	report({ bench: 'signed.log1000.entries-without-compaction', value: 1000, unit: 'entries' });
	report({ bench: 'signed.log1000.bytes-without-compaction', value: uncompacted, unit: 'B' });
	report({ bench: 'signed.log1000.entries', value: log.entries.size, unit: 'entries', target: 65 });
	report({ bench: 'signed.log1000.bytes', value: stored, unit: 'B' });
	report({ bench: 'signed.log1000.per-edit', value: editMs, unit: 'ms' });
	// A fresh peer fills from that log.
	const f = await device(hub, 'f', await generateIdentity(), { links: [] });
	const t1 = performance.now();
	hub.link('a', 'f');
	await settle(a, f);
	report({ bench: 'signed.log1000.fill-fresh-peer', value: performance.now() - t1, unit: 'ms' });
	expect((await f.sync.log(id)).digest()).toBe(log.digest());
	await f.stop();
	await a.stop();
});
