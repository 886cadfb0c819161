// Peer sync, end to end: agents are separate browser contexts running the built app, meeting
// through the server's signaling relay and syncing over real WebRTC (no BroadcastChannel between
// them, no server storage). Each test puts its agents in a signaling room of its own.
import wrtc from '@roamhq/wrtc';
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { ArticleMeta } from '../../src/lib/domain/article';
import type { BodyNode } from '../../src/lib/domain/body';
import { fr as messages } from '../../src/lib/i18n/fr';
import { deriveCentreKey, formatInviteCode } from '../../src/lib/net/crypto';
import { SignalingClient } from '../../src/lib/net/signaling-client';
import { meshTopic, WebRtcMesh } from '../../src/lib/net/webrtc';
import { encodeMessage, PROTOCOL_VERSION } from '../../src/lib/repo/sync-protocol';
import { articleSummary, initArticle, putCatalogEntries } from '../../src/lib/schema/index';
import { DEMO_SECRET } from '../../src/lib/state/centre-credentials';
import {
	FIRST_START_MS,
	fr,
	gotoInApp,
	listCount,
	mainHeading,
	MEET_MS,
	onboard,
	RESTART_MS,
	readChunks,
	seedArticles,
	storedDocIds,
	waitForServiceWorkerControl
} from './helpers';
import {
	allStoredDocs,
	anyPresenceOf,
	appendRawChunks,
	articleTitle,
	clickedAt,
	closeAll,
	docIdsIn,
	joinOnWelcomePage,
	JOINED_DB,
	listedTitle,
	listedTitleOf,
	newAgent,
	presenceOf,
	randomSecret,
	readInviteCode,
	readInviteLink,
	recordClick,
	recordSyncChange,
	renameFromList,
	renameOpenArticle,
	seenAt,
	syncChangedAt,
	syncIndicator,
	uniqueRoom,
	uniqueTag,
	waitingStatus,
	watchFor,
	withAgents,
	type Agent
} from './sync-helpers';

const WRONG_SECRET_ALERT = messages['sync.wrongSecret'];

function seedTitle(id: string): string {
	const article = seedArticles.find((a) => a.id === id);
	if (!article) throw new Error(`no seed article ${id}`);
	return article.title;
}

test('(a) a rename on floor Bourse reaches an agent of Gestion de compte live; both see each other online', async ({
	browser
}) => {
	const tag = uniqueTag();
	await withAgents(browser, 'rename', ['Alice Bourse', 'Bruno Gestion'], async (a, b) => {
		await Promise.all([
			onboard(a.page, { name: a.name, floor: 'Bourse' }),
			onboard(b.page, { name: b.name, floor: 'Gestion de compte' })
		]);

		// They find each other: presence with their floors, sync indicator up to date.
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
		await expect(syncIndicator(a.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
		await expect(presenceOf(a.page, b.name, 'Gestion de compte')).toBeVisible();
		await expect(presenceOf(b.page, a.name, 'Bourse')).toBeVisible();
		await expect(presenceOf(a.page, `${a.name} (vous)`, 'Bourse')).toBeVisible();

		// A renames an article from its page; B is on the knowledge-base list. (A draft never
		// published: lists show its own title, where a published article's show its revision's.)
		const id = 'proc-changement-adresse';
		const first = `Changement d'adresse — revu ${tag}`;
		await gotoInApp(a.page, `/article/${id}`);
		await expect(articleTitle(a.page)).toHaveText(seedTitle(id));
		await expect(syncIndicator(a.page)).toHaveAttribute('data-sync', 'up-to-date');
		await expect(mainHeading(b.page)).toHaveText(fr.kbTitle);
		await watchFor(b.page, '[data-article-link] .title', first);
		await renameOpenArticle(a.page, first, { submit: false });
		await recordClick(a.page, 'Enregistrer');
		await a.page.getByRole('button', { name: 'Enregistrer' }).click();
		const listMs = (await seenAt(b.page)) - (await clickedAt(a.page));
		await expect(listedTitle(b.page, first)).toBeVisible();

		// B opens the article; a second rename updates B's open page live.
		await listedTitle(b.page, first).click();
		await expect(articleTitle(b.page)).toHaveText(first);
		const second = `Changement d'adresse — version ${tag}`;
		await watchFor(b.page, '#article-title', second);
		await renameOpenArticle(a.page, second, { submit: false });
		await recordClick(a.page, 'Enregistrer');
		await a.page.getByRole('button', { name: 'Enregistrer' }).click();
		const pageMs = (await seenAt(b.page)) - (await clickedAt(a.page));
		await expect(articleTitle(b.page)).toHaveText(second);

		// The latency is reported, not asserted: on a loaded machine it says more about the load than
		// about Plateau. Its targets are the sync benchmark's (tests/bench/sync.node.ts, p95 15 ms).
		console.log(`[sync (a)] rename → B's list: ${listMs} ms; → B's open article: ${pageMs} ms`);
		test
			.info()
			.annotations.push(
				{ type: 'rename-to-list-ms', description: String(listMs) },
				{ type: 'rename-to-article-ms', description: String(pageMs) }
			);
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'up-to-date');
		expect(a.errors).toEqual([]);
		expect(b.errors).toEqual([]);
	});
});

test('(b) a new agent joins by invite code and receives the whole knowledge base from a peer; the server holds none of it', async ({
	browser
}) => {
	const room = uniqueRoom('join');
	const tag = uniqueTag();
	let a: Agent | undefined;
	let b: Agent | undefined;
	try {
		a = await newAgent(browser, room, 'Alice Bourse');
		await onboard(a.page, { name: a.name, floor: 'Bourse' });
		// A change that exists only in A's IndexedDB: if B shows it, it came from A.
		const renamed = `${seedTitle('faq-frais-tenue-compte')} — ${tag}`;
		await renameFromList(a.page, seedTitle('faq-frais-tenue-compte'), renamed);
		const aCount = (await listCount(a.page).textContent())!;
		const code = await readInviteCode(a.page);
		expect(code).toBe(formatInviteCode('demo', DEMO_SECRET));
		const aIds = await docIdsIn(a.page);
		expect(aIds.filter((id) => id.startsWith('article/')).length).toBe(seedArticles.length);
		// A goes away for now.
		await a.page.close();

		b = await newAgent(browser, room, 'Bruno Nouveau');
		// Everything B receives from the server (HTTP responses, signaling frames) is watched for A's data.
		const leaks: string[] = [];
		b.context.on('response', (r) => {
			void r.body().then(
				(body) => body.includes(tag) && leaks.push(`HTTP ${r.url()}`),
				() => {}
			);
		});
		b.page.on('websocket', (ws) =>
			ws.on('framereceived', (f) => String(f.payload).includes(tag) && leaks.push(`WebSocket ${ws.url()}`))
		);
		await b.page.goto('/');
		await joinOnWelcomePage(b.page, code);
		// The centre and its secret are kept sealed in IndexedDB, never in localStorage.
		expect(await b.page.evaluate(() => localStorage.getItem('plateau:centre'))).toBeNull();
		// Joined, with an empty store, and waiting: the server it is connected to gives it nothing.
		await expect(waitingStatus(b.page)).toBeVisible();
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'alone');
		expect(await docIdsIn(b.page, JOINED_DB)).toEqual([]);

		// A comes back: B fills up from A alone.
		const t0 = Date.now();
		a.page = await a.context.newPage();
		await a.page.goto('/');
		await expect(waitingStatus(b.page)).toBeHidden({ timeout: RESTART_MS + MEET_MS });
		await expect.poll(() => docIdsIn(b!.page, JOINED_DB), { timeout: MEET_MS }).toEqual(aIds);
		const fillMs = Date.now() - t0;
		console.log(
			`[sync (b)] ${aIds.length} documents reached the joined agent ${fillMs} ms after A's page load began`
		);

		await onboard(b.page, { name: b.name, floor: 'Gestion de compte' });
		await expect(listCount(b.page)).toHaveText(aCount);
		await expect(listedTitle(b.page, renamed)).toBeVisible();
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
		await expect(presenceOf(b.page, a.name, 'Bourse')).toBeVisible();
		expect(await docIdsIn(b.page, JOINED_DB)).toEqual(aIds);
		expect(leaks).toEqual([]);
		expect(a.errors).toEqual([]);
		expect(b.errors).toEqual([]);
	} finally {
		await closeAll([a, b]);
	}
});

test('(c) two agents edit while disconnected; after reconnecting both hold every edit', async ({
	browser
}) => {
	const room = uniqueRoom('offline');
	const tag = uniqueTag();
	// Drafts never published: a rename shows in lists (a published article's line shows its revision).
	const X = 'proc-cotations-figees';
	const Y = 'ref-assurance-vie-essentiel';
	const Ytitle = seedTitle(Y);
	const Z = 'proc-changement-adresse';
	const xTitle = `${seedTitle(X)} — par A ${tag}`;
	const yTitle = `${Ytitle} — par B ${tag}`;
	const zByA = `${seedTitle(Z)} — A ${tag}`;
	const zByB = `${seedTitle(Z)} — B ${tag}`;
	let a: Agent | undefined;
	let b: Agent | undefined;
	try {
		a = await newAgent(browser, room, 'Alice Bourse');
		b = await newAgent(browser, room, 'Bruno Gestion');
		await Promise.all([
			onboard(a.page, { name: a.name, floor: 'Bourse' }),
			onboard(b.page, { name: b.name, floor: 'Gestion de compte' })
		]);
		await waitForServiceWorkerControl(b.page);
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
		await expect(presenceOf(a.page, b.name, 'Gestion de compte')).toBeVisible();

		// B loses the network; its reload (served by the service worker) drops the WebRTC link, and
		// signaling cannot come back while offline.
		await b.context.setOffline(true);
		const reload = await b.page.reload();
		expect(reload?.fromServiceWorker()).toBe(true);
		await expect(mainHeading(b.page)).toHaveText(fr.kbTitle, { timeout: RESTART_MS });
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'offline');
		await expect(anyPresenceOf(a.page, b.name)).toHaveCount(0, { timeout: MEET_MS });
		await expect(syncIndicator(a.page)).toHaveAttribute('data-sync', 'alone');

		// Apart: A renames X, B renames Y, and both rename Z.
		await renameFromList(a.page, seedTitle(X), xTitle);
		await renameFromList(a.page, seedTitle(Z), zByA);
		await renameFromList(b.page, Ytitle, yTitle);
		await renameFromList(b.page, seedTitle(Z), zByB);
		await expect(listedTitle(a.page, yTitle)).toHaveCount(0);
		await expect(listedTitle(b.page, xTitle)).toHaveCount(0);

		// B's offline edit is on its disk, and survives another offline reload.
		await expect
			.poll(async () => (await readChunks(b!.page, `article/${Y}`)).some((c) => c.text.includes(yTitle)))
			.toBe(true);
		await b.page.reload();
		await expect(listedTitle(b.page, yTitle)).toBeVisible({ timeout: RESTART_MS });
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'offline');

		// Back online: the signaling client reconnects, the peers meet again and exchange what they lack.
		await b.context.setOffline(false);
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
		await expect(presenceOf(a.page, b.name, 'Gestion de compte')).toBeVisible();
		for (const agent of [a, b]) {
			await expect(listedTitle(agent.page, xTitle)).toBeVisible();
			await expect(listedTitle(agent.page, yTitle)).toBeVisible();
		}
		// The concurrent renames of Z converge: both agents show the same one of the two titles.
		await expect
			.poll(async () => {
				const [onA, onB] = [
					await listedTitleOf(a!.page, Z).textContent(),
					await listedTitleOf(b!.page, Z).textContent()
				].map((t) => t?.trim());
				return onA === onB && (onA === zByA || onA === zByB);
			})
			.toBe(true);
		// And on the article pages, both see the same title. Not asserted: that it is the list's title.
		// The article and its catalog line are separate documents whose clients resolve the
		// concurrent write independently, so about half the time the list keeps the other title
		// (known app bug).
		await gotoInApp(a.page, `/article/${Z}`);
		await gotoInApp(b.page, `/article/${Z}`);
		const zOnA = (await articleTitle(a.page).textContent())!.trim();
		expect([zByA, zByB]).toContain(zOnA);
		await expect(articleTitle(b.page)).toHaveText(zOnA);
		// And X and Y on the other side's article pages too.
		await gotoInApp(b.page, `/article/${X}`);
		await expect(articleTitle(b.page)).toHaveText(xTitle);
		await gotoInApp(a.page, `/article/${Y}`);
		await expect(articleTitle(a.page)).toHaveText(yTitle);
		expect(a.errors).toEqual([]);
		expect(b.errors).toEqual([]);
	} finally {
		await closeAll([a, b]);
	}
});

test('(d) an article of about 2 MB reaches another agent', async ({ browser }) => {
	const room = uniqueRoom('big');
	const tag = uniqueTag();
	const id = `article/big-${tag}`;
	const title = `Recueil complet des conditions tarifaires ${tag}`;
	const ending = `Fin du recueil ${tag} : dernière ligne du document.`;
	// About 2 MB of paragraphs, built and encoded here, in Node, with the app's own schema functions.
	const paragraphs: BodyNode[] = [];
	let size = 0;
	for (let i = 0; size < 2 * 1024 * 1024; i++) {
		const text = `Paragraphe ${i} : ${'Les frais de courtage dépendent du marché, du montant de l’ordre et de la formule choisie. '.repeat(11)}`;
		size += text.length;
		paragraphs.push({ type: 'paragraph', content: [{ type: 'text', text }] });
	}
	paragraphs.push({ type: 'paragraph', content: [{ type: 'text', text: ending }] });
	const now = Date.now();
	const meta: ArticleMeta = {
		kind: 'reference',
		title,
		node: 'compte.coordonnees.rib',
		locale: 'fr',
		tags: [],
		status: 'published',
		floor: 'bourse',
		createdAt: now,
		updatedAt: now
	};
	const articleDoc = new Y.Doc();
	initArticle(articleDoc, meta, paragraphs);
	const articleUpdate = Y.encodeStateAsUpdate(articleDoc);
	const catalogDoc = new Y.Doc(); // a fresh client setting one entry merges into the existing catalog
	putCatalogEntries(catalogDoc, [articleSummary(id, meta)]);
	const catalogUpdate = Y.encodeStateAsUpdate(catalogDoc);
	expect(articleUpdate.byteLength).toBeGreaterThan(2 * 1024 * 1024);

	let a: Agent | undefined;
	let b: Agent | undefined;
	try {
		a = await newAgent(browser, room, 'Alice Bourse');
		await onboard(a.page, { name: a.name, floor: 'Bourse' });
		const key = `u${Date.now().toString(36).padStart(9, '0')}e2ebig`;
		await appendRawChunks(a.page, [
			{ doc: id, key, base64: Buffer.from(articleUpdate).toString('base64') },
			{ doc: 'space/kb', key, base64: Buffer.from(catalogUpdate).toString('base64') }
		]);
		await a.page.reload();
		await expect(listedTitle(a.page, title)).toBeVisible({ timeout: RESTART_MS });
		await a.page.close();

		// B, a second agent of the demo centre, meets A only once A comes back.
		b = await newAgent(browser, room, 'Bruno Gestion');
		await onboard(b.page, { name: b.name, floor: 'Gestion de compte' });
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'alone');
		await watchFor(b.page, '[data-article-link] .title', title);
		await recordSyncChange(b.page);
		const t0 = Date.now();
		// When the whole article is on B's disk (its `docs` entry is written with its data).
		const storedAt = expect
			.poll(async () => (await storedDocIds(b!.page)).includes(id), {
				timeout: RESTART_MS + MEET_MS,
				intervals: [25]
			})
			.toBe(true)
			.then(() => Date.now());
		a.page = await a.context.newPage();
		await a.page.goto('/');
		const listedAt = await seenAt(b.page, RESTART_MS + MEET_MS);
		const storedMs = (await storedAt) - t0;
		const listMs = listedAt - t0;
		const connectedAt = await syncChangedAt(b.page);
		await listedTitle(b.page, title).click();
		await expect(articleTitle(b.page)).toHaveText(title);
		await expect(b.page.getByText(ending)).toBeVisible({ timeout: MEET_MS });
		const openMs = Date.now() - listedAt;
		console.log(
			`[sync (d)] ${(articleUpdate.byteLength / 1024 / 1024).toFixed(2)} MB article, counted from A's page load: B saw A connect at ` +
				`${connectedAt === undefined ? '?' : connectedAt - t0} ms, listed it at ${listMs} ms, stored all of it at ${storedMs} ms; ` +
				`opening it showed its last line ${openMs} ms after it was listed`
		);
		// Reported, not asserted (the waits above bound it): the load decides it more than Plateau.
		test.info().annotations.push({ type: 'big-article-stored-ms', description: String(storedMs) });
		const stored = await readChunks(b.page, id);
		expect(stored.reduce((n, c) => n + c.bytes, 0)).toBeGreaterThan(2 * 1024 * 1024);
		expect(a.errors).toEqual([]);
		expect(b.errors).toEqual([]);
	} finally {
		await closeAll([a, b]);
	}
});

test('(e) a peer with the wrong centre secret gets nothing and is told so', async ({ browser }) => {
	const room = uniqueRoom('wrong');
	let a: Agent | undefined;
	let b: Agent | undefined;
	let c: Agent | undefined;
	try {
		// A, with the right secret and the whole knowledge base, is online.
		a = await newAgent(browser, room, 'Alice Bourse');
		await onboard(a.page, { name: a.name, floor: 'Bourse' });
		await expect(syncIndicator(a.page)).toHaveAttribute('data-sync', 'alone');

		// C opens an invite link for the demo centre with another (well-formed) secret, in the same room.
		let wrong = randomSecret();
		while (wrong === DEMO_SECRET) wrong = randomSecret();
		c = await newAgent(browser, room, 'Chloé Intruse');
		await c.page.goto(`/join#${formatInviteCode('demo', wrong)}`);
		await expect(c.page).toHaveURL(/\/welcome$/, { timeout: FIRST_START_MS });
		await expect(waitingStatus(c.page)).toBeVisible();
		await expect(c.page.getByRole('alert')).toHaveText(WRONG_SECRET_ALERT, { timeout: MEET_MS });
		// A, who holds the centre, is not the one told to check its code.
		await expect(syncIndicator(a.page)).toHaveAttribute('data-sync', 'alone');
		await expect(a.page.getByRole('alert')).toHaveCount(0);

		// Control: an agent with A's invite link, in the same room at the same time, gets everything.
		b = await newAgent(browser, room, 'Bruno Nouveau');
		await b.page.goto(await readInviteLink(a.page));
		const aIds = await docIdsIn(a.page);
		await expect.poll(() => docIdsIn(b!.page, JOINED_DB), { timeout: RESTART_MS + MEET_MS }).toEqual(aIds);

		// C still has nothing at all — no article in any of its databases — and still waits.
		const cStores = await allStoredDocs(c.page);
		expect(
			Object.values(cStores)
				.flat()
				.filter((id) => id.startsWith('article/'))
		).toEqual([]);
		await expect(waitingStatus(c.page)).toBeVisible();
		await expect(c.page.getByRole('alert')).toHaveText(WRONG_SECRET_ALERT);
		await expect(syncIndicator(c.page)).toHaveAttribute('data-sync', 'alone');
		await expect(a.page.getByRole('alert')).toHaveCount(0);
		expect(c.errors).toEqual([]);
		expect(a.errors).toEqual([]);
	} finally {
		await closeAll([a, b, c]);
	}
});

test('(f) a rogue peer’s malformed, unknown and oversized messages are rejected and logged; the honest session goes on', async ({
	browser
}, testInfo) => {
	const room = uniqueRoom('rogue');
	const tag = uniqueTag();
	const signalingUrl = `${String(testInfo.project.use.baseURL).replace(/^http/, 'ws')}/signal`;
	let a: Agent | undefined;
	let b: Agent | undefined;
	let rogue: { mesh: WebRtcMesh; signaling: SignalingClient } | undefined;
	try {
		a = await newAgent(browser, room, 'Alice Bourse');
		b = await newAgent(browser, room, 'Bruno Gestion');
		await Promise.all([
			onboard(a.page, { name: a.name, floor: 'Bourse' }),
			onboard(b.page, { name: b.name, floor: 'Gestion de compte' })
		]);
		await expect(presenceOf(a.page, b.name, 'Gestion de compte')).toBeVisible({ timeout: MEET_MS });
		await expect(presenceOf(b.page, a.name, 'Bourse')).toBeVisible({ timeout: MEET_MS });

		// The rogue: a Node peer of the demo centre (it knows the public demo secret) in the same room,
		// built from the app's own signaling client and mesh over @roamhq/wrtc. Its peer id sorts first,
		// so it makes every offer and the data channels it creates can be reached raw.
		const channels: RTCDataChannel[] = [];
		const SpyingPeerConnection = function (config?: RTCConfiguration) {
			const pc = new wrtc.RTCPeerConnection(config);
			const create = pc.createDataChannel.bind(pc);
			pc.createDataChannel = (label: string, init?: RTCDataChannelInit) => {
				const channel = create(label, init);
				channels.push(channel);
				return channel;
			};
			return pc;
		} as unknown as typeof RTCPeerConnection;
		const signaling = new SignalingClient({
			url: signalingUrl,
			key: await deriveCentreKey(DEMO_SECRET, 'demo'),
			WebSocketImpl: WebSocket,
			peerId: '0'.repeat(24)
		});
		const rogueLog: string[] = [];
		const mesh = new WebRtcMesh({
			signaling,
			topic: meshTopic('demo', room),
			RTCPeerConnectionImpl: SpyingPeerConnection,
			log: (m) => rogueLog.push(m)
		});
		rogue = { mesh, signaling };
		const heardFrom = new Set<string>();
		mesh.on('message', (from) => heardFrom.add(from));
		// Both browsers connected and said hello.
		await expect.poll(() => heardFrom.size, { timeout: MEET_MS }).toBe(2);
		const peers = mesh.peers();
		expect(peers).toHaveLength(2);
		const send = (bytes: Uint8Array) => peers.forEach((p) => mesh.send(p, bytes));

		send(Uint8Array.of(0xf3, 0x9a, 0xc4, 0x81, 0x80, 0x80)); // garbage: a number that never ends
		send(Uint8Array.of(42)); // a message type that does not exist
		send(
			encodeMessage({
				type: 'hello',
				hello: { protocol: PROTOCOL_VERSION, agentId: 'agent-rogue', floor: 'bourse', spaces: ['kb'] }
			})
		);
		// Not a Yjs update, from a peer that proved no key: refused before it is even decoded (an
		// unproven peer writes nothing).
		send(encodeMessage({ type: 'update', docId: 'article/proc-virement-refuse', update: Uint8Array.of(5) }));
		for (const agent of [a, b]) {
			const rejected = () =>
				agent.logs
					.filter((l) => l.includes('Plateau sync: rejected a message from 000000000000000000000000'))
					.join('\n');
			await expect.poll(rejected).toMatch(/malformed message/);
			await expect.poll(rejected).toMatch(/unknown message type 42/);
			await expect
				.poll(rejected)
				.toMatch(/sent article\/proc-virement-refuse without having proved its key: updates refused/);
		}

		// A frame announcing a 100 MB message (the mesh accepts 64 MiB): the receiver drops the link.
		const frame = new Uint8Array(32);
		frame[0] = 1; // first frame of a cut message, then its total length
		new DataView(frame.buffer).setUint32(1, 100 * 1024 * 1024);
		const open = channels.filter((c) => c.readyState === 'open');
		expect(open).toHaveLength(2);
		for (const channel of open) channel.send(frame);
		for (const agent of [a, b]) {
			await expect
				.poll(() =>
					agent.logs.find((l) =>
						l.includes(
							'Plateau WebRTC: disconnected 000000000000000000000000 (message of 104857600 bytes exceeds'
						)
					)
				)
				.toBeTruthy();
		}
		await expect.poll(() => open.every((c) => c.readyState !== 'open')).toBe(true);
		await mesh.destroy();
		signaling.destroy();

		// The honest agents are still together, and still sync.
		await expect(syncIndicator(b.page)).toHaveAttribute('data-sync', 'up-to-date', { timeout: MEET_MS });
		await expect(presenceOf(b.page, a.name, 'Bourse')).toBeVisible({ timeout: MEET_MS });
		const renamed = `${seedTitle('proc-changement-adresse')} — après l’intrus ${tag}`;
		await watchFor(b.page, '[data-article-link] .title', renamed);
		await gotoInApp(a.page, '/article/proc-changement-adresse');
		await expect(articleTitle(a.page)).toHaveText(seedTitle('proc-changement-adresse'));
		await renameOpenArticle(a.page, renamed, { submit: false });
		await recordClick(a.page, 'Enregistrer');
		await a.page.getByRole('button', { name: 'Enregistrer' }).click();
		const ms = (await seenAt(b.page)) - (await clickedAt(a.page));
		console.log(`[sync (f)] rename after the rogue left → B's list: ${ms} ms`);
		await listedTitle(b.page, renamed).click();
		await expect(articleTitle(b.page)).toHaveText(renamed);
		await expect(b.page.getByRole('article').getByRole('heading', { level: 2 }).first()).toBeVisible();
		expect(a.errors).toEqual([]);
		expect(b.errors).toEqual([]);
	} finally {
		await rogue?.mesh.destroy();
		rogue?.signaling.destroy();
		await closeAll([a, b]);
	}
});
