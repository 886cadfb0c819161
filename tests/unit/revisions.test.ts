// Publication records (domain/revision.ts, repo/revisions.ts, schema/revisions.ts): a record signed
// by someone allowed to publish its topic verifies anywhere; each refusal of issue 14 (bad
// signature, unknown signer, signer without the role, digest not matching the content, a number
// going backwards) has its reason; an update that alters or removes a record is refused; two
// publications made while partitioned are both kept and every peer shows the same one as current.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	byRecency,
	currentRevision,
	encodeSnapshot,
	nextRevisionNumber,
	snapshotOf,
	type PublishRights
} from '../../src/lib/domain/revision';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import {
	revisionId,
	revisionProblem,
	revisionUpdateProblem,
	signRevision
} from '../../src/lib/repo/revisions';
import { addRevision, encodeRevision, initArticle, readRevisions } from '../../src/lib/schema/index';
import { procedureMeta, rightsFrom } from '../support/governance-fixtures';

const meta = procedureMeta();
const body = [{ type: 'paragraph', content: [{ type: 'text', text: 'Vérifier le solde du compte.' }] }];

async function publish(who: AgentIdentity, number = 1, previous = number - 1, note = 'Première version') {
	return signRevision(who, {
		articleId: 'a1',
		snapshot: snapshotOf(meta, body),
		number,
		previous,
		note,
		publisherName: 'Alice',
		time: 1_700_000_000_000 + number
	});
}

describe('publication records', () => {
	it('verify for a publisher of the topic, round-trip through bytes, and keep their id', async () => {
		const alice = await generateIdentity();
		const rights = rightsFrom({ [alice.agentId]: ['bourse-ordres'] });
		const r = await publish(alice);
		const bytes = encodeRevision(r);
		expect(await revisionProblem(bytes, 'a1', rights, await revisionId(r))).toBeUndefined();
		expect(r.topic).toBe('bourse-ordres');
		expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
	});

	it('are refused with a reason for each bad input', async () => {
		const alice = await generateIdentity();
		const mallory = await generateIdentity();
		const rights = rightsFrom({ [alice.agentId]: ['bourse-ordres'] });
		const r = await publish(alice);
		const flipped = r.signature.map((b, i) => (i === 7 ? b ^ 1 : b));
		expect(await revisionProblem(encodeRevision({ ...r, signature: flipped }), 'a1', rights)).toBe(
			'its signature does not verify'
		);
		// Signed fields changed after signing: the signature no longer holds.
		expect(await revisionProblem(encodeRevision({ ...r, note: 'autre' }), 'a1', rights)).toBe(
			'its signature does not verify'
		);
		// A chain that does not prove the named publisher: unknown signer.
		expect(await revisionProblem(encodeRevision({ ...r, chain: mallory.publicKey }), 'a1', rights)).toMatch(
			/signer is unknown/
		);
		// A properly signed record by someone without the role.
		expect(await revisionProblem(encodeRevision(await publish(mallory)), 'a1', rights)).toBe(
			`${mallory.agentId} may not publish topic bourse-ordres`
		);
		// The content changed under its digest.
		const other = encodeSnapshot(snapshotOf({ ...meta, title: 'Ordre accepté' }, body));
		expect(await revisionProblem(encodeRevision({ ...r, snapshot: other }), 'a1', rights)).toBe(
			'its digest does not match its content'
		);
		// A number that does not go above the revision it replaces, even properly signed.
		expect(await revisionProblem(encodeRevision(await publish(alice, 3, 3)), 'a1', rights)).toMatch(
			/goes backwards/
		);
		expect(await revisionProblem(encodeRevision(await publish(alice, 2, 5)), 'a1', rights)).toMatch(
			/goes backwards/
		);
		// Moved to another article, stored under another id, or not a record at all.
		expect(await revisionProblem(encodeRevision(r), 'a2', rights)).toMatch(/another article/);
		expect(await revisionProblem(encodeRevision(r), 'a1', rights, 'f'.repeat(32))).toMatch(/another id/);
		expect(await revisionProblem(new Uint8Array([1, 2, 3]), 'a1', rights)).toBe(
			'it is not a publication record'
		);
		expect(await revisionProblem('text', 'a1', rights)).toBe('it is not a publication record');
	});

	it('published concurrently are both kept; the current one is the higher number, then the higher publisher id', async () => {
		const a = await generateIdentity();
		const b = await generateIdentity();
		const [low, high] = a.agentId < b.agentId ? [a, b] : [b, a];
		const r1 = await publish(low, 1);
		const fromLow = await publish(low, 2);
		const fromHigh = await publish(high, 2);
		for (const order of [
			[r1, fromLow, fromHigh],
			[fromHigh, r1, fromLow]
		]) {
			expect(currentRevision(order)?.publisher).toBe(high.agentId);
			expect(byRecency(order).map((r) => r.publisher)).toEqual([high.agentId, low.agentId, low.agentId]);
			expect(nextRevisionNumber(order)).toBe(3);
		}
		expect(currentRevision([])).toBeUndefined();
	});
});

describe('an article update and its publication records', () => {
	async function article(): Promise<{ doc: Y.Doc; alice: AgentIdentity; rights: PublishRights }> {
		const alice = await generateIdentity();
		const doc = new Y.Doc();
		initArticle(doc, meta, body);
		return { doc, alice, rights: rightsFrom({ [alice.agentId]: ['bourse-ordres'] }) };
	}

	function updateOf(doc: Y.Doc, change: (copy: Y.Doc) => void): Uint8Array {
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		const sv = Y.encodeStateVector(copy);
		change(copy);
		return Y.encodeStateAsUpdate(copy, sv);
	}

	it('an edit of the draft needs no check at all; a valid publication passes', async () => {
		const { doc, alice, rights } = await article();
		const typing = updateOf(doc, (c) => c.getMap('meta').set('title', 'Ordre rejeté (bourse)'));
		expect(revisionUpdateProblem(doc, 'a1', typing, rights)).toBeUndefined();
		const r = await publish(alice);
		const publication = updateOf(doc, (c) => addRevision(c, 'x', r));
		// Stored under a wrong id: refused.
		expect(await revisionUpdateProblem(doc, 'a1', publication, rights)).toMatch(/another id/);
		const id = await revisionId(r);
		const ok = updateOf(doc, (c) => addRevision(c, id, r));
		expect(await revisionUpdateProblem(doc, 'a1', ok, rights)).toBeUndefined();
		Y.applyUpdate(doc, ok);
		expect(readRevisions(doc).map((x) => x.id)).toEqual([id]);
	});

	it('refuses an update that overwrites or deletes a published revision, even with a valid record', async () => {
		const { doc, alice, rights } = await article();
		const r = await publish(alice);
		const id = await revisionId(r);
		addRevision(doc, id, r);
		const r2 = await publish(alice, 2);
		const overwrite = updateOf(doc, (c) => addRevision(c, id, r2));
		expect(await revisionUpdateProblem(doc, 'a1', overwrite, rights)).toBe(
			'changes or removes a published revision'
		);
		const removal = updateOf(doc, (c) => c.getMap('revisions').delete(id));
		expect(await revisionUpdateProblem(doc, 'a1', removal, rights)).toBe(
			'changes or removes a published revision'
		);
		const r2id = await revisionId(r2);
		const next = updateOf(doc, (c) => addRevision(c, r2id, r2));
		expect(await revisionUpdateProblem(doc, 'a1', next, rights)).toBeUndefined();
	});
});
