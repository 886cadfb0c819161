// Steps the governance specs share (publications, lifecycle, review intervals, reading): taking a
// demo role in Settings › People, waiting for a colleague's device to verify it, and publishing.
import { expect, type Page } from '@playwright/test';
import { gotoInApp, MEET_MS } from './helpers';

/** Takes a demo role (a role record signed by this device) from Settings › People. */
export async function takeDemoRole(
	page: Page,
	role = 'Gestionnaire de connaissances',
	scope = 'Tout le centre'
): Promise<void> {
	await gotoInApp(page, '/settings/people');
	const demo = page.getByRole('region', { name: 'Essayer un rôle de démonstration' });
	await demo.getByLabel('Rôle', { exact: true }).selectOption({ label: role });
	await demo.getByLabel('Périmètre').selectOption({ label: scope });
	await demo.getByRole('button', { name: 'Prendre ce rôle' }).click();
	await expect(demo.getByRole('status')).toHaveText('Rôle de démonstration pris.');
}

/** Waits until this device lists `name` with `role` in Settings › People: it verified the record. */
export async function seesRole(page: Page, name: string, role = 'knowledge-manager'): Promise<void> {
	await gotoInApp(page, '/settings/people');
	await expect(
		page.locator('[data-agent]', { hasText: name }).locator(`.chip[data-role="${role}"]`)
	).toHaveCount(1, { timeout: MEET_MS });
}

/** Publishes the open article's draft as revision `number`, with a change note when given. */
export async function publish(page: Page, number: number, note?: string): Promise<void> {
	await page.getByRole('button', { name: 'Publier', exact: true }).click();
	if (note !== undefined) await page.getByLabel('Note de modification').fill(note);
	await page.getByRole('button', { name: `Publier la révision ${number}` }).click();
	await expect(page.getByTestId('revision-line')).toContainText(`révision ${number}`);
}
