// Centres on one device, against real IndexedDB in Chromium: a fresh device opens nothing until
// its agent chooses; a created centre makes its creator the administrator and holds its template's
// taxonomy and none of the demo's content; switching keeps each centre's documents in its own
// database; a wrong or malformed code gives a clear error and never leaves the app stuck.
import { afterEach, describe, expect, it } from 'vitest';
import { App, type AppEnvironment } from '../../src/lib/state/app.svelte';
import { databaseName, IndexedDbStorage } from '../../src/lib/storage/indexeddb';
import { IndexedDbDeviceStore } from '../../src/lib/storage/device-idb';
import { formatInviteCode, newCentreSecret } from '../../src/lib/domain/codes';
import { ValidationError } from '../../src/lib/domain/validation';
import { memoryStorage } from '../support/memory-storage';

let n = 0;
const apps: App[] = [];

/** An environment whose databases carry `suffix` (apart from other tests'); `opened` records the
 *  stores the app opened. */
function environment(suffix: string) {
	const opened: string[] = [];
	const env: AppEnvironment = {
		openStorage: (store) => {
			opened.push(store);
			return new IndexedDbStorage(databaseName(`${store}-${suffix}`));
		},
		deleteStorage: (store) => IndexedDbStorage.deleteDatabase(databaseName(`${store}-${suffix}`)),
		device: new IndexedDbDeviceStore(`plateau-device-${suffix}`),
		storage: memoryStorage({ 'plateau:locale': 'fr' })
	};
	return { env, opened };
}

/** Document ids in one of the app's databases, read straight from IndexedDB. */
async function idsIn(store: string, suffix: string): Promise<string[]> {
	const name = databaseName(`${store}-${suffix}`);
	if (!(await indexedDB.databases()).some((d) => d.name === name)) return [];
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const req = indexedDB.open(name);
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error);
	});
	try {
		// Entries keyed by document id, and list records (`~list/…`: the ids one transaction wrote).
		return await new Promise<string[]>((resolve, reject) => {
			const os = db.transaction('docs', 'readonly').objectStore('docs');
			const keys = os.getAllKeys();
			const lists = os.getAll(IDBKeyRange.bound('~list/', '~list/\uffff'));
			lists.onsuccess = () => {
				const ids = (keys.result as string[]).filter((k) => !k.startsWith('~list/'));
				const all = [...new Set([...ids, ...(lists.result as string[][]).flat()])];
				resolve(all.filter((id) => !id.startsWith('signed-log:')));
			};
			lists.onerror = () => reject(lists.error);
		});
	} finally {
		db.close();
	}
}

async function started(env: AppEnvironment, code?: string): Promise<App> {
	const app = new App(env, code);
	apps.push(app);
	await app.start();
	return app;
}

afterEach(async () => {
	for (const app of apps.splice(0)) await app.destroy();
});

describe('the first run', () => {
	it('a fresh device opens no store and seeds nothing until its agent chooses', async () => {
		const suffix = `fresh-${Date.now()}-${++n}`;
		const { env, opened } = environment(suffix);
		const app = await started(env);
		expect(app.status).toBe('choosing');
		expect(opened).toEqual([]);
		expect(app.repo).toBeUndefined();
		expect(app.centres).toEqual([]);
		expect(await idsIn('demo', suffix)).toEqual([]);
	});

	it('creating a centre: the template’s taxonomy, the typed floors, the creator its administrator, no demo content', async () => {
		const suffix = `create-${Date.now()}-${++n}`;
		const { env } = environment(suffix);
		const app = await started(env);
		await expect(
			app.createCentre({ name: 'B', floors: ['Cartes'], languages: ['fr'], template: 'bank' })
		).rejects.toBeInstanceOf(ValidationError);
		expect(app.status).toBe('choosing');

		const centreId = await app.createCentre({
			name: 'Banque Rhône',
			floors: ['Cartes', 'Crédits'],
			languages: ['fr', 'en'],
			template: 'bank'
		});
		expect(app.status).toBe('ready');
		expect(app.centreId).toBe(centreId);
		expect(app.credentials.seed).toBe(false);
		// The secret makes a valid invite code.
		expect(formatInviteCode(centreId, app.credentials.secret)).toMatch(new RegExp(`^plateau:${centreId}:`));
		expect(app.kb!.centre?.name.fr).toBe('Banque Rhône');
		expect(app.kb!.floors.map((f) => f.name.fr).sort()).toEqual(['Cartes', 'Crédits']);
		expect(app.kb!.nodes.get('cartes.opposition')?.label.fr).toBe('Perte, vol et opposition');
		expect(app.kb!.entries).toEqual([]);
		expect(app.isAdmin).toBe(true);
		// The founder's administrator role comes from a signed record written at creation, which
		// every peer verifies (not only from the unsigned administrators list).
		await app.roles!.refresh();
		const founder = app.identity!.agentId;
		expect(app.roles!.roles!.isAdministrator(founder)).toBe(true);
		expect(app.roles!.roles!.rolesOf(founder).some((r) => r.role === 'administrator' && !r.demo)).toBe(true);
		expect(app.session!.isFirstRun).toBe(true);
		await app.session!.save({ name: 'Inès Fondatrice', floor: 'cartes', languages: ['fr'] });
		expect(app.kb!.agents.map((a) => a.name)).toEqual(['Inès Fondatrice']);
		// Only the centre's documents in its own database; nothing was seeded.
		const ids = await idsIn(`joined-${centreId}`, suffix);
		expect(ids).toContain(`centre/${centreId}`);
		expect(ids.filter((id) => id.startsWith('article/'))).toEqual([]);
		expect(await idsIn('demo', suffix)).toEqual([]);

		// A restart reopens it, creator still administrator, profile kept.
		await app.destroy();
		apps.pop();
		const again = await started(environment(suffix).env);
		expect(again.centreId).toBe(centreId);
		expect(again.isAdmin).toBe(true);
		expect(again.session!.profile?.name).toBe('Inès Fondatrice');
	});

	it('switching centres keeps each centre’s data apart in its own IndexedDB database', async () => {
		const suffix = `switch-${Date.now()}-${++n}`;
		const { env } = environment(suffix);
		const app = await started(env);
		const centreId = await app.createCentre({
			name: 'Télécom Sud',
			floors: ['Mobile'],
			languages: ['fr'],
			template: 'telecom'
		});
		await app.session!.save({ name: 'Karim Réseau', floor: 'mobile', languages: ['fr'] });
		const agentInCentre = app.session!.agentId;

		await app.chooseAnother(); // the centre holds content: it stays on the device
		expect(app.status).toBe('choosing');
		expect(app.centres.map((c) => c.centreId)).toEqual([centreId]);
		await app.tryDemo();
		expect(app.centreId).toBe('demo');
		expect(app.kb!.articleCount).toBeGreaterThan(20);
		expect(app.session!.isFirstRun).toBe(true); // a profile per centre
		expect(app.session!.agentId).not.toBe(agentInCentre); // and an identity per centre
		expect(app.isAdmin).toBe(false);
		expect(app.centres.map((c) => [c.centreId, c.current])).toEqual([
			[centreId, false],
			['demo', true]
		]);

		await app.switchTo(centreId);
		expect(app.centreId).toBe(centreId);
		expect(app.session!.profile?.name).toBe('Karim Réseau');
		expect(app.kb!.entries).toEqual([]);
		expect(app.kb!.nodes.has('mobile.sim')).toBe(true);
		expect(app.kb!.nodes.has('bourse.ordres')).toBe(false);

		const demoIds = await idsIn('demo', suffix);
		const centreIds = await idsIn(`joined-${centreId}`, suffix);
		expect(demoIds.filter((id) => id.startsWith('article/')).length).toBeGreaterThan(20);
		expect(demoIds).not.toContain(`centre/${centreId}`);
		expect(centreIds.filter((id) => id.startsWith('article/'))).toEqual([]);
		expect(centreIds).not.toContain('centre/demo');
	});
});

describe('wrong codes', () => {
	it('a malformed invite link leaves a fresh device on the choice, with the reason', async () => {
		const { env, opened } = environment(`bad-${Date.now()}-${++n}`);
		const app = await started(env, 'plateau:acme');
		expect(app.status).toBe('choosing');
		expect(app.inviteError).toBe('parts');
		expect(opened).toEqual([]);
		await expect(app.join('nothing like a code')).rejects.toMatchObject({ reason: 'prefix' });
		await expect(app.join(`plateau:Acme Lyon:${newCentreSecret()}`)).rejects.toMatchObject({
			reason: 'centre-id'
		});
		await expect(app.join('plateau:acme:k3f9')).rejects.toMatchObject({ reason: 'secret-length' });
		expect(app.status).toBe('choosing');
		expect(app.centres).toEqual([]);
	});

	it('a centre joined with a code that reaches nobody can be left: it is removed from the device', async () => {
		const suffix = `leave-${Date.now()}-${++n}`;
		const { env } = environment(suffix);
		const app = await started(env, formatInviteCode('invente', newCentreSecret()));
		expect(app.status).toBe('ready');
		expect(app.centreId).toBe('invente');
		expect(app.kb!.floors).toEqual([]); // waiting: nothing has come
		expect(app.centres.map((c) => c.centreId)).toEqual(['invente']);
		await app.chooseAnother();
		expect(app.status).toBe('choosing');
		expect(app.centres).toEqual([]);
		expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(
			databaseName(`joined-invente-${suffix}`)
		);
		// The next start is a fresh device's again.
		await app.destroy();
		apps.pop();
		expect((await started(environment(suffix).env)).status).toBe('choosing');
	});
});

describe('invite rotation', () => {
	it('an administrator revokes the code: a new secret, the same centre and documents; a member re-keys with the new code and keeps everything', async () => {
		const suffix = `rotate-${Date.now()}-${++n}`;
		const admin = await started(environment(suffix).env);
		const centreId = await admin.createCentre({
			name: 'Boutique Nord',
			floors: ['Commandes'],
			languages: ['fr'],
			template: 'shop'
		});
		await admin.session!.save({ name: 'Alma Admin', floor: 'commandes', languages: ['fr'] });
		const old = admin.credentials.secret;
		const fresh = await admin.rotateInvite();
		expect(fresh).not.toBe(old);
		expect(admin.credentials).toMatchObject({ centreId, secret: fresh, seed: false });
		expect(admin.status).toBe('ready');
		expect(admin.isAdmin).toBe(true);
		expect(admin.session!.profile?.name).toBe('Alma Admin');
		expect(admin.kb!.nodes.has('livraison.retard')).toBe(true);
		expect(admin.centres.map((c) => [c.centreId, c.name])).toEqual([[centreId, 'Boutique Nord']]);

		// A member holding the old code (its own device) enters the new one: same store, re-keyed.
		const memberSuffix = `${suffix}-member`;
		const member = await started(environment(memberSuffix).env, formatInviteCode(centreId, old));
		// Something only this device holds (received before the rotation, say).
		(await member.repo!.open(`article/kept-${suffix}`)).getMap('probe').set('held', true);
		await member.repo!.flush();
		const storeBefore = member.storeName;
		await member.join(formatInviteCode(centreId, fresh));
		await member.destroy();
		apps.splice(apps.indexOf(member), 1);
		const rekeyed = await started(environment(memberSuffix).env);
		expect(rekeyed.credentials).toMatchObject({ centreId, secret: fresh });
		expect(rekeyed.storeName).toBe(storeBefore);
		expect(await idsIn(storeBefore, memberSuffix)).toContain(`article/kept-${suffix}`);
		// Nobody but an administrator may change the code.
		await expect(rekeyed.rotateInvite()).rejects.toThrow(/administrator/);
		expect(rekeyed.credentials.secret).toBe(fresh);
	});
});
