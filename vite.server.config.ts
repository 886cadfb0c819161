// Builds Plateau's production Node server (src/lib/server/main.ts) into build-server/index.js.
// The SvelteKit app itself is built by vite.config.ts into build/ (adapter-node's handler).
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

export default defineConfig({
	build: {
		ssr: 'src/lib/server/main.ts',
		outDir: 'build-server',
		emptyOutDir: true,
		target: 'node20',
		rollupOptions: {
			external: [...builtinModules, /^node:/, 'ws', /\.\.\/build\/handler\.js$/],
			output: { entryFileNames: 'index.js', format: 'es' }
		}
	}
});
