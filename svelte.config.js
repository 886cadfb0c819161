import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { cspDirectives } from './src/lib/server/csp.js';

/** @type {import('@sveltejs/kit').Config} */
export default {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({ out: 'build' }),
		serviceWorker: { register: true },
		// Absolute asset paths: the service worker serves one cached shell for every route offline.
		paths: { relative: false },
		// Hashes of SvelteKit's inline bootstrap script: the shell is the same for every route and
		// request (and replayed by the service worker offline), so one fixed policy allows it.
		csp: {
			mode: 'hash',
			directives: /** @type {import('@sveltejs/kit').CspDirectives} */ (cspDirectives)
		}
	}
};
