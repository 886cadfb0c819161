// Offline: once loaded, Plateau opens with no network at all — the service worker serves the app
// shell for any route and the knowledge lives in IndexedDB.
import { expect, test } from '@playwright/test';
import {
	articleList,
	fr,
	listCount,
	listedTitles,
	mainHeading,
	navCount,
	navLink,
	onboard,
	sideNav,
	waitForServiceWorkerControl
} from './helpers';

test('with no network, the knowledge base, an article and a branch open from the device', async ({
	browser
}) => {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await onboard(page, { name: 'Omar Horsligne', floor: 'Bourse' });
		await waitForServiceWorkerControl(page);
		await expect(page.getByRole('status', { name: 'État de la synchronisation' })).toHaveText(
			/En ligne|À jour/
		);
		const onlineCount = await listCount(page).textContent();

		await context.setOffline(true);
		// The network really is gone, for the page and for the service worker's own fetches.
		const pageFetch = await page.evaluate(() =>
			fetch(`/nothing-${Math.random()}`, { cache: 'no-store' }).then(
				() => 'reached',
				() => 'failed'
			)
		);
		expect(pageFetch).toBe('failed');
		const worker = context.serviceWorkers()[0];
		if (!worker) throw new Error('the service worker is not running');
		const workerFetch = await worker.evaluate(() =>
			fetch(`/nothing-${Math.random()}`, { cache: 'no-store' }).then(
				() => 'reached',
				() => 'failed'
			)
		);
		expect(workerFetch).toBe('failed');

		// Reload the knowledge base.
		const response = await page.reload();
		expect(response?.fromServiceWorker()).toBe(true);
		await expect(mainHeading(page)).toHaveText(fr.kbTitle);
		await expect(listCount(page)).toHaveText(onlineCount!);
		const status = page.getByRole('status', { name: 'État de la synchronisation' });
		await expect(status).toContainText('Hors ligne');
		// The profile is there (no /welcome) and browsing works.
		await expect(page.getByRole('banner').getByText('Omar Horsligne', { exact: true })).toBeVisible();
		await navLink(page, 'Procédures').click();
		await expect(mainHeading(page)).toHaveText('Procédures');
		await articleList(page).getByRole('link', { name: 'Mot de passe oublié' }).click();
		await expect(
			page.getByRole('article').getByRole('heading', { level: 2, name: 'Escalade' })
		).toBeVisible();

		// Open an article URL directly.
		const direct = await page.goto('/article/proc-virement-refuse');
		expect(direct?.fromServiceWorker()).toBe(true);
		const article = page.getByRole('article');
		await expect(article.getByRole('heading', { level: 1 })).toHaveText('Virement refusé');
		await expect(article.locator('ol > li').first()).toBeVisible();
		await expect(article.getByRole('heading', { level: 2, name: 'Escalade' })).toBeVisible();
		await expect(
			page.getByRole('complementary', { name: 'Détails' }).locator('dt:has-text("Expert référent") + dd')
		).toHaveText('Sophie Leroy');
		await expect(page.getByRole('status', { name: 'État de la synchronisation' })).toContainText(
			'Hors ligne'
		);

		// Open a taxonomy branch directly.
		await page.goto('/?node=bourse');
		await expect(mainHeading(page)).toHaveText('Bourse et ordres');
		const branch = navLink(page, 'Bourse et ordres');
		await expect(branch).toHaveAttribute('aria-current', 'page');
		await expect(listCount(page)).toHaveText(`${await navCount(branch)} article(s)`);
		const titles = await listedTitles(page);
		expect(titles).toContain('Ordre non exécuté');
		expect(titles).not.toContain('Mot de passe oublié');
		// The branch opens unfolded down to the active node.
		await expect(sideNav(page).getByRole('button', { name: 'Replier Bourse et ordres' })).toHaveAttribute(
			'aria-expanded',
			'true'
		);

		// Back online, the top bar says so.
		await context.setOffline(false);
		await expect(page.getByRole('status', { name: 'État de la synchronisation' })).toHaveText(
			/En ligne|À jour/
		);
	} finally {
		await context.close();
	}
});
