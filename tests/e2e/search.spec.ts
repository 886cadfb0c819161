// Search, end to end on the built app: results as the agent types, keyboard navigation, the opened
// article scrolled to its highlighted passage, facets, the empty state's topics, the no-result log,
// the saved index reused on reload, and an edit made by another agent (another browser context,
// synced over WebRTC) found by its new words; a synonym group an expert adds, found by a colleague.
import { expect, test, type Page } from '@playwright/test';
import { gotoInApp, mainHeading, MEET_MS, onboard, RESTART_MS, searchField, searchOptions } from './helpers';
import {
	articleTitle,
	connect,
	newAgent,
	renameOpenArticle,
	uniqueRoom,
	uniqueTag,
	withAgents
} from './sync-helpers';

/** The element carrying the search index's phase and counters. */
const searchBox = (page: Page) => page.locator('[data-search-phase]');

async function searchReady(page: Page): Promise<void> {
	// Building the index (first start) or reading it back (reload) is real work: a restart's budget.
	await expect(searchBox(page)).toHaveAttribute('data-search-phase', 'ready', { timeout: RESTART_MS });
}

test.describe('one agent', () => {
	test.describe.configure({ mode: 'serial' });
	let page: Page;

	test.beforeAll(async ({ browser }) => {
		// A room of its own: another test's edits syncing in would be documents to re-index on reload.
		page = (await newAgent(browser, uniqueRoom('search-one'), 'Sacha Cherche')).page;
		await onboard(page, { name: 'Sacha Cherche', floor: 'Gestion de compte' });
		await searchReady(page);
	});

	test.afterAll(async () => {
		await page.context().close();
	});

	test('results appear as the agent types, typos forgiven; arrows and Enter open the article at its highlighted passage', async () => {
		const field = searchField(page);
		await page.keyboard.press('/');
		await expect(field).toBeFocused();
		await page.keyboard.type('virment refusé');
		const options = searchOptions(page);
		await expect(options.first()).toContainText('Virement refusé');
		await expect(
			page.getByRole('status').filter({ hasText: /résultat\(s\), orthographe approchée/ })
		).toBeVisible();
		await expect(field).toHaveAttribute('aria-expanded', 'true');

		// The first result is active (Enter would open it); arrows move the active option
		// (announced through aria-activedescendant).
		await expect(field).toHaveAttribute('aria-activedescendant', 'search-opt-0');
		await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
		await page.keyboard.press('ArrowDown');
		await expect(field).toHaveAttribute('aria-activedescendant', 'search-opt-1');
		await expect(options.nth(0)).toHaveAttribute('aria-selected', 'false');
		await page.keyboard.press('ArrowUp');
		await expect(field).toHaveAttribute('aria-activedescendant', 'search-opt-0');
		const first = (await options.nth(0).locator('.title').textContent())!.trim();
		await page.keyboard.press('Enter');

		await expect(page).toHaveURL(/\/article\/[^?]+\?q=virment(\+|%20)refus/);
		await expect(articleTitle(page)).toHaveText(first);
		// The passage holding the query's words is marked and scrolled into view.
		const passage = page.locator('[data-testid="article-body"] [data-search-highlight]');
		await expect(passage).toHaveCount(1);
		await expect(passage).toContainText(/virement/i);
		await expect(passage).toBeInViewport();
		const marked = await page.evaluate(() => {
			const h = (CSS as unknown as { highlights: Map<string, Iterable<Range>> }).highlights.get(
				'search-passage'
			);
			return h ? [...h].map((r) => r.toString().toLowerCase()) : [];
		});
		expect(marked).toEqual(expect.arrayContaining(['virement']));
		expect(marked.some((w) => w.startsWith('refus'))).toBe(true);
	});

	test('facets filter the results by kind and show counts', async () => {
		await gotoInApp(page, '/');
		await searchField(page).fill('virement');
		const options = searchOptions(page);
		await expect(options.first()).toBeVisible();
		const procedure = page.getByRole('button', { name: /^Procédure \(\d+\)$/ });
		const count = Number(/\((\d+)\)/.exec((await procedure.textContent())!)![1]);
		expect(count).toBeGreaterThan(0);
		await procedure.click();
		await expect(procedure).toHaveAttribute('aria-pressed', 'true');
		await expect(page.getByRole('status').filter({ hasText: `${count} résultat(s)` })).toBeVisible();
		const results = options.filter({ has: page.locator('.kind-badge') });
		// Ten at first; the last row shows the rest, from the keyboard too.
		expect(count).toBeGreaterThan(10);
		await expect(results).toHaveCount(10);
		const more = options.last();
		await expect(more).toHaveText(`Afficher ${Math.min(10, count - 10)} résultat(s) de plus`);
		await searchField(page).focus();
		for (let i = 0; i <= 10; i++) await page.keyboard.press('ArrowDown');
		await expect(more).toHaveAttribute('aria-selected', 'true');
		await page.keyboard.press('Enter');
		await expect(results).toHaveCount(Math.min(count, 20));
		for (const badge of await results.locator('.kind-badge').allTextContents())
			expect(badge.trim()).toBe('Procédure');
		// Pressed again, the filter goes and the other kinds come back.
		await procedure.click();
		await expect(procedure).toHaveAttribute('aria-pressed', 'false');
		await expect(options.locator('.kind-badge', { hasText: 'Réponse type' }).first()).toBeVisible();
	});

	test('no result: the empty state offers the closest topics, and the search is logged for the gap report', async () => {
		await gotoInApp(page, '/');
		await searchField(page).fill('mediatisation');
		const empty = page.locator('[data-search-empty]');
		await expect(empty).toContainText('Aucun résultat pour « mediatisation ».');
		const topic = empty.getByRole('link', { name: 'Réclamations › Médiation' });
		await expect(topic).toBeVisible();
		await topic.click();
		await expect(page).toHaveURL(/\?node=reclamations\.mediation$/);
		await expect(mainHeading(page)).toHaveText('Réclamations › Médiation');

		// Leaving the field logged the search, with its language and time, in the search database.
		const gaps = await page.evaluate(async () => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const req = indexedDB.open('plateau-demo-search');
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => reject(req.error);
			});
			try {
				return await new Promise<{ query: string; normalized: string; locale: string; at: number }[]>(
					(resolve, reject) => {
						const req = db.transaction('gaps', 'readonly').objectStore('gaps').getAll();
						req.onsuccess = () => resolve(req.result);
						req.onerror = () => reject(req.error);
					}
				);
			} finally {
				db.close();
			}
		});
		expect(gaps.map((g) => [g.query, g.locale])).toEqual([['mediatisation', 'fr']]);
		expect(gaps[0]!.at).toBeGreaterThan(Date.now() - 60_000);
	});

	test('a reload reuses the saved index: nothing is re-indexed', async () => {
		await page.reload();
		await searchReady(page);
		await expect(searchBox(page)).toHaveAttribute('data-indexed', '60');
		await expect(searchBox(page)).toHaveAttribute('data-reindexed', '0');
		await searchField(page).fill('mot de pase oublié');
		await expect(searchOptions(page).first()).toContainText('Mot de passe oublié');
	});
});

test('an article renamed by another agent is found by its new words in this agent’s search', async ({
	browser
}) => {
	const tag = uniqueTag();
	await withAgents(browser, 'search', ['Alice Renomme', 'Bruno Cherche'], async (a, b) => {
		await connect(a, 'Bourse', b, 'Gestion de compte');
		await searchReady(b.page);
		const word = `okapi${tag}`;
		await searchField(b.page).fill(word);
		await expect(b.page.locator('[data-search-empty]')).toBeVisible();

		// A draft never published: its title is what lists and search show (a published article's
		// are its revision's, which a rename of the draft does not change).
		await gotoInApp(a.page, '/article/proc-cotations-figees');
		await expect(articleTitle(a.page)).toHaveText('Cotations figées sur le site');
		await renameOpenArticle(a.page, `Cotations gelées ${word}`);
		await expect(articleTitle(a.page)).toHaveText(`Cotations gelées ${word}`);

		// B's open search picks the new words up as the change arrives and is indexed.
		const option = searchOptions(b.page).first();
		await expect(option).toContainText(`Cotations gelées ${word}`);
		await expect(option.locator('mark')).toHaveText(word);
		// And B's index re-read only that article.
		const reindexed = Number(await searchBox(b.page).getAttribute('data-reindexed'));
		expect(reindexed).toBeGreaterThan(60);
		expect(reindexed).toBeLessThan(60 + 5);
	});
});

test('a gap reported, then an expert adds a synonym group in Settings; the colleague’s search finds the article', async ({
	browser
}) => {
	await withAgents(browser, 'search-synonyms', ['Nora Synonyme', 'Bruno Collègue'], async (a, b) => {
		await connect(a, 'Bourse', b, 'Gestion de compte');
		await Promise.all([searchReady(a.page), searchReady(b.page)]);
		await searchField(a.page).fill('zorblax');
		const empty = a.page.locator('[data-search-empty]');
		await expect(empty).toContainText('Aucun résultat pour « zorblax ».');
		await empty.getByRole('button', { name: 'Signaler ce manque' }).click();
		await expect(empty.getByRole('status')).toContainText('rapport des manques');

		// Without a role, Bruno reads the groups and is offered no editor.
		await gotoInApp(b.page, '/settings');
		await expect(b.page.locator('[data-synonyms-read-only]')).toContainText(
			'Les experts, les responsables de la connaissance et les administrateurs du centre les modifient'
		);
		await expect(b.page.getByLabel('Nouveau groupe (expressions séparées par des virgules)')).toHaveCount(0);

		// Nora takes an expert's demo role, then adds the group.
		await gotoInApp(a.page, '/settings/people');
		const demo = a.page.getByRole('region', { name: 'Essayer un rôle de démonstration' });
		await demo.getByLabel('Rôle', { exact: true }).selectOption({ label: 'Expert' });
		await demo.getByLabel('Périmètre').selectOption({ label: 'Support technique › Site web' });
		await demo.getByRole('button', { name: 'Prendre ce rôle' }).click();
		await expect(demo.getByRole('status')).toHaveText('Rôle de démonstration pris.');
		await gotoInApp(a.page, '/settings');
		const field = a.page.getByLabel('Nouveau groupe (expressions séparées par des virgules)');
		await field.fill('zorblax, Nasdaq');
		// While typing, the gap log says which logged search the group would answer.
		await expect(a.page.locator('[data-synonym-fixes]')).toContainText('zorblax');
		await a.page.getByRole('button', { name: 'Ajouter' }).click();
		await expect(a.page.getByRole('status').filter({ hasText: 'Synonymes enregistrés.' })).toBeVisible();
		await expect(a.page.locator('[data-synonym-groups] input').first()).toHaveValue('zorblax, Nasdaq');

		// The signed group reaches Bruno: his Settings list it (read-only), his search finds the article.
		await expect(b.page.locator('[data-synonym-groups] input').first()).toHaveValue('zorblax, Nasdaq', {
			timeout: MEET_MS
		});
		await expect(b.page.locator('[data-synonym-groups] input').first()).toBeDisabled();
		await gotoInApp(b.page, '/');
		await searchField(b.page).fill('zorblax');
		await expect(searchOptions(b.page).first()).toContainText('Nasdaq');
	});
});
