// Errors say what happened and what to do: unknown pages, unknown articles, and a corrupt entry in
// the local store that must not take the rest of the knowledge base down with it.
import { expect, test } from '@playwright/test';
import {
	articleList,
	corruptFirstChunk,
	distinctArticles,
	fr,
	listCount,
	mainHeading,
	onboard,
	readChunks
} from './helpers';

test('an unknown route shows "Page introuvable" and a way back', async ({ page }) => {
	await onboard(page, { name: 'Nina Perdue', floor: 'Bourse' });
	await page.goto('/nulle-part');
	await expect(page.getByRole('heading', { level: 1, name: 'Page introuvable' })).toBeVisible();
	await expect(page.getByText('L’adresse /nulle-part ne correspond à aucune page de Plateau.')).toBeVisible();
	await page.getByRole('main').getByRole('link', { name: 'Retour à la base de connaissances' }).click();
	await expect(page).toHaveURL(/\/$/);
	await expect(mainHeading(page)).toHaveText(fr.kbTitle);
});

test('an unknown article id says it does not exist on this device', async ({ page }) => {
	await onboard(page, { name: 'Nina Perdue', floor: 'Bourse' });
	await page.goto('/article/cet-article-n-existe-pas');
	const alert = page.getByRole('alert');
	await expect(
		alert.getByRole('heading', { name: 'Cet article n’existe pas sur cet appareil.' })
	).toBeVisible();
	await expect(alert).toContainText('n’a pas encore été reçu d’un collègue');
	await expect(page.getByRole('article')).toHaveCount(0);
	// Looking did not create the document.
	expect(await readChunks(page, 'article/cet-article-n-existe-pas')).toHaveLength(0);
	await page.getByRole('link', { name: /Retour à la liste/ }).click();
	await expect(mainHeading(page)).toHaveText(fr.kbTitle);
});

test('a corrupt stored entry is reported and skipped; the rest of the knowledge base works', async ({
	page
}) => {
	await onboard(page, { name: 'Carl Corrompu', floor: 'Gestion de compte' });
	const target = 'article/proc-compte-bloque';
	const key = await corruptFirstChunk(page, target);
	const stored = await readChunks(page, target);
	expect(stored.find((c) => c.key === key)?.binary).toBe(false);

	// The app still opens and lists the knowledge base.
	await page.reload();
	await expect(mainHeading(page)).toHaveText(fr.kbTitle);
	await expect(listCount(page)).toHaveText(`${distinctArticles()} article(s)`);
	await expect(articleList(page).getByRole('link', { name: 'Mot de passe oublié' })).toBeVisible();

	// Opening the damaged article reports the unreadable entry instead of crashing.
	await articleList(page).getByRole('link', { name: 'Compte bloqué après trop de tentatives' }).click();
	await expect(page).toHaveURL(/\/article\/proc-compte-bloque$/);
	const problems = page.getByRole('main').getByRole('status').filter({ hasText: 'illisible' });
	await expect(problems).toBeVisible();
	await expect(problems).toContainText('1 entrée(s) locale(s) illisible(s) ignorée(s)');
	// Its only stored entry was the damaged one: the page says the article cannot be read.
	await expect(page.getByRole('alert')).toContainText('Cet article est illisible');
	// The agent is told what to do, in French, with the technical detail tucked away.
	await expect(page.getByRole('alert')).toContainText('réinitialiser les données dans les Paramètres');
	await expect(page.getByRole('alert').locator('details')).not.toHaveAttribute('open', '');
	// The banner names the damaged document, and can be dismissed.
	await expect(problems.getByRole('listitem')).toContainText(/Compte bloqué|article\/proc-compte-bloque/);
	await problems.getByRole('button', { name: 'Masquer' }).click();
	await expect(problems).toHaveCount(0);
	await expect(page.getByRole('article')).toHaveCount(0);

	// The corrupt entry is kept as it was (nothing is lost by reading).
	const after = await readChunks(page, target);
	expect(after.find((c) => c.key === key)).toMatchObject({ binary: false, text: 'not a yjs update' });

	// Other articles open normally, including this article's translation.
	await page.getByRole('link', { name: /Retour à la liste/ }).click();
	await articleList(page).getByRole('link', { name: 'Mot de passe oublié' }).click();
	await expect(page.getByRole('article').getByRole('heading', { level: 1 })).toHaveText(
		'Mot de passe oublié'
	);
	await expect(page.getByRole('article').getByRole('heading', { level: 2, name: 'Escalade' })).toBeVisible();
	await page.goto('/article/proc-compte-bloque-en');
	await expect(page.getByRole('article').getByRole('heading', { level: 1 })).toHaveText(
		'Account locked after too many attempts'
	);
});
