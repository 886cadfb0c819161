import { describe, expect, it } from 'vitest';
import {
	layoutProcessMap,
	wrapText,
	type ProcessMapLayout,
	type ProcessNode
} from '../../src/lib/domain/process-map';
import type { Procedure, ProcedureStep } from '../../src/lib/domain/procedure';

function procedure(
	count: number,
	decisions: Record<number, number | null | 'gone'> = {},
	escalation = true
): Procedure {
	const steps: ProcedureStep[] = [];
	for (let i = 1; i <= count; i++) {
		const step: ProcedureStep = { id: `s${i}`, number: i, action: `Action ${i}`, result: `Résultat ${i}` };
		const d = decisions[i];
		if (d !== undefined) {
			const target = d === null ? null : d === 'gone' ? 'deleted' : `s${d}`;
			step.decision = {
				condition: `Si condition ${i}`,
				target,
				...(typeof d === 'number' ? { targetNumber: d } : {})
			};
		}
		steps.push(step);
	}
	return {
		steps,
		escalation: escalation
			? {
					floor: 'gestion-compte',
					when: 'Si fraude suspectée',
					to: 'Cellule fraude',
					handover: 'Numéro client'
				}
			: null
	};
}

const node = (l: ProcessMapLayout, id: string): ProcessNode => {
	const n = l.nodes.find((x) => x.id === id);
	if (!n) throw new Error(`no node ${id}`);
	return n;
};
const inside = (p: { x: number; y: number }, n: ProcessNode) =>
	p.x >= n.x && p.x <= n.x + n.width && p.y >= n.y && p.y <= n.y + n.height;
const overlap = (a: ProcessNode, b: ProcessNode) =>
	a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layoutProcessMap', () => {
	it('draws start, every step once in order, then end, linked one after the other', () => {
		const l = layoutProcessMap(procedure(4, {}, false));
		expect(l.nodes.map((n) => n.id)).toEqual(['start', 'step:s1', 'step:s2', 'step:s3', 'step:s4', 'end']);
		expect(l.nodes.filter((n) => n.kind === 'step').map((n) => n.number)).toEqual([1, 2, 3, 4]);
		expect(l.edges.map((e) => `${e.from}>${e.to}:${e.kind}`)).toEqual([
			'start>step:s1:next',
			'step:s1>step:s2:next',
			'step:s2>step:s3:next',
			'step:s3>step:s4:next',
			'step:s4>end:next'
		]);
		const ys = l.nodes.map((n) => n.y);
		expect([...ys].sort((a, b) => a - b)).toEqual(ys);
		expect(l.nodes.find((n) => n.kind === 'escalation')).toBeUndefined();
	});

	it('places no box over another, and keeps every box inside the drawing', () => {
		const l = layoutProcessMap(procedure(8, { 1: 8, 3: 7, 4: 2, 5: 8, 8: 1 }));
		for (const [i, a] of l.nodes.entries()) {
			expect(a.x).toBeGreaterThanOrEqual(0);
			expect(a.y).toBeGreaterThanOrEqual(0);
			expect(a.x + a.width).toBeLessThanOrEqual(l.width);
			expect(a.y + a.height).toBeLessThanOrEqual(l.height);
			for (const b of l.nodes.slice(i + 1)) expect(overlap(a, b), `${a.id} overlaps ${b.id}`).toBe(false);
		}
	});

	it('puts a diamond after a step with a decision: yes goes to the target box, no to the next step', () => {
		const l = layoutProcessMap(procedure(4, { 1: 3 }));
		const ids = l.nodes.map((n) => n.id);
		expect(ids.indexOf('decision:s1')).toBe(ids.indexOf('step:s1') + 1);
		const diamond = node(l, 'decision:s1');
		expect(diamond.kind).toBe('decision');
		expect(diamond.lines).toEqual(['Si condition 1']);
		const yes = l.edges.find((e) => e.kind === 'yes')!;
		expect(yes).toMatchObject({ from: 'decision:s1', to: 'step:s3' });
		expect(inside(yes.points[0]!, diamond)).toBe(true);
		expect(inside(yes.points.at(-1)!, node(l, 'step:s3'))).toBe(true);
		expect(l.edges.find((e) => e.kind === 'no')).toMatchObject({ from: 'decision:s1', to: 'step:s2' });
		expect(l.edges.some((e) => e.from === 'step:s1' && e.to === 'decision:s1')).toBe(true);
		// The step itself no longer links straight to the next one.
		expect(l.edges.some((e) => e.from === 'step:s1' && e.to === 'step:s2')).toBe(false);
	});

	it('sends "no" of a decision on the last step to the end', () => {
		const l = layoutProcessMap(procedure(3, { 3: 1 }));
		expect(l.edges.find((e) => e.kind === 'no')).toMatchObject({ from: 'decision:s3', to: 'end' });
	});

	it('routes yes jumps, backward ones too, outside the column, in separate lanes when they overlap', () => {
		const l = layoutProcessMap(procedure(6, { 5: 2, 2: 6 }));
		const column = l.nodes.filter((n) => n.kind !== 'escalation');
		const columnLeft = Math.min(...column.map((n) => n.x));
		const yes = l.edges.filter((e) => e.kind === 'yes');
		expect(yes).toHaveLength(2);
		expect(node(l, 'step:s2').y).toBeLessThan(node(l, 'decision:s5').y);
		for (const e of yes) for (const p of e.points.slice(1, -1)) expect(p.x).toBeLessThan(columnLeft);
		const laneX = (e: (typeof yes)[number]) => e.points[1]!.x;
		expect(laneX(yes[0]!)).not.toBe(laneX(yes[1]!));
		// Orthogonal segments only, so the route reads as a clear detour.
		for (const e of yes)
			for (let i = 1; i < e.points.length; i++) {
				const [a, b] = [e.points[i - 1]!, e.points[i]!];
				expect(a.x === b.x || a.y === b.y).toBe(true);
			}
	});

	it('shows a decision whose target is missing or not chosen, flagged, without a yes edge', () => {
		const l = layoutProcessMap(procedure(3, { 1: 'gone', 2: null }));
		expect(node(l, 'decision:s1').targetMissing).toBe(true);
		expect(node(l, 'decision:s2').targetMissing).toBe(true);
		expect(l.edges.filter((e) => e.kind === 'yes')).toEqual([]);
		expect(l.edges.find((e) => e.from === 'decision:s1')).toMatchObject({ to: 'step:s2', kind: 'no' });
		expect(
			layoutProcessMap(procedure(3, { 1: 3 })).nodes.find((n) => n.id === 'decision:s1')!.targetMissing
		).toBeUndefined();
	});

	it('puts the escalation box beside the column, reached by a dashed edge labelled with its "when"', () => {
		const l = layoutProcessMap(procedure(3), {
			floorName: (id) => (id === 'gestion-compte' ? 'Gestion de compte' : id)
		});
		const esc = node(l, 'escalation');
		expect(esc.lines).toEqual(['Gestion de compte', 'Cellule fraude']);
		const last = node(l, 'step:s3');
		expect(esc.x).toBeGreaterThan(last.x + last.width);
		const edge = l.edges.find((e) => e.kind === 'escalate')!;
		expect(edge).toMatchObject({ from: 'step:s3', to: 'escalation', labelLines: ['Si fraude suspectée'] });
		expect(inside(edge.points.at(-1)!, esc)).toBe(true);
		expect(l.width).toBeGreaterThan(layoutProcessMap(procedure(3, {}, false)).width);
	});

	it('gives the same layout for the same procedure', () => {
		const p = procedure(5, { 2: 4, 5: 1 });
		expect(layoutProcessMap(p)).toEqual(layoutProcessMap(structuredClone(p)));
	});

	it('wraps long text into lines and truncates it with an ellipsis, growing the box', () => {
		const p = procedure(2, {}, false);
		p.steps[0]!.action =
			'Ouvrir la fiche client dans Atlas puis vérifier le champ État de l’accès et le code blocage affiché en haut de l’onglet Sécurité';
		const l = layoutProcessMap(p, { maxCharsPerLine: 20, maxLines: 3 });
		const box = node(l, 'step:s1');
		expect(box.lines).toHaveLength(3);
		for (const line of box.lines) expect(line.length).toBeLessThanOrEqual(20);
		expect(box.lines[2]!.endsWith('…')).toBe(true);
		expect(box.lines[0]).toBe('Ouvrir la fiche');
		expect(box.height).toBeGreaterThan(node(l, 'step:s2').height);
	});
});

describe('wrapText', () => {
	it('keeps short text on one line and cuts words longer than a line', () => {
		expect(wrapText('  Appeler   le client ', 30, 2)).toEqual(['Appeler le client']);
		expect(wrapText('abcdefghij', 4, 5)).toEqual(['abcd', 'efgh', 'ij']);
		expect(wrapText('un deux trois quatre', 8, 1)).toEqual(['un deux…']);
	});
});
