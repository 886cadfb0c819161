// Published revisions end to end, two agents in separate browser contexts over real WebRTC: an
// agent without a role has no Publish button; the colleague who took a knowledge manager's role
// (a signed demo role record, Settings › People) publishes with a change note; while the expert edits the draft, the reader's view of the
// published revision does not change and says changes are in progress and by whom; a second
// publication reaches the reader; History compares a revision with the draft (inserted words
// marked) and restores an older revision as the draft.
import { expect, test, type Page } from '@playwright/test';
import { gotoInApp } from './helpers';
import { connect, uniqueTag, withAgents } from './sync-helpers';
import { publish, seesRole, takeDemoRole } from './governance-helpers';

const ID = 'faq-code-double-authentification';
const line = (page: Page) => page.getByTestId('revision-line');
const published = (page: Page) => page.getByTestId('published-body');

test('publish, edit the draft while a colleague reads the published revision, compare and restore', async ({
	browser
}) => {
	const tag = `ajout${uniqueTag()}`;
	await withAgents(browser, 'revisions', ['Alice Bourse', 'Bruno Gestion'], async (a, b) => {
		await connect(a, 'Bourse', b, 'Gestion de compte');
		// Neither may publish yet: publishing takes a role (here a demo role, signed by the device).
		await gotoInApp(b.page, `/article/${ID}`);
		await expect(b.page.getByRole('button', { name: 'Modifier', exact: true })).toBeVisible();
		await expect(b.page.getByRole('button', { name: 'Publier', exact: true })).toHaveCount(0);
		await takeDemoRole(a.page);
		// Bruno's device has verified Alice's role record before her publication reaches it.
		await seesRole(b.page, 'Alice Bourse');
		await gotoInApp(a.page, `/article/${ID}`);
		// The FAQ has two revisions in the demo's history: this publication is the third.
		await publish(a.page, 3, 'Mise à jour du délai de renvoi');
		await expect(line(a.page)).toContainText('Alice Bourse');

		await gotoInApp(b.page, `/article/${ID}`);
		await expect(line(b.page)).toContainText('révision 3');
		await expect(b.page.getByRole('button', { name: 'Publier', exact: true })).toHaveCount(0);

		// The expert edits the draft: the reader still reads revision 3, told changes are in progress.
		await a.page.getByRole('button', { name: 'Modifier', exact: true }).click();
		const editorBody = a.page.getByTestId('article-body').locator('.plateau-editor');
		await editorBody.locator('p').first().click();
		await a.page.keyboard.press('End');
		await a.page.keyboard.type(` ${tag}`);
		await expect(b.page.getByTestId('draft-in-progress')).toContainText('Alice Bourse');
		await expect(published(b.page)).not.toContainText(tag);
		await a.page.getByRole('button', { name: 'Terminer' }).click();

		await publish(a.page, 4, 'Ajout d’une précision');
		await expect(line(b.page)).toContainText('révision 4');
		await expect(published(b.page)).toContainText(tag);

		// History: revision 3 against the draft shows the inserted words; then revision 3 restored.
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
		await expect(line(a.page)).toContainText('révision 4');
	});
});
