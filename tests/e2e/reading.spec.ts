// What changed since I last read it (issue 14, part 5), two agents in separate browser contexts
// over real WebRTC: agent A reads a published article and follows it; expert B publishes a new
// revision with a change note; A's list marks the article "updated since you last read", A's
// change feed lists the publication with an unread count, and opening it from the feed (with the
// keyboard) offers the differences from the revision A last read; once read, the count is gone.
// Search results carry the same mark; a followed topic and the feed survive a reload.
import { expect, test, type Page } from '@playwright/test';
import { articleList, gotoInApp, MEET_MS, searchField, searchOptions } from './helpers';
import { connect, uniqueTag, withAgents } from './sync-helpers';
import { publish, seesRole, takeDemoRole } from './governance-helpers';

const ID = 'faq-code-double-authentification';
const line = (page: Page) => page.getByTestId('revision-line');
const listLine = (page: Page) =>
	articleList(page).locator('li', { has: page.locator(`a[href="/article/${ID}"]`) });

test('a new revision shows as updated since the last read, in the feed with an unread count, with its diff', async ({
	browser
}) => {
	const tag = `precision${uniqueTag()}`;
	await withAgents(browser, 'reading', ['Agnès Lecture', 'Bruno Expert'], async (a, b) => {
		await connect(a, 'Bourse', b, 'Gestion de compte');
		// B takes a knowledge manager's role (a signed demo role record); A's device verifies it.
		await takeDemoRole(b.page);
		await seesRole(a.page, 'Bruno Expert');
		await gotoInApp(b.page, `/article/${ID}`);
		await publish(b.page, 3, 'Révision vérifiée');

		// A reads revision 3 (the demo seeds two before it) and follows the article.
		await gotoInApp(a.page, `/article/${ID}`);
		await expect(line(a.page)).toContainText('révision 3', { timeout: MEET_MS });
		const follow = a.page.getByRole('button', { name: 'Suivre cet article' });
		await follow.click();
		await expect(follow).toHaveAttribute('aria-pressed', 'true');
		await gotoInApp(a.page, '/');
		await expect(listLine(a.page)).toBeVisible();
		await expect(listLine(a.page).getByTestId('updated-since-read')).toHaveCount(0);
		const feed = a.page.getByTestId('change-feed');
		await expect(feed.getByTestId('feed-unread')).toHaveCount(0);

		// B edits the draft and publishes revision 4 with a change note.
		await b.page.getByRole('button', { name: 'Modifier', exact: true }).click();
		const editorBody = b.page.getByTestId('article-body').locator('.plateau-editor');
		await editorBody.locator('p').first().click();
		await b.page.keyboard.press('End');
		await b.page.keyboard.type(` ${tag}`);
		await b.page.getByRole('button', { name: 'Terminer' }).click();
		await publish(b.page, 4, `Précision ${tag}`);

		// A's list and feed say so.
		await expect(listLine(a.page).getByTestId('updated-since-read')).toHaveText(
			'Mis à jour depuis votre dernière lecture',
			{ timeout: MEET_MS }
		);
		// Search results say so too.
		await searchField(a.page).fill('code double authentification');
		await expect(
			searchOptions(a.page).filter({ has: a.page.locator(`a[href^="/article/${ID}?"]`) })
		).toContainText('Mis à jour depuis votre dernière lecture');
		await searchField(a.page).press('Escape');
		await searchField(a.page).press('Escape');
		await expect(feed.getByTestId('feed-unread')).toContainText('1');
		const item = feed.locator(`a[data-feed-item="article/${ID}"]`);
		await expect(item).toContainText('Révision 4');
		await expect(item).toContainText('Bruno Expert');
		await expect(item).toContainText(`Précision ${tag}`);
		await expect(item).toContainText('non lue');

		// Opened from the feed with the keyboard: the diff from revision 3, the one A last read.
		await item.focus();
		await a.page.keyboard.press('Enter');
		await expect(line(a.page)).toContainText('révision 4');
		const since = a.page.getByTestId('since-read');
		await expect(since).toContainText('révision 3 → révision 4');
		await expect(since).toContainText(`Précision ${tag}`);
		await since.getByRole('button', { name: 'Voir les changements' }).click();
		await expect(a.page.getByTestId('revision-diff').locator('ins')).toContainText(tag);
		// Read now: the count is gone, the item stays in the feed, read.
		await expect(feed.getByTestId('feed-unread')).toHaveCount(0);
		await expect(item).not.toContainText('non lue');
		await gotoInApp(a.page, '/');
		await expect(listLine(a.page).getByTestId('updated-since-read')).toHaveCount(0);

		// A topic is followed from its page; the device remembers it across a reload.
		await gotoInApp(a.page, '/?node=compte.acces');
		const topic = a.page.getByRole('button', { name: 'Suivre ce thème' });
		await topic.click();
		await expect(topic).toHaveAttribute('aria-pressed', 'true');
		await a.page.reload();
		await expect(a.page.getByRole('button', { name: 'Suivre ce thème' })).toHaveAttribute(
			'aria-pressed',
			'true',
			{ timeout: MEET_MS }
		);
		await expect(
			a.page.getByTestId('change-feed').locator(`a[data-feed-item="article/${ID}"]`)
		).toBeVisible();
	});
});
