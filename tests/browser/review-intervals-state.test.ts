// The topics' review intervals in the app's state against real IndexedDB in Chromium: an agent who
// takes an expert's demo role of a topic may set its interval (and no other topic's); the setting
// moves the review date of an open article view of a sub-topic and puts it in the task list, with
// no catalog line rewritten; back to inherited restores the default.
import { afterEach, describe, expect, it } from 'vitest';
import { App, type AppEnvironment } from '../../src/lib/state/app.svelte';
import { ArticleView } from '../../src/lib/state/article-view.svelte';
import { ReviewTaskList } from '../../src/lib/state/review-tasks.svelte';
import { databaseName, IndexedDbStorage } from '../../src/lib/storage/indexeddb';
import { IndexedDbDeviceStore } from '../../src/lib/storage/device-idb';
import { readCatalog } from '../../src/lib/schema/index';
import { memoryStorage } from '../support/memory-storage';

const DAY = 86_400_000;
const apps: App[] = [];
afterEach(async () => {
	for (const app of apps.splice(0)) await app.destroy();
});

function environment(suffix: string): AppEnvironment {
	return {
		openStorage: (centreId) => new IndexedDbStorage(databaseName(`${centreId}-${suffix}`)),
		deleteStorage: (centreId) => IndexedDbStorage.deleteDatabase(databaseName(`${centreId}-${suffix}`)),
		device: new IndexedDbDeviceStore(`plateau-device-${suffix}`),
		storage: memoryStorage()
	};
}

describe('review intervals in the app', () => {
	it('an expert’s 30 days move an open article’s review date and fill the task list', async () => {
		const app = new App(environment(`intervals-${Date.now()}`));
		apps.push(app);
		await app.start().then(() => app.tryDemo());
		const settings = app.reviewIntervals!;
		expect(settings.mayEdit('technique.site')).toBe(false);
		await app.roles!.tryDemoRole('expert', { kind: 'topic', topic: 'technique.site' });
		await expect.poll(() => settings.mayEdit('technique.site.cotations')).toBe(true);
		expect(settings.mayEdit('bourse')).toBe(false);

		const id = 'article/proc-cotations-figees';
		const view = new ArticleView(app.repo!, id, undefined, (topic, kind) => settings.daysFor(topic, kind));
		await expect.poll(() => view.status).toBe('ready');
		const published = (await view.publish(app.identity!, 'v1', 'Alice'))!;
		await expect.poll(() => view.lifecycle?.reviewDue).toBe(published.time + 90 * DAY);
		const tasks = new ReviewTaskList(app);
		expect(tasks.tasks.dueSoon.map((e) => e.docId)).not.toContain(id);
		const line = () => readCatalog(app.repo!.opened('space/kb')!).find((e) => e.docId === id);
		const written = JSON.stringify(line());

		await settings.set('technique.site', 'procedure', 30, 'Alice');
		expect(settings.daysFor('technique.site.cotations', 'procedure')).toBe(30);
		expect(settings.daysFor('technique.site.cotations', 'faq')).toBe(365);
		expect(view.lifecycle?.reviewDue).toBe(published.time + 30 * DAY);
		const listed = tasks.tasks.dueSoon.find((e) => e.docId === id);
		expect(listed?.reviewDue).toBe(published.time + 30 * DAY);
		expect(JSON.stringify(line())).toBe(written);
		await expect(settings.set('technique.site', 'faq', 800, 'Alice')).rejects.toThrow(/outside 7–730/);

		await settings.set('technique.site', 'procedure', 0, 'Alice');
		expect(view.lifecycle?.reviewDue).toBe(published.time + 90 * DAY);
		expect(tasks.tasks.dueSoon.map((e) => e.docId)).not.toContain(id);
		view.destroy();
	});
});
