// Published revisions end to end, two agents in separate browser contexts over real WebRTC: the
// expert publishes with a change note; while the expert edits the draft, the reader's view of the
// published revision does not change and says changes are in progress and by whom; a second
// publication reaches the reader; History compares a revision with the draft (inserted words
// marked) and restores an older revision as the draft.
import { expect, test, type Page } from '@playwright/test';
import { gotoInApp } from './helpers';
import { connect, uniqueTag, withAgents } from './sync-helpers';

const ID = 'faq-code-double-authentification';
const line = (page: Page) => page.getByTestId('revision-line');
const published = (page: Page) => page.getByTestId('published-body');

async function publish(page: Page, note: string, number: number): Promise<void> {
	await page.getByRole('button', { name: 'Publier', exact: true }).click();
	await page.getByLabel('Note de modification').fill(note);
	await page.getByRole('button', { name: `Publier la révision ${number}` }).click();
	await expect(line(page)).toContainText(`révision ${number}`);
}

test('publish, edit the draft while a colleague reads the published revision, compare and restore', async ({
	browser
}) => {
	const tag = `ajout${uniqueTag()}`;
	await withAgents(browser, 'revisions', ['Alice Bourse', 'Bruno Gestion'], async (a, b) => {
		await connect(a, 'Bourse', b, 'Gestion de compte');
		await gotoInApp(a.page, `/article/${ID}`);
		await publish(a.page, 'Première révision', 1);
		await expect(line(a.page)).toContainText('Alice Bourse');

		await gotoInApp(b.page, `/article/${ID}`);
		await expect(line(b.page)).toContainText('révision 1');

		// The expert edits the draft: the reader still reads revision 1, told changes are in progress.
		await a.page.getByRole('button', { name: 'Modifier', exact: true }).click();
		const editorBody = a.page.getByTestId('article-body').locator('.plateau-editor');
		await editorBody.locator('p').first().click();
		await a.page.keyboard.press('End');
		await a.page.keyboard.type(` ${tag}`);
		await expect(b.page.getByTestId('draft-in-progress')).toContainText('Alice Bourse');
		await expect(published(b.page)).not.toContainText(tag);
		await a.page.getByRole('button', { name: 'Terminer' }).click();

		await publish(a.page, 'Ajout d’une précision', 2);
		await expect(line(b.page)).toContainText('révision 2');
		await expect(published(b.page)).toContainText(tag);

		// History: revision 1 against the draft shows the inserted words; then revision 1 restored.
		const history = b.page.getByTestId('revision-history');
		await history.getByRole('button', { name: 'Comparer', exact: true }).click();
		await expect(b.page.getByTestId('revision-diff').locator('ins')).toContainText(tag);
		await history
			.getByRole('listitem')
			.nth(1)
			.getByRole('button', { name: 'Restaurer comme brouillon' })
			.click();
		await expect(b.page.getByTestId('article-body')).toBeVisible();
		await expect(b.page.getByTestId('article-body')).not.toContainText(tag);
		await expect(line(a.page)).toContainText('révision 2');
	});
});
