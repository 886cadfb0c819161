import { describe, expect, it } from 'vitest';
import type { BodyNode } from '../../src/lib/domain/body';
import { readProcedure } from '../../src/lib/domain/procedure';

const text = (t: string): BodyNode => ({ type: 'text', text: t });
const step = (
	id: string,
	action: string,
	result: string,
	decision?: { condition: string; target: string | null }
): BodyNode => ({
	type: 'procedureStep',
	attrs: { id },
	content: [
		{ type: 'stepAction', content: [text(action)] },
		{ type: 'stepResult', content: [text(result)] },
		...(decision
			? [{ type: 'stepDecision', attrs: { target: decision.target }, content: [text(decision.condition)] }]
			: [])
	]
});

describe('readProcedure', () => {
	it('reads numbered steps, decisions resolved to step numbers, and the escalation', () => {
		const body: BodyNode[] = [
			{ type: 'paragraph', content: [text('Quand l’utiliser')] },
			{
				type: 'procedureSteps',
				content: [
					step('a', 'Vérifier', 'Lu', { condition: 'Si déjà actif', target: 'c' }),
					step('b', 'Demander', 'Su'),
					step('c', 'Consigner', 'Fait')
				]
			},
			{
				type: 'escalation',
				attrs: { floor: 'gestion-compte' },
				content: [
					{ type: 'escalationWhen', content: [text('Toujours')] },
					{ type: 'escalationTo', content: [text('Service successions')] },
					{
						type: 'escalationHandover',
						content: [
							{
								type: 'bulletList',
								content: [
									{ type: 'listItem', content: [{ type: 'paragraph', content: [text('Identité')] }] },
									{ type: 'listItem', content: [{ type: 'paragraph', content: [text('Date')] }] }
								]
							}
						]
					}
				]
			}
		];
		const p = readProcedure(body);
		expect(p.steps.map((s) => [s.number, s.id, s.action, s.result])).toEqual([
			[1, 'a', 'Vérifier', 'Lu'],
			[2, 'b', 'Demander', 'Su'],
			[3, 'c', 'Consigner', 'Fait']
		]);
		expect(p.steps[0]!.decision).toEqual({ condition: 'Si déjà actif', target: 'c', targetNumber: 3 });
		expect(p.steps[1]!.decision).toBeUndefined();
		expect(p.escalation).toEqual({
			floor: 'gestion-compte',
			when: 'Toujours',
			to: 'Service successions',
			handover: 'Identité\nDate'
		});
	});

	it('keeps a decision whose target step was deleted, without a number', () => {
		const p = readProcedure([
			{ type: 'procedureSteps', content: [step('a', 'x', 'y', { condition: 'Si', target: 'gone' })] }
		]);
		expect(p.steps[0]!.decision).toEqual({ condition: 'Si', target: 'gone' });
		expect(p.escalation).toBeNull();
	});

	it('gives an empty procedure for a body without steps', () => {
		expect(readProcedure([{ type: 'paragraph', content: [text('x')] }])).toEqual({
			steps: [],
			escalation: null
		});
	});
});
