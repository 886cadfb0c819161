// The centre hub end to end, in browser contexts against the built server. The server the suite
// starts runs without a hub (PLATEAU_HUB=off, playwright.config.ts), so the other specs mean what
// they say; here a hub runs as a separate `node build-server/index.js --hub` process (what
// `npm run hub` starts) for a non-demo centre, on the suite server's relay, so it can be stopped
// and started again. A Node peer writes the centre's content (the demo centre's documents under
// this centre's id) and leaves; then:
//  1. a fresh browser joins by invite code and is filled by the hub alone;
//  2. the hub stops: a second fresh browser still gets everything from the first over WebRTC, and
//     an edit of one reaches the other;
//  3. the hub starts again from its directory and catches up with that edit (its storage holds it).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import * as Y from 'yjs';
import { formatInviteCode } from '../../src/lib/domain/codes';
import { docId } from '../../src/lib/domain/ids';
import { readArticleMeta } from '../../src/lib/schema/index';
import { applySeed, type SeedFile } from '../../src/lib/seed/seed';
import { createNodePeer, type NodePeer } from '../../src/lib/server/node-peer';
import { FsStorage } from '../../src/lib/storage/fs';
import { MEET_MS, onboard, RESTART_MS, seedArticles } from './helpers';
import {
	closeAll,
	docIdsIn,
	joinOnWelcomePage,
	newAgent,
	randomSecret,
	renameFromList,
	uniqueRoom,
	uniqueTag,
	type Agent
} from './sync-helpers';

const port = Number(process.env.PLATEAU_E2E_PORT ?? 4319);
const hubPort = port + 1;
const signalUrl = `ws://localhost:${port}/signal`;
const TOKEN = `e2e-hub-token-${uniqueTag()}`;

function seedTitle(id: string): string {
	const article = seedArticles.find((a) => a.id === id);
	if (!article) throw new Error(`no seed article ${id}`);
	return article.title;
}

interface HubProcess {
	child: ChildProcess;
	output: string[];
}

async function startHub(env: Record<string, string>): Promise<HubProcess> {
	const child = spawn(process.execPath, ['build-server/index.js', '--hub'], {
		cwd: fileURLToPath(new URL('../..', import.meta.url)),
		env: {
			...process.env,
			...env,
			PORT: String(hubPort),
			PLATEAU_SIGNAL_URL: signalUrl,
			PLATEAU_HUB_TOKEN: TOKEN
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const output: string[] = [];
	child.stderr!.on('data', (d) => output.push(String(d)));
	await new Promise<void>((resolve, reject) => {
		child.stdout!.on('data', (d) => {
			output.push(String(d));
			if (output.join('').includes('Plateau hub for centre')) resolve();
		});
		child.once('exit', (code) => reject(new Error(`the hub exited (${code}): ${output.join('')}`)));
	});
	return { child, output };
}

async function stopHub(hub: HubProcess): Promise<void> {
	if (hub.child.exitCode !== null) return;
	const exited = new Promise((r) => hub.child.once('exit', r));
	hub.child.kill('SIGTERM');
	await exited;
}

async function hubStatus(): Promise<{ documents: number; agents: { total: number } }> {
	const res = await fetch(`http://localhost:${hubPort}/hub/status`, {
		headers: { authorization: `Bearer ${TOKEN}` }
	});
	return res.json();
}

test('a hub fills a fresh agent of its centre, and catches up with what agents wrote while it was down', async ({
	browser
}) => {
	test.slow();
	const room = uniqueRoom('hub');
	const centreId = `hub-e2e-${uniqueTag()}`;
	const secret = randomSecret();
	const code = formatInviteCode(centreId, secret);
	const joinedDb = `plateau-joined-${centreId}`;
	const dataDir = await mkdtemp(join(tmpdir(), 'plateau-e2e-hub-'));
	const env = { PLATEAU_CENTRE: code, PLATEAU_HUB_ROOM: room, PLATEAU_HUB_DATA: dataDir };
	const peerDirs: string[] = [];
	const peer = async (): Promise<NodePeer> => {
		const dir = await mkdtemp(join(tmpdir(), 'plateau-e2e-peer-'));
		peerDirs.push(dir);
		return createNodePeer({
			dir,
			signalingUrl: signalUrl,
			centreId,
			room,
			secret,
			floor: 'bourse',
			log: () => {}
		});
	};
	let hub: HubProcess | undefined;
	let writer: NodePeer | undefined;
	let a: Agent | undefined;
	let b: Agent | undefined;
	try {
		hub = await startHub(env);
		// The centre's content: the demo documents, the centre document under this centre's id.
		writer = await peer();
		const seed = JSON.parse(
			await readFile(fileURLToPath(new URL('../../src/lib/seed/demo-centre.json', import.meta.url)), 'utf8')
		) as SeedFile;
		const docs = Object.fromEntries(
			Object.entries(seed.docs).map(([id, update]) => [
				id === 'centre/demo' ? docId('centre', centreId) : id,
				update
			])
		);
		await applySeed(writer.repo, { ...seed, docs });
		const ids = Object.keys(docs).sort();
		await expect.poll(async () => (await hubStatus()).documents, { timeout: MEET_MS }).toBe(ids.length);
		await writer.destroy();
		writer = undefined;

		// 1. A fresh browser, alone with the hub, gets every document.
		a = await newAgent(browser, room, 'Agnès Hub');
		await a.page.goto('/');
		await joinOnWelcomePage(a.page, code);
		await expect.poll(() => docIdsIn(a!.page, joinedDb), { timeout: RESTART_MS + MEET_MS }).toEqual(ids);
		await onboard(a.page, { name: a.name, floor: 'Bourse' });
		await expect.poll(async () => (await hubStatus()).agents.total, { timeout: MEET_MS }).toBe(1);

		// 2. The hub stops; a second fresh browser gets everything from the first, and an edit
		//    travels between them.
		await stopHub(hub);
		hub = undefined;
		b = await newAgent(browser, room, 'Benoît Hub');
		await b.page.goto('/');
		await joinOnWelcomePage(b.page, code);
		await expect.poll(() => docIdsIn(b!.page, joinedDb), { timeout: RESTART_MS + MEET_MS }).toEqual(ids);
		await onboard(b.page, { name: b.name, floor: 'Gestion de compte' });
		const original = seedTitle('faq-frais-tenue-compte');
		const renamed = `${original} — ${uniqueTag()}`;
		await renameFromList(a.page, original, renamed);
		await expect(b.page.locator('[data-article-link] .title', { hasText: renamed })).toBeVisible({
			timeout: MEET_MS
		});

		// 3. The hub comes back from its directory and catches up: the edit it missed reaches its
		//    storage (read from its directory while it runs: chunk files are renamed into place whole).
		hub = await startHub(env);
		const articleId = 'article/faq-frais-tenue-compte';
		await expect
			.poll(
				async () => {
					const store = new FsStorage(join(dataDir, 'docs'));
					const doc = new Y.Doc();
					for (const c of await store.load(articleId)) Y.applyUpdate(doc, c.data as Uint8Array);
					await store.destroy();
					return doc.getMap('meta').size ? readArticleMeta(doc).title : undefined;
				},
				{ timeout: MEET_MS * 2 }
			)
			.toBe(renamed);
		await expect.poll(async () => (await hubStatus()).agents.total, { timeout: MEET_MS }).toBe(2);
	} finally {
		await closeAll([a, b]);
		await writer?.destroy();
		if (hub) await stopHub(hub);
		await rm(dataDir, { recursive: true, force: true });
		await Promise.all(peerDirs.map((d) => rm(d, { recursive: true, force: true })));
	}
});
