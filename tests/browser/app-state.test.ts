// The app's state classes against real IndexedDB in Chromium: first start seeds the demo centre,
// a restart reads it back without seeding, the profile persists in the device store, what older
// versions kept in localStorage moves there once with no secret left readable anywhere, and every
// subscription is released.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { App, type AppEnvironment } from '../../src/lib/state/app.svelte';
import { ArticleView } from '../../src/lib/state/article-view.svelte';
import { databaseName, IndexedDbStorage } from '../../src/lib/storage/indexeddb';
import { IndexedDbDeviceStore } from '../../src/lib/storage/device-idb';
import { putCatalogEntry } from '../../src/lib/schema/index';
import { agentIdOf } from '../../src/lib/repo/identity';
import { toBase64 } from '../../src/lib/domain/base64';
import { formatInviteCode, newCentreSecret } from '../../src/lib/domain/codes';
import { memoryStorage } from '../support/memory-storage';
import { scanIndexedDb } from '../support/idb-scan';

let n = 0;
const apps: App[] = [];

function environment(suffix: string, storage: Storage): AppEnvironment {
	return {
		openStorage: (centreId) => new IndexedDbStorage(databaseName(`${centreId}-${suffix}`)),
		deleteStorage: (centreId) => IndexedDbStorage.deleteDatabase(databaseName(`${centreId}-${suffix}`)),
		device: new IndexedDbDeviceStore(`plateau-device-${suffix}`),
		storage
	};
}

/** An identity as older versions kept it in localStorage: an extractable private key as JWK. */
async function legacyIdentity() {
	const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
		'sign',
		'verify'
	])) as CryptoKeyPair;
	const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
	const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
	return { agentId: await agentIdOf(publicKey), publicKey: toBase64(publicKey), privateKey: jwk };
}

/** How many 'update' listeners a Y.Doc has (Yjs keeps them in an observable map). */
function updateListeners(doc: Y.Doc): number {
	return (doc as unknown as { _observers: Map<string, Set<unknown>> })._observers.get('update')?.size ?? 0;
}

afterEach(async () => {
	for (const app of apps.splice(0)) await app.destroy();
});

describe('App on IndexedDB', () => {
	it('seeds the demo centre once, then reopens it from storage with the profile', async () => {
		const suffix = `state-${Date.now()}-${++n}`;
		const local = memoryStorage();
		const first = new App(environment(suffix, local));
		apps.push(first);
		await first.start().then(() => first.tryDemo());
		expect(first.status).toBe('ready');
		expect(first.progress.total).toBeGreaterThan(60);
		expect(first.kb!.articleCount).toBeGreaterThanOrEqual(40);
		expect(first.kb!.floors.map((f) => f.name.fr).sort()).toEqual([
			'Bourse',
			'Gestion de compte',
			'Support technique'
		]);
		expect(first.session!.isFirstRun).toBe(true);
		await first.session!.save({ name: 'Camille Dupont', floor: 'bourse', languages: ['fr', 'en'] });
		expect(local.length).toBe(0); // nothing of the agent's in localStorage
		expect(first.kb!.agents.some((a) => a.name === 'Camille Dupont')).toBe(true);
		await first.destroy();
		apps.pop();

		const second = new App(environment(suffix, local));
		apps.push(second);
		await second.start();
		expect(second.status).toBe('ready');
		expect(second.progress.total).toBe(0); // nothing seeded the second time
		expect(second.session!.profile?.name).toBe('Camille Dupont');
		expect(second.kb!.agents.some((a) => a.name === 'Camille Dupont' && a.floor === 'bourse')).toBe(true);
		expect(second.kb!.articleCount).toBe(first.kb!.articleCount);
	});

	it('reset reinstalls deleted demo articles and keeps the profile', async () => {
		const app = new App(environment(`reset-${Date.now()}-${++n}`, memoryStorage()));
		apps.push(app);
		await app.start().then(() => app.tryDemo());
		await app.session!.save({ name: 'Léa Martin', floor: 'support-technique', languages: ['fr'] });
		await app.repo!.remove('article/proc-mot-de-passe-oublie');
		expect(await app.repo!.find('article/proc-mot-de-passe-oublie')).toBeUndefined();
		await app.resetDemo();
		expect(app.status).toBe('ready');
		expect(await app.repo!.find('article/proc-mot-de-passe-oublie')).toBeDefined();
		expect(app.session!.profile?.name).toBe('Léa Martin');
		expect(app.kb!.agents.some((a) => a.name === 'Léa Martin')).toBe(true);
	});
});

describe('secrets at rest', () => {
	it('moves an older device’s localStorage into the device store once: key not extractable, secret sealed, nothing readable left', async () => {
		const suffix = `migrate-${Date.now()}-${++n}`;
		const secret = newCentreSecret();
		const legacy = await legacyIdentity();
		const centreId = `acme-${suffix}`.slice(0, 60);
		const profile = {
			id: legacy.agentId,
			name: 'Nora Ancienne',
			floor: 'bourse',
			languages: ['fr'],
			skills: [],
			availability: 'available'
		};
		const local = memoryStorage({
			'plateau:centre': JSON.stringify({ centreId, secret, seed: false }),
			[`plateau:${centreId}:identity`]: JSON.stringify(legacy),
			[`plateau:${centreId}:agent-id`]: legacy.agentId,
			[`plateau:${centreId}:profile`]: JSON.stringify(profile),
			'plateau:locale': 'fr'
		});
		const app = new App(environment(suffix, local));
		apps.push(app);
		await app.start();
		expect(app.status).toBe('ready');
		expect(app.credentials).toMatchObject({ centreId, secret, seed: false });
		expect(app.identity!.agentId).toBe(legacy.agentId);
		expect(app.identity!.privateKey.extractable).toBe(false);
		expect(app.session!.profile?.name).toBe('Nora Ancienne');
		// Only the UI language is left in localStorage.
		expect(Array.from({ length: local.length }, (_, i) => local.key(i))).toEqual(['plateau:locale']);
		// No byte of any IndexedDB database holds the secret (plain or as shown) or the key's `d`.
		const scan = await scanIndexedDb([
			secret,
			formatInviteCode(centreId, secret).split(':')[2]!,
			legacy.privateKey.d!
		]);
		expect(scan.scanned).toBeGreaterThan(0);
		expect(scan.found).toEqual([]);
		// The scan does read what is there: the (public) agent id is found.
		expect((await scanIndexedDb([legacy.agentId])).found.length).toBeGreaterThan(0);
		await app.destroy();
		apps.pop();

		// The next start reads the same centre, agent and profile from the device store alone.
		const again = new App(environment(suffix, local));
		apps.push(again);
		await again.start();
		expect(again.credentials.secret).toBe(secret);
		expect(again.identity!.agentId).toBe(legacy.agentId);
		expect(again.identity!.privateKey.extractable).toBe(false);
		expect(again.session!.profile?.name).toBe('Nora Ancienne');
	});

	it('an invite link joins durably: the secret is sealed and the next start is on that centre', async () => {
		const suffix = `join-${Date.now()}-${++n}`;
		const secret = newCentreSecret();
		const code = formatInviteCode('acme-lyon', secret);
		const local = memoryStorage();
		const app = new App(environment(suffix, local), code);
		apps.push(app);
		await app.start();
		expect(app.credentials).toMatchObject({ centreId: 'acme-lyon', secret, seed: false });
		expect(app.storeName).toBe('joined-acme-lyon');
		expect(local.length).toBe(0);
		expect((await scanIndexedDb([secret])).found).toEqual([]);
		await app.destroy();
		apps.pop();
		const again = new App(environment(suffix, local));
		apps.push(again);
		await again.start();
		expect(again.credentials).toMatchObject({ centreId: 'acme-lyon', secret, seed: false });
		await again.join(formatInviteCode('demo', newCentreSecret()));
		await expect(again.join('plateau:nope')).rejects.toMatchObject({ reason: 'parts' });
	});
});

describe('subscriptions are released', () => {
	it('opening and closing an article view 50 times leaves no listener on its document', async () => {
		const app = new App(environment(`views-${Date.now()}-${++n}`, memoryStorage()));
		apps.push(app);
		await app.start().then(() => app.tryDemo());
		const docId = 'article/proc-virement-refuse';
		const doc = await app.repo!.open(docId);
		const baseline = updateListeners(doc);
		for (let i = 0; i < 50; i++) {
			const view = new ArticleView(app.repo!, docId);
			await expect.poll(() => view.status, { interval: 2 }).toBe('ready');
			expect(view.meta?.title).toBe('Virement refusé');
			view.destroy();
		}
		expect(updateListeners(doc)).toBe(baseline);
	});

	it('an article view follows changes to its document until destroyed', async () => {
		const app = new App(environment(`follow-${Date.now()}-${++n}`, memoryStorage()));
		apps.push(app);
		await app.start().then(() => app.tryDemo());
		const docId = 'article/proc-compte-bloque';
		const view = new ArticleView(app.repo!, docId);
		await expect.poll(() => view.status).toBe('ready');
		const doc = await app.repo!.open(docId);
		doc.getMap('meta').set('title', 'Compte bloqué (mis à jour)');
		expect(view.meta?.title).toBe('Compte bloqué (mis à jour)');
		view.destroy();
		doc.getMap('meta').set('title', 'Encore changé');
		expect(view.meta?.title).toBe('Compte bloqué (mis à jour)');
	});

	it('the knowledge base follows its catalog and stops on destroy', async () => {
		const app = new App(environment(`kb-${Date.now()}-${++n}`, memoryStorage()));
		apps.push(app);
		await app.start().then(() => app.tryDemo());
		const kb = app.kb!;
		const space = await app.repo!.open('space/kb');
		const before = kb.articleCount;
		putCatalogEntry(space, {
			docId: 'article/nouveau',
			kind: 'faq',
			title: 'Nouvelle question',
			node: 'bourse.srd',
			locale: 'fr',
			status: 'published',
			updatedAt: Date.now()
		});
		expect(kb.articleCount).toBe(before + 1);
		expect(kb.list({ node: 'bourse' }, 'fr').map((e) => e.title)).toContain('Nouvelle question');
		kb.destroy();
		putCatalogEntry(space, { ...kb.entry('article/nouveau')!, docId: 'article/autre', title: 'Autre' });
		expect(kb.entries.some((e) => e.docId === 'article/autre')).toBe(false);
	});
});
