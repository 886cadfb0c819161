// `npm run bench [-- group…]`: runs benchmark groups (tests/bench/<group>.browser.ts in Chromium,
// tests/bench/<group>.node.ts in node) and prints their figures; JSON lines stay on their own lines.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const dir = new URL('.', import.meta.url).pathname;
const available = readdirSync(dir)
	.map((f) => f.match(/^(\w+)\.(browser|node)\.ts$/)?.[1])
	.filter((g): g is string => !!g);
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const groups = wanted.length ? wanted : [...new Set(available)];
let failed = false;

for (const group of groups) {
	if (!available.includes(group)) {
		console.error(`Unknown benchmark group "${group}". Groups: ${[...new Set(available)].join(', ')}`);
		process.exit(2);
	}
	const inBrowser = existsSync(`${dir}${group}.browser.ts`);
	const file = inBrowser ? `tests/bench/${group}.browser.ts` : `tests/bench/${group}.node.ts`;
	console.log(`\n== ${group} ==`);
	const result = spawnSync(
		'npx',
		['vitest', 'run', '--project', inBrowser ? 'bench' : 'bench-node', '--silent=false', file],
		{
			encoding: 'utf8',
			env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
			maxBuffer: 64 * 1024 * 1024
		}
	);
	const lines = `${result.stdout}\n${result.stderr}`.split('\n');
	for (const line of lines) {
		// eslint-disable-next-line no-control-regex -- strips the runner's ANSI colour codes
		const clean = line.replace(/\x1b\[[0-9;]*m/g, '');
		if (clean.startsWith('{"bench"') || /^[\w.]+: /.test(clean) || /FAIL|Error|✓|×/.test(clean))
			console.log(clean);
	}
	if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
