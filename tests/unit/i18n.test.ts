// UI messages: French and English complete and consistent, parameters substituted, and no
// human-readable text written straight into the markup of a component.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MESSAGES, translate, type MessageKey } from '../../src/lib/i18n/index';

const { fr, en } = MESSAGES;
const params = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));

describe('messages', () => {
	it('has the same keys in French and English', () => {
		expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
		expect(Object.keys(fr).length).toBeGreaterThan(0);
	});

	it('has no empty message', () => {
		for (const [locale, messages] of Object.entries(MESSAGES))
			for (const [key, text] of Object.entries(messages)) {
				expect(typeof text, `${locale} ${key}`).toBe('string');
				expect(text.trim(), `${locale} ${key}`).not.toBe('');
			}
	});

	it('uses the same {parameters} in both languages', () => {
		for (const key of Object.keys(fr) as MessageKey[]) {
			const inFr = params(fr[key]);
			const inEn = params(en[key]);
			for (const p of inFr) expect(inEn.has(p), `en "${key}" lacks {${p}}`).toBe(true);
			for (const p of inEn) expect(inFr.has(p), `fr "${key}" lacks {${p}}`).toBe(true);
		}
	});
});

describe('translate', () => {
	// A message with two parameters, found rather than named, so the test follows the catalogue.
	const key = (Object.keys(fr) as MessageKey[]).find((k) => params(fr[k]).size >= 2)!;

	it('substitutes every parameter, in each language', () => {
		expect(key).toBeDefined();
		const names = [...params(fr[key])];
		const values = Object.fromEntries(names.map((n, i) => [n, `«${n}-${i}»`]));
		for (const locale of ['fr', 'en'] as const) {
			const out = translate(locale, key, values);
			for (const n of names) expect(out).toContain(values[n]);
			expect(out).not.toMatch(/\{\w+\}/);
			// What is left once the values are taken out is the message's own text.
			let template = MESSAGES[locale][key];
			for (const n of names) template = template.replace(`{${n}}`, values[n]!);
			expect(out).toBe(template);
		}
	});

	it('formats numbers and leaves a parameter that was not given as it is', () => {
		const names = [...params(fr[key])];
		const out = translate('fr', key, { [names[0]!]: 42 });
		expect(out).toContain('42');
		expect(out).toContain(`{${names[1]}}`);
	});

	it('does not substitute inside a substituted value', () => {
		const names = [...params(en[key])];
		const out = translate('en', key, { [names[0]!]: `{${names[1]}}`, [names[1]!]: 'X' });
		expect(out).toContain(`{${names[1]}}`);
	});

	it('returns the message unchanged without parameters, and differs per language', () => {
		expect(translate('fr', 'nav.kb')).toBe(fr['nav.kb']);
		expect(translate('en', 'nav.kb')).toBe(en['nav.kb']);
		expect(translate('fr', 'nav.kb')).not.toBe(translate('en', 'nav.kb'));
	});
});

// ---- Literal text in components ----

/** Removes `{...}` expressions (nesting and quoted strings inside them taken into account),
 *  leaving `{}` in their place. */
function stripExpressions(source: string): string {
	let out = '';
	let depth = 0;
	let quote: string | null = null;
	for (let i = 0; i < source.length; i++) {
		const c = source[i]!;
		if (depth === 0) {
			if (c === '{') {
				depth = 1;
				out += '{}';
			} else out += c;
			continue;
		}
		if (quote) {
			if (c === '\\') i++;
			else if (c === quote) quote = null;
			continue;
		}
		if (c === '"' || c === "'" || c === '`') quote = c;
		else if (c === '{') depth++;
		else if (c === '}') depth--;
	}
	return out;
}

/** Component markup without script, style, comments and expressions. */
function markupOf(source: string): string {
	const bare = source
		.replace(/<script[\s>][\s\S]*?<\/script>/gi, '')
		.replace(/<style[\s>][\s\S]*?<\/style>/gi, '')
		.replace(/<!--[\s\S]*?-->/g, '');
	return stripExpressions(bare);
}

const LETTER = /\p{L}/u;
const TAG = /<(?:"[^"]*"|'[^']*'|[^'">])*>/g;
const TEXT_ATTRIBUTE =
	/(?<![\w:-])(aria-label|placeholder|title|alt)\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g;

/** Literal human-readable text in a component: text nodes and user-facing attributes. */
function literalText(source: string): string[] {
	const markup = markupOf(source);
	const found: string[] = [];
	for (const match of markup.matchAll(TEXT_ATTRIBUTE)) {
		const value = (match[3] ?? match[4] ?? match[5] ?? '').replace(/\{\}/g, '');
		if (LETTER.test(value)) found.push(`${match[1]}="${value}"`);
	}
	const text = markup
		.replace(TAG, '\n')
		.replace(/&#?\w+;/g, ' ')
		.replace(/\{\}/g, ' ');
	for (const line of text.split('\n')) if (LETTER.test(line)) found.push(line.trim());
	return found;
}

function svelteFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return svelteFiles(path);
		return name.endsWith('.svelte') ? [path] : [];
	});
}

describe('components hold no literal UI text', () => {
	it('the scanner finds literal text and attributes, and lets expressions and symbols through', () => {
		expect(literalText('<p>Bonjour</p>')).toEqual(['Bonjour']);
		expect(literalText('<p>{t("a")} et {b}</p>')).toEqual(['et']);
		expect(literalText('<button aria-label="Fermer">×</button>')).toEqual(['aria-label="Fermer"']);
		expect(literalText('<input placeholder="Rechercher {x}" />')).toEqual(['placeholder="Rechercher "']);
		expect(literalText("<img alt='logo' src={s} />")).toEqual(['alt="logo"']);
		expect(literalText('<a title=Accueil href="/">→</a>')).toEqual(['title="Accueil"']);
		expect(
			literalText('<p class="back"><a href="/">← {t(\'article.back\')}</a> › ? ▸ ▾ — &nbsp;</p>')
		).toEqual([]);
		expect(
			literalText('<button onclick={() => go({ a: "}" })} title={t(`x.${y}`)}>{"Oui"}</button>')
		).toEqual([]);
		expect(literalText("<p>{`l'${n} }`} {'}'}</p>")).toEqual([]);
		expect(literalText('<div aria-labelledby="x" class="a b" data-x="yes"></div>')).toEqual([]);
		expect(
			literalText(
				'<script lang="ts">const a = "Bonjour";</script><style>p { color: red; }</style><!-- note -->'
			)
		).toEqual([]);
		expect(literalText('<svelte:head><title>Plateau</title></svelte:head>')).toEqual(['Plateau']);
	});

	const srcDir = fileURLToPath(new URL('../../src', import.meta.url));
	const files = svelteFiles(srcDir);

	it('finds the components to scan', () => {
		expect(files.length).toBeGreaterThan(5);
	});

	it('every .svelte file takes its text from the messages', () => {
		const problems = files.flatMap((file) =>
			literalText(readFileSync(file, 'utf8')).map((t) => `${relative(srcDir, file)}: ${t}`)
		);
		expect(problems).toEqual([]);
	});
});
