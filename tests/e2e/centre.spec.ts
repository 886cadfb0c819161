// Creating a real centre: a new user creates one from an empty device (a bank's taxonomy, their
// floors), invites two colleagues by link, and all three see the same knowledge base — the
// creator's article and taxonomy, none of the demo's content — each in a separate browser context
// over real WebRTC. A wrong code says so on the welcome page, and there is always a way back.
import { expect, test, type Page } from '@playwright/test';
import { fr as messages } from '../../src/lib/i18n/fr';
import { formatInviteCode, parseInviteCode } from '../../src/lib/domain/codes';
import { articleLinks, FIRST_START_MS, gotoInApp, MEET_MS, RESTART_MS, seedArticles } from './helpers';
import {
	allStoredDocs,
	closeAll,
	createArticle,
	introduce,
	listedTitle,
	newAgent,
	presenceOf,
	randomSecret,
	readInviteLink,
	syncIndicator,
	uniqueRoom,
	uniqueTag,
	waitingStatus,
	type Agent
} from './sync-helpers';

/** No database of this device holds a document of the demo centre. */
async function demoDocsOn(page: Page): Promise<string[]> {
	const demoIds = new Set(seedArticles.map((a) => `article/${a.id}`).concat('centre/demo'));
	return Object.values(await allStoredDocs(page))
		.flat()
		.filter((id) => demoIds.has(id));
}

test('a new user creates a centre, invites two colleagues by link; all three share it, without the demo', async ({
	browser
}) => {
	test.slow();
	const room = uniqueRoom('centre');
	const tag = uniqueTag();
	const agents: Agent[] = [];
	try {
		const inès = await newAgent(browser, room, 'Inès Fondatrice');
		agents.push(inès);
		const a = inès.page;
		await a.goto('/');
		await expect(a).toHaveURL(/\/welcome$/, { timeout: FIRST_START_MS });
		// Three separate choices; nothing is synced before one is made.
		await expect(a.getByRole('heading', { name: 'Essayer la démo' })).toBeVisible();
		await expect(syncIndicator(a)).toHaveCount(0);
		await a.getByRole('button', { name: 'Créer un centre' }).click();
		await a.getByLabel('Nom du centre').fill(`Banque Rhône ${tag}`);
		await expect(a.getByRole('radio', { name: 'Service client d’une banque' })).toBeChecked();
		await a.getByLabel('Plateaux, un par ligne').fill('Cartes\nCrédits\n');
		await a.getByRole('button', { name: 'Créer le centre' }).click();
		await expect(a.locator('[data-centre-name]')).toHaveText(`Centre : Banque Rhône ${tag}`, {
			timeout: RESTART_MS
		});
		await introduce(a, inès.name, 'Cartes');
		// An empty knowledge base with the bank's taxonomy, none of the demo's.
		await expect(
			a.getByRole('navigation').getByRole('link', { name: /^Cartes bancaires \d+$/ })
		).toBeVisible();
		await expect(a.getByRole('navigation').getByRole('link', { name: /^Bourse et ordres/ })).toHaveCount(0);
		await expect(articleLinks(a)).toHaveCount(0);
		// Her first article.
		const title = `Carte avalée par un distributeur ${tag}`;
		await createArticle(a, title, 'Cartes bancaires › Carte capturée par un distributeur');
		await gotoInApp(a, '/');
		await expect(listedTitle(a, title)).toBeVisible();

		// She is its administrator; the invite link is in Settings.
		const link = await readInviteLink(a);
		await expect(a.locator('[data-admin]')).toHaveText('Vous êtes administrateur de ce centre.');
		const code = parseInviteCode(decodeURIComponent(new URL(link).hash.slice(1)));
		expect(code.centreId).toMatch(/^banque-rhone-/);
		await gotoInApp(a, '/');

		// Two colleagues open the link on their own devices: the profile form comes at once.
		const colleagues = [
			{ name: 'Bruno Crédit', floor: 'Crédits' },
			{ name: 'Chloé Cartes', floor: 'Cartes' }
		];
		for (const c of colleagues) agents.push(await newAgent(browser, room, c.name));
		await Promise.all(
			colleagues.map(async (c, i) => {
				const page = agents[i + 1]!.page;
				await page.goto(link);
				await expect(page).toHaveURL(/\/welcome$/, { timeout: FIRST_START_MS });
				await expect(page.getByLabel('Votre nom')).toBeVisible();
				await introduce(page, c.name, c.floor);
			})
		);
		for (const agent of agents.slice(1)) {
			const page = agent.page;
			await expect(listedTitle(page, title)).toBeVisible({ timeout: MEET_MS });
			await expect(articleLinks(page)).toHaveCount(1);
			await expect(
				page.getByRole('navigation').getByRole('link', { name: /^Cartes bancaires \d+$/ })
			).toBeVisible();
			await expect(presenceOf(page, inès.name, 'Cartes')).toBeVisible({ timeout: MEET_MS });
		}
		// The creator sees both colleagues; none of the three holds anything of the demo.
		await expect(presenceOf(a, 'Bruno Crédit', 'Crédits')).toBeVisible({ timeout: MEET_MS });
		await expect(presenceOf(a, 'Chloé Cartes', 'Cartes')).toBeVisible({ timeout: MEET_MS });
		for (const agent of agents) {
			expect(await demoDocsOn(agent.page)).toEqual([]);
			expect(agent.errors).toEqual([]);
		}

		// A wrong code says so on the welcome page: malformed at once, a wrong secret once the
		// centre's peers are heard; and there is a way back to the choice.
		const dora = await newAgent(browser, room, 'Dora Erreur');
		agents.push(dora);
		const d = dora.page;
		await d.goto('/');
		await d.getByRole('button', { name: 'Rejoindre un centre' }).click({ timeout: FIRST_START_MS });
		await d.getByLabel('Code d’invitation').fill(`plateau:${code.centreId}`);
		await d.getByRole('button', { name: 'Rejoindre', exact: true }).click();
		await expect(d.getByRole('alert')).toHaveText(messages['invite.error.parts']);
		let wrong = randomSecret();
		while (wrong === code.secret) wrong = randomSecret();
		await d.getByLabel('Code d’invitation').fill(formatInviteCode(code.centreId, wrong));
		const restarted = d.waitForEvent('load');
		await d.getByRole('button', { name: 'Rejoindre', exact: true }).click();
		await restarted;
		await expect(waitingStatus(d)).toBeVisible({ timeout: RESTART_MS });
		await expect(d.getByRole('alert')).toHaveText(messages['sync.wrongSecret'], { timeout: MEET_MS });
		await d.getByRole('button', { name: 'Choisir un autre centre' }).click();
		await expect(d.getByRole('button', { name: 'Créer un centre' })).toBeVisible();
		expect(await demoDocsOn(d)).toEqual([]);
		// The centre it could not reach is gone from the device, its empty store with it.
		expect(Object.keys(await allStoredDocs(d))).not.toContain(`plateau-joined-${code.centreId}`);
	} finally {
		await closeAll(agents);
	}
});
