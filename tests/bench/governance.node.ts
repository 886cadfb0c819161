// `npm run bench -- governance` (issue 14): what published revisions cost. Publishing a 10,000-word
// procedure (snapshot, digest, signature, stored in the article's document) and comparing two of
// its revisions (word diff of text and steps), p95 against 50 ms each; verifying one received
// record (what a fresh device pays per publication during its fill); and the size of 50 revisions of
// a typical procedure (about 600 words, 8 steps) in the article's document.
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
