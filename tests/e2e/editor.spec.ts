// The article editor end to end: two agents in separate browser contexts, synced over real WebRTC
// through the server's signaling, co-edit one paragraph and see each other's named carets; a
// procedure step edited by one redraws the process map for both; fill-and-copy fills the clipboard;
// details, creation, publication, archive and delete with undo (by a knowledge manager) work from the UI.
import { expect, test, type Page } from '@playwright/test';
import { gotoInApp, onboard } from './helpers';
import { articleTitle, connect, uniqueTag, withAgents } from './sync-helpers';

const body = (page: Page) => page.getByTestId('article-body').locator('.plateau-editor');

async function openForEditing(page: Page, id: string): Promise<void> {
	await gotoInApp(page, `/article/${id}`);
	await expect(articleTitle(page)).toBeVisible();
	await page.getByRole('button', { name: 'Modifier', exact: true }).click();
	await expect(page.getByRole('toolbar', { name: 'Mise en forme' })).toBeVisible();
}

test('two agents type in the same paragraph at once, end with the same text and see each other’s named caret', async ({
	browser
}) => {
	const tag = uniqueTag();
	await withAgents(browser, 'coedit', ['Alice Bourse', 'Bruno Gestion'], async (a, b) => {
		await connect(a, 'Bourse', b, 'Gestion de compte');
		const id = 'faq-code-double-authentification';
		await Promise.all([openForEditing(a.page, id), openForEditing(b.page, id)]);

		// Both put their caret at the end of the first paragraph, then type at the same time.
		for (const agent of [a, b]) {
			await body(agent.page).locator('p').first().click();
			await agent.page.keyboard.press('End');
		}
		const wordsA = ` alpha${tag}`;
		const wordsB = ` bravo${tag}`;
		await Promise.all([
			a.page.keyboard.type(wordsA, { delay: 25 }),
			b.page.keyboard.type(wordsB, { delay: 25 })
		]);

		const first = (p: Page) => body(p).locator('p').first();
		// The paragraph's text without the carets drawn inside it (their labels are names).
		const textOf = (p: Page) =>
			first(p).evaluate((el) => {
				const copy = el.cloneNode(true) as HTMLElement;
				copy.querySelectorAll('.collab-caret').forEach((c) => c.remove());
				return copy.textContent ?? '';
			});
		await expect(first(a.page)).toContainText(`alpha${tag}`);
		await expect(first(a.page)).toContainText(`bravo${tag}`);
		const [pa, pb] = [a.page, b.page];
		await expect.poll(async () => (await textOf(pa)) === (await textOf(pb))).toBe(true);
		// Neither word is interleaved with the other: each agent's characters stay together.
		const text = await textOf(pa);
		expect(text).toContain(`alpha${tag}`);
		expect(text).toContain(`bravo${tag}`);

		// Each sees the other's caret, labelled with the other's name, and the "also here" line.
		await expect(a.page.locator('.collab-caret-label', { hasText: b.name })).toBeVisible();
		await expect(b.page.locator('.collab-caret-label', { hasText: a.name })).toBeVisible();
		await expect(a.page.getByText(`Aussi sur cet article : ${b.name}`)).toBeVisible();

		// Finishing editing removes one's caret from the other's screen.
		await b.page.getByRole('button', { name: 'Terminer' }).click();
		await expect(a.page.locator('.collab-caret-label', { hasText: b.name })).toHaveCount(0);
		expect(a.errors).toEqual([]);
		expect(b.errors).toEqual([]);
	});
});

test('editing a procedure step redraws the process map for both agents', async ({ browser }) => {
	const tag = uniqueTag();
	await withAgents(browser, 'map', ['Alice Bourse', 'Bruno Gestion'], async (a, b) => {
		await connect(a, 'Bourse', b, 'Gestion de compte');
		const id = 'proc-declaration-deces';
		await openForEditing(a.page, id);
		// B follows the draft (agents read the published revision, which A's edits leave as it is).
		await gotoInApp(b.page, `/article/${id}?draft=1`);
		const map = (p: Page) => p.locator('section.map svg[data-step-count]');
		// The drawing shortens long texts; its text version (in the same section) has them whole.
		const mapSection = (p: Page) => p.locator('section.map');
		await expect(map(a.page)).toHaveAttribute('data-step-count', '8');
		await expect(map(b.page)).toHaveAttribute('data-step-count', '8');

		// A appends words to step 3's action: both maps show them.
		await body(a.page).locator('.procedure-step').nth(2).locator('.step-action').click();
		await a.page.keyboard.press('End');
		await a.page.keyboard.type(` Vérif${tag}`);
		await expect(mapSection(a.page)).toContainText(`Vérif${tag}`);
		await expect(mapSection(b.page)).toContainText(`Vérif${tag}`);

		// Enter twice makes a new step after step 3: both maps have 9 steps, the new one in its place.
		await a.page.keyboard.press('Enter');
		await a.page.keyboard.press('Enter');
		await a.page.keyboard.type(`Rappeler ${tag}`);
		await expect(map(a.page)).toHaveAttribute('data-step-count', '9');
		await expect(map(b.page)).toHaveAttribute('data-step-count', '9');
		await expect(b.page.locator('section.map [data-kind="step"]').nth(3)).toContainText(`Rappeler ${tag}`);
		// The decision of step 2 still jumps to the same step, now step 7, on both screens.
		await expect(b.page.locator('.step-decision select').first()).toHaveValue('proc-declaration-deces-s6');
		await expect(b.page.locator('.step-decision select').first().locator('option:checked')).toContainText(
			'Étape 7'
		);
		expect(a.errors).toEqual([]);
		expect(b.errors).toEqual([]);
	});
});

test('fill and copy puts the filled response on the clipboard', async ({ browser }) => {
	const context = await browser.newContext();
	try {
		await context.grantPermissions(['clipboard-read', 'clipboard-write']);
		const page = await context.newPage();
		await onboard(page, { name: 'Chloé Martin', floor: 'Gestion de compte' });
		await gotoInApp(page, '/article/rep-virement-refuse');
		await expect(articleTitle(page)).toHaveText('Virement refusé');
		await page.getByRole('button', { name: 'Remplir et copier' }).click();
		const dialog = page.getByRole('dialog');
		await expect(dialog).toBeVisible();
		await dialog.getByLabel('Nom client').fill('M. Durand');
		await dialog.getByLabel('Montant').fill('1 200 €');
		await dialog.getByRole('button', { name: 'Copier' }).click();
		const copied = await page.evaluate(() => navigator.clipboard.readText());
		expect(copied).toContain('Bonjour M. Durand,');
		expect(copied).toContain('votre demande de virement de 1 200 €');
		// The note to agents is not part of the answer; unfilled placeholders stay visible.
		expect(copied).not.toContain('À envoyer quand');
		expect(copied).toContain('{{date_operation}}');
		await expect(page.getByRole('status').filter({ hasText: 'Réponse copiée' })).toBeVisible();
	} finally {
		await context.close();
	}
});

test('an article is created from a topic, its details edited, archived and deleted with undo', async ({
	page
}) => {
	const tag = uniqueTag();
	await onboard(page, { name: 'Denis Roux', floor: 'Support technique' });
	// Publishing, archiving and deleting take a role: here a demo role (a record signed by the device).
	await gotoInApp(page, '/settings/people');
	const demo = page.getByRole('region', { name: 'Essayer un rôle de démonstration' });
	await demo.getByLabel('Rôle', { exact: true }).selectOption({ label: 'Gestionnaire de connaissances' });
	await demo.getByLabel('Périmètre').selectOption({ label: 'Tout le centre' });
	await demo.getByRole('button', { name: 'Prendre ce rôle' }).click();
	await expect(demo.getByRole('status')).toHaveText('Rôle de démonstration pris.');
	await gotoInApp(page, '/?node=technique.application');
	await page.getByRole('button', { name: 'Nouvel article dans ce thème' }).click();
	const dialog = page.getByRole('dialog', { name: 'Nouvel article' });
	await dialog.locator('input[name=title]').fill(`Écran noir ${tag}`);
	await dialog.locator('select[name=kind]').selectOption('procedure');
	await dialog.getByRole('button', { name: 'Créer et modifier' }).click();
	await expect(articleTitle(page)).toHaveText(`Écran noir ${tag}`);
	// A new procedure opens in editing mode with a step ready to fill and its topic preselected.
	await expect(page.getByRole('toolbar', { name: 'Mise en forme' })).toBeVisible();
	await body(page).locator('.step-action').first().click();
	await page.keyboard.type('Redémarrer le téléphone');
	await expect(page.locator('section.map [data-kind="step"]').first()).toContainText(
		'Redémarrer le téléphone'
	);
	await expect(page.locator('aside.details')).toContainText('Application');

	// Details: tags; then published (the status comes from the signed publication, not a field).
	await page.getByRole('button', { name: 'Modifier les détails' }).click();
	await page.locator('form.meta-form input[name=tags]').fill('écran, noir');
	await page.getByRole('button', { name: 'Enregistrer les détails' }).click();
	await expect(page.locator('aside.details')).toContainText('écran');
	await page.getByRole('button', { name: 'Publier', exact: true }).click();
	await page.getByRole('button', { name: 'Publier la révision 1' }).click();
	await expect(page.locator('aside.details')).toContainText('Publié');

	// It is listed; archived, it leaves the list; undo brings it back.
	await gotoInApp(page, '/?node=technique.application');
	const line = page.locator('[data-article-link]', { hasText: `Écran noir ${tag}` });
	await expect(line).toBeVisible();
	await line.click();
	await page.getByRole('button', { name: 'Archiver' }).click();
	await expect(page.getByText('Cet article est archivé')).toBeVisible();
	await page.getByRole('button', { name: 'Annuler' }).click();
	await expect(page.getByText('Cet article est archivé')).toHaveCount(0);

	// Deleted: gone from the list, restorable from its page.
	await page.getByRole('button', { name: 'Supprimer' }).click();
	await expect(page.getByText('Cet article a été supprimé')).toBeVisible();
	await gotoInApp(page, '/?node=technique.application');
	await expect(page.locator('[data-article-link]', { hasText: `Écran noir ${tag}` })).toHaveCount(0);
	await page.goBack();
	await page.getByRole('button', { name: 'Restaurer' }).first().click();
	await expect(page.getByText('Cet article a été supprimé')).toHaveCount(0);
	await gotoInApp(page, '/?node=technique.application');
	await expect(page.locator('[data-article-link]', { hasText: `Écran noir ${tag}` })).toBeVisible();
});
