import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { placeholders } from '../../src/lib/domain/article';
import type { BodyNode } from '../../src/lib/domain/body';
import {
	fillPlaceholders,
	placeholderLabel,
	responseTemplate,
	templateParts
} from '../../src/lib/domain/response';
import { markdownToBody } from '../../src/lib/seed/encode/markdown-to-body';

/** A seed article's body, front matter cut off, encoded as the seed encodes it. */
function seedBody(id: string): BodyNode[] {
	const text = readFileSync(new URL(`../../src/lib/seed/demo/articles/${id}.md`, import.meta.url), 'utf8');
	return markdownToBody(text.replace(/^---\n[\s\S]*?\n---\n/, ''));
}

describe('responseTemplate', () => {
	const template = responseTemplate(seedBody('rep-alerte-hameconnage'));

	it('drops the italic note for the agent and starts with the answer', () => {
		expect(template.startsWith('Bonjour {{nom_client}},\n\nNous vous remercions')).toBe(true);
		expect(template).not.toContain('À envoyer au client');
	});

	it('separates paragraphs by a blank line and keeps list markers, one item per line', () => {
		expect(template).toContain(
			'la banque ne vous demandera jamais, par e-mail, SMS ou téléphone :\n\n- votre mot de passe ou un code de double authentification ;\n- de valider'
		);
		expect(template).toContain(
			'\n1. modifier immédiatement votre mot de passe depuis votre espace client ;\n2. nous contacter sans délai au {{telephone_service_clients}}'
		);
		expect(template).not.toMatch(/\n{3,}/);
		expect(template).not.toContain('**');
		expect(template.endsWith('{{nom_conseiller}} Service sécurité clients')).toBe(true);
	});

	it('keeps every placeholder of the body', () => {
		expect(placeholders(template)).toEqual([
			'nom_client',
			'date_operation',
			'telephone_service_clients',
			'mesure_prise',
			'reference_dossier',
			'nom_conseiller'
		]);
	});

	it('keeps a first paragraph that is not entirely in italics', () => {
		const body: BodyNode[] = [
			{
				type: 'paragraph',
				content: [
					{ type: 'text', text: 'Bonjour ' },
					{ type: 'text', text: 'cher client', marks: [{ type: 'italic' }] }
				]
			},
			{
				type: 'paragraph',
				content: [{ type: 'text', text: 'Suite' }, { type: 'hardBreak' }, { type: 'text', text: 'et fin' }]
			}
		];
		expect(responseTemplate(body)).toBe('Bonjour cher client\n\nSuite\net fin');
	});
});

describe('fillPlaceholders', () => {
	it('replaces every use of a placeholder, whatever its spacing and case', () => {
		const out = fillPlaceholders(
			'Bonjour {{nom_client}}, {{ Nom_Client }} ; dossier {{reference_dossier}}.',
			{ nom_client: 'Mme Martin', reference_dossier: 'R-42' }
		);
		expect(out).toEqual({ text: 'Bonjour Mme Martin, Mme Martin ; dossier R-42.', missing: [] });
	});

	it('leaves unfilled, blank and unknown placeholders as written and lists each once', () => {
		const out = fillPlaceholders('{{a}} {{ b }} {{c}} {{a}}', { b: '   ', z: 'ignored' });
		expect(out).toEqual({ text: '{{a}} {{ b }} {{c}} {{a}}', missing: ['a', 'b', 'c'] });
	});

	it('does not read placeholders out of a value the agent typed', () => {
		expect(fillPlaceholders('{{a}} {{b}}', { a: '{{b}}', b: 'X' }).text).toBe('{{b}} X');
	});

	it('fills a real seed response completely when every field is given', () => {
		const template = responseTemplate(seedBody('rep-alerte-hameconnage'));
		const values = Object.fromEntries(placeholders(template).map((p) => [p, `<${p}>`]));
		const out = fillPlaceholders(template, values);
		expect(out.missing).toEqual([]);
		expect(out.text).not.toContain('{{');
		expect(out.text.startsWith('Bonjour <nom_client>,')).toBe(true);
	});
});

describe('templateParts', () => {
	it('cuts text and placeholders apart, keeping the raw form', () => {
		expect(templateParts('Cher {{ Nom }}.')).toEqual([
			{ kind: 'text', text: 'Cher ' },
			{ kind: 'placeholder', name: 'nom', raw: '{{ Nom }}' },
			{ kind: 'text', text: '.' }
		]);
	});
});

describe('placeholderLabel', () => {
	it('turns a snake_case name into a label', () => {
		expect(placeholderLabel('nom_client')).toBe('Nom client');
		expect(placeholderLabel('date__operation_')).toBe('Date operation');
		expect(placeholderLabel('montant')).toBe('Montant');
	});
});
