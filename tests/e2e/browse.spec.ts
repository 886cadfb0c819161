// Browsing the knowledge base: seed, taxonomy tree with counts, kind filters, title filter and its
// shortcuts, the article page with its details panel and translations, the shortcuts sheet.
import { expect, test, type Page } from '@playwright/test';
import {
	articleLinks,
	articleList,
	distinctArticles,
	fr,
	gotoInApp,
	listCount,
	listedTitles,
	mainHeading,
	navCount,
	navLink,
	onboard,
	searchField,
	searchOptions,
	seedArticles,
	sideNav,
	storedDocIds
} from './helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }) => {
	const context = await browser.newContext();
	page = await context.newPage();
	await onboard(page, { name: 'Bruno Lecteur', floor: 'Bourse' });
});

test.afterAll(async () => {
	await page.context().close();
});

test.beforeEach(async () => {
	await gotoInApp(page, '/');
	await expect(mainHeading(page)).toHaveText(fr.kbTitle);
});

test('the demo centre is seeded on first start and the knowledge base lists its articles', async () => {
	const total = distinctArticles();
	// Every seed document is stored on the device.
	const ids = await storedDocIds(page);
	expect(ids).toContain('centre/demo');
	expect(ids).toContain('space/kb');
	for (const a of seedArticles) expect(ids).toContain(`article/${a.id}`);

	// One line per article (translations count once), and the counts agree.
	await expect(listCount(page)).toHaveText(`${total} article(s)`);
	await expect(articleLinks(page)).toHaveCount(total);
	await expect(navLink(page, 'Tous les articles')).toHaveText(new RegExp(`${total}$`));
	await expect(articleList(page).getByRole('link', { name: 'Mot de passe oublié' })).toBeVisible();
	await expect(articleList(page).getByRole('link', { name: 'Virement refusé' }).first()).toBeVisible();
});

test('the taxonomy tree shows roots with counts and filters by branch', async () => {
	const nav = sideNav(page);
	for (const [label, prefix] of [
		['Compte', 'compte'],
		['Bourse et ordres', 'bourse'],
		['Enveloppes', 'enveloppes'],
		['Fiscalité', 'fiscalite']
	] as const) {
		const expected = distinctArticles((a) => a.node === prefix || a.node.startsWith(prefix + '.'));
		await expect(navLink(page, label)).toHaveText(new RegExp(`^${label}\\s*${expected}$`));
	}

	// Branches start folded.
	const expand = nav.getByRole('button', { name: 'Déplier Compte' });
	await expect(expand).toHaveAttribute('aria-expanded', 'false');
	await expect(navLink(page, 'Accès et connexion')).toHaveCount(0);
	await expand.click();
	await expect(nav.getByRole('button', { name: 'Replier Compte' })).toHaveAttribute('aria-expanded', 'true');

	const branch = navLink(page, 'Accès et connexion');
	await expect(branch).toBeVisible();
	const treeCount = await navCount(branch);
	const inBranch = seedArticles.filter((a) => a.node.startsWith('compte.acces'));
	expect(treeCount).toBe(distinctArticles((a) => a.node.startsWith('compte.acces')));

	await branch.click();
	await expect(page).toHaveURL(/\/\?node=compte\.acces$/);
	await expect(mainHeading(page)).toHaveText('Compte › Accès et connexion');
	await expect(listCount(page)).toHaveText(`${treeCount} article(s)`);
	await expect(articleLinks(page)).toHaveCount(treeCount);
	await expect(branch).toHaveAttribute('aria-current', 'page');

	// Only articles of that branch: by title and by the path shown on each line.
	const titles = await listedTitles(page);
	const allowed = new Set(inBranch.map((a) => a.title));
	for (const t of titles) expect(allowed, `"${t}" is not in Compte › Accès et connexion`).toContain(t);
	expect(titles).toContain('Mot de passe oublié');
	expect(titles).not.toContain('Virement refusé');
	const paths = await articleList(page).locator('.path').allTextContents();
	expect(paths).toHaveLength(treeCount);
	for (const p of paths) expect(p.startsWith('Compte › Accès et connexion')).toBe(true);
});

for (const [plural, badge, kind] of [
	['Procédures', 'Procédure', 'procedure'],
	['Références', 'Référence', 'reference'],
	['Réponses types', 'Réponse type', 'response'],
	['FAQ', 'FAQ', 'faq']
] as const) {
	test(`kind filter "${plural}" lists only ${kind} articles`, async () => {
		const link = navLink(page, plural);
		const count = await navCount(link);
		expect(count).toBe(distinctArticles((a) => a.kind === kind));
		await link.click();
		await expect(page).toHaveURL(new RegExp(`\\?kind=${kind}$`));
		await expect(mainHeading(page)).toHaveText(plural);
		await expect(listCount(page)).toHaveText(`${count} article(s)`);
		await expect(articleLinks(page)).toHaveCount(count);
		const badges = await articleLinks(page).locator('.kind-badge').allTextContents();
		expect(badges).toHaveLength(count);
		expect(new Set(badges.map((b) => b.trim()))).toEqual(new Set([badge]));
	});
}

test('the search field: "/" and Ctrl+K focus it, Escape clears it then leaves it', async () => {
	const field = searchField(page);

	// "/" from anywhere outside a field focuses it.
	await page.getByRole('main').click({ position: { x: 5, y: 5 } });
	await expect(field).not.toBeFocused();
	await page.keyboard.press('/');
	await expect(field).toBeFocused();
	await expect(field).toHaveValue(''); // the "/" was not typed into it

	await page.keyboard.type('mot de passe');
	await expect(searchOptions(page).first()).toContainText('Mot de passe oublié');

	// Escape clears the query, a second Escape leaves the field; Ctrl+K comes back to it.
	await page.keyboard.press('Escape');
	await expect(field).toHaveValue('');
	await expect(field).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(field).not.toBeFocused();
	await page.keyboard.press('Control+k');
	await expect(field).toBeFocused();
});

test('an article shows its body, details panel and a link to its English version', async () => {
	await articleList(page).getByRole('link', { name: 'Mot de passe oublié' }).click();
	await expect(page).toHaveURL(/\/article\/proc-mot-de-passe-oublie$/);

	const article = page.getByRole('article');
	await expect(article.getByRole('heading', { level: 1 })).toHaveText('Mot de passe oublié');
	await expect(article).toHaveAttribute('lang', 'fr');
	await expect(article.getByText('Procédure', { exact: true })).toBeVisible();

	// The body: a heading "Étapes", 8 structured steps, a warning callout, "Escalade".
	await expect(article.getByRole('heading', { level: 2, name: 'Étapes' })).toBeVisible();
	const steps = article.locator('ol.procedure-steps').first();
	await expect(steps.locator('> li.procedure-step')).toHaveCount(8);
	await expect(steps.locator('> li').first().locator('.step-action')).toContainText(
		"contrôle d'identité de niveau 1"
	);
	await expect(steps.locator('> li').first().locator('strong')).toHaveText("Contrôle d'identité");
	await expect(article.getByRole('note', { name: 'Attention' })).toContainText(
		'Ne jamais demander au client son ancien mot de passe'
	);
	await expect(article.getByRole('heading', { level: 2, name: 'Escalade' })).toBeVisible();

	// The details panel: topic path, owner, floor, status, outline.
	const details = page.getByRole('complementary', { name: 'Détails' });
	await expect(details).toBeVisible();
	const topic = details.getByRole('link', { name: 'Compte › Accès et connexion › Mot de passe oublié' });
	await expect(topic).toHaveAttribute('href', '/?node=compte.acces.mot-de-passe');
	await expect(details.locator('dt', { hasText: 'Thème' })).toBeVisible();
	await expect(details.locator('dt:has-text("Expert référent") + dd')).toHaveText('Julien Moreau');
	await expect(details.locator('dt:has-text("Plateau") + dd')).toHaveText('Gestion de compte');
	await expect(details.locator('dt:has-text("Statut") + dd')).toHaveText('Publié');
	await expect(details.getByRole('heading', { name: 'Sommaire' })).toBeVisible();
	await expect(details.getByRole('button', { name: 'Escalade' })).toBeVisible();

	// "Aussi disponible en" leads to the English version.
	await expect(details.getByRole('heading', { name: 'Aussi disponible en' })).toBeVisible();
	await details.getByRole('link', { name: 'Anglais — Forgotten password' }).click();
	await expect(page).toHaveURL(/\/article\/proc-mot-de-passe-oublie-en$/);
	const english = page.getByRole('article');
	await expect(english.getByRole('heading', { level: 1 })).toHaveText('Forgotten password');
	await expect(english).toHaveAttribute('lang', 'en');
	await expect(english.getByRole('heading', { level: 2, name: 'Steps' })).toBeVisible();
	await expect(english.locator('ol.procedure-steps').first().locator('> li.procedure-step')).toHaveCount(8);
	await expect(
		page
			.getByRole('complementary', { name: 'Détails' })
			.getByRole('link', { name: 'Français — Mot de passe oublié' })
	).toBeVisible();

	// The topic link goes back to the branch in the list.
	await page
		.getByRole('complementary', { name: 'Détails' })
		.getByRole('link', { name: /^Compte › Accès et connexion › Mot de passe oublié$/ })
		.click();
	await expect(page).toHaveURL(/\/\?node=compte\.acces\.mot-de-passe$/);
	await expect(mainHeading(page)).toHaveText('Compte › Accès et connexion › Mot de passe oublié');
	expect(await listedTitles(page)).toContain('Mot de passe oublié');
});

test('a standard response lists its placeholders in the details panel', async () => {
	await navLink(page, 'Réponses types').click();
	await expect(mainHeading(page)).toHaveText('Réponses types');
	await articleList(page)
		.getByRole('link', { name: 'Lien de réinitialisation du mot de passe envoyé' })
		.click();
	await expect(page.getByRole('article').getByRole('heading', { level: 1 })).toHaveText(
		'Lien de réinitialisation du mot de passe envoyé'
	);
	const details = page.getByRole('complementary', { name: 'Détails' });
	await expect(details.getByRole('heading', { name: 'Champs à compléter' })).toBeVisible();
	const fields = details.locator('h3:has-text("Champs à compléter") + ul > li');
	await expect(fields).toHaveText(['{{nom_client}}', '{{email_masque}}', '{{nom_conseiller}}'], {
		useInnerText: true
	});
	await expect(details.locator('dt:has-text("Ton") + dd')).toHaveText('Chaleureux');

	// A procedure has no placeholder section.
	await gotoInApp(page, '/article/proc-mot-de-passe-oublie');
	await expect(page.getByRole('article').getByRole('heading', { level: 1 })).toHaveText(
		'Mot de passe oublié'
	);
	await expect(page.getByRole('heading', { name: 'Champs à compléter' })).toHaveCount(0);
});

test('"?" opens the shortcuts sheet and Escape closes it', async () => {
	const dialog = page.getByRole('dialog', { name: 'Raccourcis clavier' });
	await expect(dialog).toBeHidden();
	await page.getByRole('main').click({ position: { x: 5, y: 5 } });
	await page.keyboard.press('?');
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText('Rechercher');
	await expect(dialog).toContainText('Ctrl + K');
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();

	// Typing "?" in the search field types it rather than opening the sheet.
	const filter = searchField(page);
	await filter.focus();
	await page.keyboard.press('?');
	await expect(filter).toHaveValue('?');
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();

	// The top bar's "?" button opens it too; "Fermer" closes it.
	await page.getByRole('banner').getByRole('button', { name: 'Raccourcis clavier' }).click();
	await expect(dialog).toBeVisible();
	await dialog.getByRole('button', { name: 'Fermer' }).click();
	await expect(dialog).toBeHidden();
});
