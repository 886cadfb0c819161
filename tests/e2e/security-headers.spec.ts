// Security headers and the Content-Security-Policy against the production build: every kind of
// response carries them (page, article route, static asset, 404, refused signaling upgrade), the
// app boots under the CSP without a single violation, and an article holding a remote image (a
// tracking pixel) fetches nothing from elsewhere when it is written or opened.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { testBudget } from './budget';
import { fr, onboard, waitForServiceWorkerControl } from './helpers';
import { articleTitle } from './sync-helpers';

// A draft never published: its readers read the draft (a published article's read its revision).
const ARTICLE = 'faq-frais-tenue-compte';

// Onboarding seeds the demo centre first: slow on a loaded machine.
test.setTimeout(testBudget(120_000));

/** What every response must carry, whatever produced it. */
function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>, what: string): void {
	const csp = String(headers['content-security-policy'] ?? '');
	const directive = (name: string) =>
		csp
			.split(';')
			.map((d) => d.trim())
			.find((d) => d.startsWith(`${name} `)) ?? '';
	expect(csp, `${what}: CSP`).not.toBe('');
	expect(directive('script-src'), what).toMatch(/^script-src 'self'( 'sha256-[^']+')*$/);
	expect(directive('img-src'), what).toBe("img-src 'self' data: blob:");
	expect(directive('connect-src'), what).toMatch(/^connect-src 'self' ws:\/\/\S+ wss:\/\/\S+$/);
	expect(directive('frame-ancestors'), what).toBe("frame-ancestors 'none'");
	expect(directive('object-src'), what).toBe("object-src 'none'");
	expect(directive('base-uri'), what).toBe("base-uri 'self'");
	expect(csp, what).not.toContain('unsafe-eval');
	expect(headers['x-content-type-options'], what).toBe('nosniff');
	expect(headers['referrer-policy'], what).toBe('no-referrer');
	expect(headers['cross-origin-opener-policy'], what).toBe('same-origin');
	expect(headers['permissions-policy'], what).toContain('camera=()');
}

test('every kind of response carries the security headers', async ({ request, baseURL }) => {
	const page = await request.get('/');
	expect(page.status()).toBe(200);
	expectSecurityHeaders(page.headers(), '/');
	// SvelteKit's inline bootstrap script is allowed by its hash, nothing inline otherwise.
	expect(page.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);

	const article = await request.get(`/article/${ARTICLE}`);
	expect(article.status()).toBe(200);
	expectSecurityHeaders(article.headers(), 'article route');

	const script = /\/_app\/immutable\/[\w./-]+\.js/.exec(await page.text())?.[0];
	expect(script, 'a built script named in the shell').toBeDefined();
	for (const asset of [script!, '/favicon.svg', '/manifest.webmanifest', '/service-worker.js']) {
		const response = await request.get(asset);
		expect(response.status(), asset).toBe(200);
		expectSecurityHeaders(response.headers(), asset);
	}

	const missing = await request.get('/no/such/page');
	expect(missing.status()).toBe(404);
	expectSecurityHeaders(missing.headers(), '404');

	// A signaling upgrade from another site's page is refused with a plain HTTP response.
	const url = new URL('/signal', baseURL);
	const refused = await new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
		const req = httpRequest(url, {
			headers: {
				connection: 'Upgrade',
				upgrade: 'websocket',
				'sec-websocket-version': '13',
				'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
				origin: 'https://elsewhere.example'
			}
		});
		req.on('response', (res) => {
			res.resume();
			resolve({ status: res.statusCode ?? 0, headers: res.headers });
		});
		req.on('upgrade', () => reject(new Error('the upgrade was accepted')));
		req.on('error', reject);
		req.end();
	});
	expect(refused.status).toBe(403);
	expectSecurityHeaders(refused.headers, '/signal refusal');
});

/** Collects CSP violations (page events and console reports) and page errors from the first script on. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
	const reported: string[] = [];
	page.on('console', (m) => {
		if (/Content.Security.Policy|Refused to/i.test(m.text())) reported.push(`console: ${m.text()}`);
	});
	page.on('pageerror', (e) => reported.push(`page error: ${e.message}`));
	await page.addInitScript(() => {
		const seen: string[] = [];
		(globalThis as unknown as { cspViolations: string[] }).cspViolations = seen;
		document.addEventListener('securitypolicyviolation', (e) =>
			seen.push(`${e.effectiveDirective} blocked ${e.blockedURI}`)
		);
	});
	return async () => [
		...reported,
		...(await page.evaluate(
			() => (globalThis as unknown as { cspViolations?: string[] }).cspViolations ?? []
		))
	];
}

test('the built app boots under the CSP: the demo centre renders, the service worker runs, no violation', async ({
	page
}) => {
	const violations = await watchViolations(page);
	await onboard(page, { name: 'Chloé Martin', floor: 'Gestion de compte' });
	await expect(page.getByRole('heading', { name: fr.kbTitle })).toBeVisible();
	await waitForServiceWorkerControl(page);
	// The signaling connection (connect-src) opens: the sync indicator leaves "offline".
	await page.goto(`/article/${ARTICLE}`);
	await expect(articleTitle(page)).toBeVisible();
	expect(await violations()).toEqual([]);
});

test.describe('remote images', () => {
	let pixelServer: Server;
	let pixelHits: string[] = [];
	let pixelUrl = '';

	test.beforeAll(async () => {
		pixelServer = createServer((req, res) => {
			pixelHits.push(req.url ?? '');
			res.setHeader('content-type', 'image/png');
			res.end(Buffer.from('89504e470d0a1a0a', 'hex'));
		});
		await new Promise<void>((resolve) => pixelServer.listen(0, '127.0.0.1', () => resolve()));
		pixelUrl = `http://127.0.0.1:${(pixelServer.address() as AddressInfo).port}/pixel.png`;
	});
	test.afterAll(async () => {
		pixelServer.closeAllConnections();
		await new Promise<void>((resolve) => pixelServer.close(() => resolve()));
	});

	test('an article with an http: image fetches nothing from elsewhere; its alt text and URL show instead', async ({
		page
	}) => {
		pixelHits = [];
		const violations = await watchViolations(page);
		await onboard(page, { name: 'Alice Bourse' });
		await page.goto(`/article/${ARTICLE}`);
		await expect(articleTitle(page)).toBeVisible();
		await page.getByRole('button', { name: 'Modifier', exact: true }).click();
		const body = page.getByTestId('article-body').locator('.plateau-editor');
		await body.locator('p').first().click();
		await page.keyboard.press('End');
		// Markdown image syntax makes an image node (Tiptap's input rule), as a peer's edit could.
		await page.keyboard.press('Enter');
		await page.keyboard.type(`![pixel](${pixelUrl})`);
		await page.keyboard.press('Enter');
		await page.keyboard.type(`![logo](/favicon.svg)`);
		await page.getByRole('button', { name: 'Terminer' }).click();

		const placeholder = (p: Page) => p.getByTestId('article-body').locator('.image-not-loaded');
		const logo = (p: Page) => p.getByTestId('article-body').locator('img[src$="/favicon.svg"]');
		await expect(placeholder(page)).toHaveText(`pixel ${pixelUrl}`);
		await expect(logo(page)).toHaveCount(1);

		const whileWriting = await violations();
		// Opened again, as any reader opens it.
		await page.reload();
		// A 304 revalidation must keep the cached page's CSP (and its script hash): it boots again.
		await expect(articleTitle(page)).toBeVisible();
		await expect(placeholder(page)).toHaveText(`pixel ${pixelUrl}`);
		await expect(placeholder(page)).toHaveAttribute('data-src', pixelUrl);
		// No element anywhere points at the remote image; the same-origin one loads.
		await expect(page.locator(`img[src^="http://127.0.0.1:"]`)).toHaveCount(0);
		await expect
			.poll(() => logo(page).evaluate((img: HTMLImageElement) => img.naturalWidth))
			.toBeGreaterThan(0);

		expect(pixelHits).toEqual([]);
		// Nothing was even attempted: a blocked <img> would have been reported as a violation.
		expect([...whileWriting, ...(await violations())]).toEqual([]);
	});
});
