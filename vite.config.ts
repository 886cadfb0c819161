import { builtinModules } from 'node:module';
import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumLaunchOptions } from './tests/support/chromium';
import { signalingDevPlugin } from './src/lib/server/vite-plugin';

const browser = {
	enabled: true,
	headless: true,
	// Chromium starting and loading the test bundle took over the 30 s default on a loaded machine
	// (2 cores, load average 20+): the run failed before any test did. A bound, not a wait.
	connectTimeout: 120_000,
	provider: playwright({ launchOptions: chromiumLaunchOptions }),
	instances: [{ browser: 'chromium' as const }]
};

/** `vite build --mode server`: Plateau's production Node server (src/lib/server/main.ts) into
 *  build-server/index.js; it loads the SvelteKit app that the default build puts in build/. */
const serverBuild = defineConfig({
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

const appBuild = defineConfig({
	plugins: [sveltekit(), signalingDevPlugin()],
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					environment: 'node',
					include: [
						'tests/unit/**/*.test.ts',
						'tests/contract/**/*.test.ts',
						'tests/integration/**/*.test.ts'
					]
				}
			},
			{
				extends: true,
				test: {
					name: 'browser',
					include: ['tests/browser/**/*.test.ts'],
					globalSetup: ['tests/support/signaling-global-setup.ts'],
					browser
				}
			},
			{
				extends: true,
				test: {
					name: 'bench',
					include: ['tests/bench/**/*.browser.ts'],
					globalSetup: ['tests/support/signaling-global-setup.ts'],
					testTimeout: 600_000,
					browser
				}
			},
			{
				extends: true,
				test: {
					name: 'bench-node',
					environment: 'node',
					include: ['tests/bench/**/*.node.ts'],
					testTimeout: 600_000
				}
			}
		]
	}
});

export default defineConfig(({ mode }) => (mode === 'server' ? serverBuild : appBuild));
