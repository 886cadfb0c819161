// The process map component in Chromium: one box per step, diamonds and escalation marked for tests
// and assistive technology, the text version, and a redraw when a new procedure object comes in.
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ProcessMap from '../../src/lib/components/article/ProcessMap.svelte';
import type { Procedure } from '../../src/lib/domain/procedure';
import { render } from '../support/render.svelte';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const floorName = (id: string) => (id === 'gestion-compte' ? 'Gestion de compte' : id);
const base: Procedure = {
	steps: [
		{
			id: 'a',
			number: 1,
			action: 'Vérifier l’identité du client',
			result: 'Identité vérifiée',
			decision: { condition: 'Si échec', target: 'c', targetNumber: 3 }
		},
		{ id: 'b', number: 2, action: 'Lire le code blocage', result: 'Code lu' },
		{ id: 'c', number: 3, action: 'Créer un ticket', result: 'Ticket créé' }
	],
	escalation: {
		floor: 'gestion-compte',
		when: 'En cas de fraude',
		to: 'Cellule fraude',
		handover: 'Numéro client'
	}
};

function mountMap(procedure: Procedure) {
	const r = render(ProcessMap, { procedure, floorName });
	cleanups.push(r.destroy);
	return r;
}

describe('ProcessMap', () => {
	it('draws an accessible SVG with numbered steps, a decision, the escalation and a text version', () => {
		const { target } = mountMap(base);
		const svg = target.querySelector('svg')!;
		expect(svg.getAttribute('role')).toBe('img');
		expect(svg.dataset.stepCount).toBe('3');
		const [titleId, descId] = svg.getAttribute('aria-labelledby')!.split(' ');
		expect(document.getElementById(titleId!)!.textContent).toBe('Logigramme de la procédure');
		expect(document.getElementById(descId!)!.textContent).toContain('3 étape(s) et 1 décision(s)');
		expect(document.getElementById(descId!)!.textContent).toContain('Gestion de compte — Cellule fraude');
		const kinds = [...target.querySelectorAll<SVGGElement>('[data-node-id]')].map(
			(g) => `${g.dataset.nodeId}/${g.dataset.kind}`
		);
		expect(kinds).toEqual([
			'start/start',
			'step:a/step',
			'decision:a/decision',
			'step:b/step',
			'step:c/step',
			'end/end',
			'escalation/escalation'
		]);
		expect(target.querySelector('[data-node-id="step:b"]')!.textContent).toContain('2');
		expect(target.querySelector('[data-node-id="escalation"]')!.textContent).toContain('Gestion de compte');
		expect(target.querySelector('[data-edge-kind="yes"]')!.textContent).toBe('Oui');
		expect(target.querySelector('[data-edge-kind="escalate"] polyline')!.getAttribute('marker-end')).toMatch(
			/^url\(#.+-arrow-escalate\)$/
		);
		const items = [...target.querySelectorAll('ol.flow li')].map((li) =>
			li.textContent!.replace(/\s+/g, ' ').trim()
		);
		expect(items[0]).toBe(
			'Étape 1 : Vérifier l’identité du client Résultat attendu : Identité vérifiée Si échec : passer à l’étape 3.'
		);
		expect(items).toHaveLength(3);
		expect(target.querySelector('[role="note"]')).toBeNull();
	});

	it('redraws when a new procedure comes in, and warns about a decision that leads nowhere', () => {
		const r = mountMap(base);
		const next: Procedure = {
			steps: [
				...base.steps,
				{
					id: 'd',
					number: 4,
					action: 'Rappeler',
					result: 'Fait',
					decision: { condition: 'Si absent', target: 'zz' }
				}
			],
			escalation: null
		};
		r.props.procedure = next;
		flushSync();
		expect(r.target.querySelector('svg')!.dataset.stepCount).toBe('4');
		expect(r.target.querySelector('[data-node-id="escalation"]')).toBeNull();
		expect(r.target.querySelector('[data-node-id="decision:d"]')!.classList.contains('missing')).toBe(true);
		expect(r.target.querySelector('[role="note"]')!.textContent).toContain('étape 4');
		expect(r.target.querySelectorAll('[data-edge-kind="yes"]')).toHaveLength(1);
	});

	it('shows a short message instead of an empty drawing', () => {
		const r = mountMap({ steps: [], escalation: null });
		expect(r.target.querySelector('svg')).toBeNull();
		expect(r.target.textContent).toContain('Aucune étape');
		r.props.procedure = base;
		flushSync();
		expect(r.target.querySelectorAll('[data-kind="step"]')).toHaveLength(3);
	});
});
