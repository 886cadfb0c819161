// The production server's security headers (http-server.ts, security-headers.ts) over a real HTTP
// server: every response gets them; the app's own CSP (SvelteKit's, with its script hash) wins and
// gains the WebSocket sources; a 304 never carries a CSP that would replace the cached page's one.
import { get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { cspHeaderValue } from '../../src/lib/server/csp.js';
import { createAppServer } from '../../src/lib/server/http-server';
import type { SignalingServer } from '../../src/lib/server/signaling';

const PAGE_CSP = "default-src 'self'; script-src 'self' 'sha256-abc='; connect-src 'self'";
const ETAG = '"page-1"';

let server: Server | undefined;
let relay: SignalingServer | undefined;
afterEach(async () => {
	await relay?.close();
	server?.closeAllConnections();
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** An app that answers like SvelteKit (pages with their CSP and an etag) and sirv (static files). */
async function start(): Promise<number> {
	({ server, signaling: relay } = createAppServer((req, res) => {
		if (req.url === '/page') {
			if (req.headers['if-none-match'] === ETAG) {
				res.setHeader('etag', ETAG);
				res.writeHead(304).end();
				return;
			}
			res.setHeader('content-security-policy', PAGE_CSP);
			res.setHeader('etag', ETAG);
			res.writeHead(200, { 'content-type': 'text/html' }).end('<script>boot()</script>');
		} else if (req.url === '/app.js') {
			res.writeHead(200, { 'content-type': 'text/javascript', 'content-length': '2' }).end('1;');
		} else {
			res.statusCode = 404;
			res.end('not found');
		}
	}));
	await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
	return (server!.address() as AddressInfo).port;
}

function fetchHeaders(port: number, path: string, headers: Record<string, string> = {}) {
	return new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
		get({ host: '127.0.0.1', port, path, headers }, (res) => {
			res.resume();
			resolve({ status: res.statusCode ?? 0, headers: res.headers });
		}).on('error', reject);
	});
}

it('sends the security headers on pages, static files and 404s, with the WebSocket sources of the host', async () => {
	const port = await start();
	const host = `127.0.0.1:${port}`;
	const page = await fetchHeaders(port, '/page');
	expect(page.headers['content-security-policy']).toBe(
		`default-src 'self'; script-src 'self' 'sha256-abc='; connect-src 'self' ws://${host} wss://${host}`
	);
	for (const path of ['/app.js', '/missing']) {
		const r = await fetchHeaders(port, path);
		expect(r.headers['content-security-policy'], path).toBe(
			cspHeaderValue().replace("connect-src 'self'", `connect-src 'self' ws://${host} wss://${host}`)
		);
	}
	for (const r of [page, await fetchHeaders(port, '/app.js'), await fetchHeaders(port, '/missing')]) {
		expect(r.headers['x-content-type-options']).toBe('nosniff');
		expect(r.headers['referrer-policy']).toBe('no-referrer');
		expect(r.headers['x-frame-options']).toBe('DENY');
		expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
	}
});

it('sends no CSP with a 304, so the cached page keeps the policy that allows its own script', async () => {
	const port = await start();
	const revalidated = await fetchHeaders(port, '/page', { 'if-none-match': ETAG });
	expect(revalidated.status).toBe(304);
	expect(revalidated.headers['content-security-policy']).toBeUndefined();
	expect(revalidated.headers['x-content-type-options']).toBe('nosniff');
});

it('ignores a Host header that is not a host when adding WebSocket sources', async () => {
	const port = await start();
	const r = await fetchHeaders(port, '/app.js', { host: "evil.example; script-src 'unsafe-inline'" });
	expect(r.headers['content-security-policy']).toBe(cspHeaderValue());
});
