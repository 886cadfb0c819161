// Lifecycle records (domain/lifecycle.ts, repo/lifecycle.ts, schema/lifecycle.ts) on real Yjs
// documents: the status, the open review and the review line derive from revisions and signed
// records only; every refusal (forged signature, unknown signer, signer without the role, another
// article or id, an altered record) has its reason; and the sync policy (CentreSharePolicy, as
// every peer runs it) refuses an agent's crafted archive or delete, and a raw change of the old
// plain `meta.status`, while an expert's record and ordinary edits pass.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	deriveLifecycle,
	reviewDueAfter,
	reviewUrgency,
	type LifecycleRevision,
	type StoredLifecycle
} from '../../src/lib/domain/lifecycle';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import {
	lifecycleId,
	lifecycleProblem,
	lifecycleUpdateProblem,
	recordTransition,
	signLifecycle
} from '../../src/lib/repo/lifecycle';
import { publishDraft } from '../../src/lib/repo/revisions';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { PROTOCOL_VERSION, type Hello } from '../../src/lib/repo/sync-protocol';
import {
	addLifecycleRecord,
	articleEntry,
	encodeLifecycle,
	initArticle,
	lifecycleOf,
	readArticleMeta,
	readRevisions,
	updateArticleMeta
} from '../../src/lib/schema/index';
import { changeOn, procedureMeta, rightsFrom } from '../support/governance-fixtures';

const DAY = 86_400_000;
const meta = procedureMeta();

function rec(p: Partial<StoredLifecycle> & Pick<StoredLifecycle, 'action' | 'time'>): StoredLifecycle {
	return {
		id: `r${p.time}`,
		articleId: 'a1',
		revision: 'rev1',
		topic: 'bourse-ordres',
		note: '',
		actor: 'agent-1',
		actorName: 'Alice',
		...p
	};
}
const rev1: LifecycleRevision = {
	id: 'rev1',
	number: 1,
	publisher: 'expert-1',
	publisherName: 'Eve',
	time: 1000,
	topic: 'bourse-ordres',
	kind: 'procedure'
};

describe('the lifecycle as derived', () => {
	it('goes from draft to in review to published, verified again, archived and back', () => {
		const base = { draftTopic: 'bourse-ordres', legacyStatus: 'draft' as const };
		const asked = rec({ action: 'request-review', time: 500, revision: '' });
		let life = deriveLifecycle({ ...base, revisions: [], records: [asked] });
		expect(life.status).toBe('draft');
		expect(life.review).toMatchObject({ by: 'agent-1', name: 'Alice', time: 500 });
		expect(life.verified).toBeUndefined();

		// The publication answers the request and is the first verification.
		life = deriveLifecycle({ ...base, revisions: [rev1], records: [asked] });
		expect(life.status).toBe('published');
		expect(life.review).toBeUndefined();
		expect(life.verified).toEqual({ by: 'expert-1', name: 'Eve', time: 1000, how: 'publish' });
		expect(life.reviewDue).toBe(1000 + 90 * DAY);

		// A verification without changes moves the due date; a later request is open again.
		const verify = rec({ action: 'verify', time: 2000, actor: 'expert-2', actorName: 'Paul' });
		const again = rec({ action: 'request-review', time: 3000 });
		life = deriveLifecycle({ ...base, revisions: [rev1], records: [again, verify] });
		expect(life.verified).toEqual({ by: 'expert-2', name: 'Paul', time: 2000, how: 'verify' });
		expect(life.reviewDue).toBe(2000 + 90 * DAY);
		expect(life.review?.time).toBe(3000);
		// Withdrawn by whoever asked (not by someone else).
		const otherWithdraws = rec({ action: 'withdraw-review', time: 3100, actor: 'agent-2' });
		expect(
			deriveLifecycle({ ...base, revisions: [rev1], records: [again, otherWithdraws] }).review
		).toBeDefined();
		const withdraws = rec({ action: 'withdraw-review', time: 3200 });
		expect(
			deriveLifecycle({ ...base, revisions: [rev1], records: [again, withdraws] }).review
		).toBeUndefined();

		const archive = rec({ action: 'archive', time: 4000 });
		life = deriveLifecycle({ ...base, revisions: [rev1], records: [archive, verify] });
		expect(life.status).toBe('archived');
		const unarchive = rec({ action: 'unarchive', time: 5000 });
		expect(deriveLifecycle({ ...base, revisions: [rev1], records: [unarchive, archive] }).status).toBe(
			'published'
		);
		const del = rec({ action: 'delete', time: 6000 });
		expect(deriveLifecycle({ ...base, revisions: [rev1], records: [del, archive] }).status).toBe('deleted');
		const undel = rec({ action: 'undelete', time: 7000 });
		expect(deriveLifecycle({ ...base, revisions: [rev1], records: [del, archive, undel] }).status).toBe(
			'archived'
		);
		expect(life.history.map((r) => r.action)).toEqual(['verify', 'archive']);
	});

	it('counts only records that name a revision the article holds, under that revision’s topic', () => {
		const base = { draftTopic: 'autre-sujet', legacyStatus: 'draft' as const, revisions: [rev1] };
		// An expert of another topic claims it in the record: it does not count.
		expect(
			deriveLifecycle({ ...base, records: [rec({ action: 'archive', time: 5, topic: 'autre-sujet' })] })
				.status
		).toBe('published');
		// Naming no revision once the article is published (the draft's topic moved): no effect.
		expect(
			deriveLifecycle({
				...base,
				records: [rec({ action: 'delete', time: 5, revision: '', topic: 'autre-sujet' })]
			}).status
		).toBe('published');
		// Naming a revision it does not hold: no effect.
		expect(
			deriveLifecycle({ ...base, records: [rec({ action: 'delete', time: 5, revision: 'f'.repeat(32) })] })
				.status
		).toBe('published');
	});

	it('reads older documents by their plain status until a record says otherwise', () => {
		const base = { draftTopic: 'bourse-ordres', revisions: [], records: [] };
		expect(deriveLifecycle({ ...base, legacyStatus: 'published' }).status).toBe('published');
		expect(deriveLifecycle({ ...base, legacyStatus: 'archived' }).status).toBe('archived');
		expect(deriveLifecycle({ ...base, legacyStatus: 'deleted', legacyBefore: 'archived' }).status).toBe(
			'deleted'
		);
		const undel = rec({ action: 'undelete', time: 5, revision: '' });
		expect(
			deriveLifecycle({ ...base, records: [undel], legacyStatus: 'deleted', legacyBefore: 'archived' }).status
		).toBe('archived');
	});

	it('has a review interval per kind and says when one is overdue or due soon', () => {
		expect(reviewDueAfter(0, 'procedure')).toBe(90 * DAY);
		expect(reviewDueAfter(0, 'reference')).toBe(180 * DAY);
		expect(reviewDueAfter(0, 'response')).toBe(180 * DAY);
		expect(reviewDueAfter(0, 'faq')).toBe(365 * DAY);
		expect(reviewUrgency(100, 100)).toBe('overdue');
		expect(reviewUrgency(100 + 30 * DAY, 100)).toBe('due-soon');
		expect(reviewUrgency(100 + 31 * DAY, 100)).toBe('ok');
	});
});

async function publishedDoc(expert: AgentIdentity, time = Date.now()): Promise<Y.Doc> {
	const doc = new Y.Doc();
	initArticle(doc, meta, [{ type: 'paragraph', content: [{ type: 'text', text: 'Vérifier le solde.' }] }]);
	await publishDraft(doc, 'a1', expert, { note: 'v1', publisherName: 'Eve', time });
	return doc;
}

describe('lifecycle records', () => {
	it('are refused with a reason for each bad input', async () => {
		const [eve, mallory] = await Promise.all([generateIdentity(), generateIdentity()]);
		const rights = rightsFrom({ [eve.agentId]: ['bourse-ordres'] });
		const fields = {
			articleId: 'a1',
			action: 'archive' as const,
			revision: '',
			topic: 'bourse-ordres',
			note: '',
			actorName: 'Eve',
			time: 1_700_000_000_000
		};
		const r = await signLifecycle(eve, fields);
		expect(await lifecycleProblem(encodeLifecycle(r), 'a1', rights, await lifecycleId(r))).toBeUndefined();
		const flipped = r.signature.map((b, i) => (i === 5 ? b ^ 1 : b));
		expect(await lifecycleProblem(encodeLifecycle({ ...r, signature: flipped }), 'a1', rights)).toBe(
			'its signature does not verify'
		);
		// Changed after signing: archive turned into delete.
		expect(await lifecycleProblem(encodeLifecycle({ ...r, action: 'delete' }), 'a1', rights)).toBe(
			'its signature does not verify'
		);
		expect(await lifecycleProblem(encodeLifecycle({ ...r, chain: mallory.publicKey }), 'a1', rights)).toMatch(
			/signer is unknown/
		);
		// Properly signed by an agent without the role: archive and delete refused, asking for a review not.
		for (const action of ['archive', 'delete', 'verify', 'unarchive', 'undelete'] as const)
			expect(
				await lifecycleProblem(
					encodeLifecycle(await signLifecycle(mallory, { ...fields, action })),
					'a1',
					rights
				)
			).toBe(`${mallory.agentId} may not ${action} articles of topic bourse-ordres`);
		const ask = await signLifecycle(mallory, { ...fields, action: 'request-review' });
		expect(await lifecycleProblem(encodeLifecycle(ask), 'a1', rights)).toBeUndefined();
		expect(await lifecycleProblem(encodeLifecycle(r), 'a2', rights)).toMatch(/another article/);
		expect(await lifecycleProblem(encodeLifecycle(r), 'a1', rights, 'f'.repeat(32))).toMatch(/another id/);
		expect(await lifecycleProblem(new Uint8Array([1, 2]), 'a1', rights)).toBe('it is not a lifecycle record');
	});

	it('recorded on a document give its status, review and catalog line', async () => {
		const [eve, alice] = await Promise.all([generateIdentity(), generateIdentity()]);
		const t0 = Date.now() - 100 * DAY;
		const doc = await publishedDoc(eve, t0);
		expect(articleEntry('article/a1', doc)).toMatchObject({ status: 'published', verifiedAt: t0 });
		await recordTransition(doc, 'a1', alice, {
			action: 'request-review',
			actorName: 'Alice',
			note: 'Frais changés'
		});
		expect(articleEntry('article/a1', doc).inReview).toBe(true);
		const now = Date.now();
		await recordTransition(doc, 'a1', eve, { action: 'verify', actorName: 'Eve', time: now });
		const life = lifecycleOf(doc, readArticleMeta(doc), readRevisions(doc));
		expect(life.verified).toMatchObject({ name: 'Eve', time: now, how: 'verify' });
		expect(life.review).toBeUndefined();
		expect(articleEntry('article/a1', doc)).toMatchObject({ verifiedAt: now });
		expect(articleEntry('article/a1', doc).inReview).toBeUndefined();
		await recordTransition(doc, 'a1', eve, { action: 'archive', actorName: 'Eve' });
		expect(articleEntry('article/a1', doc).status).toBe('archived');
		// The plain field was never touched.
		expect(readArticleMeta(doc).status).toBe('draft');
	});
});

const helloOf = (id: AgentIdentity): Hello => ({
	protocol: PROTOCOL_VERSION,
	agentId: id.agentId,
	floor: 'bourse',
	spaces: ['kb', 'centre'],
	key: 'k',
	verified: true
});

/** The policy's verdict on an update, as a receiving peer reaches it: vetting, then verification. */
async function verdict(policy: CentreSharePolicy, peer: Hello, doc: Y.Doc, update: Uint8Array) {
	return (
		policy.vetUpdate(peer, 'article/a1', doc, update) ??
		(await policy.verifyUpdate(peer, 'article/a1', doc, update))
	);
}

describe('the sync policy on lifecycle', () => {
	it('refuses an agent’s crafted archive or delete and a raw change of the plain status; takes an expert’s record and edits', async () => {
		const [eve, mallory, reader] = await Promise.all([
			generateIdentity(),
			generateIdentity(),
			generateIdentity()
		]);
		const rights = rightsFrom({ [eve.agentId]: ['bourse-ordres'] });
		const policy = new CentreSharePolicy(reader.agentId, { publishRights: rights });
		const doc = await publishedDoc(eve);
		const from = helloOf(mallory);

		// The agent runs the real code on its own copy: refused for the role.
		for (const action of ['archive', 'delete'] as const) {
			const update = await changeOn(doc, (c) =>
				recordTransition(c, 'a1', mallory, { action, actorName: 'Mallory' }).then(() => undefined)
			);
			expect(await verdict(policy, from, doc, update)).toBe(
				`adds a lifecycle record that is refused: ${mallory.agentId} may not ${action} articles of topic bourse-ordres`
			);
		}
		// A record of the expert's, forged by the agent (fields changed after signing).
		const real = await signLifecycle(eve, {
			articleId: 'a1',
			action: 'verify',
			revision: readRevisions(doc)[0]!.id,
			topic: 'bourse-ordres',
			note: '',
			actorName: 'Eve',
			time: Date.now()
		});
		const forgedRecord = { ...real, action: 'delete' as const };
		const forged = await changeOn(doc, async (c) =>
			addLifecycleRecord(c, await lifecycleId(forgedRecord), forgedRecord)
		);
		expect(await verdict(policy, from, doc, forged)).toMatch(/signature does not verify/);
		// The plain status field, set by hand: refused whatever the value.
		for (const status of ['archived', 'deleted', 'published'] as const) {
			const raw = await changeOn(doc, (c) => void c.getMap('meta').set('status', status));
			expect(await verdict(policy, from, doc, raw)).toBe(
				'changes the article status outside a signed lifecycle record'
			);
		}
		const viaSchema = await changeOn(
			doc,
			(c) => void updateArticleMeta(c, { status: 'deleted', statusBefore: 'published' })
		);
		expect(await verdict(policy, from, doc, viaSchema)).toMatch(
			/article status outside a signed lifecycle record/
		);
		const removed = await changeOn(doc, (c) => void c.getMap('meta').delete('status'));
		expect(await verdict(policy, from, doc, removed)).toBe(
			'removes the article status outside a signed lifecycle record'
		);

		// Accepted: the expert's archive, an agent's review request, an ordinary edit, a new article.
		const archive = await changeOn(doc, (c) =>
			recordTransition(c, 'a1', eve, { action: 'archive', actorName: 'Eve' }).then(() => undefined)
		);
		expect(await verdict(policy, helloOf(eve), doc, archive)).toBeUndefined();
		const ask = await changeOn(doc, (c) =>
			recordTransition(c, 'a1', mallory, { action: 'request-review', actorName: 'Mallory' }).then(
				() => undefined
			)
		);
		expect(await verdict(policy, from, doc, ask)).toBeUndefined();
		const edit = await changeOn(doc, (c) => void updateArticleMeta(c, { title: 'Ordre rejeté (marché)' }));
		expect(await verdict(policy, from, doc, edit)).toBeUndefined();
		const fresh = new Y.Doc();
		initArticle(fresh, { ...meta, status: 'draft' });
		expect(await verdict(policy, from, new Y.Doc(), Y.encodeStateAsUpdate(fresh))).toBeUndefined();

		// A record once stored is never changed or removed.
		Y.applyUpdate(doc, archive);
		const [id] = [...doc.getMap('lifecycle').keys()];
		const erase = await changeOn(doc, (c) => void c.getMap('lifecycle').delete(id!));
		expect(await lifecycleUpdateProblem(doc, 'a1', erase, rights)).toBe(
			'changes or removes a lifecycle record'
		);
	});
});
