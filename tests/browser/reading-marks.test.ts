// The agent's reading on a real device (Chromium, IndexedDB): which revision they last read and
// what they follow survive a restart of the app, and none of it enters a document — every
// document's state is the same before and after reading, following and marking the feed read,
// and the records are found in the device database only. Then a new publication shows as
// "updated since you last read" and unread in the feed of the agent following the article.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { App, type AppEnvironment } from '../../src/lib/state/app.svelte';
import { ArticleView } from '../../src/lib/state/article-view.svelte';
import { databaseName, IndexedDbStorage } from '../../src/lib/storage/indexeddb';
import { IndexedDbDeviceStore } from '../../src/lib/storage/device-idb';
import { DEVICE_KEYS } from '../../src/lib/repo/device-store';
import { REVISION_ID_KEPT } from '../../src/lib/domain/read-marks';
import { memoryStorage } from '../support/memory-storage';
import { scanIndexedDb } from '../support/idb-scan';

const DOC = 'article/faq-code-double-authentification';
const apps: App[] = [];

function environment(suffix: string, storage: Storage): AppEnvironment {
	return {
		openStorage: (centreId) => new IndexedDbStorage(databaseName(`${centreId}-${suffix}`)),
		deleteStorage: (centreId) => IndexedDbStorage.deleteDatabase(databaseName(`${centreId}-${suffix}`)),
		device: new IndexedDbDeviceStore(`plateau-device-${suffix}`),
		storage
	};
}

async function until(check: () => boolean): Promise<void> {
	while (!check()) await new Promise((r) => setTimeout(r, 20));
}

async function opened(app: App, docId: string): Promise<ArticleView> {
	const view = new ArticleView(app.repo!, docId);
	await until(() => view.status !== 'loading' && !!view.doc);
	return view;
}

/** Every document's state vector, as stored: what reading must never change. */
async function documentStates(app: App): Promise<Map<string, string>> {
	const out = new Map<string, string>();
	for (const id of await app.repo!.list()) {
		const doc = await app.repo!.open(id);
		out.set(id, Y.encodeStateVector(doc).join(','));
	}
	return out;
}

afterEach(async () => {
	for (const app of apps.splice(0)) await app.destroy();
});

describe('read marks and follows on the device', () => {
	it('survive a restart, never enter a document, and show a later publication as updated and unread', async () => {
		const suffix = `reading-${Date.now()}`;
		const local = memoryStorage();
		const app = new App(environment(suffix, local));
		apps.push(app);
		await app.start().then(() => app.tryDemo());
		await app.session!.save({ name: 'Camille Lecture', floor: 'bourse', languages: ['fr'] });
		const view = await opened(app, DOC);
		const first = await view.publish(app.identity!, 'Première révision', 'Eve Experte');
		await until(() => view.published?.record.id === first!.id);
		await app.repo!.flush();
		const before = await documentStates(app);

		// The reading view shows that revision; the agent follows the article and a topic, and
		// marks the feed read.
		const reading = app.reading!;
		const visit = reading.visit(DOC);
		expect(visit.baseline).toBeUndefined(); // never read on this device: nothing to compare
		visit.shown(view.published!.record, 'faq');
		reading.follow(DOC);
		reading.followTopic('compte.acces');
		reading.markAllRead();
		await reading.saved();
		visit.end();
		await app.repo!.flush();
		expect(await documentStates(app)).toEqual(before);
		// The records are in the device's own database, and nowhere else.
		const scan = await scanIndexedDb([
			DEVICE_KEYS.readMarks(app.centreId),
			DEVICE_KEYS.follows(app.centreId)
		]);
		// (Other tests of this browser leave device databases of their own: only device databases.)
		expect(scan.found.filter((f) => !/ in plateau-device-[^/]+\/records$/.test(f))).toEqual([]);
		expect(scan.found).toEqual(
			expect.arrayContaining([
				`${DEVICE_KEYS.follows(app.centreId)} in plateau-device-${suffix}/records`,
				`${DEVICE_KEYS.readMarks(app.centreId)} in plateau-device-${suffix}/records`
			])
		);
		view.destroy();
		await app.destroy();
		apps.pop();

		// The app starts again on the same device: the marks and follows are there.
		const again = new App(environment(suffix, local));
		apps.push(again);
		await again.start();
		const r = again.reading!;
		// (The demo seeds this article with revisions of its own: this device's is the next number.)
		expect(r.lastRead(DOC)).toMatchObject({
			revision: first!.number,
			revisionId: first!.id.slice(0, REVISION_ID_KEPT)
		});
		expect(r.isFollowing(DOC)).toBe(true);
		expect(r.isFollowingTopic('compte.acces')).toBe(true);
		expect(r.updatedSinceRead(again.kb!.entry(DOC)!)).toBe(false);
		expect(r.feed.unread).toBe(0);

		// A second revision (from this device here; a colleague's arrives the same way, through the
		// catalog line): updated since the last read, unread in the feed, and its visit compares
		// with the revision read.
		const view2 = await opened(again, DOC);
		await view2.publish(again.identity!, 'Numéro de support ajouté', 'Eve Experte');
		await until(() => again.kb!.entry(DOC)?.revision === first!.number + 1);
		expect(r.updatedSinceRead(again.kb!.entry(DOC)!)).toBe(true);
		expect(r.feed.unread).toBe(1);
		expect(r.feed.items[0]).toMatchObject({ reason: 'article', unread: true });
		expect(r.feed.items[0]!.entry).toMatchObject({
			revision: first!.number + 1,
			changeNote: 'Numéro de support ajouté'
		});
		const visit2 = r.visit(DOC);
		expect(visit2.baseline?.revisionId).toBe(first!.id.slice(0, REVISION_ID_KEPT));
		visit2.shown(view2.published!.record, 'faq');
		expect(r.feed.unread).toBe(0);
		expect(r.updatedSinceRead(again.kb!.entry(DOC)!)).toBe(false);
		view2.destroy();
	});
});
