// Plateau's Content-Security-Policy, in one place: svelte.config.js hands it to SvelteKit (which adds
// the hashes of its own inline bootstrap script to page responses), and the production server sends
// it on every other response. Plain JavaScript because svelte.config.js is loaded by Node directly.

/**
 * Directives in SvelteKit's `kit.csp.directives` form: keywords unquoted ('self', not "'self'").
 * - No inline or remote script: scripts come from this origin only (SvelteKit's bootstrap by hash).
 * - Images from this origin, data: and blob: only: an article's remote image is never fetched.
 * - Inline styles stay allowed: Svelte's style attributes and the editor's injected base styles use
 *   them, and a style cannot run code.
 * @type {Record<string, string[]>}
 */
export const cspDirectives = {
	'default-src': ['self'],
	'script-src': ['self'],
	'style-src': ['self', 'unsafe-inline'],
	'img-src': ['self', 'data:', 'blob:'],
	'font-src': ['self'],
	'connect-src': ['self'],
	'worker-src': ['self'],
	'manifest-src': ['self'],
	'media-src': ['self', 'data:', 'blob:'],
	'object-src': ['none'],
	'frame-src': ['none'],
	'base-uri': ['self'],
	'form-action': ['self'],
	'frame-ancestors': ['none']
};

const keywords = new Set([
	'self',
	'none',
	'unsafe-inline',
	'unsafe-eval',
	'strict-dynamic',
	'wasm-unsafe-eval'
]);

/**
 * The directives as a header value, quoting keywords as SvelteKit does.
 * @param {Record<string, string[]>} directives
 * @returns {string}
 */
export function cspHeaderValue(directives = cspDirectives) {
	return Object.entries(directives)
		.map(([name, values]) => [name, ...values.map((v) => (keywords.has(v) ? `'${v}'` : v))].join(' '))
		.join('; ');
}
