// Takes screenshots of a running Plateau for a person to look at:
//   npx tsx tests/support/screenshot.ts http://localhost:4173 out-dir
// Goes through first run, the knowledge base and an article, in French and English.
import { chromium } from 'playwright';
import { chromiumLaunchOptions } from './chromium';

const base = process.argv[2] ?? 'http://localhost:3000';
const out = process.argv[3] ?? '/tmp/plateau-shots';
const browser = await chromium.launch(chromiumLaunchOptions);
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(base);
await page.getByLabel(/Votre nom|Your name/).waitFor();
await page.screenshot({ path: `${out}/welcome.png` });
await page.getByLabel(/Votre nom|Your name/).fill('Camille Dupont');
await page.getByLabel(/Votre plateau|Your floor/).selectOption('bourse');
await page.getByRole('button', { name: /Commencer|Start/ }).click();
await page.getByRole('heading', { name: /Base de connaissances|Knowledge base/ }).waitFor();
await page.screenshot({ path: `${out}/kb-fr.png` });
await page.goto(`${base}/article/${process.argv[4] ?? 'proc-mot-de-passe-oublie'}`);
await page.locator('article h1').waitFor();
await page.screenshot({ path: `${out}/article-fr.png`, fullPage: false });
await page.getByRole('button', { name: 'EN' }).click();
await page.goto(`${base}/?node=bourse`);
await page.locator('[data-article-link]').first().waitFor();
await page.screenshot({ path: `${out}/kb-en.png` });
await page.goto(`${base}/article/rep-virement-refuse`);
await page.locator('article h1').waitFor();
await page.screenshot({ path: `${out}/response-en.png` });
await page.goto(`${base}/nowhere`);
await page.waitForTimeout(500);
await page.screenshot({ path: `${out}/not-found.png` });
await browser.close();
console.log(`Screenshots in ${out}`);
