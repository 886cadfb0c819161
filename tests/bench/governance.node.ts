// `npm run bench -- governance` (issue 14): what published revisions cost. Publishing a 10,000-word
// procedure (snapshot, digest, signature, stored in the article's document) and comparing two of
// its revisions (word diff of text and steps), p95 against 50 ms each; verifying one received
// record (what a fresh device pays per publication during its fill); the size of 50 revisions of
// a typical procedure (about 600 words, 8 steps) in the article's document; and a fresh Node peer's
// fill from the hub of 5,000 articles each with a signed publication against the same 5,000
// without (target: ≤ 1.2 times as long; governance-fill.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import type { BodyNode } from '../../src/lib/domain/body';
import { diffSnapshots } from '../../src/lib/domain/revision-diff';
import { decodeSnapshot, type PublishRights } from '../../src/lib/domain/revision';
import { generateIdentity } from '../../src/lib/repo/identity';
import { publishDraft, revisionProblem } from '../../src/lib/repo/revisions';
import {
	articleBody,
	encodeRevision,
	initArticle,
	readRevisions,
	writeBody
} from '../../src/lib/schema/index';
import { generateLongArticle } from './generate-article';
import { governanceFill } from './governance-fill';
import { percentile, report } from './report';

const RUNS = 40;
const rights: PublishRights = () => true;

/** The body with every `every`-th text run changed (a word replaced): the next revision's draft. */
function edited(body: BodyNode[], round: number, every: number): BodyNode[] {
	let n = 0;
	const walk = (nodes: BodyNode[]): BodyNode[] =>
		nodes.map((node) => {
			if (node.text !== undefined) {
				n++;
				return n % every === round % every ? { ...node, text: `${node.text} révisé${round}` } : node;
			}
			return node.content ? { ...node, content: walk(node.content) } : node;
		});
	return walk(body);
}

test('governance: publish, diff, verify, sizes', async () => {
	const identity = await generateIdentity();
	const big = generateLongArticle({ words: 10_000, steps: 40 });
	const doc = new Y.Doc();
	initArticle(doc, { ...big.meta, kind: 'procedure' }, big.body);
	const publishMs: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		writeBody(articleBody(doc), edited(big.body, i, 50));
		const t = performance.now();
		await publishDraft(doc, 'big', identity, { note: `Révision ${i}`, publisherName: 'Bench' });
		publishMs.push(performance.now() - t);
	}
	report({ bench: 'governance.publish.10k.p50', value: percentile(publishMs, 50), unit: 'ms' });
	report({ bench: 'governance.publish.10k.p95', value: percentile(publishMs, 95), unit: 'ms', target: 50 });

	const revisions = readRevisions(doc).sort((a, b) => a.number - b.number);
	const diffMs: number[] = [];
	for (let i = 1; i < revisions.length; i++) {
		const a = decodeSnapshot(revisions[i - 1]!.snapshot)!;
		const b = decodeSnapshot(revisions[i]!.snapshot)!;
		const t = performance.now();
		const d = diffSnapshots(a, b);
		diffMs.push(performance.now() - t);
		expect(d.changed).toBe(true);
	}
	report({ bench: 'governance.diff.10k.p50', value: percentile(diffMs, 50), unit: 'ms' });
	report({ bench: 'governance.diff.10k.p95', value: percentile(diffMs, 95), unit: 'ms', target: 50 });

	const verifyMs: number[] = [];
	for (const r of revisions) {
		const bytes = encodeRevision(r);
		const t = performance.now();
		expect(await revisionProblem(bytes, 'big', rights, r.id)).toBeUndefined();
		verifyMs.push(performance.now() - t);
	}
	report({ bench: 'governance.verify.10k.p50', value: percentile(verifyMs, 50), unit: 'ms' });

	// A typical procedure: 600 words, 8 steps, 50 revisions each changing a few words.
	const typical = generateLongArticle({ words: 600, steps: 8, seed: 3 });
	const small = new Y.Doc();
	initArticle(small, { ...typical.meta, kind: 'procedure' }, typical.body);
	const draftOnly = Y.encodeStateAsUpdate(small).byteLength;
	const smallVerify: number[] = [];
	for (let i = 0; i < 50; i++) {
		writeBody(articleBody(small), edited(typical.body, i, 20));
		await publishDraft(small, 'typical', identity, { note: `Révision ${i}`, publisherName: 'Bench' });
	}
	for (const r of readRevisions(small)) {
		const t = performance.now();
		await revisionProblem(encodeRevision(r), 'typical', rights, r.id);
		smallVerify.push(performance.now() - t);
	}
	const withRevisions = Y.encodeStateAsUpdate(small).byteLength;
	const records = readRevisions(small).reduce((n, r) => n + encodeRevision(r).byteLength, 0);
	report({ bench: 'governance.size.typical.draft', value: draftOnly, unit: 'bytes' });
	report({ bench: 'governance.size.typical.50-revisions.doc', value: withRevisions, unit: 'bytes' });
	report({ bench: 'governance.size.typical.50-revisions.records', value: records, unit: 'bytes' });
	report({ bench: 'governance.verify.typical.p50', value: percentile(smallVerify, 50), unit: 'ms' });
	report({ bench: 'governance.verify.typical.p95', value: percentile(smallVerify, 95), unit: 'ms' });
});

const FILL_ARTICLES = Number(process.env.PLATEAU_GOV_FILL_ARTICLES ?? 5000);
const FILL_ROUNDS = Number(process.env.PLATEAU_GOV_FILL_RUNS ?? 3);

test(
	'governance: a fresh device filled with published articles, against the same without records',
	{
		timeout: 1_800_000
	},
	async () => {
		const load = () => Math.round(loadavg()[0]! * 100) / 100;
		const loadBefore = load();
		const dir = await mkdtemp(join(tmpdir(), 'plateau-gov-fill-'));
		try {
			const r = await governanceFill({
				dir,
				articles: FILL_ARTICLES,
				rounds: FILL_ROUNDS,
				timeoutMs: 600_000,
				log: (line) => console.log(line)
			});
			expect(r.rejected).toBe(0);
			const plain = percentile(r.plain, 50);
			const verified = percentile(r.verified, 50);
			const unverified = percentile(r.unverified, 50);
			const name = `governance.fill.node.${FILL_ARTICLES}articles`;
			report({
				bench: `${name}.withRecords.p50`,
				value: verified,
				unit: 'ms',
				peer: 'withoutRecords',
				peerValue: plain
			});
			report({
				bench: `${name}.withRecordsUnverified.p50`,
				value: unverified,
				unit: 'ms',
				peer: 'withoutRecords',
				peerValue: plain
			});
			// The figure: the fill with every record verified, as a multiple of the fill without.
			report({
				bench: `${name}.ratio`,
				value: Math.round((verified / plain) * 1000) / 1000,
				unit: 'x',
				target: 1.2,
				peer: 'withoutRecords',
				peerValue: plain
			});
			const cpuPlain = percentile(r.cpu.plain, 50);
			const cpuVerified = percentile(r.cpu.verified, 50);
			report({
				bench: `${name}.cpu.withRecords.p50`,
				value: cpuVerified,
				unit: 'ms',
				peer: 'withoutRecords',
				peerValue: cpuPlain
			});
			report({
				bench: `${name}.cpu.withRecordsUnverified.p50`,
				value: percentile(r.cpu.unverified, 50),
				unit: 'ms',
				peer: 'withoutRecords',
				peerValue: cpuPlain
			});
			// CPU time of the process (the peer, and the hub serving it), the same ratio.
			report({
				bench: `${name}.cpu.ratio`,
				value: Math.round((cpuVerified / cpuPlain) * 1000) / 1000,
				unit: 'x',
				target: 1.2,
				peer: 'withoutRecords',
				peerValue: cpuPlain
			});
			report({
				bench: `${name}.bytes.withRecords`,
				value: r.bytes.published,
				unit: 'bytes',
				peer: 'withoutRecords',
				peerValue: r.bytes.plain
			});
			report({ bench: 'governance.fill.loadavg.start', value: loadBefore, unit: 'load' });
			report({ bench: 'governance.fill.loadavg.end', value: load(), unit: 'load' });
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	}
);
