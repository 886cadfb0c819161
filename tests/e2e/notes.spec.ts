// Notes end to end: agents in separate browser contexts, synced over real WebRTC through the
// server's signaling. A private note never reaches a colleague (checked in the colleague's
// IndexedDB, not only on screen); shared with the floor it reaches that floor only, with the centre
// everyone (lists and search); withdrawn, it leaves colleagues' lists, search and storage; a second device paired by code gets
// the private notes; a read-only note cannot be changed by a colleague, in the UI or by a crafted
// sync message.
import { expect, test, type Browser, type Page } from '@playwright/test';
import * as Y from 'yjs';
import { encodeMessage } from '../../src/lib/repo/sync-protocol';
import {
	FIRST_START_MS,
	gotoInApp,
	MEET_MS,
	onboard,
	readChunks,
	RESTART_MS,
	searchField,
	searchOptions,
	storedDocIds,
	chooseDemoIfAsked
} from './helpers';
import {
	articleTitle,
	closeAll,
	newAgent,
	presenceOf,
	syncIndicator,
	uniqueRoom,
	uniqueTag,
	withAgents,
	type Agent
} from './sync-helpers';

const editorBody = (page: Page) => page.getByTestId('article-body').locator('.plateau-editor');
const noteLink = (page: Page, title: string) => page.locator('[data-note-link]', { hasText: title });
const group = (page: Page, name: string) => page.getByRole('list', { name, exact: true });

/** Checks how many of the agent's search results for `query` hold `title` (0: not found), then
 *  clears and closes the search so the page underneath is usable again. */
async function expectFound(page: Page, query: string, title: string, count: 0 | 1): Promise<void> {
	await searchField(page).fill(query);
	await expect(page.getByRole('status').filter({ hasText: /résultat/ })).toBeVisible();
	await expect(searchOptions(page).filter({ hasText: title })).toHaveCount(count);
	await searchField(page).press('Escape');
	await searchField(page).press('Escape');
}

async function onboardAll(agents: [Agent, string][]): Promise<void> {
	await Promise.all(agents.map(([a, floor]) => onboard(a.page, { name: a.name, floor })));
	for (const [a] of agents)
		await expect(syncIndicator(a.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
}

const availabilities = ['Disponible', 'En appel', 'Absent'] as const;

/**
 * A positive signal that everything `from` has sent so far has reached each of `to`: `from` changes
 * its availability, and waits until each of `to` shows the new one. Presence travels on the same
 * ordered data channel as document updates, and both are sent as they happen; so once the new
 * availability shows, any update `from` had sent before it has arrived too. What has not arrived
 * by then was never sent. (`floor`: the French name of `from`'s floor.)
 */
async function everythingSentArrived(from: Agent, floor: string, to: Agent[]): Promise<void> {
	const select = from.page.getByLabel('Ma disponibilité');
	const current = (await select.locator('option:checked').textContent())!.trim();
	const next = availabilities.find((a) => a !== current)!;
	await select.selectOption({ label: next });
	for (const other of to)
		await expect(presenceOf(other.page, from.name, floor)).toContainText(`— ${next}`, { timeout: MEET_MS });
}

/** Alice and Bruno on floor Bourse, Chloé on Support technique, onboarded and in sync in a room of
 *  their own; `prepare` runs on each agent before onboarding. Closes every context afterwards. */
async function withTrio(
	browser: Browser,
	label: string,
	run: (a: Agent, b: Agent, c: Agent) => Promise<void>,
	prepare?: (agent: Agent) => Promise<void>
): Promise<void> {
	await withAgents(browser, label, ['Alice Bourse', 'Bruno Bourse', 'Chloé Support'], async (a, b, c) => {
		for (const agent of [a, b, c]) await prepare?.(agent);
		await onboardAll([
			[a, 'Bourse'],
			[b, 'Bourse'],
			[c, 'Support technique']
		]);
		await run(a, b, c);
		for (const agent of [a, b, c]) expect(agent.errors).toEqual([]);
	});
}

/** Creates a note from the notes page with a line of text; returns its document id. */
async function createNote(page: Page, title: string, text: string): Promise<string> {
	await gotoInApp(page, '/notes');
	await page.getByLabel('Titre de la nouvelle note').fill(title);
	await page.getByRole('button', { name: 'Nouvelle note' }).click();
	await expect(page.locator('#note-title')).toHaveText(title);
	await expect(page.getByRole('button', { name: 'Terminer' })).toBeVisible();
	await editorBody(page).locator('p').first().click();
	await page.keyboard.type(text);
	await expect(editorBody(page)).toContainText(text);
	return `note/${decodeURIComponent(new URL(page.url()).pathname.slice('/notes/'.length))}`;
}

async function shareAs(
	page: Page,
	visibility: 'Privée' | 'Mon plateau' | 'Tout le centre',
	mayEdit = false
): Promise<void> {
	await page.getByRole('radio', { name: visibility }).check();
	if (visibility !== 'Privée')
		await page.getByRole('checkbox', { name: 'Autoriser les collègues à modifier' }).setChecked(mayEdit);
	await page.getByRole('button', { name: 'Appliquer' }).click();
	await expect(page.locator('article[data-note-visibility]')).toHaveAttribute(
		'data-note-visibility',
		{ Privée: 'private', 'Mon plateau': 'floor', 'Tout le centre': 'centre' }[visibility]
	);
}

/** Whether the device's IndexedDB holds anything of the note: its id, or a chunk with its text. */
async function holds(page: Page, docId: string, text: string): Promise<boolean> {
	const ids = await storedDocIds(page);
	const chunks = await readChunks(page);
	return ids.includes(docId) || chunks.some((c) => c.doc === docId || c.text.includes(text));
}

test('a private note stays private; shared with the floor, then the centre, then withdrawn, colleagues’ lists and storage follow', async ({
	browser
}) => {
	test.slow(); // three agents start fresh, then the note travels four times
	const tag = uniqueTag();
	await withTrio(browser, 'notes', async (a, b, c) => {
		const title = `Astuce ${tag}`;
		const text = `relancer-${tag}`;
		const id = await createNote(a.page, title, text);

		// Private: B never receives it — not on screen, not in its IndexedDB — while live edits flow.
		await a.page.keyboard.type(' encore');
		await expect(editorBody(a.page)).toContainText(`${text} encore`);
		await gotoInApp(b.page, '/notes');
		await everythingSentArrived(a, 'Bourse', [b, c]);
		await expect(noteLink(b.page, title)).toHaveCount(0);
		expect(await holds(b.page, id, text)).toBe(false);
		await expectFound(b.page, text, title, 0);
		// The author finds their own private note, by a word of its text.
		await expectFound(a.page, text, title, 1);

		// Shared with the floor: B (Bourse) lists it with its author; C (Support technique) does not.
		await a.page.getByRole('button', { name: 'Terminer' }).click();
		await shareAs(a.page, 'Mon plateau');
		await expect(
			group(b.page, 'Partagées avec mon plateau').locator('[data-note-link]', { hasText: title })
		).toBeVisible({ timeout: MEET_MS });
		await expect(group(b.page, 'Partagées avec mon plateau').locator('li', { hasText: title })).toContainText(
			'par Alice Bourse'
		);
		// The list filter finds it by its title or author, and hides it for other words.
		await b.page.getByLabel('Filtrer les notes par titre ou auteur').fill('alice');
		await expect(noteLink(b.page, title)).toBeVisible();
		await b.page.getByLabel('Filtrer les notes par titre ou auteur').fill('introuvable');
		await expect(noteLink(b.page, title)).toHaveCount(0);
		await expect(b.page.getByText('Aucune note ne contient « introuvable »')).toBeVisible();
		await b.page.getByLabel('Filtrer les notes par titre ou auteur').fill('');
		// B's search finds it by a word of its text, with its author; C's does not.
		await searchField(b.page).fill(text);
		await expect(searchOptions(b.page).filter({ hasText: title })).toContainText('par Alice Bourse');
		await searchField(b.page).press('Escape');
		await searchField(b.page).press('Escape');
		await expectFound(b.page, text, title, 1);
		await gotoInApp(c.page, '/notes');
		await everythingSentArrived(a, 'Bourse', [c]);
		await expect(noteLink(c.page, title)).toHaveCount(0);
		expect(await holds(c.page, id, text)).toBe(false);
		await expectFound(c.page, text, title, 0);
		expect(await holds(b.page, id, text)).toBe(true);

		// Shared with the centre: C lists it too.
		await shareAs(a.page, 'Tout le centre');
		await expect(
			group(c.page, 'Partagées avec tout le centre').locator('li', { hasText: title })
		).toContainText('par Alice Bourse', { timeout: MEET_MS });
		await expect(
			group(b.page, 'Partagées avec tout le centre').locator('li', { hasText: title })
		).toBeVisible();
		await expectFound(c.page, text, title, 1);
		await noteLink(c.page, title).click();
		await expect(editorBody(c.page)).toContainText(text);
		await gotoInApp(c.page, '/notes');

		// Withdrawn: gone from B's and C's lists and from their IndexedDB.
		await a.page.getByRole('button', { name: 'Retirer le partage' }).click();
		await expect(a.page.locator('article[data-note-visibility]')).toHaveAttribute(
			'data-note-visibility',
			'private'
		);
		for (const other of [b, c]) {
			await expect(noteLink(other.page, title)).toHaveCount(0, { timeout: MEET_MS });
			await expect.poll(() => holds(other.page, id, text), { timeout: MEET_MS }).toBe(false);
			await expectFound(other.page, text, title, 0);
		}
		// A still has it, private.
		await gotoInApp(a.page, '/notes');
		await expect(group(a.page, 'Mes notes').locator('li', { hasText: title })).toContainText('Privée');
	});
});

test('a second device of the agent, paired by code, receives the agent’s private notes', async ({
	browser
}) => {
	test.slow(); // three devices start fresh, two of them restart after pairing
	const room = uniqueRoom('pair');
	const tag = uniqueTag();
	let laptop: Agent | undefined;
	let phone: Agent | undefined;
	let tablet: Agent | undefined;
	try {
		laptop = await newAgent(browser, room, 'Alice Bourse');
		phone = await newAgent(browser, room, 'Alice téléphone');
		await onboardAll([
			[laptop, 'Bourse'],
			[phone, 'Support technique']
		]);
		const title = `Privée ${tag}`;
		const id = await createNote(laptop.page, title, `secret-${tag}`);
		expect(await holds(phone.page, id, `secret-${tag}`)).toBe(false);

		// A wrong code says so.
		await gotoInApp(phone.page, '/settings');
		await phone.page.getByLabel('Saisir le code affiché sur mon autre appareil').fill('ZZZZ-ZZZZ');
		await phone.page.getByRole('button', { name: 'Appairer cet appareil' }).click();
		await expect(phone.page.getByRole('alert')).toContainText('Aucun appareil n’affiche ce code', {
			timeout: MEET_MS
		});

		// The laptop shows a code; the phone types it and becomes Alice's device.
		await gotoInApp(laptop.page, '/settings');
		await laptop.page.getByRole('button', { name: 'Afficher un code d’appairage' }).click();
		const code = (await laptop.page.locator('[data-pairing-code]').textContent())!.trim();
		expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
		await phone.page.getByLabel('Saisir le code affiché sur mon autre appareil').fill(code.toLowerCase());
		const restarted = phone.page.waitForEvent('load');
		await phone.page.getByRole('button', { name: 'Appairer cet appareil' }).click();
		await restarted;
		await expect(laptop.page.getByText('Appareil appairé')).toBeVisible();

		await expect(phone.page.locator('section.presence')).toBeVisible({ timeout: RESTART_MS });
		await gotoInApp(phone.page, '/notes');
		await expect(group(phone.page, 'Mes notes').locator('li', { hasText: title })).toContainText('Privée', {
			timeout: MEET_MS
		});
		await expect.poll(() => holds(phone!.page, id, `secret-${tag}`), { timeout: MEET_MS }).toBe(true);
		// It took the agent's profile too.
		await expect(phone.page.locator('section.presence')).toContainText('Alice Bourse');
		// The code served once: using it again is refused.
		await gotoInApp(phone.page, '/settings');
		await phone.page.getByLabel('Saisir le code affiché sur mon autre appareil').fill(code);
		await phone.page.getByRole('button', { name: 'Appairer cet appareil' }).click();
		await expect(phone.page.getByRole('alert')).toContainText('Ce code a déjà servi');

		// A brand-new device pairs from the welcome page, without making up a profile first.
		tablet = await newAgent(browser, room, 'Alice tablette');
		await tablet.page.goto('/');
		await expect(tablet.page).toHaveURL(/\/welcome/, { timeout: FIRST_START_MS });
		await chooseDemoIfAsked(tablet.page);
		await laptop.page.getByRole('button', { name: 'Afficher un code d’appairage' }).click();
		const second = (await laptop.page.locator('[data-pairing-code]').textContent())!.trim();
		expect(second).not.toBe(code);
		await tablet.page
			.getByText('Vous utilisez déjà Plateau sur un autre appareil ? Appairez celui-ci')
			.click();
		await tablet.page.getByLabel('Saisir le code affiché sur mon autre appareil').fill(second);
		const started = tablet.page.waitForEvent('load');
		await tablet.page.getByRole('button', { name: 'Appairer cet appareil' }).click();
		await started;
		// It restarts where it was, on the welcome page (now with the agent's name), then leaves it.
		await expect(tablet.page.getByLabel('Votre nom')).toHaveValue('Alice Bourse', { timeout: RESTART_MS });
		await gotoInApp(tablet.page, '/notes');
		await expect(group(tablet.page, 'Mes notes').locator('li', { hasText: title })).toContainText('Privée', {
			timeout: MEET_MS
		});
		await expect(tablet.page.locator('section.presence')).toContainText('Alice Bourse');
	} finally {
		await closeAll([laptop, phone, tablet]);
	}
});

test('a read-only shared note cannot be changed by a colleague, and a crafted update is refused by the author and by another reader', async ({
	browser
}) => {
	test.slow(); // three agents start fresh
	const tag = uniqueTag();
	// Bruno may send raw sync messages from his page (the app exposes its network only with this flag).
	const hooks = async (agent: Agent) => {
		if (agent.name.startsWith('Bruno'))
			await agent.context.addInitScript(() => {
				if (location.protocol.startsWith('http')) localStorage.setItem('plateau:test-hooks', '1');
			});
	};
	await withTrio(
		browser,
		'readonly',
		async (a, b, c) => {
			const title = `Lecture ${tag}`;
			const text = `original-${tag}`;
			const id = await createNote(a.page, title, text);
			await a.page.getByRole('button', { name: 'Terminer' }).click();
			await shareAs(a.page, 'Tout le centre', false);
			const path = `/notes/${encodeURIComponent(id.slice('note/'.length))}`;
			for (const other of [b, c]) {
				await gotoInApp(other.page, '/notes');
				await expect(noteLink(other.page, title)).toBeVisible({ timeout: MEET_MS });
			}

			// In the UI: read mode, no edit button, E does nothing, the text is not editable.
			await gotoInApp(b.page, path);
			await expect(editorBody(b.page)).toContainText(text);
			await expect(
				b.page.getByText('Lecture seule : Alice Bourse n’a pas ouvert cette note à la modification.')
			).toBeVisible();
			await expect(b.page.getByRole('button', { name: 'Modifier', exact: true })).toHaveCount(0);
			await b.page.locator('#note-title').click();
			await b.page.keyboard.press('e');
			await expect(editorBody(b.page)).toHaveAttribute('contenteditable', 'false');
			await expect(b.page.getByRole('radio', { name: 'Tout le centre' })).toHaveCount(0);

			// By a crafted message: an update that rewrites the title and adds text, sent to every peer.
			const before = new Map<string, string[]>();
			for (const p of [a, c]) before.set(p.name, (await readChunks(p.page, id)).map((ch) => ch.key).sort());
			const forged = new Y.Doc();
			forged.getMap('meta').set('title', `Falsifié ${tag}`);
			forged.getXmlFragment('body').insert(0, [new Y.XmlText(`falsifié-${tag}`)]);
			const message = Buffer.from(
				encodeMessage({ type: 'update', docId: id, update: Y.encodeStateAsUpdate(forged) })
			).toString('base64');
			const sentTo = await b.page.evaluate((message) => {
				const net = (
					globalThis as unknown as {
						__plateauNetwork: { peers(): string[]; send(to: string, m: Uint8Array): void };
					}
				).__plateauNetwork;
				const bytes = Uint8Array.from(atob(message), (ch) => ch.charCodeAt(0));
				for (const peer of net.peers()) net.send(peer, bytes);
				return net.peers().length;
			}, message);
			expect(sentTo).toBe(2);
			for (const p of [a, c]) {
				await expect
					.poll(() => p.logs.some((l) => l.includes(`sent ${id}, which it may not write here`)), {
						timeout: MEET_MS
					})
					.toBe(true);
				// The agent sees that something was refused, next to the sync state.
				await expect(syncIndicator(p.page)).toContainText(/\d+ message\(s\) refusé\(s\)/);
				await gotoInApp(p.page, path);
				await expect(editorBody(p.page)).toContainText(text);
				await expect(p.page.locator('#note-title')).toHaveText(title);
				await expect(editorBody(p.page)).not.toContainText(`falsifié-${tag}`);
				const after = await readChunks(p.page, id);
				expect(after.map((ch) => ch.key).sort(), p.name).toEqual(before.get(p.name));
				expect(
					after.some((ch) => ch.text.includes(`falsifié-${tag}`) || ch.text.includes(`Falsifié ${tag}`))
				).toBe(false);
			}
		},
		hooks
	);
});

test('the author turns a shared note into a draft article that links back to the note and its author', async ({
	browser
}) => {
	const tag = uniqueTag();
	const agent = await newAgent(browser, uniqueRoom('promote'), 'Alice Bourse');
	try {
		await onboard(agent.page, { name: agent.name, floor: 'Bourse' });
		const page = agent.page;
		const title = `Procédure maison ${tag}`;
		const text = `ordre-bloque-${tag}`;
		await createNote(page, `${title} (brouillon)`, text);
		await page.getByRole('button', { name: 'Terminer' }).click();
		// Renamed by its author, from the heading.
		await page.getByRole('button', { name: 'Renommer' }).click();
		await page.locator('#note-title-input').fill(title);
		await page.keyboard.press('Enter');
		await expect(page.locator('#note-title')).toHaveText(title);
		// A private note cannot be proposed yet.
		await expect(page.getByText('Partagez la note avant de la proposer comme article.')).toBeVisible();
		await shareAs(page, 'Mon plateau');
		const promote = page.getByRole('region', { name: 'Proposer comme article' });
		await promote.locator('select[name="kind"]').selectOption({ label: 'Référence' });
		await promote.locator('select[name="node"]').selectOption({ index: 1 });
		await promote.getByRole('button', { name: 'Créer le brouillon' }).click();

		// The draft article: the note's title and text, and the link back to the note and its author.
		await expect(page).toHaveURL(/\/article\//);
		await expect(articleTitle(page)).toHaveText(title);
		await expect(page.getByTestId('article-body')).toContainText(text);
		await expect(page.locator('article .chip', { hasText: 'Brouillon' })).toBeVisible();
		const origin = page.getByRole('link', { name: 'voir la note' });
		await expect(origin.locator('xpath=..')).toContainText('Alice Bourse');
		await origin.click();
		await expect(page.locator('#note-title')).toHaveText(title);
		await expect(page.getByText('Proposée comme article')).toBeVisible();
		expect(agent.errors).toEqual([]);
	} finally {
		await closeAll([agent]);
	}
});
