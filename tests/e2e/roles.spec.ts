// Roles in the demo centre, end to end over real WebRTC: an agent takes a demo role from Settings ›
// People (a record signed by its device), sees it at once, and a colleague's device in another
// browser context verifies the record and shows the same role; nothing is refused. (Refusals of
// crafted grants are proven with real Repos and Synchronizers in tests/integration/roles-sync.test.ts.)
import { expect, test } from '@playwright/test';
import { gotoInApp, MEET_MS, onboard } from './helpers';
import { withAgents } from './sync-helpers';

test('a demo role taken on one device shows on a colleague’s', async ({ browser }) => {
	await withAgents(browser, 'roles', ['Agathe Roux', 'Bruno Petit'], async (agathe, bruno) => {
		await Promise.all([
			onboard(agathe.page, { name: agathe.name }),
			onboard(bruno.page, { name: bruno.name, floor: 'Support technique' })
		]);
		const page = agathe.page;
		await gotoInApp(page, '/settings/people');
		await expect(page.getByRole('heading', { name: 'Personnes et rôles', level: 1 })).toBeVisible();
		// The seed's roles: Claire Martin is an expert of her topics.
		await expect(page.locator('[data-agent]', { hasText: 'Claire Martin' })).toContainText(
			"Expert : Bourse et ordres › Passage d'ordres"
		);
		// Nobody administers the demo: no grant form before taking a role.
		await expect(page.getByRole('heading', { name: 'Attribuer un rôle' })).toHaveCount(0);
		const demo = page.getByRole('region', { name: 'Essayer un rôle de démonstration' });
		await demo.getByLabel('Rôle', { exact: true }).selectOption({ label: 'Gestionnaire de connaissances' });
		await demo.getByLabel('Périmètre').selectOption({ label: 'Tout le centre' });
		await demo.getByRole('button', { name: 'Prendre ce rôle' }).click();
		await expect(demo.getByRole('status')).toHaveText('Rôle de démonstration pris.');
		const mine = page.locator('[data-agent] .chip[data-role="knowledge-manager"]', {
			hasText: 'tout le centre'
		});
		await expect(mine).toHaveCount(1);

		// Bruno's device received the record, checked its signature and applies it.
		await gotoInApp(bruno.page, '/settings/people');
		const row = bruno.page.locator('[data-agent]', { hasText: agathe.name });
		await expect(row.locator('.chip[data-role="knowledge-manager"]')).toContainText(
			'Gestionnaire de connaissances : tout le centre',
			{ timeout: MEET_MS }
		);
		await expect(row.locator('.chip[data-role="knowledge-manager"]')).toContainText('démo');
		// A demo role of someone else is not Bruno's to revoke.
		await expect(row.getByRole('button', { name: /Retirer/ })).toHaveCount(0);
		await expect(bruno.page.locator('[data-refused]')).toHaveCount(0);
	});
});
