import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({ out: 'build' }),
		serviceWorker: { register: true },
		// Absolute asset paths: the service worker serves one cached shell for every route offline.
		paths: { relative: false }
	}
};
