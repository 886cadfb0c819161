// Creating a centre: the form's checks, ids made from names, every taxonomy template (bank, telecom,
// online shop, the demo's) giving a centre document that reads back whole and valid, and the
// device's list of centres (several per device, switching, forgetting, older demo devices).
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	centreInfo,
	CENTRE_TEMPLATES,
	floorsFromNames,
	newCentreId,
	slug,
	taxonomyFromEntries,
	validateNewCentre,
	type CentreTemplate
} from '../../src/lib/domain/centre-setup';
import { validateFloor } from '../../src/lib/domain/centre';
import { inviteCodeFromInput, newCentreSecret, parseInviteCode } from '../../src/lib/domain/codes';
import { buildTaxonomyTree } from '../../src/lib/domain/taxonomy';
import { requireId, ValidationError } from '../../src/lib/domain/validation';
import {
	initCentre,
	isCentreAdmin,
	readCentreInfo,
	readCentreLanguages,
	readFloors,
	readTaxonomy,
	setCentreLanguages
} from '../../src/lib/schema/index';
import { loadCentreTemplate } from '../../src/lib/seed/centre-templates';
import { loadDemoSeed } from '../../src/lib/seed/seed';
import { DEVICE_KEYS, MemoryDeviceStore } from '../../src/lib/repo/device-store';
import {
	DEMO_CENTRE,
	forgetCentre,
	listCentres,
	readCredentials,
	saveCredentials,
	switchCentre
} from '../../src/lib/state/centre-credentials';

const form = {
	name: 'Banque Rhône — Lyon',
	floors: ['Cartes', 'Crédits'],
	languages: ['fr'],
	template: 'bank'
};

function field(run: () => unknown): string {
	try {
		run();
	} catch (err) {
		if (err instanceof ValidationError) return err.field;
		throw err;
	}
	return 'none';
}

describe('the creation form', () => {
	it('accepts a complete form; trims, drops empty and duplicate floors, orders languages', () => {
		const ok = validateNewCentre({
			...form,
			floors: ['  Cartes ', '', 'cartes', 'Crédits'],
			languages: ['en', 'fr', 'de']
		});
		expect(ok).toEqual({
			name: 'Banque Rhône — Lyon',
			floorNames: ['Cartes', 'Crédits'],
			languages: ['fr', 'en'],
			template: 'bank'
		});
	});

	it('names the field at fault', () => {
		expect(field(() => validateNewCentre({ ...form, name: ' x ' }))).toBe('name');
		expect(field(() => validateNewCentre({ ...form, name: 'n'.repeat(81) }))).toBe('name');
		expect(field(() => validateNewCentre({ ...form, floors: ['', '  '] }))).toBe('floors');
		expect(field(() => validateNewCentre({ ...form, floors: ['f'.repeat(61)] }))).toBe('floors');
		expect(
			field(() => validateNewCentre({ ...form, floors: Array.from({ length: 31 }, (_, i) => `P${i}`) }))
		).toBe('floors');
		expect(field(() => validateNewCentre({ ...form, languages: ['de'] }))).toBe('languages');
		expect(field(() => validateNewCentre({ ...form, template: 'casino' }))).toBe('template');
	});

	it('makes ids from names: a centre id an invite code accepts, unique floor ids', () => {
		expect(slug('Crédit Mutuel — Lyon 3e')).toBe('credit-mutuel-lyon-3e');
		const id = newCentreId('Banque Rhône — Lyon');
		expect(id).toMatch(/^banque-rhone-lyon-[0-9a-z]{6}$/);
		expect(newCentreId('Banque Rhône — Lyon')).not.toBe(id);
		expect(newCentreId('§§§')).toMatch(/^centre-[0-9a-z]{6}$/);
		const secret = newCentreSecret();
		expect(parseInviteCode(`plateau:${id}:${secret}`)).toEqual({ centreId: id, secret });
		const long = newCentreId('x'.repeat(200));
		expect(parseInviteCode(`plateau:${long}:${secret}`).centreId).toBe(long);
		const floors = floorsFromNames(['Cartes', 'Cartes!', '€€', 'Crédits']);
		expect(floors.map((f) => f.id)).toEqual(['cartes', 'cartes-2', 'plateau-3', 'credits']);
		for (const f of floors) expect(validateFloor(f)).toEqual(f);
	});

	it('reads the invite code inside a pasted link', () => {
		const code = `plateau:acme:${newCentreSecret()}`;
		expect(inviteCodeFromInput(` https://plateau.example/join#${encodeURIComponent(code)} `)).toBe(code);
		expect(inviteCodeFromInput(code)).toBe(code);
		expect(inviteCodeFromInput('plateau:acme#x')).toBe('plateau:acme#x');
	});
});

describe('taxonomy templates', () => {
	it('parent from the id, order among siblings', () => {
		const nodes = taxonomyFromEntries([
			{ id: 'a', fr: 'A', en: 'A' },
			{ id: 'a.x', fr: 'AX', en: 'AX' },
			{ id: 'b', fr: 'B', en: 'B' },
			{ id: 'a.y', fr: 'AY', en: 'AY' },
			{ id: 'z.orphan', fr: 'O', en: 'O' }
		]);
		expect(nodes.map((n) => [n.id, n.parent, n.order])).toEqual([
			['a', undefined, 0],
			['a.x', 'a', 0],
			['b', undefined, 1],
			['a.y', 'a', 1],
			['z.orphan', undefined, 2]
		]);
	});

	it.each(CENTRE_TEMPLATES.filter((t) => t !== 'empty'))(
		'%s: a valid centre document with the template’s whole tree, in French and English',
		async (template) => {
			const data = await loadCentreTemplate(template as CentreTemplate, loadDemoSeed);
			expect(data.taxonomy.length).toBeGreaterThanOrEqual(25);
			expect(data.floors.length).toBeGreaterThanOrEqual(3);
			const ids = data.taxonomy.map((n) => n.id);
			expect(new Set(ids).size).toBe(ids.length);
			for (const n of data.taxonomy) {
				expect(requireId(n.id, 'id')).toBe(n.id);
				expect(n.label.fr.trim().length).toBeGreaterThan(1);
				expect(n.label.en.trim().length).toBeGreaterThan(1);
				if (n.parent) expect(ids).toContain(n.parent);
			}
			// Several roots, each with children: a tree, not a list.
			const tree = buildTaxonomyTree(data.taxonomy);
			expect(tree.length).toBeGreaterThanOrEqual(4);
			expect(tree.filter((r) => r.children.length > 0).length).toBeGreaterThanOrEqual(4);

			const doc = new Y.Doc();
			const floors = floorsFromNames(data.floors.map((f) => f.fr));
			const admin = { agentId: 'agent-creator', publicKey: 'AAAA' };
			initCentre(doc, centreInfo('acme-k3f9qz', 'Acme'), floors, data.taxonomy, [], [admin]);
			setCentreLanguages(doc, ['en', 'fr']);
			// Read back from the bytes another device would receive.
			const copy = new Y.Doc();
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
			expect(readCentreInfo(copy)).toEqual({ id: 'acme-k3f9qz', name: { fr: 'Acme', en: 'Acme' } });
			expect(readTaxonomy(copy).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
				[...data.taxonomy].sort((a, b) => a.id.localeCompare(b.id))
			);
			expect(
				readFloors(copy)
					.map((f) => f.id)
					.sort()
			).toEqual(floors.map((f) => f.id).sort());
			expect(readCentreLanguages(copy)).toEqual(['fr', 'en']);
			expect(isCentreAdmin(copy, 'agent-creator', 'AAAA')).toBe(true);
			expect(isCentreAdmin(copy, 'agent-other', 'AAAA')).toBe(false);
		}
	);

	it('the demo’s template is the demo centre’s own tree; empty is empty', async () => {
		const demo = await loadCentreTemplate('demo', loadDemoSeed);
		expect(demo.taxonomy.map((n) => n.id)).toContain('bourse.ordres.rejete');
		expect(demo.floors.map((f) => f.fr).sort()).toEqual(['Bourse', 'Gestion de compte', 'Support technique']);
		expect(await loadCentreTemplate('empty')).toEqual({ floors: [], taxonomy: [] });
		const bank = await loadCentreTemplate('bank');
		expect(bank.taxonomy.some((n) => n.id.startsWith('bourse.'))).toBe(false);
	});

	it('a centre without languages offers every language', () => {
		expect(readCentreLanguages(new Y.Doc())).toEqual(['fr', 'en']);
	});
});

describe('the centres of a device', () => {
	it('a fresh device belongs to no centre; an older demo device stays on the demo', async () => {
		expect(await readCredentials(new MemoryDeviceStore(), undefined)).toBeUndefined();
		const older = new MemoryDeviceStore(new Map([[DEVICE_KEYS.profile(DEMO_CENTRE), { name: 'x' }]]));
		expect(await readCredentials(older, undefined)).toMatchObject({ centreId: DEMO_CENTRE, seed: true });
	});

	it('keeps several centres, switches between them, and forgets one', async () => {
		const device = new MemoryDeviceStore();
		const a = { centreId: 'banque-k3f9qz', secret: newCentreSecret(), seed: false };
		const b = { centreId: 'telco-2m7q8h', secret: newCentreSecret(), seed: false };
		await saveCredentials(device, a, 'Banque');
		await saveCredentials(device, b);
		expect(await readCredentials(device, undefined)).toEqual(b);
		expect(await listCentres(device)).toEqual([
			{ centreId: a.centreId, seed: false, name: 'Banque', current: false },
			{ centreId: b.centreId, seed: false, current: true }
		]);
		await switchCentre(device, a.centreId);
		expect(await readCredentials(device, undefined)).toEqual(a);
		await expect(switchCentre(device, 'unknown')).rejects.toThrow(/does not belong/);
		// No secret in clear anywhere in the device's records.
		expect(JSON.stringify([...device.records.values()])).not.toContain(a.secret);

		await device.write({ [DEVICE_KEYS.profile(a.centreId)]: { name: 'Léa' } });
		expect(await forgetCentre(device, a.centreId)).toBe(b.centreId);
		expect(await readCredentials(device, undefined)).toEqual(b);
		expect(await device.get(DEVICE_KEYS.profile(a.centreId))).toBeUndefined();
		expect((await listCentres(device)).map((c) => c.centreId)).toEqual([b.centreId]);
		expect(await forgetCentre(device, b.centreId)).toBeUndefined();
		expect(await readCredentials(device, undefined)).toBeUndefined();
	});
});
