// First run: a new agent introduces themselves, and the profile stays on the device and in the
// centre's directory (the `centre/demo` document).
import { expect, test } from '@playwright/test';
import {
	chooseDemoIfAsked,
	FIRST_START_MS,
	fr,
	listCount,
	mainHeading,
	openFresh,
	readChunks
} from './helpers';

test('a new agent introduces themselves; profile and availability persist across reloads', async ({
	browser
}) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	try {
		// A fresh device lands on the welcome form, whatever URL it opened.
		await openFresh(page);

		const name = page.getByLabel('Votre nom');
		const floor = page.getByLabel('Votre plateau');
		const french = page.getByRole('checkbox', { name: 'Français' });
		const english = page.getByRole('checkbox', { name: 'Anglais' });

		// The UI language is pre-ticked; untick it so that every field is empty.
		await expect(french).toBeChecked();
		await french.uncheck();
		await page.getByRole('button', { name: fr.start }).click();

		await expect(page).toHaveURL(/\/welcome$/);
		await expect(page.getByText('Indiquez votre nom (2 caractères au moins).')).toBeVisible();
		await expect(page.getByText('Choisissez votre plateau.')).toBeVisible();
		await expect(page.getByText('Choisissez au moins une langue.')).toBeVisible();
		await expect(name).toHaveAttribute('aria-invalid', 'true');
		await expect(name).toHaveAccessibleDescription('Indiquez votre nom (2 caractères au moins).');
		await expect(floor).toHaveAccessibleDescription('Choisissez votre plateau.');
		await expect(name).toBeFocused();

		// Nothing was written to the directory by the failed attempt.
		const centreBefore = await readChunks(page, 'centre/demo');
		expect(centreBefore.length).toBeGreaterThan(0);
		const agentName = 'Léa Fontaine-Ébrard';
		expect(centreBefore.some((c) => c.text.includes(agentName))).toBe(false);

		await name.fill(agentName);
		await floor.selectOption({ label: 'Bourse' });
		await french.check();
		await english.check();
		await page.getByRole('button', { name: fr.start }).click();

		// The knowledge base opens.
		await expect(page).toHaveURL(/\/$/);
		await expect(mainHeading(page)).toHaveText(fr.kbTitle);
		await expect(listCount(page)).toHaveText(/^[1-9]\d* article\(s\)$/);
		const banner = page.getByRole('banner');
		await expect(banner.getByText(agentName, { exact: true })).toBeVisible();
		const availability = page.getByLabel(fr.availability);
		await expect(availability).toHaveValue('available');

		// The agent is now in the centre directory: a new chunk of centre/demo carries the profile.
		await expect
			.poll(
				async () => (await readChunks(page, 'centre/demo')).filter((c) => c.text.includes(agentName)).length
			)
			.toBeGreaterThan(0);
		const centreAfter = await readChunks(page, 'centre/demo');
		expect(centreAfter.length).toBeGreaterThan(centreBefore.length);
		const profileChunk = centreAfter.find((c) => c.text.includes(agentName))!;
		expect(profileChunk.binary).toBe(true);
		expect(profileChunk.text).toContain('bourse');

		// Reload: the profile is remembered and the welcome form is not shown again.
		await page.reload();
		await expect(mainHeading(page)).toHaveText(fr.kbTitle);
		await expect(page).toHaveURL(/\/$/);
		await expect(page.getByRole('heading', { name: fr.welcomeTitle })).toHaveCount(0);
		await expect(banner.getByText(agentName, { exact: true })).toBeVisible();
		await expect(availability).toHaveValue('available');

		// Availability changes persist across a reload, and reach the directory.
		await availability.selectOption({ label: 'En appel' });
		await expect(availability).toHaveValue('busy');
		await expect
			.poll(
				async () =>
					(await readChunks(page, 'centre/demo')).filter(
						(c) => c.text.includes(agentName) && c.text.includes('busy')
					).length
			)
			.toBeGreaterThan(0);
		await page.reload();
		await expect(mainHeading(page)).toHaveText(fr.kbTitle);
		await expect(page.getByLabel(fr.availability)).toHaveValue('busy');
		await expect(page.getByLabel(fr.availability).locator('option:checked')).toHaveText('En appel');

		// The settings page shows the saved profile in its form.
		await page.goto('/settings');
		await expect(page.getByRole('heading', { name: 'Paramètres', level: 1 })).toBeVisible();
		await expect(page.getByLabel('Votre nom')).toHaveValue(agentName);
		await expect(page.getByLabel('Votre plateau')).toHaveValue('bourse');
		await expect(page.getByRole('checkbox', { name: 'Anglais' })).toBeChecked();
	} finally {
		await context.close();
	}
});

test('another context on the same browser is a different device and starts on /welcome', async ({
	browser
}) => {
	const a = await browser.newContext();
	const b = await browser.newContext();
	try {
		const pageA = await a.newPage();
		await openFresh(pageA);
		await pageA.getByLabel('Votre nom').fill('Agent A');
		await pageA.getByLabel('Votre plateau').selectOption({ label: 'Support technique' });
		await pageA.getByRole('button', { name: fr.start }).click();
		await expect(mainHeading(pageA)).toHaveText(fr.kbTitle);

		// B has no profile of its own: its first visit, even to an article, goes to /welcome.
		const pageB = await b.newPage();
		await pageB.goto('/article/proc-mot-de-passe-oublie');
		await expect(pageB).toHaveURL(/\/welcome$/, { timeout: FIRST_START_MS });
		await chooseDemoIfAsked(pageB);
		await expect(pageB.getByLabel('Votre nom')).toHaveValue('');
	} finally {
		await a.close();
		await b.close();
	}
});

test('the demo link opens a fresh device straight on the demo centre’s first-run form', async ({
	browser
}) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	try {
		await page.goto('/demo');
		await expect(page).toHaveURL(/\/welcome$/, { timeout: FIRST_START_MS });
		// No choice to make: the demo centre is open, its floors offered.
		await expect(page.getByLabel('Votre nom')).toBeVisible({ timeout: FIRST_START_MS });
		await expect(page.getByRole('button', { name: fr.tryDemo, exact: true })).toHaveCount(0);
		await expect(page.getByLabel('Votre plateau').getByRole('option', { name: 'Bourse' })).toHaveCount(1);
	} finally {
		await context.close();
	}
});
