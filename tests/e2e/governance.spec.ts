// Governance end to end, three agents of a real (non-demo) centre in separate browser contexts over
// real WebRTC: the founder (administrator) grants a colleague the expert role of a topic; the expert
// publishes with a change note; while an agent without a role edits the draft, the founder reads the
// published revision, which does not change; that agent has no Publish or Delete button, and a
// publication and a role grant crafted on that agent's own device (signed with its real key, every
// UI check skipped) are refused by the two other peers — logged, counted by the sync state, absent
// from their storage; the expert publishes again, the reader is told the article changed since she
// read it and shown the diff; the expert restores an older revision as the draft; and
// 100 days later the procedure's review is overdue in the expert's task list.
import { expect, test, type Page } from '@playwright/test';
import { parseInviteCode } from '../../src/lib/domain/codes';
import { articleList, gotoInApp, MEET_MS, readChunks } from './helpers';
import {
	closeAll,
	createArticle,
	createCentre,
	joinByLink,
	newAgent,
	readInviteLink,
	syncIndicator,
	uniqueRoom,
	uniqueTag,
	type Agent
} from './sync-helpers';
import { publish } from './governance-helpers';

const line = (page: Page) => page.getByTestId('revision-line');
const published = (page: Page) => page.getByTestId('published-body');

interface Forge {
	publish(articleId: string, note: string): Promise<number>;
	grantSelf(role: string, scope: { kind: string }): Promise<string>;
}

test('roles, publication, a draft under a reader, forged records refused, restore — three agents of a new centre', async ({
	browser
}) => {
	test.slow();
	const room = uniqueRoom('governance');
	const tag = uniqueTag();
	const centreName = `Banque Loire ${tag}`;
	const agents: Agent[] = [];
	try {
		const inès = await newAgent(browser, room, 'Inès Fondatrice');
		const bruno = await newAgent(browser, room, 'Bruno Agent');
		const chloé = await newAgent(browser, room, 'Chloé Experte');
		agents.push(inès, bruno, chloé);
		// Bruno's device plays a modified client: the test reaches its signing code.
		await bruno.context.addInitScript(() => {
			if (location.protocol.startsWith('http')) localStorage.setItem('plateau:test-hooks', '1');
		});
		const a = inès.page;
		await createCentre(a, centreName, ['Cartes', 'Crédits'], inès.name);
		const title = `Carte avalée ${tag}`;
		const articleId = await createArticle(a, title, 'Cartes bancaires › Carte capturée par un distributeur');
		const path = `/article/${encodeURIComponent(articleId)}`;
		const body = a.getByTestId('article-body').locator('.plateau-editor');
		await body.locator('p').first().click();
		await a.keyboard.type(`Garder la carte ${tag}.`);
		await a.getByRole('button', { name: 'Terminer' }).click();
		const link = await readInviteLink(a);
		const dbName = `plateau-${parseInviteCode(decodeURIComponent(new URL(link).hash.slice(1))).centreId}`;

		await Promise.all([
			joinByLink(bruno.page, link, bruno.name, 'Crédits'),
			joinByLink(chloé.page, link, chloé.name, 'Cartes')
		]);

		// The founder grants Chloé the expert role of the cards topic.
		await gotoInApp(a, '/settings/people');
		const grant = a.locator('form.grant');
		await expect(
			grant.getByLabel('Agent', { exact: true }).locator('option', { hasText: chloé.name })
		).toHaveCount(1, { timeout: MEET_MS });
		await grant.getByLabel('Agent', { exact: true }).selectOption({ label: chloé.name });
		await grant.getByLabel('Rôle', { exact: true }).selectOption({ label: 'Expert' });
		await grant.getByLabel('Périmètre').selectOption({ label: 'Cartes bancaires' });
		await grant.getByRole('button', { name: 'Attribuer' }).click();
		await expect(a.getByText('Rôle attribué : chaque appareil du centre le vérifiera.')).toBeVisible();

		// Chloé's device verifies the grant: the Publish button appears; she publishes revision 1.
		const c = chloé.page;
		await gotoInApp(c, path);
		await expect(c.getByRole('button', { name: 'Publier', exact: true })).toBeVisible({ timeout: MEET_MS });
		await publish(c, 1, 'Première version');

		// Inès reads revision 1; Bruno has neither Publish nor Delete.
		await gotoInApp(a, path);
		await expect(line(a)).toContainText('révision 1', { timeout: MEET_MS });
		await expect(line(a)).toContainText(chloé.name);
		const b = bruno.page;
		await gotoInApp(b, path);
		await expect(line(b)).toContainText('révision 1', { timeout: MEET_MS });
		await expect(b.getByRole('button', { name: 'Publier', exact: true })).toHaveCount(0);
		await expect(b.getByRole('button', { name: 'Supprimer', exact: true })).toHaveCount(0);

		// Bruno edits the draft: Inès still reads revision 1, told whose changes are in progress.
		await b.getByRole('button', { name: 'Modifier', exact: true }).click();
		const draft = b.getByTestId('article-body').locator('.plateau-editor');
		await draft.locator('p').first().click();
		await b.keyboard.press('End');
		await b.keyboard.type(` proposition-${tag}`);
		await expect(a.getByTestId('draft-in-progress')).toContainText(bruno.name, { timeout: MEET_MS });
		await expect(published(a)).toContainText(`Garder la carte ${tag}.`);
		await expect(published(a)).not.toContainText(`proposition-${tag}`);
		await b.getByRole('button', { name: 'Terminer' }).click();

		// Bruno's device forges a publication and a role grant, signed with its own key.
		const forgedNote = `Publication falsifiée ${tag}`;
		const forged = await b.evaluate(
			async ({ articleId, note }) => {
				const forge = (globalThis as unknown as { __plateauForge: Forge }).__plateauForge;
				const number = await forge.publish(articleId, note);
				const record = await forge.grantSelf('knowledge-manager', { kind: 'centre' });
				return { number, record };
			},
			{ articleId, note: forgedNote }
		);
		expect(forged.number).toBe(2);
		for (const peer of [inès, chloé]) {
			const page = peer.page;
			await expect
				.poll(() => peer.logs.some((l) => l.includes(`may not publish topic`)), { timeout: MEET_MS })
				.toBe(true);
			await expect
				.poll(() => peer.logs.some((l) => l.includes(`role record ${forged.record}`)), {
					timeout: MEET_MS
				})
				.toBe(true);
			await expect(syncIndicator(page)).toContainText(/\d+ message\(s\) refusé\(s\)/);
			const stored = await readChunks(page, undefined, dbName);
			expect(
				stored.some((ch) => ch.text.includes(forgedNote)),
				peer.name
			).toBe(false);
			expect(
				stored.some((ch) => ch.text.includes(forged.record)),
				peer.name
			).toBe(false);
			await gotoInApp(page, path);
			await expect(line(page)).toContainText('révision 1');
		}

		// Chloé publishes Bruno's proposal as revision 2; Inès's reading view follows.
		await gotoInApp(c, path);
		await expect(c.getByTestId('draft-in-progress')).toContainText(bruno.name);
		// Inès, who read revision 1, is back on the list (an article on screen counts as read).
		await gotoInApp(a, '/');
		await publish(c, 2, `Ajout de la proposition ${tag}`);
		// Her list says the article changed since she read it; opening it offers the diff.
		const listed = articleList(a).locator('li', { has: a.locator(`a[href="${path}"]`) });
		await expect(listed.getByTestId('updated-since-read')).toBeVisible({ timeout: MEET_MS });
		await listed.locator(`a[href="${path}"]`).click();
		await expect(line(a)).toContainText('révision 2');
		await expect(published(a)).toContainText(`proposition-${tag}`);
		await a.getByTestId('since-read').getByRole('button', { name: 'Voir les changements' }).click();
		await expect(a.getByTestId('revision-diff').locator('ins')).toContainText(`proposition-${tag}`);

		// Restore: revision 1 becomes the draft again; revision 2 stays what agents read.
		const history = c.getByTestId('revision-history');
		await history
			.getByRole('listitem')
			.nth(1)
			.getByRole('button', { name: 'Restaurer comme brouillon' })
			.click();
		await expect(c.getByTestId('article-body')).not.toContainText(`proposition-${tag}`);
		await expect(line(a)).toContainText('révision 2');
		// 100 days on (a page of Chloé's device with its clock ahead), the procedure's 90-day review is
		// overdue in her task list; revision 2's review line says so too.
		const later = await chloé.context.newPage();
		await later.clock.install({ time: Date.now() + 100 * 86_400_000 });
		await later.goto('/tasks');
		const overdue = later.getByTestId('tasks-overdue');
		await expect(overdue.getByRole('link', { name: title })).toBeVisible({ timeout: MEET_MS });
		await overdue.getByRole('link', { name: title }).click();
		await expect(later.getByTestId('review-line')).toContainText('Vérifié par Chloé Experte');
		await expect(later.getByTestId('review-line')).toContainText('relecture en retard');
		await later.close();
		for (const agent of agents) expect(agent.errors, agent.name).toEqual([]);
	} finally {
		await closeAll(agents);
	}
});
