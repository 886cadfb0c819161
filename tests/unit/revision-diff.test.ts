// Comparing two versions of an article (domain/revision-diff.ts): word-level runs of the text and
// the title; a procedure's steps matched by id (added, removed, changed action or decision) and its
// escalation.
import { describe, expect, it } from 'vitest';
import type { BodyNode } from '../../src/lib/domain/body';
import { diffSnapshots, wordDiff } from '../../src/lib/domain/revision-diff';
import type { RevisionSnapshot } from '../../src/lib/domain/revision';

const text = (t: string): BodyNode => ({ type: 'text', text: t });
const para = (t: string): BodyNode => ({ type: 'paragraph', content: [text(t)] });
function step(id: string, action: string, result: string, decision?: [string, string]): BodyNode {
	const content: BodyNode[] = [
		{ type: 'stepAction', content: [text(action)] },
		{ type: 'stepResult', content: [text(result)] }
	];
	if (decision)
		content.push({ type: 'stepDecision', attrs: { target: decision[1] }, content: [text(decision[0])] });
	return { type: 'procedureStep', attrs: { id }, content };
}
function procedure(title: string, intro: string, steps: BodyNode[], when: string): RevisionSnapshot {
	return {
		kind: 'procedure',
		title,
		node: 'bourse',
		locale: 'fr',
		tags: [],
		body: [
			para(intro),
			{ type: 'procedureSteps', content: steps },
			{
				type: 'escalation',
				content: [
					{ type: 'escalationWhen', content: [text(when)] },
					{ type: 'escalationTo', content: [text('Back-office')] },
					{ type: 'escalationHandover', content: [text('Numéro d’ordre')] }
				]
			}
		]
	};
}

describe('revision diff', () => {
	it('marks inserted and deleted words inline, keeping the rest', () => {
		const parts = wordDiff('Vérifier le solde du compte', 'Vérifier le solde disponible du compte titres');
		expect(parts.filter((p) => p.change === 'added').map((p) => p.text.trim())).toEqual([
			'disponible',
			'titres'
		]);
		expect(parts.some((p) => p.change === 'removed')).toBe(false);
		expect(parts.map((p) => p.text).join('')).toBe('Vérifier le solde disponible du compte titres');
		expect(wordDiff('même', 'même')).toEqual([{ text: 'même' }]);
	});

	it('compares a procedure’s text, steps and escalation', () => {
		const before = procedure(
			'Ordre rejeté',
			'Le client voit un ordre rejeté.',
			[
				step('s1', 'Ouvrir le carnet d’ordres', 'Le motif s’affiche'),
				step('s2', 'Vérifier le solde', 'Solde suffisant', ['Si insuffisant', 's3']),
				step('s3', 'Proposer un virement', 'Virement lancé')
			],
			'Motif inconnu'
		);
		const after = procedure(
			'Ordre rejeté par le marché',
			'Le client voit un ordre rejeté.',
			[
				step('s1', 'Ouvrir le carnet d’ordres', 'Le motif s’affiche'),
				step('s2', 'Vérifier le solde espèces', 'Solde suffisant', ['Si insuffisant', 's4']),
				step('s4', 'Appeler le conseiller', 'Rendez-vous pris')
			],
			'Motif inconnu ou technique'
		);
		const d = diffSnapshots(before, after);
		expect(d.changed).toBe(true);
		expect(
			d.title
				.filter((p) => p.change === 'added')
				.map((p) => p.text)
				.join('')
		).toBe(' par le marché');
		expect(d.text.some((p) => p.change)).toBe(false);
		expect(d.steps.map((s) => [s.change, s.number])).toEqual([
			['changed', 2],
			['added', 3],
			['removed', 3]
		]);
		const s2 = d.steps[0]!;
		expect(s2.action.find((p) => p.change === 'added')?.text.trim()).toBe('espèces');
		expect(s2.decision.some((p) => p.change)).toBe(true);
		expect(d.escalation.map((e) => e.field)).toEqual(['when']);
		expect(diffSnapshots(before, before).changed).toBe(false);
	});
});

describe('revision diff of long texts', () => {
	it('compares line by line, then word by word inside changed lines, and rebuilds both texts', () => {
		const paras = Array.from(
			{ length: 200 },
			(_, i) => `Paragraphe ${i} : vérifier le solde du compte titres.`
		);
		const before = paras.join('\n');
		const after = paras
			.map((p, i) => (i === 50 ? p.replace('solde', 'solde espèces') : p))
			.filter((_, i) => i !== 120)
			.join('\n');
		const parts = wordDiff(before, after);
		const kept = (side: 'added' | 'removed') =>
			parts
				.filter((p) => p.change !== side)
				.map((p) => p.text)
				.join('');
		expect(kept('added')).toBe(before);
		expect(kept('removed')).toBe(after);
		expect(parts.filter((p) => p.change === 'added').map((p) => p.text.trim())).toEqual(['espèces']);
		expect(parts.filter((p) => p.change === 'removed').map((p) => p.text)).toEqual([`${paras[120]}\n`]);
	});
});
