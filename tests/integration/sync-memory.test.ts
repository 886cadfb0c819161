// Several Repos syncing through the Synchronizer over the memory network: convergence, empty peers
// filled by others, offline edits, the share policy, and rogue messages.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { MemoryHub, type MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import { generateIdentity, type AgentIdentity } from '../../src/lib/repo/identity';
import { encodeMessage } from '../../src/lib/repo/sync-protocol';
import { introduced, roguePeer, settle } from './rogue-kit';
import {
	articleEntry,
	initArticle,
	putCatalogEntry,
	readArticleMeta,
	readCatalog,
	readRevisions,
	updateArticleMeta
} from '../../src/lib/schema/index';
import { CatalogKeeper } from '../../src/lib/repo/catalog-keeper';
import { rolePublishRights } from '../../src/lib/schema/publish-rights';
import { applySeed } from '../../src/lib/seed/seed';
import { MemoryStorage } from '../../src/lib/storage/memory';
import demoSeed from '../../src/lib/seed/demo-centre.json';
import type { SeedFile } from '../../src/lib/seed/seed';

interface Peer {
	id: string;
	agentId: string;
	repo: Repo;
	net: MemoryNetworkAdapter;
	sync: Synchronizer;
}

const peers: Peer[] = [];

/** A peer with an identity of its own unless one is given; `null`: none (unproven, claiming
 *  `agentId`). */
async function peer(
	hub: MemoryHub,
	id: string,
	agentId = id,
	floor = 'bourse',
	given?: AgentIdentity | null
): Promise<Peer> {
	const identity = given === null ? undefined : (given ?? (await generateIdentity()));
	const repo = new Repo({ storage: new MemoryStorage() });
	// Publications are judged as the app and the hub judge them: by the centre document's signed
	// roles (the demo seed's revisions are signed by its experts).
	const centre = await repo.open('centre/demo');
	const net = hub.join(id);
	const sync = new Synchronizer({
		repo,
		network: net,
		policy: new CentreSharePolicy(identity?.agentId ?? agentId, {
			publishRights: rolePublishRights(() => centre)
		}),
		agentId,
		floor,
		identity
	});
	sync.onRejected(() => {});
	const p = { id, agentId: identity?.agentId ?? agentId, repo, net, sync };
	peers.push(p);
	return p;
}

/** A peer that shares presence (its name on floor Bourse) through the centre-wide awareness. */
async function presencePeer(
	hub: MemoryHub,
	id: string,
	name: string
): Promise<Peer & { awareness: Awareness }> {
	const identity = await generateIdentity();
	const repo = new Repo({ storage: new MemoryStorage() });
	const awareness = new Awareness(new Y.Doc());
	awareness.setLocalState({ name, floor: 'bourse' });
	const net = hub.join(id);
	const sync = new Synchronizer({
		repo,
		network: net,
		policy: new CentreSharePolicy(identity.agentId),
		agentId: identity.agentId,
		floor: 'bourse',
		awareness,
		identity
	});
	const p = { id, agentId: identity.agentId, repo, net, sync };
	peers.push(p);
	return { ...p, awareness };
}

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

afterEach(async () => {
	for (const p of peers.splice(0)) {
		p.sync.destroy();
		await p.net.destroy();
		await p.repo.destroy();
	}
});

describe('Synchronizer over the memory network', () => {
	it(
		'fills an empty peer with the whole demo knowledge base, byte for byte',
		{ timeout: 30_000 },
		async () => {
			const hub = new MemoryHub();
			const full = await peer(hub, 'full');
			await applySeed(full.repo, demoSeed as SeedFile);
			const empty = await peer(hub, 'empty', 'agent-empty', 'gestion-compte');
			const refused: string[] = [];
			empty.sync.onRejected((r) => refused.push(r.reason));
			await settle(full, empty);
			// The demo's published revisions were verified on arrival (signed roles of a centre
			// document that may arrive after them) and all taken.
			expect(refused).toEqual([]);
			const ids = (await full.repo.list()).sort();
			expect((await empty.repo.list()).sort()).toEqual(ids);
			for (const id of ids) {
				const a = await full.repo.open(id);
				const b = await empty.repo.open(id);
				expect(Y.encodeStateVector(b)).toEqual(Y.encodeStateVector(a));
			}
			const revisions = await Promise.all(
				ids
					.filter((id) => id.startsWith('article/'))
					.map(async (id) => readRevisions(await empty.repo.open(id)))
			);
			expect(revisions.flat().length).toBeGreaterThan(100);
			const catalog = readCatalog(await empty.repo.open('space/kb'));
			expect(catalog.length).toBe(Object.keys(demoSeed.docs).filter((k) => k.startsWith('article/')).length);
		}
	);

	it('sends live edits to connected peers, and not back to their source', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a');
		const b = await peer(hub, 'b', 'agent-b', 'gestion-compte');
		await settle(a, b);
		const sent: string[] = [];
		a.net.on('message', () => sent.push('a received'));
		initArticle(await b.repo.open('article/x'), meta('Ordre rejeté'));
		await settle(a, b);
		expect(readArticleMeta(await a.repo.open('article/x')).title).toBe('Ordre rejeté');
		const received = sent.length;
		// a applying b's update must not echo it to b.
		const bGot: number[] = [];
		b.net.on('message', () => bGot.push(1));
		await settle(a, b);
		expect(bGot).toHaveLength(0);
		expect(received).toBeGreaterThan(0);
	});

	it('merges edits made on both sides while disconnected, in both directions, after reconnecting', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a');
		const b = await peer(hub, 'b', 'agent-b');
		const docA = await a.repo.open('article/shared');
		initArticle(docA, meta('Titre'));
		await settle(a, b);
		hub.unlink('a', 'b');
		const docB = await b.repo.open('article/shared');
		docA.getXmlFragment('body').insert(0, [new Y.XmlText('edit from a')]);
		updateArticleMeta(docB, { tags: ['from-b'] }, 50);
		initArticle(await b.repo.open('article/new-on-b'), meta('Nouveau chez B'));
		hub.link('a', 'b');
		await settle(a, b);
		expect(Y.encodeStateAsUpdate(docA)).toEqual(Y.encodeStateAsUpdate(docB));
		expect(docA.getXmlFragment('body').toString()).toContain('edit from a');
		expect(readArticleMeta(docA).tags).toEqual(['from-b']);
		expect(readArticleMeta(await a.repo.open('article/new-on-b')).title).toBe('Nouveau chez B');
	});

	it('keeps a personal document on the agent’s own devices, proven by their shared key', async () => {
		const hub = new MemoryHub();
		const alice = await generateIdentity();
		const a = alice.agentId;
		const laptop = await peer(hub, 'laptop', a, 'bourse', alice);
		const phone = await peer(hub, 'phone', a, 'bourse', alice);
		const other = await peer(hub, 'other', 'agent-b', 'bourse', await generateIdentity());
		// Claiming Alice's id without her key gets nothing personal.
		const claimant = await peer(hub, 'claimant', a, 'bourse', null);
		expect(new CentreSharePolicy(a).spaceOf(`space/personal:${a}`)).toBe(`personal:${a}`);
		const mine = await laptop.repo.open(`space/personal:${a}`);
		mine.getMap('catalog').set('note/1', { title: 'private' });
		await settle(laptop, phone, other, claimant);
		expect((await phone.repo.find(`space/personal:${a}`))?.getMap('catalog').get('note/1')).toEqual({
			title: 'private'
		});
		for (const p of [other, claimant]) {
			expect(await p.repo.find(`space/personal:${a}`)).toBeUndefined();
			expect(await p.repo.list()).not.toContain(`space/personal:${a}`);
		}
	});

	it('rejects malformed, oversized, unknown and unauthorised messages, and the session goes on', async () => {
		const hub = new MemoryHub();
		const honest = await peer(hub, 'honest');
		const reasons: string[] = [];
		honest.sync.onRejected((r) => reasons.push(r.reason));
		// The rogue introduces itself properly (it proves a key of its own), then misbehaves.
		const rogue = roguePeer(hub, 'rogue', { identity: await generateIdentity() });
		rogue.greet('honest');
		await introduced(honest.sync, 'rogue', true);
		const rogueNet = rogue.net;
		rogueNet.send(
			'honest',
			encodeMessage({ type: 'syncStep1', docId: 'article/truncated', stateVector: new Uint8Array(40) }).slice(
				0,
				12
			)
		);
		rogueNet.send('honest', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]));
		rogueNet.send('honest', new Uint8Array([42, 1, 2]));
		rogueNet.send(
			'honest',
			encodeMessage({ type: 'update', docId: 'article/x', update: new Uint8Array([1, 2, 3, 4, 5]) })
		);
		rogueNet.send(
			'honest',
			encodeMessage({
				type: 'update',
				docId: `space/personal:${honest.agentId}`,
				update: Y.encodeStateAsUpdate(new Y.Doc())
			})
		);
		const big = new Y.Doc();
		big.getText('t').insert(0, 'x'.repeat(64 * 1024));
		const limited = await peer(hub, 'limited');
		limited.sync.destroy();
		const limitedIdentity = await generateIdentity();
		const strict = new Synchronizer({
			repo: limited.repo,
			network: limited.net,
			policy: new CentreSharePolicy(limitedIdentity.agentId),
			agentId: limitedIdentity.agentId,
			floor: 'bourse',
			identity: limitedIdentity,
			limits: { maxMessageBytes: 16 * 1024 }
		});
		const strictReasons: string[] = [];
		strict.onRejected((r) => strictReasons.push(r.reason));
		limited.sync = strict;
		rogue.greet('limited');
		await introduced(strict, 'rogue', true);
		rogueNet.send(
			'limited',
			encodeMessage({ type: 'update', docId: 'article/big', update: Y.encodeStateAsUpdate(big) })
		);
		await settle(honest, limited);
		expect(reasons.some((r) => /malformed/.test(r))).toBe(true);
		expect(reasons.some((r) => /unknown message type 42/.test(r))).toBe(true);
		expect(reasons.some((r) => /unknown message type 4294967295/.test(r))).toBe(true);
		expect(reasons.some((r) => /article\/x.*(undecodable|could not be applied)/.test(r))).toBe(true);
		expect(reasons.some((r) => /personal:agent-.*may not write/.test(r))).toBe(true);
		expect(strictReasons.some((r) => /exceeds the 16384-byte limit/.test(r))).toBe(true);
		expect(await honest.repo.find(`space/personal:${honest.agentId}`)).toBeUndefined();
		expect(await limited.repo.find('article/big')).toBeUndefined();
		// The honest session still works.
		rogueNet.send(
			'honest',
			encodeMessage({
				type: 'update',
				docId: 'article/fine',
				update: Y.encodeStateAsUpdate(
					await (async () => {
						const d = new Y.Doc();
						initArticle(d, meta('Correct'));
						return d;
					})()
				)
			})
		);
		await settle(honest);
		expect(readArticleMeta(await honest.repo.open('article/fine')).title).toBe('Correct');
		await rogueNet.destroy();
	});

	it('an unproven peer (no key) reads the knowledge base and writes nothing', async () => {
		const hub = new MemoryHub();
		const honest = await peer(hub, 'honest');
		initArticle(await honest.repo.open('article/public'), meta('Publique'));
		const reasons: string[] = [];
		honest.sync.onRejected((r) => reasons.push(r.reason));
		const old = await peer(hub, 'old', 'agent-old', 'bourse', null);
		await settle(honest, old);
		expect([...honest.sync.peers().values()].map((h) => h.verified)).toEqual([false]);
		// It received the article, read-only.
		expect(readArticleMeta(await old.repo.open('article/public')).title).toBe('Publique');
		// Its edits are refused.
		updateArticleMeta(await old.repo.open('article/public'), { title: 'Modifiée' }, 9);
		await settle(honest, old);
		expect(readArticleMeta(await honest.repo.open('article/public')).title).toBe('Publique');
		expect(reasons.some((r) => /without having proved its key/.test(r))).toBe(false); // it does not even send
		const raw = roguePeer(hub, 'raw', { agentId: 'agent-raw' });
		raw.greet('honest');
		await introduced(honest.sync, 'raw', false);
		raw.send('honest', {
			type: 'update',
			docId: 'article/public',
			update: Y.encodeStateAsUpdate(await old.repo.open('article/public'))
		});
		await settle(honest);
		expect(reasons.some((r) => /article\/public without having proved its key/.test(r))).toBe(true);
		expect(readArticleMeta(await honest.repo.open('article/public')).title).toBe('Publique');
		await raw.net.destroy();
	});

	it('shares presence with peers and drops a peer’s presence as soon as it disconnects', async () => {
		const hub = new MemoryHub();
		const make = (id: string, name: string) => presencePeer(hub, id, name);
		const a = await make('a', 'Alice');
		const b = await make('b', 'Bruno');
		await settle(a, b);
		const names = (aw: Awareness) =>
			[...aw.getStates().values()].map((s) => (s as { name: string }).name).sort();
		expect(names(a.awareness)).toEqual(['Alice', 'Bruno']);
		b.awareness.setLocalStateField('name', 'Bruno (en appel)');
		await settle(a, b);
		expect(names(a.awareness)).toEqual(['Alice', 'Bruno (en appel)']);
		hub.unlink('a', 'b');
		expect(names(a.awareness)).toEqual(['Alice']);
		hub.link('a', 'b');
		await settle(a, b);
		expect(names(a.awareness)).toEqual(['Alice', 'Bruno (en appel)']);
	});

	it('does not relay a departed peer’s presence: its neighbour drops it at once and tells no one else of it', async () => {
		const hub = new MemoryHub();
		const make = (id: string, name: string) => presencePeer(hub, id, name);
		const names = (aw: Awareness) =>
			[...aw.getStates().values()].map((s) => (s as { name: string }).name).sort();
		const a = await make('a', 'Alice');
		const b = await make('b', 'Bruno');
		await settle(a, b);
		expect(names(b.awareness)).toEqual(['Alice', 'Bruno']);
		// Alice's page closes without a goodbye reaching Bruno: her news came through that link, so
		// Bruno drops her at once (not after the awareness timeout) and introduces nobody to her.
		hub.unlink('a', 'b');
		expect(names(b.awareness)).toEqual(['Bruno']);
		const c = await make('c', 'Chloé');
		hub.unlink('a', 'c');
		await settle(b, c);
		expect(names(c.awareness)).toEqual(['Bruno', 'Chloé']);
	});

	it('shares carets per open document with the peers that have it open, and drops them on close or disconnect', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a');
		const b = await peer(hub, 'b', 'agent-b');
		const rogue = await peer(hub, 'r', 'agent-r');
		await settle(a, b, rogue);
		const docA = await a.repo.open('article/x');
		const docB = await b.repo.open('article/x');
		const awA = new Awareness(docA);
		const awB = new Awareness(docB);
		awA.setLocalState({ user: { name: 'Alice' }, cursor: { anchor: 1, head: 1 } });
		const stopA = a.sync.shareDocAwareness('article/x', awA);
		await settle(a, b);
		// B has not opened it yet: nothing to show, nothing kept.
		expect(awB.getStates().size).toBe(1);
		awB.setLocalState({ user: { name: 'Bruno' } });
		const stopB = b.sync.shareDocAwareness('article/x', awB);
		await settle(a, b);
		const users = (aw: Awareness) =>
			[...aw.getStates().values()].map((s) => (s as { user: { name: string } }).user.name).sort();
		// Bruno's opening brings Alice's caret back to him, and his to her.
		expect(users(awA)).toEqual(['Alice', 'Bruno']);
		expect(users(awB)).toEqual(['Alice', 'Bruno']);
		awA.setLocalStateField('cursor', { anchor: 4, head: 9 });
		await settle(a, b);
		expect((awB.getStates().get(awA.clientID) as { cursor: unknown }).cursor).toEqual({ anchor: 4, head: 9 });
		// Closing the editor removes the caret at once, and reopening (a fresh awareness whose clock
		// restarts) shows it again.
		stopA();
		await settle(a, b);
		expect(users(awB)).toEqual(['Bruno']);
		const awA2 = new Awareness(docA);
		awA2.setLocalState({ user: { name: 'Alice' } });
		const stopA2 = a.sync.shareDocAwareness('article/x', awA2);
		await settle(a, b);
		expect(users(awB)).toEqual(['Alice', 'Bruno']);
		hub.unlink('a', 'b');
		expect(users(awB)).toEqual(['Bruno']);
		// Carets for a document the sender may not read are refused.
		const reasons: string[] = [];
		b.sync.onRejected((r) => reasons.push(r.reason));
		rogue.net.send(
			'b',
			encodeMessage({ type: 'docAwareness', docId: 'space/personal:agent-b', payload: new Uint8Array([0]) })
		);
		rogue.net.send(
			'b',
			encodeMessage({ type: 'docAwareness', docId: 'article/x', payload: new Uint8Array([9, 9, 9]) })
		);
		await settle(b, rogue);
		expect(reasons.some((r) => /carets for space\/personal:agent-b/.test(r))).toBe(true);
		expect(reasons.some((r) => /malformed carets for article\/x/.test(r))).toBe(true);
		expect(users(awB)).toEqual(['Bruno']);
		stopA2();
		stopB();
		for (const aw of [awA, awA2, awB]) aw.destroy();
	});

	it('keeps article and catalog in agreement after concurrent renames on two peers', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a');
		const b = await peer(hub, 'b', 'agent-b');
		await applySeed(a.repo, demoSeed as SeedFile);
		await settle(a, b);
		const keepers = [new CatalogKeeper(a.repo, { delayMs: 5 }), new CatalogKeeper(b.repo, { delayMs: 5 })];
		const ids = Object.keys(demoSeed.docs)
			.filter((k) => k.startsWith('article/'))
			.slice(0, 20);
		hub.unlink('a', 'b');
		// Each peer renames every article's draft and writes its own catalog line, as ArticleView.rename
		// does: the line shows the published revision's title, the draft's for a never-published one.
		for (const [p, who] of [
			[a, 'A'],
			[b, 'B']
		] as const) {
			const space = await p.repo.open('space/kb');
			for (const id of ids) {
				const doc = await p.repo.open(id);
				updateArticleMeta(doc, { title: `${id} par ${who}` }, 99);
				putCatalogEntry(space, articleEntry(id, doc));
			}
		}
		hub.link('a', 'b');
		for (let i = 0; i < 5; i++) {
			await settle(a, b);
			await Promise.all(keepers.map((k) => k.idle()));
		}
		const shown = new Set<string>();
		for (const p of [a, b]) {
			const catalog = new Map(readCatalog(await p.repo.open('space/kb')).map((e) => [e.docId, e]));
			for (const id of ids) {
				const doc = await p.repo.open(id);
				expect(catalog.get(id), `${p.id} ${id}`).toEqual(articleEntry(id, doc));
				expect(readArticleMeta(doc).title).toBe(readArticleMeta(await a.repo.open(id)).title);
				shown.add(catalog.get(id)!.revision ? 'published' : 'draft');
			}
		}
		expect(shown).toEqual(new Set(['published', 'draft']));
		keepers.forEach((k) => k.destroy());
	});

	it('releases its subscriptions on destroy', async () => {
		const hub = new MemoryHub();
		const a = await peer(hub, 'a');
		const before = a.repo.stats.changeListeners;
		expect(a.net.listenerCount).toBe(3);
		a.sync.destroy();
		expect(a.net.listenerCount).toBe(0);
		expect(a.repo.stats.changeListeners).toBe(before - 1);
	});
});
