// Helpers for the peer-sync end-to-end tests (sync.spec.ts). Every agent is its own browser context
// (own IndexedDB, own BroadcastChannel), so documents can only travel between agents over WebRTC,
// met through the server's signaling relay. All the agents of one test share one signaling room,
// unique to that test, so nothing else running on the server can meet them.
import { randomBytes } from 'node:crypto';
import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { SECRET_ALPHABET } from '../../src/lib/net/crypto';
import { isLogId } from '../../src/lib/repo/sync-log';
import {
	articleList,
	DB_NAME,
	escapeRegExp,
	FIRST_START_MS,
	fr,
	gotoInApp,
	mainHeading,
	MEET_MS,
	onboard,
	RESTART_MS
} from './helpers';

/** A signaling room no other test uses (localStorage `plateau:room` accepts [a-z0-9-]{1,64}). */
export function uniqueRoom(label: string): string {
	return `sync-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`.slice(0, 64);
}

/** Something unique to put in a title, so that seeing it proves where it came from. */
export function uniqueTag(): string {
	return randomBytes(4).toString('hex');
}

/** A syntactically valid centre secret (28 characters of the invite alphabet), random. */
export function randomSecret(): string {
	return [...randomBytes(28)].map((b) => SECRET_ALPHABET[b & 31]).join('');
}

export interface Agent {
	name: string;
	context: BrowserContext;
	page: Page;
	/** Every console message of every page of this agent, as `type: text`. */
	logs: string[];
	/** Uncaught errors of this agent's pages. */
	errors: string[];
}

/** A new agent: a fresh browser context in `room`, nothing opened yet. */
export async function newAgent(browser: Browser, room: string, name: string): Promise<Agent> {
	const context = await browser.newContext();
	// Init scripts also run in about:blank, whose localStorage is off limits.
	await context.addInitScript((room) => {
		if (location.protocol.startsWith('http')) localStorage.setItem('plateau:room', room);
	}, room);
	const agent: Agent = { name, context, page: await context.newPage(), logs: [], errors: [] };
	const watch = (page: Page) => {
		page.on('console', (m) => agent.logs.push(`${m.type()}: ${m.text()}`));
		page.on('pageerror', (e) => agent.errors.push(String(e)));
	};
	watch(agent.page);
	context.on('page', watch);
	return agent;
}

/** Closes every agent's context, whatever happened. */
export async function closeAll(agents: (Agent | undefined)[]): Promise<void> {
	await Promise.allSettled(agents.map((a) => a?.context.close()));
}

/** Runs `run` with a new agent per name, together in a room of their own (`label`), and closes every
 *  context afterwards, whatever happened. */
export async function withAgents(
	browser: Browser,
	label: string,
	names: readonly string[],
	run: (...agents: Agent[]) => Promise<void>
): Promise<void> {
	const room = uniqueRoom(label);
	const agents: Agent[] = [];
	try {
		for (const name of names) agents.push(await newAgent(browser, room, name));
		await run(...agents);
	} finally {
		await closeAll(agents);
	}
}

// ---------------------------------------------------------------------------------------------
// What the UI shows about sync.

/** The top bar's (or welcome page's) sync indicator; `data-sync` is offline|connecting|alone|syncing|up-to-date. */
export function syncIndicator(page: Page): Locator {
	return page.locator('[data-sync]').first();
}

/** The "En ligne" presence list of the side navigation. */
export function presenceList(page: Page): Locator {
	return page.locator('section.presence');
}

/** The presence line of an agent, under the heading of `floor` (its French name). */
export function presenceOf(page: Page, name: string, floor: string): Locator {
	return presenceList(page).locator(`h3:text-is("${floor}") + ul > li`, { hasText: name });
}

/** Any presence line showing this agent's name. */
export function anyPresenceOf(page: Page, name: string): Locator {
	return presenceList(page).locator('li', { hasText: name });
}

/** A line of the knowledge-base list showing exactly this title. */
export function listedTitle(page: Page, title: string): Locator {
	return articleList(page).locator('[data-article-link] .title', {
		hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`)
	});
}

/** The heading of the open article. */
export function articleTitle(page: Page): Locator {
	return page.locator('#article-title');
}

/** Renames the open article through its Renommer form, without waiting for anything after the click. */
export async function renameOpenArticle(page: Page, title: string, { submit = true } = {}): Promise<void> {
	await page.getByRole('button', { name: 'Renommer' }).click();
	const input = page.locator('#article-title-input');
	await input.fill(title);
	if (submit) await page.getByRole('button', { name: 'Enregistrer' }).click();
}

/**
 * Renames an article from the knowledge-base list: opens it from its line (`currentTitle`), renames
 * it, and comes back with the page's own link. Stays inside the running app (no page load), so the
 * write is never cut short by a navigation.
 */
export async function renameFromList(page: Page, currentTitle: string, title: string): Promise<void> {
	await listedTitle(page, currentTitle).click();
	await expect(articleTitle(page)).toHaveText(currentTitle);
	await renameOpenArticle(page, title);
	await expect(articleTitle(page)).toHaveText(title);
	await page.getByRole('link', { name: /Retour à la liste/ }).click();
	await expect(listedTitle(page, title)).toBeVisible();
}

/** The title the list shows for an article id. */
export function listedTitleOf(page: Page, id: string): Locator {
	return articleList(page).locator(`a[href="/article/${id}"] .title`);
}

/** The invite code Settings shows. */
export async function readInviteCode(page: Page): Promise<string> {
	await gotoInApp(page, '/settings');
	const code = page.locator('[data-invite-code]');
	await expect(code).toHaveText(/^plateau:/);
	return (await code.textContent())!.trim();
}

/** The invite link Settings shows (`/join#<code>`: opened on a new device, it joins before any store opens). */
export async function readInviteLink(page: Page): Promise<string> {
	await gotoInApp(page, '/settings');
	const link = page.locator('[data-invite-link]');
	await expect(link).toHaveAttribute('href', /\/join#plateau:/);
	return (await link.getAttribute('href'))!;
}

/** Types an invite code (or link) into the welcome page's "Rejoindre un centre" form and waits for
 *  the app to restart on that centre (back on the welcome page: the agent has no profile yet). */
export async function joinOnWelcomePage(page: Page, code: string): Promise<void> {
	await expect(page).toHaveURL(/\/welcome$/, { timeout: FIRST_START_MS });
	const toggle = page.getByRole('button', { name: 'Rejoindre un centre' });
	const input = page.getByLabel('Code d’invitation');
	await expect(toggle).toBeVisible({ timeout: FIRST_START_MS });
	if (!(await input.isVisible())) await toggle.click();
	await input.fill(code);
	const restarted = page.waitForEvent('load');
	await page.getByRole('button', { name: 'Rejoindre', exact: true }).click();
	await restarted;
	await expect(page).toHaveURL(/\/welcome$/, { timeout: RESTART_MS });
}

/** The status line of a device waiting for its centre's content. */
export function waitingStatus(page: Page): Locator {
	return page.getByRole('status').filter({ hasText: 'En attente du contenu du centre' });
}

// ---------------------------------------------------------------------------------------------
// Latency measured inside the browsers (both run on this machine: one wall clock).

/** Starts watching `page` for `selector` showing exactly `text`; `seenAt(page)` then gives the
 *  Date.now() of the first DOM mutation that made it so. */
export async function watchFor(page: Page, selector: string, text: string): Promise<void> {
	await page.evaluate(
		({ selector, text }) => {
			const w = window as unknown as { __plateauSeenAt?: number; __plateauWatch?: MutationObserver };
			w.__plateauWatch?.disconnect();
			w.__plateauSeenAt = undefined;
			const check = () => {
				for (const el of document.querySelectorAll(selector)) {
					if (el.textContent?.trim() === text) {
						w.__plateauSeenAt = Date.now();
						w.__plateauWatch?.disconnect();
						return;
					}
				}
			};
			w.__plateauWatch = new MutationObserver(check);
			w.__plateauWatch.observe(document.body, { subtree: true, childList: true, characterData: true });
			check();
		},
		{ selector, text }
	);
}

export async function seenAt(page: Page, timeout = MEET_MS): Promise<number> {
	let at: number | undefined;
	await expect
		.poll(
			async () => {
				at = await page.evaluate(() => (window as unknown as { __plateauSeenAt?: number }).__plateauSeenAt);
				return at !== undefined;
			},
			{ timeout, intervals: [20] }
		)
		.toBe(true);
	return at!;
}

/** Records, in the page, the Date.now() at which the sync indicator first leaves its current state
 *  (e.g. `alone` → `syncing`: a peer connected); `syncChangedAt(page)` reads it. */
export async function recordSyncChange(page: Page): Promise<void> {
	await page.evaluate(() => {
		const w = window as unknown as { __plateauSyncChangedAt?: number };
		const el = document.querySelector('[data-sync]');
		if (!el) throw new Error('no sync indicator');
		const initial = el.getAttribute('data-sync');
		w.__plateauSyncChangedAt = undefined;
		const observer = new MutationObserver(() => {
			if (el.getAttribute('data-sync') !== initial) {
				w.__plateauSyncChangedAt = Date.now();
				observer.disconnect();
			}
		});
		observer.observe(el, { attributes: true, attributeFilter: ['data-sync'] });
	});
}

export async function syncChangedAt(page: Page): Promise<number | undefined> {
	return page.evaluate(
		() => (window as unknown as { __plateauSyncChangedAt?: number }).__plateauSyncChangedAt
	);
}

/** Records, in the page, the Date.now() of the next click on a button named `name`; `clickedAt(page)` reads it. */
export async function recordClick(page: Page, name: string): Promise<void> {
	await page.evaluate((name) => {
		const w = window as unknown as { __plateauClickAt?: number };
		w.__plateauClickAt = undefined;
		document.addEventListener(
			'click',
			(e) => {
				const button = (e.target as Element | null)?.closest('button');
				if (button?.textContent?.trim() === name && w.__plateauClickAt === undefined)
					w.__plateauClickAt = Date.now();
			},
			{ capture: true }
		);
	}, name);
}

export async function clickedAt(page: Page): Promise<number> {
	const at = await page.evaluate(() => (window as unknown as { __plateauClickAt?: number }).__plateauClickAt);
	if (at === undefined) throw new Error('no click was recorded');
	return at;
}

// ---------------------------------------------------------------------------------------------
// IndexedDB, beyond what helpers.ts offers.

/** The store of a device that joined the demo centre by invite code (its locally seeded demo, if
 *  any, stays apart in `plateau-demo`). */
export const JOINED_DB = 'plateau-joined-demo';

/** Ids in the `docs` store of database `db` ([] if this device has no such database; it is never
 *  created by looking). */
export async function docIdsIn(page: Page, db: string = DB_NAME): Promise<string[]> {
	const ids = await page.evaluate(async (name) => {
		if (!(await indexedDB.databases()).some((d) => d.name === name)) return [];
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const req = indexedDB.open(name);
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		try {
			if (!db.objectStoreNames.contains('docs')) return [];
			// Entries keyed by document id, and list records (`~list/…`: the ids one transaction wrote).
			return await new Promise<string[]>((resolve, reject) => {
				const os = db.transaction('docs', 'readonly').objectStore('docs');
				const keys = os.getAllKeys();
				const lists = os.getAll(IDBKeyRange.bound('~list/', '~list/\uffff'));
				lists.onsuccess = () => {
					const ids = (keys.result as string[]).filter((k) => !k.startsWith('~list/'));
					resolve([...new Set([...ids, ...(lists.result as string[][]).flat()])]);
				};
				lists.onerror = () => reject(lists.error);
			});
		} finally {
			db.close();
		}
	}, db);
	// Signed-entry logs are kept beside their documents under companion ids: not documents.
	return ids.filter((id) => !isLogId(id)).sort();
}

/** Every database of this device with the documents its `docs` store lists. */
export async function allStoredDocs(page: Page): Promise<Record<string, string[]>> {
	const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
	const out: Record<string, string[]> = {};
	for (const name of names) out[name] = await docIdsIn(page, name);
	return out;
}

export interface RawChunk {
	doc: string;
	key: string;
	/** The update, base64 (a 2 MB argument is simplest passed as text). */
	base64: string;
}

/** Appends raw chunks to the demo centre's store, as the app's IndexedDB adapter writes them
 *  (`chunks` records {doc, key, data: Uint8Array}; `docs` keyed by document id, a time as value). */
export async function appendRawChunks(page: Page, chunks: RawChunk[]): Promise<void> {
	await page.evaluate(async (chunks) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const req = indexedDB.open('plateau-demo'); // seeded by the app before: never created here
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		try {
			await new Promise<void>((resolve, reject) => {
				const tx = db.transaction(['chunks', 'docs'], 'readwrite');
				for (const c of chunks) {
					const binary = atob(c.base64);
					const data = new Uint8Array(binary.length);
					for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
					tx.objectStore('chunks').put({ doc: c.doc, key: c.key, data });
					tx.objectStore('docs').put(Date.now(), c.doc);
				}
				tx.oncomplete = () => resolve();
				tx.onerror = () => reject(tx.error);
			});
		} finally {
			db.close();
		}
	}, chunks);
}

/** Onboards both agents on their floors and waits until they are in sync with each other. */
export async function connect(a: Agent, floorA: string, b: Agent, floorB: string): Promise<void> {
	await Promise.all([
		onboard(a.page, { name: a.name, floor: floorA }),
		onboard(b.page, { name: b.name, floor: floorB })
	]);
	await expect(syncIndicator(a.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
	await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
}

// ---------------------------------------------------------------------------------------------
// A real centre.

/** Fills the welcome page's profile form and lands on the knowledge base. */
export async function introduce(page: Page, name: string, floor: string): Promise<void> {
	await page.getByLabel('Votre nom').fill(name);
	// The floors arrive with the centre document: the option shows once they have.
	await expect(page.getByLabel('Votre plateau').locator('option', { hasText: floor })).toHaveCount(1, {
		timeout: MEET_MS
	});
	await page.getByLabel('Votre plateau').selectOption({ label: floor });
	await page.getByRole('button', { name: fr.start }).click();
	await expect(mainHeading(page)).toHaveText(fr.kbTitle, { timeout: RESTART_MS });
}

/** Creates a centre from the welcome page of an empty device (the bank's template, `floors`) and
 *  introduces its founder on the first floor. */
export async function createCentre(
	page: Page,
	name: string,
	floors: string[],
	founder: string
): Promise<void> {
	await page.goto('/');
	await expect(page).toHaveURL(/\/welcome$/, { timeout: FIRST_START_MS });
	await page.getByRole('button', { name: 'Créer un centre' }).click();
	await page.getByLabel('Nom du centre').fill(name);
	await page.getByLabel('Plateaux, un par ligne').fill(floors.join('\n'));
	await page.getByRole('button', { name: 'Créer le centre' }).click();
	await expect(page.locator('[data-centre-name]')).toHaveText(`Centre : ${name}`, { timeout: RESTART_MS });
	await introduce(page, founder, floors[0]!);
}

/** Opens an invite link on a new device and introduces the agent. */
export async function joinByLink(page: Page, link: string, name: string, floor: string): Promise<void> {
	await page.goto(link);
	await expect(page).toHaveURL(/\/welcome$/, { timeout: FIRST_START_MS });
	await expect(page.getByLabel('Votre nom')).toBeVisible();
	await introduce(page, name, floor);
}

/** Creates an article from the knowledge base's "Nouvel article" dialog under `topic` (its label in
 *  the picker) and waits for its editor; returns its id. */
export async function createArticle(page: Page, title: string, topic: string): Promise<string> {
	await page.getByRole('button', { name: 'Nouvel article' }).click();
	const dialog = page.getByRole('dialog', { name: 'Nouvel article' });
	await dialog.locator('input[name=title]').fill(title);
	await dialog.getByLabel('Thème').selectOption({ label: topic });
	await dialog.getByRole('button', { name: 'Créer et modifier' }).click();
	await expect(page.locator('#article-title')).toHaveText(title);
	return decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
}
