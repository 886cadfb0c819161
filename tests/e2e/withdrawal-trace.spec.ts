// A withdrawn note leaves no trace on a colleague's device: Alice shares a note holding an account
// number and a password with the centre, Bruno finds it in search (so his device indexed it and
// saved that index), Alice withdraws it, and then a raw scan of every IndexedDB database and object
// store of Bruno's device — every key and value, bytes read as Latin-1 and UTF-8 — finds none of the
// note's unusual words (nor its id in the search database). The scan is the test's own, not the
// app's reader.
import { expect, test, type Page } from '@playwright/test';
import { testBudget } from './budget';
import { onboard, searchField, searchOptions } from './helpers';
import { syncIndicator, uniqueTag, withAgents } from './sync-helpers';

const editorBody = (page: Page) => page.getByTestId('article-body').locator('.plateau-editor');
const noteLink = (page: Page, title: string) => page.locator('[data-note-link]', { hasText: title });

interface Trace {
	db: string;
	store: string;
	marker: string;
}

/** Every (database, store, marker) where a marker shows up in a key or a value, case-insensitive. */
async function scanIndexedDb(page: Page, markers: readonly string[]): Promise<Trace[]> {
	return page.evaluate(async (markers) => {
		const wanted = markers.map((m) => m.toLowerCase());
		const latin1 = new TextDecoder('latin1');
		const utf8 = new TextDecoder('utf-8', { fatal: false });
		/** Every string a value holds: strings as they are, binary data as Latin-1 and UTF-8 text. */
		const texts = async (value: unknown, out: string[], seen: Set<unknown>): Promise<void> => {
			if (typeof value === 'string') out.push(value);
			else if (typeof value !== 'object' || value === null || seen.has(value)) return;
			else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
				const bytes =
					value instanceof ArrayBuffer
						? new Uint8Array(value)
						: new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
				out.push(latin1.decode(bytes), utf8.decode(bytes));
			} else if (value instanceof Blob) {
				await texts(new Uint8Array(await value.arrayBuffer()), out, seen);
			} else {
				seen.add(value);
				const entries: [unknown, unknown][] =
					value instanceof Map
						? [...value.entries()]
						: value instanceof Set
							? [...value].map((v) => [v, undefined])
							: Object.entries(value);
				for (const [k, v] of entries) {
					await texts(k, out, seen);
					await texts(v, out, seen);
				}
			}
		};
		const request = <T>(req: IDBRequest<T>) =>
			new Promise<T>((resolve, reject) => {
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => reject(req.error);
			});
		const found: { db: string; store: string; marker: string }[] = [];
		for (const { name } of await indexedDB.databases()) {
			if (!name) continue;
			// Opened as it is: never created or upgraded by looking.
			const db = await new Promise<IDBDatabase | undefined>((resolve, reject) => {
				const req = indexedDB.open(name);
				req.onupgradeneeded = () => req.transaction!.abort();
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => (req.error?.name === 'AbortError' ? resolve(undefined) : reject(req.error));
			});
			if (!db) continue;
			try {
				for (const store of [...db.objectStoreNames]) {
					const os = db.transaction(store, 'readonly').objectStore(store);
					const [keys, values] = await Promise.all([request(os.getAllKeys()), request(os.getAll())]);
					const out: string[] = [];
					await texts(keys, out, new Set());
					await texts(values, out, new Set());
					const text = out.join('\n').toLowerCase();
					for (const [i, m] of wanted.entries())
						if (text.includes(m)) found.push({ db: name, store, marker: markers[i]! });
				}
			} finally {
				db.close();
			}
		}
		return found;
	}, markers);
}

test('a withdrawn note leaves no word, title or id in any IndexedDB store of a colleague who searched it', async ({
	browser
}) => {
	test.setTimeout(testBudget(180_000));
	const tag = uniqueTag();
	const account = `FR76${tag}0143`;
	const password = `Zq${tag}plumbus`;
	const titleWord = `hibou${tag}`;
	const title = `Accès ${titleWord}`;
	await withAgents(browser, 'trace', ['Alice Bourse', 'Bruno Bourse'], async (a, b) => {
		// One after the other: seeding two devices at once doubles the wait on a loaded machine.
		await onboard(a.page, { name: a.name, floor: 'Bourse' });
		await onboard(b.page, { name: b.name, floor: 'Bourse' });
		for (const agent of [a, b])
			await expect(syncIndicator(agent.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: 20_000 });

		// Alice writes the note and shares it with the whole centre.
		await a.page.goto('/notes');
		await a.page.getByLabel('Titre de la nouvelle note').fill(title);
		await a.page.getByRole('button', { name: 'Nouvelle note' }).click();
		await expect(a.page.locator('#note-title')).toHaveText(title);
		await editorBody(a.page).locator('p').first().click();
		const text = `Compte ${account}, mot de passe ${password}`;
		await a.page.keyboard.type(text);
		await expect(editorBody(a.page)).toContainText(text);
		const id = `note/${decodeURIComponent(new URL(a.page.url()).pathname.slice('/notes/'.length))}`;
		await a.page.getByRole('button', { name: 'Terminer' }).click();
		await a.page.getByRole('radio', { name: 'Tout le centre' }).check();
		await a.page.getByRole('button', { name: 'Appliquer' }).click();
		await expect(a.page.locator('article[data-note-visibility]')).toHaveAttribute(
			'data-note-visibility',
			'centre'
		);

		// Bruno receives it and finds it by its password: his device indexed it.
		await b.page.goto('/notes');
		await expect(noteLink(b.page, title)).toBeVisible({ timeout: 15_000 });
		await searchField(b.page).fill(password);
		await expect(searchOptions(b.page).filter({ hasText: title })).toHaveCount(1);
		await searchField(b.page).press('Escape');
		await searchField(b.page).press('Escape');
		const markers = [account, password, titleWord, id];
		// The scan sees what it looks for: Bruno's device holds the note (its documents, and the
		// saved search index once its save has run).
		await expect
			.poll(async () => (await scanIndexedDb(b.page, markers)).some((t) => t.db.endsWith('-search')), {
				timeout: 20_000
			})
			.toBe(true);

		// Alice withdraws it: nothing of it stays anywhere in Bruno's IndexedDB.
		await a.page.getByRole('button', { name: 'Retirer le partage' }).click();
		await expect(a.page.locator('article[data-note-visibility]')).toHaveAttribute(
			'data-note-visibility',
			'private'
		);
		await expect(noteLink(b.page, title)).toHaveCount(0, { timeout: 15_000 });
		// The note's id stays in the author's access record by design (a tombstone: docs/decisions.md,
		// "Withdrawal"), so the id is looked for in the search database only.
		const traces = async () =>
			(await scanIndexedDb(b.page, markers)).filter((t) => t.marker !== id || t.db.endsWith('-search'));
		await expect.poll(traces, { timeout: 20_000 }).toEqual([]);
		// And search no longer finds it.
		await searchField(b.page).fill(password);
		await expect(b.page.getByRole('status').filter({ hasText: /résultat/ })).toBeVisible();
		await expect(searchOptions(b.page).filter({ hasText: title })).toHaveCount(0);
		for (const agent of [a, b]) expect(agent.errors).toEqual([]);
	});
});
