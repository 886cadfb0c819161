// What changed between two versions of an article (two published revisions, or the published one
// and the draft): a word-level diff of the title and the text, and for a procedure, of its steps
// (matched by their stable ids: added, removed, changed — action, expected result, decision) and of
// its escalation. Word diffs come from jsdiff (`diff`), inline: runs kept, inserted or deleted.
import { diffArrays, diffWordsWithSpace } from 'diff';
import { bodyText, type BodyNode } from './body';
import { PROCEDURE_NODES, readProcedure, type Escalation, type ProcedureStep } from './procedure';
import type { RevisionSnapshot } from './revision';

/** One run of a word diff. */
export interface DiffPart {
	text: string;
	/** 'added' or 'removed'; absent for text both sides share. */
	change?: 'added' | 'removed';
}

export interface StepChange {
	change: 'added' | 'removed' | 'changed';
	/** The step's number in the newer version (the older one for a removed step). */
	number: number;
	action: DiffPart[];
	result: DiffPart[];
	decision: DiffPart[];
}

export interface RevisionDiff {
	title: DiffPart[];
	text: DiffPart[];
	steps: StepChange[];
	/** Escalation fields that changed, by name ('when', 'to', 'handover', 'floor'). */
	escalation: { field: keyof Escalation; parts: DiffPart[] }[];
	/** Whether anything differs at all. */
	changed: boolean;
}

/** Texts longer than this are first compared line by line (paragraphs, steps), then word by word
 *  only inside the lines that changed: a 10,000-word procedure compares in milliseconds. */
const LONG_TEXT = 2_000;

function words(before: string, after: string): DiffPart[] {
	return diffWordsWithSpace(before, after).map((c) => {
		const part: DiffPart = { text: c.value };
		if (c.added) part.change = 'added';
		else if (c.removed) part.change = 'removed';
		return part;
	});
}

function lines(text: string): string[] {
	return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** A word diff of two texts. */
export function wordDiff(before: string, after: string): DiffPart[] {
	if (before === after) return before ? [{ text: before }] : [];
	if (before.length + after.length < LONG_TEXT) return words(before, after);
	const out: DiffPart[] = [];
	const chunks = diffArrays(lines(before), lines(after));
	for (let i = 0; i < chunks.length; i++) {
		const c = chunks[i]!;
		const next = chunks[i + 1];
		const text = c.value.join('');
		if (c.removed && next?.added) {
			out.push(...words(text, next.value.join('')));
			i++;
		} else if (c.added) out.push({ text, change: 'added' });
		else if (c.removed) out.push({ text, change: 'removed' });
		else out.push({ text });
	}
	return out;
}

function changed(parts: DiffPart[]): boolean {
	return parts.some((p) => p.change);
}

/** The text outside a procedure's steps and escalation (those are compared as structure). */
function proseOf(body: readonly BodyNode[]): string {
	const skip = new Set<string>([PROCEDURE_NODES.steps, PROCEDURE_NODES.escalation]);
	const strip = (nodes: readonly BodyNode[]): BodyNode[] =>
		nodes.filter((n) => !skip.has(n.type)).map((n) => (n.content ? { ...n, content: strip(n.content) } : n));
	return bodyText(strip(body));
}

/** A decision as text: its condition, then the step it goes to (number and action, so pointing at
 *  another step shows even when the number stays). */
function decisionText(s: ProcedureStep | undefined, steps: readonly ProcedureStep[]): string {
	if (!s?.decision) return '';
	const target = steps.find((t) => t.id === s.decision!.target);
	const to = target ? ` → ${target.number}. ${target.action}` : '';
	return `${s.decision.condition}${to}`;
}

function stepChange(
	before: ProcedureStep | undefined,
	after: ProcedureStep | undefined,
	stepsBefore: readonly ProcedureStep[],
	stepsAfter: readonly ProcedureStep[]
): StepChange | undefined {
	const action = wordDiff(before?.action ?? '', after?.action ?? '');
	const result = wordDiff(before?.result ?? '', after?.result ?? '');
	const decision = wordDiff(decisionText(before, stepsBefore), decisionText(after, stepsAfter));
	const change = !before ? 'added' : !after ? 'removed' : undefined;
	if (!change && !changed(action) && !changed(result) && !changed(decision)) return undefined;
	return { change: change ?? 'changed', number: (after ?? before)!.number, action, result, decision };
}

/** What changed from `before` to `after`. */
export function diffSnapshots(before: RevisionSnapshot, after: RevisionSnapshot): RevisionDiff {
	const title = wordDiff(before.title, after.title);
	const procedure = before.kind === 'procedure' || after.kind === 'procedure';
	const text = procedure
		? wordDiff(proseOf(before.body), proseOf(after.body))
		: wordDiff(bodyText(before.body), bodyText(after.body));
	const steps: StepChange[] = [];
	const escalation: RevisionDiff['escalation'] = [];
	if (procedure) {
		const a = readProcedure(before.body);
		const b = readProcedure(after.body);
		const old = new Map(a.steps.map((s) => [s.id, s]));
		for (const s of b.steps) {
			const c = stepChange(old.get(s.id), s, a.steps, b.steps);
			if (c) steps.push(c);
		}
		const kept = new Set(b.steps.map((s) => s.id));
		for (const s of a.steps) if (!kept.has(s.id)) steps.push(stepChange(s, undefined, a.steps, b.steps)!);
		for (const field of ['when', 'to', 'handover', 'floor'] as const) {
			const parts = wordDiff(a.escalation?.[field] ?? '', b.escalation?.[field] ?? '');
			if (changed(parts)) escalation.push({ field, parts });
		}
	}
	return {
		title,
		text,
		steps,
		escalation,
		changed: changed(title) || changed(text) || steps.length > 0 || escalation.length > 0
	};
}
