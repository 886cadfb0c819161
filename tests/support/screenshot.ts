// Takes screenshots of a running Plateau for a person to look at:
//   npx tsx tests/support/screenshot.ts http://localhost:4173 out-dir [article-id]
// Goes through first run, the knowledge base, an article, the search panel and the dialogs, in
// French and English, at a phone's width (390 px) and a desktop's (1440 px).
import { mkdirSync } from 'node:fs';
import { chromium, type Page } from 'playwright';
import { chromiumLaunchOptions } from './chromium';

const base = process.argv[2] ?? 'http://localhost:3000';
const out = process.argv[3] ?? '/tmp/plateau-shots';
const article = process.argv[4] ?? 'proc-mot-de-passe-oublie';
const WIDTHS = [1440, 390];
mkdirSync(out, { recursive: true });

const browser = await chromium.launch(chromiumLaunchOptions);
for (const width of WIDTHS) {
	const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'fr-FR' });
	const page = await context.newPage();
	const shot = (name: string) => page.screenshot({ path: `${out}/${width}-${name}.png` });
	await tour(page, shot);
	await context.close();
}
await browser.close();
console.log(`Screenshots in ${out}`);

async function tour(page: Page, shot: (name: string) => Promise<unknown>): Promise<void> {
	await page.goto(base);
	// A fresh device first chooses: create a centre, join one, or try the demo.
	await page.getByRole('button', { name: /Essayer la démo|Try the demo/ }).waitFor();
	await shot('choose');
	await page
		.getByRole('button', { name: /Créer un centre|Create a centre/ })
		.first()
		.click();
	await page.getByLabel(/Nom du centre|Centre name/).waitFor();
	await shot('create-centre');
	await page.goto(`${base}/demo`);
	await page.getByLabel(/Votre nom|Your name/).waitFor();
	await shot('welcome');
	await page.getByLabel(/Votre nom|Your name/).fill('Camille Dupont');
	await page.getByLabel(/Votre plateau|Your floor/).selectOption('bourse');
	await page.getByRole('button', { name: /Commencer|Start/ }).click();
	await page.getByRole('heading', { name: /Base de connaissances|Knowledge base/ }).waitFor();
	await shot('kb-fr');
	// The search panel with results, the active one highlighted.
	await page.locator('[data-search-phase="ready"]').waitFor({ timeout: 30_000 });
	await page.locator('#kb-filter').fill('virement');
	await page.getByRole('listbox').getByRole('option').first().waitFor();
	await shot('search-fr');
	await page.keyboard.press('Escape');
	await page.keyboard.press('Escape');
	// The shortcuts sheet and the new-article form.
	await page.keyboard.press('?');
	await page.getByRole('dialog').waitFor();
	await shot('shortcuts-fr');
	await page.keyboard.press('Escape');
	await page.getByRole('button', { name: /Nouvel article|New article/ }).click();
	await page.getByRole('dialog').waitFor();
	await shot('new-article-fr');
	await page.keyboard.press('Escape');
	// A demo role (knowledge manager of the centre), then the article with Publish, then published.
	await page.goto(`${base}/settings/people`);
	await page.getByRole('heading', { level: 1, name: /Personnes et rôles|People and roles/ }).waitFor();
	await shot('people-fr');
	const demo = page.getByRole('region', { name: /Essayer un rôle de démonstration|Try a demo role/ });
	await demo.getByLabel(/^(Rôle|Role)$/).selectOption('knowledge-manager');
	await demo.getByRole('button', { name: /Prendre ce rôle|Take this role/ }).click();
	await demo.getByRole('status').waitFor();
	await page.goto(`${base}/article/${article}`);
	await page.locator('article h1').waitFor();
	await shot('article-fr');
	await page.getByRole('button', { name: /^(Publier|Publish)$/ }).click();
	await page.getByLabel(/Note de modification|Change note/).fill('Première révision relue');
	await page.getByRole('button', { name: /Publier la révision 1|Publish revision 1/ }).click();
	await page.getByTestId('revision-line').waitFor();
	await shot('article-published-fr');
	await page.goto(`${base}/article/rep-virement-refuse`);
	await page.locator('article h1').waitFor();
	await page.getByRole('button', { name: /Remplir et copier|Fill and copy/ }).click();
	await page.getByRole('dialog').waitFor();
	await shot('fill-fr');
	await page.keyboard.press('Escape');
	await page.getByRole('button', { name: 'EN', exact: true }).click();
	await page.goto(`${base}/?node=bourse`);
	await page.locator('[data-article-link]').first().waitFor();
	await shot('kb-en');
	await page.goto(`${base}/article/rep-virement-refuse`);
	await page.locator('article h1').waitFor();
	await shot('response-en');
	await page.goto(`${base}/nowhere`);
	await page.getByRole('heading').first().waitFor();
	await shot('not-found');
}
