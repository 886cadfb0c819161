// The UI language: French by default for a French browser, switchable to English from the top bar,
// remembered on the device (every page of the context), and the list shows each article once, in
// the chosen language when a translation exists.
import { expect, test, type Page } from '@playwright/test';
import {
	articleLinks,
	articleList,
	distinctArticles,
	FIRST_START_MS,
	listCount,
	listedTitles,
	mainHeading,
	navLink,
	onboard,
	seedArticles,
	chooseDemoIfAsked
} from './helpers';

const translated = seedArticles.filter((a) => a.translationOf);

async function expectEnglish(page: Page): Promise<void> {
	await expect(mainHeading(page)).toHaveText('Knowledge base');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(navLink(page, 'Procedures', 'Main navigation')).toBeVisible();
	await expect(navLink(page, 'Standard responses', 'Main navigation')).toBeVisible();
	await expect(page.getByRole('combobox', { name: 'Search the knowledge base' })).toBeVisible();
	await expect(
		page.getByRole('group', { name: 'Interface language' }).getByRole('button', { name: 'EN', exact: true })
	).toHaveAttribute('aria-pressed', 'true');
}

async function expectFrench(page: Page): Promise<void> {
	await expect(mainHeading(page)).toHaveText('Base de connaissances');
	await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
	await expect(navLink(page, 'Procédures')).toBeVisible();
	await expect(
		page.getByRole('combobox', { name: 'Rechercher dans la base de connaissances' })
	).toBeVisible();
	await expect(
		page
			.getByRole('group', { name: 'Langue de l’interface' })
			.getByRole('button', { name: 'FR', exact: true })
	).toHaveAttribute('aria-pressed', 'true');
}

test('switching the UI to English and back; the choice is remembered by the device', async ({ browser }) => {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await onboard(page, {
			name: 'Emma Bilingue',
			floor: 'Gestion de compte',
			languages: ['Français', 'Anglais']
		});
		await expectFrench(page);
		const total = distinctArticles();
		await expect(listCount(page)).toHaveText(`${total} article(s)`);
		const frenchTitles = await listedTitles(page);
		expect(frenchTitles).toContain('Mot de passe oublié');
		expect(frenchTitles).not.toContain('Forgotten password');

		await page
			.getByRole('group', { name: 'Langue de l’interface' })
			.getByRole('button', { name: 'EN', exact: true })
			.click();
		await expectEnglish(page);

		// One line per article, in English where a translation exists.
		await expect(listCount(page)).toHaveText(`${total} article(s)`);
		const englishTitles = await listedTitles(page);
		expect(englishTitles).toHaveLength(total);
		const hrefs = await articleLinks(page).evaluateAll((links) => links.map((a) => a.getAttribute('href')));
		expect(translated.length).toBeGreaterThan(0);
		for (const t of translated) {
			expect(englishTitles, `English title "${t.title}"`).toContain(t.title);
			expect(hrefs, `English version of ${t.translationOf}`).toContain(`/article/${t.id}`);
			expect(hrefs, `French version ${t.translationOf}`).not.toContain(`/article/${t.translationOf}`);
		}
		expect(englishTitles).not.toContain('Mot de passe oublié');
		// The line links to the English document, and a chip reaches the French one.
		const line = articleList(page)
			.getByRole('listitem')
			.filter({ has: page.getByRole('link', { name: 'Forgotten password' }) });
		await expect(line.getByRole('link', { name: 'Forgotten password' })).toHaveAttribute(
			'href',
			'/article/proc-mot-de-passe-oublie-en'
		);
		await expect(line.getByRole('link', { name: 'FR', exact: true })).toHaveAttribute(
			'href',
			'/article/proc-mot-de-passe-oublie'
		);
		// Kind badges and the kind filter are in English too.
		await navLink(page, 'Procedures', 'Main navigation').click();
		await expect(mainHeading(page)).toHaveText('Procedures');
		await expect(articleList(page).locator('[data-article-link] .kind-badge').first()).toHaveText(
			'Procedure'
		);
		// An article opened in English shows English UI around it.
		await articleList(page).getByRole('link', { name: 'Forgotten password' }).click();
		await expect(page.getByRole('article').getByRole('heading', { level: 1 })).toHaveText(
			'Forgotten password'
		);
		const details = page.getByRole('complementary', { name: 'Details' });
		await expect(
			details.getByRole('link', { name: 'Account › Access and login › Forgotten password' })
		).toBeVisible();
		await expect(details.locator('dt:has-text("Subject-matter expert") + dd')).toHaveText('Julien Moreau');
		await expect(details.getByRole('link', { name: 'French — Mot de passe oublié' })).toBeVisible();

		// The choice survives a reload…
		await page.goto('/');
		await page.reload();
		await expectEnglish(page);
		expect(await listedTitles(page)).toContain('Forgotten password');

		// …and holds for a new page of the same context (same device).
		const second = await context.newPage();
		await second.goto('/');
		await expectEnglish(second);
		expect(await listedTitles(second)).toContain('Forgotten password');
		await second.close();

		// Back to French.
		await page
			.getByRole('group', { name: 'Interface language' })
			.getByRole('button', { name: 'FR', exact: true })
			.click();
		await expectFrench(page);
		await expect(listCount(page)).toHaveText(`${total} article(s)`);
		const backToFrench = await listedTitles(page);
		expect(backToFrench).toContain('Mot de passe oublié');
		expect(backToFrench).not.toContain('Forgotten password');
		await page.reload();
		await expectFrench(page);
	} finally {
		await context.close();
	}
});

test('a browser whose language is English starts in English, on the welcome page too', async ({
	browser
}) => {
	const context = await browser.newContext({ locale: 'en-GB' });
	try {
		const page = await context.newPage();
		await page.goto('/');
		await expect(page).toHaveURL(/\/welcome$/, { timeout: FIRST_START_MS });
		await expect(page.getByRole('heading', { name: 'Welcome to Plateau' })).toBeVisible();
		await chooseDemoIfAsked(page, { demo: 'Try the demo', name: 'Your name' });
		// The welcome page has its own switch.
		await page
			.getByRole('group', { name: 'Interface language' })
			.getByRole('button', { name: 'French' })
			.click();
		await expect(page.getByRole('heading', { name: 'Bienvenue sur Plateau' })).toBeVisible();
		await expect(page.getByLabel('Votre nom')).toBeVisible();
	} finally {
		await context.close();
	}
});
