// The lifecycle end to end, two agents in separate browser contexts over real WebRTC: an agent
// without a role has no Archive, Delete or Verify button (and no task list); the colleague who took
// a knowledge manager's role publishes; the agent asks for a review; the knowledge manager finds it
// in the task list (reached from the left rail), verifies without changes, and the review line on
// both devices says so while the request is gone.
import { expect, test, type Page } from '@playwright/test';
import { gotoInApp, MEET_MS } from './helpers';
import { connect, withAgents } from './sync-helpers';
import { publish, seesRole, takeDemoRole } from './governance-helpers';

const ID = 'faq-code-double-authentification';
const reviewLine = (page: Page) => page.getByTestId('review-line');
const lifecycleButton = (page: Page, name: string) =>
	page.getByRole('region', { name: 'Cycle de vie' }).getByRole('button', { name, exact: true });

test('an agent asks for a review, the expert sees it in the task list and verifies; no Archive or Delete for the agent', async ({
	browser
}) => {
	await withAgents(browser, 'lifecycle', ['Alice Bourse', 'Bruno Gestion'], async (a, b) => {
		await connect(a, 'Bourse', b, 'Gestion de compte');
		await gotoInApp(b.page, `/article/${ID}`);
		await expect(lifecycleButton(b.page, 'Demander une relecture')).toBeVisible();
		for (const name of ['Archiver', 'Supprimer', 'Vérifier sans changement'])
			await expect(lifecycleButton(b.page, name)).toHaveCount(0);
		await expect(b.page.getByRole('link', { name: /Mes tâches/ })).toHaveCount(0);

		// Alice takes a knowledge manager's demo role; Bruno's device verifies her record.
		await takeDemoRole(a.page);
		await seesRole(b.page, 'Alice Bourse');

		// Alice publishes: the review line starts from the publication.
		await gotoInApp(a.page, `/article/${ID}`);
		for (const name of ['Archiver', 'Supprimer']) await expect(lifecycleButton(a.page, name)).toBeVisible();
		await publish(a.page, 3);
		await expect(reviewLine(a.page)).toContainText('Vérifié par Alice Bourse');
		await expect(reviewLine(a.page)).toHaveAttribute('data-how', 'publish');

		// Bruno asks for a review.
		await gotoInApp(b.page, `/article/${ID}`);
		await expect(reviewLine(b.page)).toContainText('Vérifié par Alice Bourse');
		await lifecycleButton(b.page, 'Demander une relecture').click();
		await b.page.getByLabel('Ce qui est à relire (facultatif)').fill('Le délai a changé');
		await b.page.getByRole('button', { name: 'Envoyer aux experts du thème' }).click();
		await expect(b.page.getByTestId('review-request')).toContainText('Relecture demandée par Bruno Gestion');
		for (const name of ['Archiver', 'Supprimer', 'Vérifier sans changement'])
			await expect(lifecycleButton(b.page, name)).toHaveCount(0);

		// Alice's task list, from the left rail (by keyboard), has it among the drafts in review.
		await gotoInApp(a.page, '/');
		const tasksLink = a.page.getByRole('link', { name: /Mes tâches/ });
		await expect(tasksLink.getByTestId('task-count')).not.toHaveText('0', { timeout: MEET_MS });
		await tasksLink.focus();
		await a.page.keyboard.press('Enter');
		await expect(a.page.getByRole('heading', { name: 'Mes tâches de relecture' })).toBeVisible();
		const inReview = a.page.getByTestId('tasks-in-review');
		const task = inReview.getByRole('link');
		await expect(task).toHaveCount(1);
		await task.click();

		// She verifies without changes: the request is answered, the line says verified, on both devices.
		await expect(a.page.getByTestId('review-request')).toContainText('Bruno Gestion');
		await lifecycleButton(a.page, 'Vérifier sans changement').click();
		await expect(a.page.getByTestId('review-request')).toHaveCount(0);
		await expect(reviewLine(a.page)).toHaveAttribute('data-how', 'verify');
		await expect(reviewLine(a.page)).toContainText('à revoir avant le');
		await expect(b.page.getByTestId('review-request')).toHaveCount(0, { timeout: MEET_MS });
		await expect(reviewLine(b.page)).toHaveAttribute('data-how', 'verify');
		await gotoInApp(a.page, '/tasks');
		await expect(a.page.getByTestId('tasks-in-review').getByRole('link')).toHaveCount(0);
	});
});
