// A troubleshooting procedure's structure, as the body holds it: an ordered list of steps (action,
// expected result, optional decision "if … go to step N") and an escalation section. The editor edits
// these nodes in place; the process map and checks read them through readProcedure().
import type { BodyNode } from './body';

/** Body node types of a procedure (the editor's schema uses the same names). */
export const PROCEDURE_NODES = {
	steps: 'procedureSteps',
	step: 'procedureStep',
	action: 'stepAction',
	result: 'stepResult',
	decision: 'stepDecision',
	escalation: 'escalation',
	when: 'escalationWhen',
	to: 'escalationTo',
	handover: 'escalationHandover'
} as const;

/** A fresh step id (random, short: it appears in every decision that points at the step). */
export function newStepId(): string {
	return `s-${crypto.randomUUID().slice(0, 8)}`;
}

export interface StepDecision {
	/** The condition, as written ("Si l'indicateur est déjà actif"). */
	condition: string;
	/** Id of the step to go to when the condition holds; null when not chosen yet. */
	target: string | null;
	/** 1-based number of the target step, when the target exists. */
	targetNumber?: number;
}

export interface ProcedureStep {
	/** Stable id (survives reordering, so "go to" links keep pointing at the right step). */
	id: string;
	/** 1-based position. */
	number: number;
	action: string;
	result: string;
	decision?: StepDecision;
}

export interface Escalation {
	/** Floor id the case goes to, if one is chosen. */
	floor: string | null;
	when: string;
	/** Role or desk ("Service successions"). */
	to: string;
	handover: string;
}

export interface Procedure {
	steps: ProcedureStep[];
	escalation: Escalation | null;
}

/** Reads the steps and escalation of a procedure body (the first steps list and escalation found). */
export function readProcedure(nodes: readonly BodyNode[]): Procedure {
	const stepsNode = findNode(nodes, PROCEDURE_NODES.steps);
	const raw = (stepsNode?.content ?? []).filter((n) => n.type === PROCEDURE_NODES.step);
	const numbers = new Map<string, number>();
	raw.forEach((n, i) => numbers.set(stepId(n, i), i + 1));
	const steps = raw.map((n, i): ProcedureStep => {
		const id = stepId(n, i);
		const step: ProcedureStep = {
			id,
			number: i + 1,
			action: inlineText(child(n, PROCEDURE_NODES.action)),
			result: inlineText(child(n, PROCEDURE_NODES.result))
		};
		const d = child(n, PROCEDURE_NODES.decision);
		if (d) {
			const target = typeof d.attrs?.target === 'string' && d.attrs.target ? d.attrs.target : null;
			step.decision = { condition: inlineText(d), target };
			const targetNumber = target ? numbers.get(target) : undefined;
			if (targetNumber !== undefined) step.decision.targetNumber = targetNumber;
		}
		return step;
	});
	const e = findNode(nodes, PROCEDURE_NODES.escalation);
	const escalation: Escalation | null = e
		? {
				floor: typeof e.attrs?.floor === 'string' && e.attrs.floor ? e.attrs.floor : null,
				when: inlineText(child(e, PROCEDURE_NODES.when)),
				to: inlineText(child(e, PROCEDURE_NODES.to)),
				handover: inlineText(child(e, PROCEDURE_NODES.handover))
			}
		: null;
	return { steps, escalation };
}

function stepId(n: BodyNode, index: number): string {
	return typeof n.attrs?.id === 'string' && n.attrs.id ? n.attrs.id : `step-${index + 1}`;
}

function child(node: BodyNode, type: string): BodyNode | undefined {
	return node.content?.find((c) => c.type === type);
}

function findNode(nodes: readonly BodyNode[], type: string): BodyNode | undefined {
	for (const n of nodes) {
		if (n.type === type) return n;
		const inner = n.content ? findNode(n.content, type) : undefined;
		if (inner) return inner;
	}
	return undefined;
}

/** Text of a node's inline content; blocks inside (handover lists) are joined by new lines. */
function inlineText(node: BodyNode | undefined): string {
	if (!node) return '';
	if (node.text !== undefined) return node.text;
	if (node.type === 'hardBreak') return '\n';
	const parts = (node.content ?? []).map(inlineText);
	const isBlockContainer = (node.content ?? []).some((c) => c.text === undefined && c.type !== 'hardBreak');
	return (isBlockContainer ? parts.join('\n') : parts.join('')).trim();
}
