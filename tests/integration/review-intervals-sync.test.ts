// Per-topic review intervals between real Repos and Synchronizers (memory network): an expert sets
// 30 days for the procedures of a sub-topic of theirs, with the app's code, on their own device; it
// reaches every peer through the centre document's signed entries, counts there, and moves the due
// date of a procedure of that topic from its catalog line. An agent without the role who sets one
// with the same code, and a rogue device that forges an expert's record or removes it, are refused
// by the other peers (not applied, not stored) and the session goes on.
import { afterEach, describe, expect, it } from 'vitest';
import { docId, KB_SPACE } from '../../src/lib/domain/ids';
import { ReviewIntervals } from '../../src/lib/domain/review-interval';
import { entryReviewDue } from '../../src/lib/domain/review-interval';
import { reviewTasks } from '../../src/lib/domain/review-tasks';
import { MemoryHub } from '../../src/lib/net/memory';
import { generateIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { countingIntervals, intervalId, setReviewInterval } from '../../src/lib/repo/review-intervals';
import { publishDraft } from '../../src/lib/repo/revisions';
import {
	addIntervalRecord,
	articleEntry,
	grantGenesisAdministrator,
	initArticle,
	intervalEntries,
	putCatalogEntry,
	readCatalog,
	readEffectiveRoles,
	readTaxonomy,
	writeRoleRecord
} from '../../src/lib/schema/index';
import {
	BOURSE_TAXONOMY,
	changeOn,
	destroyDevices,
	forgedInterval,
	initAcmeCentre,
	procedureMeta,
	syncDevice,
	type SyncDevice
} from '../support/governance-fixtures';
import { signedMessage } from './overlay-kit';
import { introduced, roguePeer, settle } from './rogue-kit';

const CENTRE = 'centre/acme';
const ARTICLE = 'article/ordre-rejete';
const SPACE = docId('space', KB_SPACE);
const DAY = 86_400_000;

afterEach(destroyDevices);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

/** The intervals a device holds, as the app derives them (records verified, rights now). */
async function intervalsOf(repo: Repo): Promise<ReviewIntervals> {
	const centre = await repo.open(CENTRE);
	const roles = await readEffectiveRoles(centre);
	const counting = await countingIntervals(centre, (a, t) => roles.mayPublish(a, t));
	return new ReviewIntervals(counting, new Map(readTaxonomy(centre).map((n) => [n.id, n.parent])));
}

/** What a device's storage holds of the intervals map, read by a fresh Repo. */
async function storedIntervals(d: SyncDevice): Promise<string[]> {
	const centre = (await new Repo({ storage: d.storage }).find(CENTRE))!;
	return [...intervalEntries(centre).keys()].sort();
}

describe('review intervals between peers', () => {
	it('an expert’s 30 days reach every peer and move the due date; an agent’s, a forgery and a removal are refused', async () => {
		const [founder, eve, carol, dan] = await Promise.all([1, 2, 3, 4].map(() => generateIdentity()));
		const hub = new MemoryHub();
		const a = syncDevice(hub, 'a', founder!, { centre: CENTRE });
		const centreA = await a.repo.open(CENTRE);
		initAcmeCentre(centreA, founder!, [
			...BOURSE_TAXONOMY,
			{ id: 'compte', label: { fr: 'Compte', en: 'Account' }, order: 1 }
		]);
		await grantGenesisAdministrator(centreA, founder!);
		await writeRoleRecord(centreA, founder!, {
			grantee: eve!.agentId,
			role: 'expert',
			scope: { kind: 'topic', topic: 'bourse' },
			action: 'grant'
		});
		const e = syncDevice(hub, 'e', eve!, { centre: CENTRE });
		const c = syncDevice(hub, 'c', carol!, { centre: CENTRE });
		const d = syncDevice(hub, 'd', dan!, { centre: CENTRE });
		const all = [a, e, c, d];
		await settle(...all);

		// Eve publishes a procedure of Bourse › Ordres, verified 40 days ago: due in 50 by default.
		const verifiedAt = Date.now() - 40 * DAY;
		const article = await e.repo.open(ARTICLE);
		initArticle(article, procedureMeta('bourse.ordres'), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'Vérifier le solde.' }] }
		]);
		await publishDraft(article, 'ordre-rejete', eve!, { note: 'v1', publisherName: 'Eve', time: verifiedAt });
		putCatalogEntry(await e.repo.open(SPACE), articleEntry(ARTICLE, article));
		await settle(...all);
		const lineOn = async (x: SyncDevice) =>
			readCatalog(await x.repo.open(SPACE)).find((l) => l.docId === ARTICLE)!;
		expect(entryReviewDue(await lineOn(c), await intervalsOf(c.repo))).toBe(verifiedAt + 90 * DAY);

		// Eve sets 30 days for the procedures of Bourse › Ordres, with the app's code on her device.
		const set = await setReviewInterval(await e.repo.open(CENTRE), eve!, {
			topic: 'bourse.ordres',
			kind: 'procedure',
			days: 30,
			signerName: 'Eve'
		});
		await settle(...all);
		for (const x of all) {
			const intervals = await intervalsOf(x.repo);
			expect(intervals.daysFor('bourse.ordres', 'procedure')).toBe(30);
			expect(entryReviewDue(await lineOn(x), intervals)).toBe(verifiedAt + 30 * DAY);
			expect(await storedIntervals(x)).toEqual([set.id]);
		}
		// Eve's task list now holds it as overdue (it was not due for 50 more days).
		const tasks = reviewTasks([await lineOn(a)], () => true, Date.now(), await intervalsOf(a.repo));
		expect(tasks.overdue.map((l) => l.docId)).toEqual([ARTICLE]);
		expect([a.rejected, e.rejected, c.rejected, d.rejected]).toEqual([[], [], [], []]);

		// Carol, no expert of anything, sets 7 days on Bourse with the same code: refused by the others.
		await setReviewInterval(await c.repo.open(CENTRE), carol!, {
			topic: 'bourse',
			kind: 'all',
			days: 7,
			signerName: 'Carol'
		});
		await settle(...all);
		for (const x of [a, e, d]) {
			expect(
				x.rejected.some((r) =>
					r.includes(`${carol!.agentId} may not set the review interval of topic bourse`)
				)
			).toBe(true);
			expect(await storedIntervals(x)).toEqual([set.id]);
			expect((await intervalsOf(x.repo)).daysFor('bourse', 'faq')).toBe(365);
			expect([...(await x.sync.log(CENTRE)).entries.values()].some((l) => l.agentId === carol!.agentId)).toBe(
				false
			);
		}

		// A rogue device of Dan's: Eve's record with its days changed, and the removal of Eve's record.
		const rogue = roguePeer(hub, 'rogue', { identity: dan! });
		cleanups.push(() => rogue.net.destroy());
		rogue.greet('a');
		await introduced(a.sync, 'rogue', true);
		const { forged } = await forgedInterval(eve!);
		const centreOnA = await a.repo.open(CENTRE);
		const before = a.rejected.length;
		rogue.send(
			'a',
			await signedMessage(
				eve!,
				CENTRE,
				await changeOn(centreOnA, async (x) => addIntervalRecord(x, await intervalId(forged), forged))
			)
		);
		rogue.send(
			'a',
			await signedMessage(
				dan!,
				CENTRE,
				await changeOn(centreOnA, (x) => x.getMap('reviewIntervals').delete(set.id))
			)
		);
		await settle(a);
		const reasons = a.rejected.slice(before);
		expect(reasons.some((r) => /signature does not verify/.test(r))).toBe(true);
		expect(reasons.some((r) => /changes or removes a review interval record/.test(r))).toBe(true);
		expect(await storedIntervals(a)).toEqual([set.id]);
		expect((await intervalsOf(a.repo)).daysFor('bourse.ordres', 'procedure')).toBe(30);

		// The session goes on: Eve hands the topic back to the default; everyone follows.
		await setReviewInterval(await e.repo.open(CENTRE), eve!, {
			topic: 'bourse.ordres',
			kind: 'procedure',
			days: 0,
			signerName: 'Eve'
		});
		await settle(...all);
		for (const x of all) expect((await intervalsOf(x.repo)).daysFor('bourse.ordres', 'procedure')).toBe(90);
		for (const x of [a, e, d]) expect((await storedIntervals(x)).length).toBe(2);
		// Carol's own device keeps her record, and ignores it there too: she may not publish Bourse.
		expect((await storedIntervals(c)).length).toBe(3);
		expect((await intervalsOf(c.repo)).daysFor('bourse', 'faq')).toBe(365);
	});
});
