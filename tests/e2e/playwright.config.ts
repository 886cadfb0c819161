// End-to-end tests: separate browser contexts (one per agent) against the production build.
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../support/chromium';
import { budget, SLOWDOWN, testBudget } from './budget';

const port = Number(process.env.PLATEAU_E2E_PORT ?? 4319);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
	testDir: '.',
	// Budgets sized for a loaded machine (2 cores, load average 20–45 from other builds and test
	// runs: the app then loads, seeds and renders ten to twenty times slower than on a quiet one),
	// stretched further when the load is higher still (budget.ts). Tests wait for conditions; these
	// bounds only decide when a stuck test is declared failed. The longest flows (three agents each
	// starting fresh) mark themselves test.slow().
	timeout: testBudget(180_000),
	expect: { timeout: budget(30_000) },
	fullyParallel: false,
	workers: Number(process.env.PLATEAU_E2E_WORKERS ?? 2),
	reporter: [['list']],
	metadata: { slowdown: SLOWDOWN },
	use: {
		baseURL,
		// Every worker process meets peers in its own room of the demo centre, so tests running in
		// parallel never sync with each other; sync tests put their agents in a shared room.
		storageState: {
			cookies: [],
			origins: [{ origin: baseURL, localStorage: [{ name: 'plateau:room', value: `e2e-${process.pid}` }] }]
		},
		launchOptions: chromiumLaunchOptions,
		viewport: { width: 1280, height: 800 },
		locale: 'fr-FR',
		trace: 'off'
	},
	webServer: {
		command: 'node build-server/index.js',
		// No hub in the suite's server: the specs that test peers alone mean what they say; hub.spec.ts
		// runs a hub of its own.
		env: { PORT: String(port), PLATEAU_HUB: 'off' },
		url: `http://localhost:${port}/`,
		cwd: '../..',
		reuseExistingServer: false,
		timeout: 60_000
	}
});
