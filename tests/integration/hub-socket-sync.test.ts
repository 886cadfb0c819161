// A browser-like Node peer (Repo + Synchronizer over a HubSocket) and the hub's Synchronizer over the
// hub socket server sync documents both ways over a real sealed WebSocket: both prove their keys
// (the channel binding is the same at both ends), edits cross live, and a 5 MB document arrives.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ArticleMeta } from '../../src/lib/domain/article';
import type { HubSocket } from '../../src/lib/net/hub-socket';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import type { NetworkAdapter } from '../../src/lib/repo/network';
import { Repo } from '../../src/lib/repo/repo';
import { initArticle, readArticleBody, readArticleMeta, updateArticleMeta } from '../../src/lib/schema/index';
import {
	closeHub,
	hubClient,
	serveHub,
	syncedDevice,
	waitFor,
	type ServedHub,
	type SyncedDevice
} from '../support/hub-socket-fixture';

const meta = (title: string): ArticleMeta => ({
	kind: 'procedure',
	title,
	node: 'bourse.ordres.rejete',
	locale: 'fr',
	tags: [],
	status: 'published',
	createdAt: 1,
	updatedAt: 1
});

type Peer = SyncedDevice;

const undo: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const u of undo.splice(0).reverse()) await u();
});

function peer(net: NetworkAdapter, identity: AgentIdentity): Peer {
	return syncedDevice(net, identity, (u) => undo.push(u));
}

/** A hub and a browser connected to it; `prepare` runs on the hub before the browser connects. */
async function hubAndBrowser(
	prepare: (hub: Peer) => Promise<void> = async () => {}
): Promise<{ served: ServedHub; net: HubSocket; hub: Peer; browser: Peer }> {
	const served = await serveHub({ peerId: 'hub' });
	undo.push(() => closeHub(served));
	const hub = peer(served.hub, await generateIdentity());
	await prepare(hub);
	const { client: net } = await hubClient(served.url, 'browser-1');
	undo.push(() => net.destroy());
	return { served, net, hub, browser: peer(net, await generateIdentity()) };
}

/** Waits until `repo` holds the document (sync over a socket is not done when the peers are idle:
 *  bytes may be on the wire). */
async function arrived(repo: Repo, docId: string, timeout = 10_000) {
	return vi.waitFor(
		async () => {
			const doc = await repo.find(docId);
			if (!doc || doc.getMap('meta').size === 0) throw new Error(`${docId} not there yet`);
			return doc;
		},
		{ timeout, interval: 20 }
	);
}

/** A pseudo-random text of `n` characters (no compression would help it). */
function text(n: number): string {
	const letters = 'abcdefghijklmnopqrstuvwxyz ';
	const codes = new Uint8Array(n);
	let seed = 7;
	for (let i = 0; i < n; i++) {
		seed = (seed * 1103515245 + 12345) & 0x7fffffff;
		codes[i] = letters.charCodeAt(seed % letters.length);
	}
	return new TextDecoder().decode(codes);
}

describe('sync over the hub socket', () => {
	it('both sides prove their keys and documents flow both ways, live edits included', async () => {
		const { served, net, hub, browser } = await hubAndBrowser();
		initArticle(await hub.repo.open('article/from-hub'), meta('Carte avalée'));
		initArticle(await browser.repo.open('article/from-browser'), meta('Virement refusé'));
		await waitFor(
			() => !!hub.sync.peers().get('browser-1') && !!browser.sync.peers().get('hub'),
			'introductions'
		);
		await arrived(browser.repo, 'article/from-hub');
		await arrived(hub.repo, 'article/from-browser');
		expect(hub.sync.peers().get('browser-1')?.verified).toBe(true);
		expect(browser.sync.peers().get('hub')?.verified).toBe(true);
		expect(net.channelBinding('hub')).toBe(served.hub.channelBinding('browser-1'));
		expect(readArticleMeta((await browser.repo.find('article/from-hub'))!).title).toBe('Carte avalée');
		expect(readArticleMeta((await hub.repo.find('article/from-browser'))!).title).toBe('Virement refusé');

		updateArticleMeta(await browser.repo.open('article/from-hub'), { title: 'Carte capturée' }, 5);
		await waitFor(() => {
			const doc = hub.repo.opened('article/from-hub');
			return doc ? readArticleMeta(doc).title === 'Carte capturée' : false;
		}, 'the live edit at the hub');
		expect(hub.rejected).toEqual([]);
		expect(browser.rejected).toEqual([]);
	});

	it('a 5 MB document reaches the browser whole', async () => {
		const body = text(5 * 1024 * 1024);
		const { browser } = await hubAndBrowser(async (hub) => {
			initArticle(await hub.repo.open('article/big'), meta('Grand document'), [
				{ type: 'paragraph', content: [{ type: 'text', text: body }] }
			]);
		});
		const doc = await arrived(browser.repo, 'article/big', 60_000);
		const got = readArticleBody(doc!)[0]?.content?.[0]?.text ?? '';
		expect(got.length).toBe(body.length);
		expect(got === body).toBe(true);
		expect(browser.rejected).toEqual([]);
	}, 120_000);
});
