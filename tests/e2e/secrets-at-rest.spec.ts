// No secret at rest in a readable form: after an agent onboarded on the demo centre and joined
// another centre by invite code, localStorage holds neither the centre secret nor any key, no byte
// of any IndexedDB store holds the secret or a JWK private key, and every identity key on the
// device is a CryptoKey that cannot be exported.
import { expect, test } from '@playwright/test';
import { formatInviteCode } from '../../src/lib/domain/codes';
import { scanIndexedDb } from '../support/idb-scan';
import { onboard } from './helpers';
import { randomSecret, waitingStatus } from './sync-helpers';

test('after onboarding and joining, no secret or private key is readable in localStorage or IndexedDB', async ({
	browser
}) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	try {
		await onboard(page, { name: 'Sacha Secret', floor: 'Bourse' });
		const secret = randomSecret();
		const code = formatInviteCode('acme-secrets', secret);
		await page.goto('/settings');
		await page.getByLabel('Code d’invitation').fill(code);
		const restarted = page.waitForEvent('load');
		await page.getByRole('button', { name: 'Rejoindre', exact: true }).click();
		await restarted;
		await expect(waitingStatus(page)).toBeVisible({ timeout: 30_000 });
		await expect(page).toHaveURL(/\/welcome$/); // a new centre: no profile there yet

		const local = await page.evaluate(() =>
			Object.fromEntries(
				Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i)!).map((k) => [
					k,
					localStorage.getItem(k)
				])
			)
		);
		const localText = JSON.stringify(local);
		expect(localText).not.toContain(secret);
		expect(localText).not.toMatch(/"d"|privateKey|identity|plateau:centre/);

		// Every identity on the device (demo centre and joined centre): a CryptoKey, not extractable.
		const keys = await page.evaluate(async () => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const req = indexedDB.open('plateau-device');
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => reject(req.error);
			});
			const records = await new Promise<[IDBValidKey[], unknown[]]>((resolve) => {
				const tx = db.transaction('records', 'readonly');
				const k = tx.objectStore('records').getAllKeys();
				const v = tx.objectStore('records').getAll();
				tx.oncomplete = () => resolve([k.result, v.result]);
			});
			db.close();
			return records[0].map((key, i) => {
				const value = records[1][i] as { privateKey?: unknown } | CryptoKey;
				const k = value instanceof CryptoKey ? value : value?.privateKey;
				return {
					key: String(key),
					cryptoKey: k instanceof CryptoKey,
					extractable: (k as CryptoKey | undefined)?.extractable
				};
			});
		});
		const identities = keys.filter((k) => k.key.startsWith('identity:'));
		expect(identities.map((k) => k.key).sort()).toEqual(['identity:acme-secrets', 'identity:demo']);
		for (const k of identities) expect(k).toMatchObject({ cryptoKey: true, extractable: false });
		expect(keys.find((k) => k.key === 'sealing-key')).toMatchObject({ cryptoKey: true, extractable: false });

		// A raw scan of every database: neither the secret (as stored or as shown) nor any JWK (`kty`
		// is in every one: a private key exported as JWK would carry it next to its `d`).
		const scan = await page.evaluate(scanIndexedDb, [secret, code.split(':')[2]!, 'kty']);
		expect(scan.scanned).toBeGreaterThan(0);
		expect(scan.found).toEqual([]);
		// The scan reads what is there: the agent's name is found in the demo centre's documents.
		expect((await page.evaluate(scanIndexedDb, ['Sacha Secret'])).found.length).toBeGreaterThan(0);
	} finally {
		await context.close();
	}
});
