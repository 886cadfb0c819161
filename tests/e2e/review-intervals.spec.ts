// Per-topic review intervals end to end, two agents in separate browser contexts over real WebRTC:
// the colleague sees the topic's interval read-only; the agent who took an expert's role of
// Support technique › Site web publishes a procedure of a sub-topic (due in 90 days by default),
// sets 30 days for the topic's procedures from the topic's page by keyboard, and the colleague's
// review line moves to 30 days after the publication, the topic's page shows who set it, and the
// expert's task list now holds the procedure (due within 30 days). The colleague then asks for a
// review: the expert's list marks the row "En relecture".
import { expect, test, type Page } from '@playwright/test';
import { gotoInApp, MEET_MS } from './helpers';
import { connect, withAgents } from './sync-helpers';
import { publish, takeDemoRole } from './governance-helpers';

const ID = 'proc-cotations-figees';
const TITLE = 'Cotations figées sur le site';
const TOPIC = 'technique.site';
const DAY = 86_400_000;
const reviewLine = (page: Page) => page.getByTestId('review-line');
const intervals = (page: Page) => page.getByTestId('review-intervals');
const procedureRow = (page: Page) => intervals(page).locator('[data-kind="procedure"]');

/** "à revoir avant le D" for a publication between `from` and now, `days` later (the day may
 *  turn while the test runs). */
function dueText(from: number, days: number): RegExp {
	const format = (t: number) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium' }).format(t);
	const dates = [...new Set([format(from + days * DAY), format(Date.now() + days * DAY)])];
	return new RegExp(`à revoir avant le (${dates.map((d) => d.replace(/\./g, '\\.')).join('|')})`);
}

test('an expert sets a 30-day interval for a topic; the colleague’s review line and the task list follow', async ({
	browser
}) => {
	await withAgents(browser, 'intervals', ['Alice Bourse', 'Bruno Gestion'], async (a, b) => {
		await connect(a, 'Bourse', b, 'Gestion de compte');

		// Alice takes an expert's demo role of Support technique › Site web.
		await takeDemoRole(a.page, 'Expert', 'Support technique › Site web');

		// She publishes the procedure (a draft of Site web › Cotations figées): due in 90 days.
		const published = Date.now();
		await gotoInApp(a.page, `/article/${ID}`);
		await publish(a.page, 1);
		await expect(reviewLine(a.page)).toContainText(dueText(published, 90));
		await gotoInApp(a.page, '/tasks');
		await expect(a.page.getByTestId('tasks-due-soon').getByRole('link', { name: TITLE })).toHaveCount(0);

		// Bruno reads the topic's interval: the default, and no field to change it.
		await gotoInApp(b.page, `/article/${ID}`);
		await expect(reviewLine(b.page)).toContainText(dueText(published, 90), { timeout: MEET_MS });
		await gotoInApp(b.page, `/?node=${TOPIC}`);
		await intervals(b.page).getByText('Intervalle de relecture').click();
		await expect(procedureRow(b.page).getByTestId('interval-days')).toHaveText('90 jours');
		await expect(procedureRow(b.page)).toContainText('par défaut');
		await expect(intervals(b.page).getByRole('spinbutton')).toHaveCount(0);

		// Alice sets 30 days for the topic's procedures, by keyboard, from the topic's page.
		await gotoInApp(a.page, `/?node=${TOPIC}`);
		await intervals(a.page).locator('summary').focus();
		await a.page.keyboard.press('Enter');
		const field = intervals(a.page).getByLabel('Intervalle pour : Procédure (jours)');
		await expect(field).toHaveValue('90');
		await field.fill('3');
		await field.press('Enter');
		await expect(intervals(a.page).getByRole('status')).toHaveText(
			'Choisissez un nombre entier de jours entre 7 et 730.'
		);
		await field.fill('30');
		await field.press('Enter');
		await expect(intervals(a.page).getByRole('status')).toHaveText(
			'Intervalle enregistré : Procédure, 30 jours.'
		);
		await expect(procedureRow(a.page)).toContainText('fixé par Alice Bourse');

		// On Bruno's device: the topic's page says who set it; the review line moves to 30 days.
		await expect(procedureRow(b.page).getByTestId('interval-days')).toHaveText('30 jours', {
			timeout: MEET_MS
		});
		await expect(procedureRow(b.page)).toContainText('fixé par Alice Bourse');
		await gotoInApp(b.page, `/article/${ID}`);
		await expect(reviewLine(b.page)).toContainText(dueText(published, 30), { timeout: MEET_MS });
		await expect(reviewLine(b.page)).toContainText('relecture à faire bientôt');

		// Alice's task list holds it now: due within 30 days.
		await gotoInApp(a.page, '/tasks');
		const dueSoon = a.page.getByTestId('tasks-due-soon');
		await expect(dueSoon.getByRole('link', { name: TITLE })).toBeVisible();
		await expect(dueSoon.getByRole('listitem').filter({ hasText: TITLE })).toContainText(
			dueText(published, 30)
		);

		// Bruno asks for a review: Alice's list of the topic marks the row.
		await b.page
			.getByRole('region', { name: 'Cycle de vie' })
			.getByRole('button', { name: 'Demander une relecture' })
			.click();
		await b.page.getByRole('button', { name: 'Envoyer aux experts du thème' }).click();
		await expect(b.page.getByTestId('review-request')).toContainText('Relecture demandée par Bruno Gestion');
		await gotoInApp(a.page, `/?node=${TOPIC}`);
		const row = a.page.getByRole('listitem').filter({ has: a.page.getByRole('link', { name: TITLE }) });
		await expect(row.getByTestId('in-review-chip')).toHaveText('En relecture', { timeout: MEET_MS });
	});
});
