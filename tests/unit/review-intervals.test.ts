// Per-topic review intervals (domain/review-interval.ts, schema/review-intervals.ts,
// repo/review-intervals.ts): the interval of an article comes from the most specific topic with a
// counting record, else the kind's default; records out of bounds, forged, by someone who may not
// publish the topic, or changed/removed after storing are refused by the sync policy as every peer
// runs it (CentreSharePolicy on real Yjs centre documents), and ignored when read; the task list and
// catalog lines take the due date from the centre's intervals.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toBase64 } from '../../src/lib/domain/base64';
import type { CatalogEntry } from '../../src/lib/domain/catalog';
import {
	entryReviewDue,
	intervalDaysProblem,
	intervalFieldsProblem,
	lineage,
	ReviewIntervals,
	type StoredReviewInterval
} from '../../src/lib/domain/review-interval';
import { reviewTasks } from '../../src/lib/domain/review-tasks';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import {
	countingIntervals,
	intervalCheck,
	intervalId,
	setReviewInterval,
	signInterval,
	verifiedIntervals
} from '../../src/lib/repo/review-intervals';
import { publishDraft } from '../../src/lib/repo/revisions';
import { recordTransition } from '../../src/lib/repo/lifecycle';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { PROTOCOL_VERSION, type Hello } from '../../src/lib/repo/sync-protocol';
import {
	addIntervalRecord,
	articleEntry,
	effectiveRolesNow,
	encodeInterval,
	grantGenesisAdministrator,
	initArticle,
	readEffectiveRoles,
	writeRoleRecord
} from '../../src/lib/schema/index';
import {
	BOURSE_TAXONOMY,
	changeOn,
	forgedInterval,
	initAcmeCentre,
	procedureMeta
} from '../support/governance-fixtures';

const DAY = 86_400_000;
const parents = new Map<string, string | undefined>([
	['bourse', undefined],
	['bourse.ordres', 'bourse'],
	['bourse.ordres.rejete', 'bourse.ordres'],
	['compte', undefined]
]);

function rec(
	p: Partial<StoredReviewInterval> & Pick<StoredReviewInterval, 'topic' | 'days'>
): StoredReviewInterval {
	return {
		id: `r${p.time ?? 1}${p.topic}${p.kind ?? 'procedure'}`,
		centre: 'acme',
		kind: 'procedure',
		signer: 'agent-eve',
		signerName: 'Eve',
		time: 1,
		...p
	};
}

describe('the interval of an article', () => {
	it('comes from its topic, else the nearest topic above with a setting, else the kind’s default', () => {
		const none = new ReviewIntervals([], parents);
		expect(none.daysFor('bourse.ordres.rejete', 'procedure')).toBe(90);
		expect(none.daysFor('bourse.ordres.rejete', 'faq')).toBe(365);
		expect(none.effective('bourse', 'reference')).toEqual({ days: 180 });

		const root = rec({ topic: 'bourse', days: 60 });
		const mid = rec({ topic: 'bourse.ordres', days: 30, time: 0.5 });
		const intervals = new ReviewIntervals([root, mid], parents);
		// The specific topic beats its ancestor, whatever their times; the ancestor beats the default.
		expect(intervals.daysFor('bourse.ordres.rejete', 'procedure')).toBe(30);
		expect(intervals.effective('bourse.ordres.rejete', 'procedure').record).toBe(mid);
		expect(intervals.daysFor('bourse', 'procedure')).toBe(60);
		// Only the kind it names; another topic's tree is untouched.
		expect(intervals.daysFor('bourse.ordres', 'reference')).toBe(180);
		expect(intervals.daysFor('compte', 'procedure')).toBe(90);
		expect(lineage(parents, 'bourse.ordres.rejete')).toEqual([
			'bourse.ordres.rejete',
			'bourse.ordres',
			'bourse'
		]);
	});

	it('takes the latest record at a topic (time, then signer), an all-kinds one too; 0 days hands over to the parent', () => {
		const a = rec({ topic: 'bourse', days: 60, time: 10, signer: 'agent-a' });
		const b = rec({ topic: 'bourse', days: 45, time: 10, signer: 'agent-b' });
		const older = rec({ topic: 'bourse', days: 20, time: 5 });
		expect(new ReviewIntervals([b, older, a], parents).daysFor('bourse', 'procedure')).toBe(45);
		const all = rec({ topic: 'bourse', kind: 'all', days: 120, time: 11 });
		const intervals = new ReviewIntervals([a, all], parents);
		expect(intervals.daysFor('bourse', 'procedure')).toBe(120);
		expect(intervals.daysFor('bourse', 'faq')).toBe(120);
		// A later record for the kind wins over the all-kinds one.
		const later = rec({ topic: 'bourse', days: 14, time: 12 });
		expect(new ReviewIntervals([a, all, later], parents).daysFor('bourse', 'procedure')).toBe(14);
		// Back to inherited: the sub-topic's own setting gives way to its parent's.
		const sub = rec({ topic: 'bourse.ordres', days: 10, time: 1 });
		const reset = rec({ topic: 'bourse.ordres', days: 0, time: 2 });
		const withReset = new ReviewIntervals([a, sub, reset], parents);
		expect(withReset.daysFor('bourse.ordres', 'procedure')).toBe(60);
		expect(withReset.inherited('bourse.ordres', 'procedure').days).toBe(60);
		expect(new ReviewIntervals([reset], parents).daysFor('bourse.ordres', 'procedure')).toBe(90);
	});

	it('stays within 7–730 whole days (or 0, back to inherited)', () => {
		expect(intervalDaysProblem(7)).toBeUndefined();
		expect(intervalDaysProblem(730)).toBeUndefined();
		expect(intervalDaysProblem(0)).toBeUndefined();
		expect(intervalDaysProblem(6)).toMatch(/outside 7–730/);
		expect(intervalDaysProblem(731)).toMatch(/outside 7–730/);
		expect(intervalDaysProblem(-30)).toMatch(/outside/);
		expect(intervalDaysProblem(30.5)).toMatch(/whole number/);
		expect(intervalDaysProblem(Number.NaN)).toMatch(/whole number/);
		const fields = {
			centre: 'acme',
			topic: 'bourse',
			kind: 'procedure' as const,
			days: 30,
			signer: 's',
			signerName: 'S',
			time: 1
		};
		expect(intervalFieldsProblem(fields)).toBeUndefined();
		expect(intervalFieldsProblem({ ...fields, kind: 'note' as never })).toBe('its kind is unknown');
		expect(intervalFieldsProblem({ ...fields, topic: '' })).toMatch(/lacks/);
	});

	it('gives the task list and the catalog line their due date', () => {
		const now = Date.now();
		const line: CatalogEntry = {
			docId: 'article/a1',
			kind: 'procedure',
			title: 'Ordre rejeté',
			node: 'bourse.ordres.rejete',
			locale: 'fr',
			status: 'published',
			updatedAt: 1,
			revision: 1,
			verifiedAt: now - 40 * DAY
		};
		const thirty = new ReviewIntervals([rec({ topic: 'bourse.ordres', days: 30 })], parents);
		expect(entryReviewDue(line)).toBe(now + 50 * DAY);
		expect(entryReviewDue(line, thirty)).toBe(now - 10 * DAY);
		// A line written before per-topic intervals carries the default due date: read back exactly.
		const legacy = { ...line, verifiedAt: undefined, reviewDue: now + 50 * DAY };
		expect(entryReviewDue(legacy, thirty)).toBe(now - 10 * DAY);
		const all = () => true;
		expect(reviewTasks([line], all, now).overdue).toHaveLength(0);
		const tasks = reviewTasks([line], all, now, thirty);
		expect(tasks.overdue.map((e) => [e.docId, e.reviewDue])).toEqual([['article/a1', now - 10 * DAY]]);
	});
});

const TAXONOMY = [...BOURSE_TAXONOMY, { id: 'compte', label: { fr: 'Compte', en: 'Account' }, order: 1 }];

/** A centre whose founder made Eve an expert of Bourse (Bob has no role). */
async function centre() {
	const [founder, eve, bob] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
	const doc = new Y.Doc();
	initAcmeCentre(doc, founder, TAXONOMY);
	await grantGenesisAdministrator(doc, founder);
	await writeRoleRecord(doc, founder, {
		grantee: eve.agentId,
		role: 'expert',
		scope: { kind: 'topic', topic: 'bourse' },
		action: 'grant'
	});
	await readEffectiveRoles(doc);
	return { doc, founder, eve, bob };
}

const helloOf = (id: AgentIdentity): Hello => ({
	protocol: PROTOCOL_VERSION,
	agentId: id.agentId,
	floor: 'bourse',
	spaces: ['kb', 'centre'],
	key: toBase64(id.publicKey),
	verified: true
});

/** The policy's verdict on a signed centre entry by `signer`, as a receiving peer reaches it. */
async function verdict(doc: Y.Doc, signer: AgentIdentity, update: Uint8Array): Promise<string | undefined> {
	const policy = new CentreSharePolicy('agent-reader');
	await policy.prepareVet('centre/acme', doc, update);
	return policy.vetUpdate(helloOf(signer), 'centre/acme', doc, update);
}

describe('review interval records through the sync policy', () => {
	it('accept an expert’s setting; refuse forged, out-of-bounds, unauthorised, relayed, changed and removed records', async () => {
		const { doc, founder, eve, bob } = await centre();
		const set = (who: AgentIdentity, topic: string, days: number) => (c: Y.Doc) =>
			setReviewInterval(c, who, { topic, kind: 'procedure', days, signerName: 'X' });

		// Accepted: the expert of Bourse sets 30 days on a sub-topic (sub-topics included).
		const valid = await changeOn(doc, set(eve, 'bourse.ordres', 30));
		expect(await verdict(doc, eve, valid)).toBeUndefined();

		// A signer without the right for that topic (Eve is no expert of Compte; Bob of nothing).
		expect(await verdict(doc, eve, await changeOn(doc, set(eve, 'compte', 30)))).toBe(
			`adds a review interval record that is refused: ${eve.agentId} may not set the review interval of topic compte`
		);
		expect(await verdict(doc, bob, await changeOn(doc, set(bob, 'bourse', 30)))).toMatch(
			/may not set the review interval of topic bourse/
		);

		// Forged: Eve's record with its days changed after signing, written by Eve's key or Bob's.
		const { real, forged } = await forgedInterval(eve);
		const forgedUpdate = await changeOn(doc, async (c) =>
			addIntervalRecord(c, await intervalId(forged), forged)
		);
		expect(await verdict(doc, eve, forgedUpdate)).toBe(
			'adds a review interval record that is refused: its signature does not verify'
		);
		// Another's chain (unknown signer), another id, another centre.
		const chained = { ...real, chain: bob.publicKey };
		expect(
			await verdict(
				doc,
				eve,
				await changeOn(doc, async (c) => addIntervalRecord(c, await intervalId(chained), chained))
			)
		).toMatch(/signer is unknown/);
		expect(
			await verdict(doc, eve, await changeOn(doc, (c) => addIntervalRecord(c, 'f'.repeat(32), real)))
		).toMatch(/stored under another id/);
		const elsewhere = await signInterval(eve, { ...real, centre: 'autre' });
		expect(
			await verdict(
				doc,
				eve,
				await changeOn(doc, async (c) => addIntervalRecord(c, await intervalId(elsewhere), elsewhere))
			)
		).toMatch(/belongs to another centre \(autre\)/);
		// A bad value, properly signed (the app refuses to make it; a crafted client might).
		const tooShort = await signInterval(eve, { ...real, days: 3 });
		expect(
			await verdict(
				doc,
				eve,
				await changeOn(doc, async (c) => addIntervalRecord(c, await intervalId(tooShort), tooShort))
			)
		).toBe('adds a review interval record that is refused: its interval (3 days) is outside 7–730 days');
		expect(
			await setReviewInterval(new Y.Doc(), eve, { topic: 'b', kind: 'faq', days: 3, signerName: 'E' }).catch(
				(e: Error) => e.message
			)
		).toMatch(/no id yet|outside/);
		await expect(set(eve, 'bourse', 1000)(doc)).rejects.toThrow(/outside 7–730/);
		// Eve's valid record written by Bob (non-administrators write only their own).
		const relayed = await changeOn(doc, async (c) => addIntervalRecord(c, await intervalId(real), real));
		expect(await verdict(doc, bob, relayed)).toMatch(
			/signed by .*which only its signer or an administrator may write/
		);
		expect(await verdict(doc, eve, relayed)).toBeUndefined();

		// Stored: never changed or removed, by anyone (the administrator too).
		Y.applyUpdate(doc, valid);
		const [id] = [...doc.getMap('reviewIntervals').keys()];
		const other = encodeInterval(real);
		for (const who of [eve, founder]) {
			expect(
				await verdict(doc, who, await changeOn(doc, (c) => c.getMap('reviewIntervals').delete(id!)))
			).toBe('changes or removes a review interval record');
			expect(
				await verdict(doc, who, await changeOn(doc, (c) => c.getMap('reviewIntervals').set(id!, other)))
			).toBe('changes or removes a review interval record');
		}
		// Other fields of the centre stay the administrator's.
		expect(
			await verdict(doc, eve, await changeOn(doc, (c) => c.getMap('info').set('name', { fr: 'X', en: 'X' })))
		).toMatch(/only an administrator may/);
	});

	it('count when read only if they verify and their signer may publish the topic now', async () => {
		const { doc, founder, eve, bob } = await centre();
		await setReviewInterval(doc, eve, {
			topic: 'bourse.ordres',
			kind: 'procedure',
			days: 30,
			signerName: 'Eve',
			time: 10
		});
		// Bob's record (no right), and a forged one, as a crafted first state could carry them.
		const bobs = await signInterval(bob, {
			centre: 'acme',
			topic: 'bourse',
			kind: 'all',
			days: 7,
			signerName: 'Bob',
			time: 20
		});
		addIntervalRecord(doc, await intervalId(bobs), bobs);
		const forged = {
			...(await signInterval(eve, {
				centre: 'acme',
				topic: 'bourse.ordres',
				kind: 'procedure',
				days: 30,
				signerName: 'Eve',
				time: 30
			})),
			days: 8
		};
		addIntervalRecord(doc, await intervalId(forged), forged);
		expect(await intervalCheck(encodeInterval(forged))).toEqual({ problem: 'its signature does not verify' });

		const roles = () => effectiveRolesNow(doc);
		const counting = await countingIntervals(doc, (a, t) => roles().mayPublish(a, t));
		expect(counting.map((r) => [r.signer, r.days])).toEqual([[eve.agentId, 30]]);
		expect((await verifiedIntervals(doc)).length).toBe(2);
		const parentsOf = new Map(TAXONOMY.map((n) => [n.id, n.parent]));
		expect(new ReviewIntervals(counting, parentsOf).daysFor('bourse.ordres', 'procedure')).toBe(30);

		// Eve's expert role revoked: her setting stops counting (kept, not removed).
		await writeRoleRecord(doc, founder, {
			grantee: eve.agentId,
			role: 'expert',
			scope: { kind: 'topic', topic: 'bourse' },
			action: 'revoke'
		});
		await readEffectiveRoles(doc);
		expect(await countingIntervals(doc, (a, t) => roles().mayPublish(a, t))).toEqual([]);
		expect((await verifiedIntervals(doc)).length).toBe(2);
	});

	it('an administrator’s snapshot may carry a since-revoked expert’s record (kept, not counted)', async () => {
		const { doc, founder, eve } = await centre();
		const snapshotSource = new Y.Doc();
		Y.applyUpdate(snapshotSource, Y.encodeStateAsUpdate(doc));
		await setReviewInterval(snapshotSource, eve, {
			topic: 'bourse',
			kind: 'procedure',
			days: 45,
			signerName: 'Eve'
		});
		await writeRoleRecord(snapshotSource, founder, {
			grantee: eve.agentId,
			role: 'expert',
			scope: { kind: 'topic', topic: 'bourse' },
			action: 'revoke'
		});
		const update = Y.encodeStateAsUpdate(snapshotSource, Y.encodeStateVector(doc));
		// From Eve's own device, after her revocation: refused. In the founder's snapshot: accepted.
		expect(await verdict(doc, eve, update)).toMatch(/only an administrator may|may not set/);
		expect(await verdict(doc, founder, update)).toBeUndefined();
		Y.applyUpdate(doc, update);
		await readEffectiveRoles(doc);
		expect(await countingIntervals(doc, (a, t) => effectiveRolesNow(doc).mayPublish(a, t))).toEqual([]);
	});
});

describe('the catalog line', () => {
	it('carries the last verification, not a due date', async () => {
		const eve = await generateIdentity();
		const doc = new Y.Doc();
		initArticle(doc, procedureMeta('bourse.ordres'));
		const t0 = Date.now() - 50 * DAY;
		await publishDraft(doc, 'a1', eve, { note: 'v1', publisherName: 'Eve', time: t0 });
		let line = articleEntry('article/a1', doc);
		expect(line.verifiedAt).toBe(t0);
		expect(line.reviewDue).toBeUndefined();
		const t1 = Date.now() - 5 * DAY;
		await recordTransition(doc, 'a1', eve, { action: 'verify', actorName: 'Eve', time: t1 });
		line = articleEntry('article/a1', doc);
		expect(line.verifiedAt).toBe(t1);
		const intervals = new ReviewIntervals([rec({ topic: 'bourse', days: 14 })], parents);
		expect(entryReviewDue(line, intervals)).toBe(t1 + 14 * DAY);
	});
});
