// Pure domain rules: what Plateau accepts from a form, storage or a peer, and the small text helpers
// that rendering and search rely on.
import { describe, expect, it } from 'vitest';
import { placeholders, validateArticleMeta, type ArticleMeta } from '../../src/lib/domain/article';
import { bodyText, safeHref, type BodyNode } from '../../src/lib/domain/body';
import { validateAgentProfile, type Floor } from '../../src/lib/domain/centre';
import { ValidationError } from '../../src/lib/domain/validation';

const goodMeta = (): Record<string, unknown> => ({
	kind: 'procedure',
	title: 'Réinitialiser un mot de passe oublié',
	node: 'compte.acces.mot-de-passe',
	locale: 'fr',
	tags: ['mot de passe', 'connexion'],
	status: 'published',
	owner: 'agent-julien-moreau',
	floor: 'gestion-compte',
	createdAt: 1_760_000_000_000,
	updatedAt: 1_760_000_100_000
});

/** Runs `fn` and returns the ValidationError it throws; fails the test if it throws anything else. */
function validationError(fn: () => unknown): ValidationError {
	try {
		fn();
	} catch (err) {
		expect(err).toBeInstanceOf(ValidationError);
		return err as ValidationError;
	}
	throw new Error('expected a ValidationError, nothing was thrown');
}

describe('validateArticleMeta', () => {
	it('accepts a complete article and returns a clean copy with the same values', () => {
		const input = goodMeta();
		const meta = validateArticleMeta(input);
		expect(meta).toEqual(input);
		expect(meta).not.toBe(input);
	});

	it('trims the title and drops fields it does not know', () => {
		const meta = validateArticleMeta({
			...goodMeta(),
			title: '  Compte bloqué  ',
			extra: 'x',
			body: '<script>'
		});
		expect(meta.title).toBe('Compte bloqué');
		expect(meta).not.toHaveProperty('extra');
		expect(meta).not.toHaveProperty('body');
	});

	it('keeps a translation link and defaults missing tags to an empty list', () => {
		const { tags: _tags, ...rest } = goodMeta();
		const meta = validateArticleMeta({ ...rest, locale: 'en', translationOf: 'proc-mot-de-passe-oublie' });
		expect(meta.translationOf).toBe('proc-mot-de-passe-oublie');
		expect(meta.tags).toEqual([]);
	});

	it('rejects something that is not an object', () => {
		for (const bad of [null, undefined, 'article', 42])
			expect(validationError(() => validateArticleMeta(bad)).field).toBe('article');
	});

	const badFields: [field: string, value: unknown][] = [
		['kind', 'blog'],
		['kind', undefined],
		['title', ''],
		['title', '   '],
		['title', 42],
		['title', 'x'.repeat(201)],
		['node', 'Compte > Accès'],
		['node', undefined],
		['locale', 'de'],
		['locale', 'FR'],
		['tags', 'connexion'],
		['tags', [1]],
		['status', 'removed'],
		['createdAt', -1],
		['createdAt', Number.NaN],
		['createdAt', '2026-10-14'],
		['updatedAt', Number.POSITIVE_INFINITY],
		['updatedAt', undefined],
		['translationOf', 'Proc Mot De Passe'],
		['owner', 42],
		['floor', 'floor/../x'],
		['tone', 'sarcastic']
	];
	for (const [field, value] of badFields) {
		it(`names the field when ${field} is ${JSON.stringify(value) ?? 'missing'}`, () => {
			const err = validationError(() => validateArticleMeta({ ...goodMeta(), [field]: value }));
			// A list item is reported as tags[0]; anything else by its own name.
			expect(err.field.replace(/\[\d+\]$/, '')).toBe(field);
			expect(err.message.startsWith(err.field)).toBe(true);
		});
	}

	it('gives a standard response the formal tone when none is set, and keeps a chosen one', () => {
		expect(validateArticleMeta({ ...goodMeta(), kind: 'response' }).tone).toBe('formal');
		expect(validateArticleMeta({ ...goodMeta(), kind: 'response', tone: null }).tone).toBe('formal');
		expect(validateArticleMeta({ ...goodMeta(), kind: 'response', tone: 'friendly' }).tone).toBe('friendly');
		// Other kinds get no tone unless one is given.
		expect(validateArticleMeta({ ...goodMeta(), kind: 'faq' }).tone).toBeUndefined();
	});

	it('rejects ids that are unsafe in URLs, keys or paths', () => {
		const unsafe = [
			'../etc/passwd',
			'a/b',
			'a b',
			'Compte',
			'-leading-dash',
			'.hidden',
			'é',
			'a?b=1',
			'x'.repeat(129),
			'javascript:alert(1)'
		];
		for (const id of unsafe) {
			for (const field of ['node', 'translationOf', 'owner', 'floor'] as const) {
				const err = validationError(() => validateArticleMeta({ ...goodMeta(), [field]: id }));
				expect(err.field, `${field} = ${id}`).toBe(field);
			}
		}
		// The same shapes of id, written safely, pass.
		for (const id of ['etc.passwd', 'a-b', 'a_b', 'compte', '0-leading-digit', 'x'.repeat(128)])
			expect(validateArticleMeta({ ...goodMeta(), node: id }).node).toBe(id);
	});

	it('treats an empty optional id as absent rather than invalid', () => {
		const meta: ArticleMeta = validateArticleMeta({
			...goodMeta(),
			owner: '',
			floor: null,
			translationOf: undefined
		});
		expect(meta).not.toHaveProperty('owner');
		expect(meta).not.toHaveProperty('floor');
		expect(meta).not.toHaveProperty('translationOf');
	});
});

describe('validateAgentProfile', () => {
	const floors: Floor[] = [
		{ id: 'bourse', name: { fr: 'Bourse', en: 'Trading' } },
		{ id: 'support-technique', name: { fr: 'Support technique', en: 'Technical support' } }
	];
	const agent = (): Record<string, unknown> => ({
		id: 'agent-claire-martin',
		name: 'Claire Martin',
		floor: 'bourse',
		languages: ['fr', 'en'],
		skills: ['bourse.ordres'],
		availability: 'busy'
	});

	it('accepts a complete profile', () => {
		expect(validateAgentProfile(agent(), floors)).toEqual(agent());
	});

	it('requires the floor to be one of the given floors, and any id when none are given', () => {
		const err = validationError(() => validateAgentProfile({ ...agent(), floor: 'gestion-compte' }, floors));
		expect(err.field).toBe('floor');
		expect(validateAgentProfile({ ...agent(), floor: 'gestion-compte' }).floor).toBe('gestion-compte');
		expect(validationError(() => validateAgentProfile({ ...agent(), floor: 'Not An Id' })).field).toBe(
			'floor'
		);
	});

	it('requires at least one known language and removes duplicates', () => {
		expect(validationError(() => validateAgentProfile({ ...agent(), languages: [] }, floors)).field).toBe(
			'languages'
		);
		expect(
			validationError(() => validateAgentProfile({ ...agent(), languages: undefined }, floors)).field
		).toBe('languages');
		expect(
			validationError(() => validateAgentProfile({ ...agent(), languages: ['fr', 'de'] }, floors)).field
		).toBe('languages[1]');
		expect(validateAgentProfile({ ...agent(), languages: ['en', 'en'] }, floors).languages).toEqual(['en']);
	});

	it('requires a name of 2 to 80 characters, not counting surrounding spaces', () => {
		expect(validationError(() => validateAgentProfile({ ...agent(), name: 'C' }, floors)).field).toBe('name');
		expect(validationError(() => validateAgentProfile({ ...agent(), name: '  C  ' }, floors)).field).toBe(
			'name'
		);
		expect(
			validationError(() => validateAgentProfile({ ...agent(), name: 'x'.repeat(81) }, floors)).field
		).toBe('name');
		expect(validateAgentProfile({ ...agent(), name: ' Jo ' }, floors).name).toBe('Jo');
		expect(validateAgentProfile({ ...agent(), name: 'x'.repeat(80) }, floors).name).toHaveLength(80);
	});

	it('rejects unsafe skill ids and an unknown availability, and defaults availability to available', () => {
		expect(
			validationError(() => validateAgentProfile({ ...agent(), skills: ['ok', 'Not ok'] }, floors)).field
		).toBe('skills[1]');
		expect(
			validationError(() => validateAgentProfile({ ...agent(), availability: 'asleep' }, floors)).field
		).toBe('availability');
		const { availability: _a, ...rest } = agent();
		expect(validateAgentProfile(rest, floors).availability).toBe('available');
	});
});

describe('placeholders', () => {
	it('lists placeholders in order of first use, once each, case-folded', () => {
		const text =
			'Bonjour {{nom_client}}, votre virement de {{ montant }} du {{date_operation}} ({{Nom_Client}}, {{montant}}).';
		expect(placeholders(text)).toEqual(['nom_client', 'montant', 'date_operation']);
	});

	it('ignores single braces and names that are not identifiers', () => {
		expect(placeholders('{nom} {{1er}} {{nom-client}} {{}} {{ a b }}')).toEqual([]);
		expect(placeholders('no placeholder here')).toEqual([]);
	});
});

describe('safeHref', () => {
	it('drops script and data URLs, however they are disguised', () => {
		for (const href of [
			'javascript:alert(1)',
			'JavaScript:alert(1)',
			'  javascript:alert(1)',
			'java\tscript:alert(1)',
			'java\nscript:alert(1)',
			'data:text/html,<script>alert(1)</script>',
			'vbscript:msgbox(1)',
			'file:///etc/passwd'
		])
			expect(safeHref(href), href).toBeUndefined();
	});

	it('keeps web and mail links exactly as written', () => {
		for (const href of [
			'https://www.amf-france.org/fr',
			'http://example.org/a?b=1#c',
			'mailto:support@example.org'
		])
			expect(safeHref(href)).toBe(href);
	});

	it('drops values that are not text', () => {
		for (const value of [undefined, null, 42, { href: 'https://x.org' }])
			expect(safeHref(value)).toBeUndefined();
	});
});

describe('bodyText', () => {
	const p = (text: string): BodyNode => ({ type: 'paragraph', content: [{ type: 'text', text }] });
	const item = (text: string): BodyNode => ({ type: 'listItem', content: [p(text)] });

	it('puts each block on its own line, keeping marked text', () => {
		const body: BodyNode[] = [
			{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Étapes' }] },
			{
				type: 'paragraph',
				content: [
					{ type: 'text', text: 'Vérifier ' },
					{ type: 'text', text: "l'identité", marks: [{ type: 'bold' }] },
					{ type: 'text', text: ' du client.' }
				]
			},
			p('Puis escalader.')
		];
		expect(bodyText(body)).toBe("Étapes\nVérifier l'identité du client.\nPuis escalader.");
	});

	it('turns a hard break into a new line', () => {
		const body: BodyNode[] = [
			{
				type: 'paragraph',
				content: [{ type: 'text', text: 'Ligne 1' }, { type: 'hardBreak' }, { type: 'text', text: 'Ligne 2' }]
			}
		];
		expect(bodyText(body)).toBe('Ligne 1\nLigne 2');
	});

	it('keeps every list item and table cell, in order, with no long runs of blank lines', () => {
		const body: BodyNode[] = [
			p('Avant'),
			{
				type: 'orderedList',
				attrs: { start: 1 },
				content: [
					item('Un'),
					item('Deux'),
					{ type: 'listItem', content: [p('Trois'), { type: 'bulletList', content: [item('Trois a')] }] }
				]
			},
			{
				type: 'table',
				content: [
					{
						type: 'tableRow',
						content: [
							{ type: 'tableHeader', content: [p('Frais')] },
							{ type: 'tableHeader', content: [p('Montant')] }
						]
					},
					{
						type: 'tableRow',
						content: [
							{ type: 'tableCell', content: [p('Courtage')] },
							{ type: 'tableCell', content: [p('0,5 %')] }
						]
					}
				]
			},
			p('Après')
		];
		const text = bodyText(body);
		const lines = text
			.split('\n')
			.map((l) => l.trim())
			.filter(Boolean);
		expect(lines).toEqual([
			'Avant',
			'Un',
			'Deux',
			'Trois',
			'Trois a',
			'Frais',
			'Montant',
			'Courtage',
			'0,5 %',
			'Après'
		]);
		expect(text).not.toMatch(/\n{3,}/);
		expect(text).toBe(text.trim());
		expect(text).not.toMatch(/[ \t]\n/);
	});

	it('gives an empty string for an empty body', () => {
		expect(bodyText([])).toBe('');
		expect(bodyText([{ type: 'paragraph' }])).toBe('');
	});
});
