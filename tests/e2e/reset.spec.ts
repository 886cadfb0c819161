// Settings › "Réinitialiser les données de démonstration" erases the device's copy of the demo centre
// and installs it again; the agent's profile is kept.
import { expect, test } from '@playwright/test';
import { deleteStoredDoc, fr, mainHeading, onboard, readChunks, seedArticles, storedDocIds } from './helpers';

const ARTICLE = 'article/proc-mot-de-passe-oublie';
const NOT_FOUND = 'Cet article n’existe pas sur cet appareil.';

test('resetting the demo data restores a deleted article and keeps the profile', async ({ browser }) => {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		const agent = 'Rémi Réinit';
		await onboard(page, { name: agent, floor: 'Support technique', languages: ['Français', 'Anglais'] });
		await page.getByLabel(fr.availability).selectOption({ label: 'Absent' });
		await expect(page.getByLabel(fr.availability)).toHaveValue('away');
		const allDocs = (await storedDocIds(page)).length;
		expect(allDocs).toBe(seedArticles.length + 2);

		// Lose one article on this device.
		await deleteStoredDoc(page, ARTICLE);
		expect(await readChunks(page, ARTICLE)).toHaveLength(0);
		await page.goto('/article/proc-mot-de-passe-oublie');
		await expect(page.getByRole('alert')).toContainText(NOT_FOUND);
		await expect(page.getByRole('article')).toHaveCount(0);

		// Settings shows one document fewer.
		await page.getByRole('navigation', { name: fr.nav }).getByRole('link', { name: 'Paramètres' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Paramètres' })).toBeVisible();
		await expect(page.getByText(`${allDocs - 1} documents sur cet appareil.`)).toBeVisible();

		// Reset, confirming the browser dialog.
		let confirmText = '';
		page.once('dialog', (dialog) => {
			confirmText = dialog.message();
			void dialog.accept();
		});
		await page.getByRole('button', { name: 'Réinitialiser les données de démonstration' }).click();
		await expect.poll(() => confirmText).toContain('Effacer les données locales du centre de démonstration');

		// The store holds every seed document again.
		await expect.poll(async () => (await storedDocIds(page)).length, { timeout: 30_000 }).toBe(allDocs);
		await expect(page.getByRole('heading', { level: 1, name: 'Paramètres' })).toBeVisible();
		await expect(page.getByText(`${allDocs} documents sur cet appareil.`)).toBeVisible();
		expect((await readChunks(page, ARTICLE)).length).toBeGreaterThan(0);

		// The profile is kept (top bar, availability, settings form, directory).
		const banner = page.getByRole('banner');
		await expect(banner.getByText(agent, { exact: true })).toBeVisible();
		await expect(page.getByLabel(fr.availability)).toHaveValue('away');
		await expect(page.getByLabel('Votre nom')).toHaveValue(agent);
		await expect
			.poll(async () => (await readChunks(page, 'centre/demo')).some((c) => c.text.includes(agent)))
			.toBe(true);

		// The article opens again, also after a reload, and /welcome is not shown.
		await page.goto('/article/proc-mot-de-passe-oublie');
		await expect(page.getByRole('article').getByRole('heading', { level: 1 })).toHaveText(
			'Mot de passe oublié'
		);
		await expect(
			page.getByRole('article').getByRole('heading', { level: 2, name: 'Escalade' })
		).toBeVisible();
		await page.reload();
		await expect(page.getByRole('article').getByRole('heading', { level: 1 })).toHaveText(
			'Mot de passe oublié'
		);
		await expect(page).toHaveURL(/\/article\/proc-mot-de-passe-oublie$/);
		await expect(banner.getByText(agent, { exact: true })).toBeVisible();
		await page.goto('/');
		await expect(mainHeading(page)).toHaveText(fr.kbTitle);
	} finally {
		await context.close();
	}
});

// The settings page is unmounted while the demo reinstalls (the startup screen shows progress);
// the confirmation must survive that.
test('the reset confirms it is done', async ({ browser }) => {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await onboard(page, { name: 'Rita Confirme', floor: 'Bourse' });
		await page.goto('/settings');
		page.once('dialog', (dialog) => void dialog.accept());
		await page.getByRole('button', { name: 'Réinitialiser les données de démonstration' }).click();
		await expect(
			page.getByRole('status').filter({ hasText: 'Données de démonstration réinstallées.' })
		).toBeVisible();
	} finally {
		await context.close();
	}
});

test('dismissing the confirmation leaves the data alone', async ({ browser }) => {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await onboard(page, { name: 'Paul Prudent', floor: 'Bourse' });
		await deleteStoredDoc(page, ARTICLE);
		await page.goto('/settings');
		let asked = false;
		page.once('dialog', (dialog) => {
			asked = true;
			void dialog.dismiss();
		});
		await page.getByRole('button', { name: 'Réinitialiser les données de démonstration' }).click();
		await expect.poll(() => asked).toBe(true);
		await expect(
			page.getByRole('button', { name: 'Réinitialiser les données de démonstration' })
		).toBeEnabled();
		expect(await readChunks(page, ARTICLE)).toHaveLength(0);
		await page.goto('/article/proc-mot-de-passe-oublie');
		await expect(page.getByRole('alert')).toContainText(NOT_FOUND);
	} finally {
		await context.close();
	}
});
