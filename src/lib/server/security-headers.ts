// Security headers on every response of Plateau's server: app pages, static assets, 404s and the
// signaling endpoint's refusals. SvelteKit sets the CSP of pages itself (with the hash of its inline
// bootstrap script, from svelte.config.js); every other response gets the same policy without it.
import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import { cspHeaderValue } from './csp.js';

const CSP = 'content-security-policy';

/** Headers that are the same on every response. */
export const fixedSecurityHeaders: Readonly<Record<string, string>> = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	// frame-ancestors 'none' for browsers that predate it.
	'x-frame-options': 'DENY',
	'cross-origin-opener-policy': 'same-origin',
	'cross-origin-resource-policy': 'same-origin',
	// Plateau uses WebRTC data channels only: no camera, microphone, location or payment.
	'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'
};

const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Adds `ws://host wss://host` to connect-src: CSP Level 3 lets 'self' match the same host's
 * WebSocket, but older browsers do not. The Host header comes from the client, so only a well-formed
 * host is used; a forged one only weakens the policy of the forger's own response.
 */
export function withSocketSources(csp: string, host: string | undefined): string {
	if (!host || !HOST.test(host)) return csp;
	const sources = ` ws://${host} wss://${host}`;
	return /(^|;\s*)connect-src\s/.test(csp)
		? csp.replace(/((?:^|;\s*)connect-src\s[^;]*)/, `$1${sources}`)
		: `${csp}; connect-src 'self'${sources}`;
}

/** Every security header, CSP included, as one object (for raw responses such as upgrade refusals). */
export function securityHeaders(host: string | undefined): Record<string, string> {
	return { ...fixedSecurityHeaders, [CSP]: withSocketSources(cspHeaderValue(), host) };
}

/**
 * Sets the security headers on `res` before the app writes anything. A CSP the app sets later
 * (SvelteKit's, for pages) replaces the default one and gets the same WebSocket sources. A 304 gets
 * no default CSP: the browser would store it over the cached page's own policy (the one holding
 * the hash of that page's bootstrap script) and the page would then fail to boot.
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
	const host = req.headers.host;
	for (const [name, value] of Object.entries(securityHeaders(host))) res.setHeader(name, value);
	let appCsp = false;
	const setHeader = res.setHeader.bind(res);
	res.setHeader = (name: string, value: number | string | readonly string[]) => {
		if (name.toLowerCase() !== CSP) return setHeader(name, value);
		appCsp = true;
		return setHeader(name, withSocketSources(String(value as OutgoingHttpHeader), host));
	};
	const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
	res.writeHead = ((status: number, ...rest: unknown[]) => {
		if (status === 304 && !appCsp) res.removeHeader(CSP);
		return writeHead(status, ...rest);
	}) as ServerResponse['writeHead'];
}
