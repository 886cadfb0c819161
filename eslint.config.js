// ESLint for Plateau: typescript-eslint and eslint-plugin-svelte recommended rules, Prettier owning
// layout, and the one-way layers of ../shared/DESIGN.md enforced as import restrictions generated from
// the LAYERS table below (a climbing import fails the lint).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import svelteConfig from './svelte.config.js';

/** Folder of src/lib (or src/routes) → the folders of src/lib it may import. Anything not listed is
 *  forbidden: domain ← schema ← repo ← storage/net/search/editor/seed ← state ← components ← routes;
 *  the UI never imports net or storage; only wire.ts (the browser's wiring) and server/ (Node's) put
 *  adapters together. */
export const LAYERS = {
	domain: [],
	i18n: ['domain'],
	schema: ['domain'],
	repo: ['schema', 'domain'],
	// storage implements the repo's and search's persistence interfaces
	storage: ['repo', 'search', 'schema', 'domain'],
	net: ['repo', 'schema', 'domain'],
	search: ['repo', 'schema', 'domain', 'i18n'],
	editor: ['schema', 'domain', 'i18n'],
	seed: ['repo', 'schema', 'domain'],
	state: ['repo', 'search', 'editor', 'seed', 'net', 'schema', 'domain', 'i18n'],
	components: ['state', 'editor', 'search', 'domain', 'i18n'],
	routes: ['components', 'state', 'domain', 'i18n', 'wire'],
	wire: ['state', 'net', 'storage', 'repo', 'search', 'domain'],
	server: ['net', 'repo', 'storage', 'schema', 'domain', 'seed']
};

const SRC = fileURLToPath(new URL('./src/', import.meta.url));

/** The layer folder a path under src/ belongs to ('routes', 'wire', a src/lib folder), or null. */
function layerOf(file) {
	const rel = path.relative(SRC, file).split(path.sep);
	if (rel[0] === 'routes') return 'routes';
	if (rel[0] !== 'lib' || rel.length < 2) return null;
	const folder = rel.length === 2 ? rel[1].replace(/\.(ts|js|svelte)$/, '') : rel[1];
	return folder in LAYERS ? folder : null;
}

/** Resolves an import to the layer it reaches: `$lib/…` aliases and relative paths alike, so a
 *  component folder named like a layer (components/search/) is never confused with it. */
const layersRule = {
	meta: { type: 'problem', schema: [] },
	create(context) {
		const from = layerOf(context.filename);
		if (!from) return {};
		const check = (node, spec) => {
			if (typeof spec !== 'string') return;
			let target;
			if (spec.startsWith('$lib/') || spec === '$lib') target = path.join(SRC, 'lib', spec.slice(5));
			else if (spec.startsWith('.')) target = path.resolve(path.dirname(context.filename), spec);
			else return;
			const to = layerOf(target);
			if (!to || to === from || LAYERS[from].includes(to)) return;
			context.report({
				node,
				message: `${from}/ may not import ${to}/ (one-way layers, DESIGN.md › Layout).`
			});
		};
		return {
			ImportDeclaration: (node) => check(node.source, node.source.value),
			ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
			ExportAllDeclaration: (node) => check(node.source, node.source.value),
			ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value)
		};
	}
};

export default ts.config(
	{
		ignores: [
			'node_modules/',
			'.svelte-kit/',
			'build/',
			'build-server/',
			'test-results/',
			'playwright-report/',
			'src/lib/seed/demo-centre.json'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } },
		rules: {
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }
			],
			'@typescript-eslint/no-non-null-assertion': 'off',
			// Plateau is served at the root (no `paths.base`), so plain hrefs and goto() are correct.
			'svelte/no-navigation-without-resolve': 'off',
			// State classes publish $state.raw snapshots; the Maps and Sets they build inside functions
			// and $derived expressions are meant to be plain.
			'svelte/prefer-svelte-reactivity': 'off'
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: {
			parserOptions: { extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig }
		}
	},
	{
		files: ['src/**/*.{ts,js,svelte}'],
		plugins: { plateau: { rules: { layers: layersRule } } },
		rules: { 'plateau/layers': 'error' }
	}
);
