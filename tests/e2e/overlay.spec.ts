// Bounded links, end to end: three agents (separate browser contexts on the built app) converge —
// content and presence — although the direct link between two of them is refused, so everything
// between those two goes through the third over real WebRTC. The refusal is a test hook
// (`plateau:test-refuse-peers`, honoured only where `plateau:test-hooks` is set).
import { expect, test, type Page } from '@playwright/test';
import { gotoInApp, MEET_MS, onboard } from './helpers';
import {
	anyPresenceOf,
	articleTitle,
	closeAll,
	listedTitle,
	newAgent,
	renameOpenArticle,
	syncIndicator,
	uniqueRoom,
	uniqueTag,
	type Agent
} from './sync-helpers';

interface TestNetwork {
	peerId: string;
	peers(): string[];
}

const network = (page: Page) =>
	page.evaluate(() => {
		const n = (window as unknown as { __plateauNetwork: TestNetwork }).__plateauNetwork;
		return { peerId: n.peerId, peers: n.peers() };
	});

test('three agents converge although the direct link between two of them is refused', async ({ browser }) => {
	test.slow();
	const room = uniqueRoom('overlay');
	const agents: Agent[] = [];
	const withHooks = async (agent: Agent, refuse: string[] = []) => {
		await agent.context.addInitScript((refuse) => {
			if (!location.protocol.startsWith('http')) return;
			localStorage.setItem('plateau:test-hooks', '1');
			localStorage.setItem('plateau:test-refuse-peers', JSON.stringify(refuse));
		}, refuse);
		return agent;
	};
	try {
		const a = await withHooks(await newAgent(browser, room, 'Alice Bourse'));
		const b = await withHooks(await newAgent(browser, room, 'Bruno Bourse'));
		agents.push(a, b);
		await Promise.all([
			onboard(a.page, { name: a.name, floor: 'Bourse' }),
			onboard(b.page, { name: b.name, floor: 'Bourse' })
		]);
		await expect(syncIndicator(a.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
		const aId = (await network(a.page)).peerId;

		// C refuses A: it never answers A, never asks A, and turns A's requests away.
		const c = await withHooks(await newAgent(browser, room, 'Chloé Bourse'), [aId]);
		agents.push(c);
		await onboard(c.page, { name: c.name, floor: 'Bourse' });
		await expect(syncIndicator(c.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });

		// Presence crosses B both ways.
		await expect(anyPresenceOf(c.page, a.name)).toBeVisible({ timeout: MEET_MS });
		await expect(anyPresenceOf(a.page, c.name)).toBeVisible({ timeout: MEET_MS });

		// A renames an article (a draft never published: lists show its own title); C, which holds
		// no link to A, sees the new title.
		const title = `Changement d'adresse postale — par B ${uniqueTag()}`;
		await gotoInApp(a.page, '/article/proc-changement-adresse');
		await expect(articleTitle(a.page)).toHaveText("Changement d'adresse postale");
		await renameOpenArticle(a.page, title);
		await expect(articleTitle(a.page)).toHaveText(title);
		await expect(listedTitle(c.page, title)).toBeVisible({ timeout: MEET_MS });

		const atC = await network(c.page);
		const atA = await network(a.page);
		expect(atC.peers).not.toContain(aId);
		expect(atA.peers).not.toContain(atC.peerId);
		expect(atC.peers).toContain((await network(b.page)).peerId);
		for (const agent of agents) expect(agent.errors).toEqual([]);
	} finally {
		await closeAll(agents);
	}
});
