// Dialogs, the search combobox and the slash menu driven from the keyboard alone, on the built app:
// each dialog opens from its button with Enter, puts focus inside and keeps it there (Tab loops),
// closes on Escape and gives focus back to the button that opened it; the search field answers to
// "/" and Ctrl+K, arrows move through results and Enter opens one.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { fr, mainHeading, onboard, searchField, searchOptions } from './helpers';
import { articleTitle } from './sync-helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }) => {
	const context = await browser.newContext();
	page = await context.newPage();
	await onboard(page, { name: 'Karim Clavier', floor: 'Gestion de compte' });
});

test.afterAll(async () => {
	await page.context().close();
});

/** True while the focused element is inside the given dialog. */
const focusInside = (dialog: Locator) => dialog.evaluate((d) => d.contains(document.activeElement));

/** Marks the focused element, so that coming back to it can be recognised. */
const markFocused = () =>
	page.evaluate(() => {
		document.querySelector('[data-focus-start]')?.removeAttribute('data-focus-start');
		document.activeElement?.setAttribute('data-focus-start', '');
	});
const onStart = () => page.evaluate(() => document.activeElement?.hasAttribute('data-focus-start') ?? false);

/**
 * Tabs forwards, then backwards, from the focused control: focus never leaves the dialog and comes
 * back round to where it started (Tab loops, as in a modal), within at most `most` presses.
 */
async function expectFocusTrapped(dialog: Locator, most = 30): Promise<void> {
	for (const key of ['Tab', 'Shift+Tab']) {
		await markFocused();
		let presses = 0;
		do {
			await page.keyboard.press(key);
			presses++;
			expect(await focusInside(dialog), `${key} ${presses}`).toBe(true);
		} while (!(await onStart()) && presses < most);
		expect(presses, `${key} came back to the start`).toBeLessThan(most);
	}
}

/** Opens a dialog by pressing Enter on its (focused) opener; Escape closes it; focus comes back. */
async function openWithEnterAndEscape(opener: Locator, dialog: Locator, firstFocus: Locator): Promise<void> {
	await opener.focus();
	await page.keyboard.press('Enter');
	await expect(dialog).toBeVisible();
	await expect(firstFocus).toBeFocused();
	await expectFocusTrapped(dialog);
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(opener).toBeFocused();
}

test('the shortcuts sheet: "?" and its button open it, focus stays inside, Escape gives focus back', async () => {
	await page.goto('/');
	await expect(mainHeading(page)).toHaveText(fr.kbTitle);
	const dialog = page.getByRole('dialog', { name: 'Raccourcis clavier' });
	const close = dialog.getByRole('button', { name: 'Fermer' });
	await openWithEnterAndEscape(
		page.getByRole('banner').getByRole('button', { name: 'Raccourcis clavier' }),
		dialog,
		close
	);
	// "?" anywhere but in a field opens it too.
	await page.getByRole('main').click({ position: { x: 5, y: 5 } });
	await page.keyboard.press('?');
	await expect(dialog).toBeVisible();
	await expect(dialog).toHaveAttribute('aria-modal', 'true');
	await expect(close).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
});

test('new article: Enter on the button opens the form on its title, Tab loops, Escape returns', async () => {
	await page.goto('/?node=technique.application');
	const opener = page.getByRole('button', { name: 'Nouvel article dans ce thème' });
	const dialog = page.getByRole('dialog', { name: 'Nouvel article' });
	await openWithEnterAndEscape(opener, dialog, dialog.locator('input[name=title]'));
	// Reopened, the form starts blank and on the topic being browsed.
	await opener.focus();
	await page.keyboard.press('Enter');
	await expect(dialog.locator('input[name=title]')).toHaveValue('');
	await expect(dialog.locator('select[name=node]')).toHaveValue('technique.application');
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
});

test('fill and copy: opens on the first field, Tab loops, Escape closes without copying and returns', async () => {
	await page.goto('/article/rep-virement-refuse');
	await expect(articleTitle(page)).toHaveText('Virement refusé');
	const dialog = page.getByRole('dialog', { name: /^Remplir et copier/ });
	const opener = page.getByRole('button', { name: 'Remplir et copier' });
	await opener.focus();
	await page.keyboard.press('Enter');
	await expect(dialog).toBeVisible();
	await expect(dialog.getByLabel('Nom client')).toBeFocused();
	await expectFocusTrapped(dialog);
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(opener).toBeFocused();
	await expect(page.getByRole('status').filter({ hasText: 'Réponse copiée' })).toHaveCount(0);
});

test('editor link form: Ctrl+K in the text opens it on the address, Escape gives the text its focus back', async () => {
	await page.goto('/article/proc-mot-de-passe-oublie');
	await expect(articleTitle(page)).toHaveText('Mot de passe oublié');
	await page.keyboard.press('e');
	const body = page.getByTestId('article-body').locator('.plateau-editor');
	await expect(page.getByRole('toolbar', { name: 'Mise en forme' })).toBeVisible();
	await body.locator('p').first().click();
	await page.keyboard.press('Control+K');
	const dialog = page.getByRole('dialog', { name: 'Lien' });
	await expect(dialog).toBeVisible();
	await expect(dialog.getByLabel(/^Adresse/)).toBeFocused();
	await expectFocusTrapped(dialog);
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(body).toBeFocused();
});

test('search combobox: "/" and Ctrl+K focus it, the first result is active, arrows move, Enter opens', async () => {
	await page.goto('/');
	await expect(mainHeading(page)).toHaveText(fr.kbTitle);
	const field = searchField(page);
	await page.getByRole('main').click({ position: { x: 5, y: 5 } });
	await page.keyboard.press('Control+K');
	await expect(field).toBeFocused();
	await page.keyboard.press('Escape');
	await page.getByRole('main').click({ position: { x: 5, y: 5 } });
	await page.keyboard.press('/');
	await expect(field).toBeFocused();

	await page.keyboard.type('mot de passe');
	const options = searchOptions(page);
	await expect(options.first()).toContainText('Mot de passe oublié');
	await expect(field).toHaveAttribute('aria-expanded', 'true');
	await expect(field).toHaveAttribute('aria-activedescendant', 'search-opt-0');
	await expect(options.first()).toHaveAttribute('aria-selected', 'true');
	await page.keyboard.press('ArrowDown');
	await expect(field).toHaveAttribute('aria-activedescendant', 'search-opt-1');
	await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
	await expect(options.first()).toHaveAttribute('aria-selected', 'false');
	await page.keyboard.press('ArrowUp');
	await expect(field).toHaveAttribute('aria-activedescendant', 'search-opt-0');
	const first = (await options.first().locator('.title').textContent())!.trim();
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/article\/[^?]+\?q=mot(\+|%20)de(\+|%20)passe/);
	await expect(articleTitle(page)).toHaveText(first);

	// Escape clears the words, a second Escape leaves the field.
	await page.keyboard.press('/');
	await expect(field).toBeFocused();
	await page.keyboard.type('virement');
	await expect(options.first()).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(field).toHaveValue('');
	await expect(field).toHaveAttribute('aria-expanded', 'false');
	await page.keyboard.press('Escape');
	await expect(field).not.toBeFocused();
});

test('slash menu (kept on @tiptap/suggestion): "/" lists blocks, arrows move, Enter inserts, Escape closes', async () => {
	await page.goto('/article/proc-mot-de-passe-oublie');
	await expect(articleTitle(page)).toHaveText('Mot de passe oublié');
	await page.keyboard.press('e');
	const body = page.getByTestId('article-body').locator('.plateau-editor');
	await body.locator('p').first().click();
	await page.keyboard.press('End');
	await page.keyboard.press('Enter');
	await page.keyboard.type('/');
	const menu = page.getByRole('listbox', { name: 'Insérer un bloc' });
	await expect(menu).toBeVisible();
	// The editor keeps the focus while the menu follows the keys.
	await expect(body).toBeFocused();
	const options = menu.getByRole('option');
	await expect(options.first()).toHaveAttribute('aria-selected', 'true');
	await page.keyboard.press('ArrowDown');
	await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
	await page.keyboard.press('Escape');
	await expect(menu).toBeHidden();
	await page.keyboard.press('Backspace');
	await page.keyboard.type('/attention');
	await expect(options.first()).toContainText('Encadré « Attention »');
	await page.keyboard.press('Enter');
	await expect(menu).toBeHidden();
	await expect(body.locator('[data-callout="warning"]').first()).toBeVisible();
	await page.keyboard.press('Control+Z');
});
