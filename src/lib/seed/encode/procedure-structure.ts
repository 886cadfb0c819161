// Turns a procedure written in the demo's Markdown conventions (FORMAT.md: "## Étapes" numbered list
// with "→ Résultat attendu :" and "… passer à l'étape N", "## Escalade" with "Destination :" and
// "À transmettre :") into the editor's procedure nodes: steps with actions, results and decisions,
// and an escalation block.
import type { BodyNode } from '../../domain/body';
import type { Floor } from '../../domain/centre';
import type { Locale } from '../../domain/locale';
import { PROCEDURE_NODES as N } from '../../domain/procedure';

const STEPS_HEADING = /^(Étapes|Steps)$/i;
const ESCALATION_HEADING = /^(Escalade|Escalation)$/i;
const RESULT_MARK = /→\s*(?:Résultat attendu|Expected result)\s*:\s*/;
const GOTO = /(?:passer(?: directement)? à l'étape|go(?: straight)? to step)\s+(\d+)\s*\.?/i;
const TO_MARK = /^\s*(?:Destination|To)\s*:\s*/i;
const HANDOVER_MARK = /^\s*(?:À transmettre|Hand over)\s*:\s*/i;
const ALWAYS: Record<Locale, string> = { fr: 'Dans tous les cas', en: 'In all cases' };

type Inline = BodyNode[];

function text(nodes: Inline): string {
	return nodes.map((n) => n.text ?? (n.type === 'hardBreak' ? '\n' : '')).join('');
}

/** The inline nodes covering characters [from, to) of their text, marks kept. */
function slice(nodes: Inline, from: number, to: number): Inline {
	const out: Inline = [];
	let at = 0;
	for (const n of nodes) {
		const len = n.text !== undefined ? n.text.length : 1;
		const start = Math.max(from, at);
		const end = Math.min(to, at + len);
		if (start < end) out.push(n.text !== undefined ? { ...n, text: n.text.slice(start - at, end - at) } : n);
		at += len;
	}
	return out;
}

/** Trims white space at both ends of an inline run. */
function trim(nodes: Inline): Inline {
	const t = text(nodes);
	const start = t.length - t.trimStart().length;
	const end = t.trimEnd().length;
	return slice(nodes, start, end).filter((n) => n.text === undefined || n.text.length > 0);
}

const inlineOf = (item: BodyNode): Inline =>
	(item.content ?? []).flatMap((p, i) =>
		(i > 0 ? [{ type: 'text', text: ' ' } as BodyNode] : []).concat(p.content ?? [])
	);

interface RawStep {
	action: Inline;
	result: Inline;
	decision?: { condition: Inline; target: number };
}

/** Takes a "go to step N" sentence out of a run of text, as a decision. */
function takeDecision(run: Inline, locale: Locale): { rest: Inline; decision?: RawStep['decision'] } {
	const t = text(run);
	const m = GOTO.exec(t);
	if (!m) return { rest: run };
	const phraseEnd = m.index + m[0].length;
	// The sentence holding the jump starts after the previous full stop or semicolon.
	const before = t.slice(0, m.index);
	const boundary = Math.max(before.lastIndexOf('. '), before.lastIndexOf('; '));
	const sentenceStart = boundary >= 0 ? boundary + 2 : 0;
	let condition = trim(slice(run, sentenceStart, m.index));
	// Drop the connective before the jump ("… : passer", "…, then go", "… et passer").
	const ct = text(condition).replace(/\s*(?:[:,;]|\bet\b|\bpuis\b|\band\b|\bthen\b|,\s*then)\s*$/i, '');
	condition = trim(slice(condition, 0, ct.length));
	if (!text(condition)) condition = [{ type: 'text', text: ALWAYS[locale] }];
	const rest = trim([...slice(run, 0, boundary >= 0 ? boundary + 1 : 0), ...slice(run, phraseEnd, t.length)]);
	return { rest, decision: { condition, target: Number(m[1]) } };
}

function toStep(item: BodyNode, locale: Locale): RawStep {
	const inline = inlineOf(item);
	const t = text(inline);
	const m = RESULT_MARK.exec(t);
	let action = trim(m ? slice(inline, 0, m.index) : inline);
	let result = trim(m ? slice(inline, m.index + m[0].length, t.length) : []);
	const fromAction = takeDecision(action, locale);
	action = fromAction.rest;
	let decision = fromAction.decision;
	if (!decision) {
		const fromResult = takeDecision(result, locale);
		result = fromResult.rest;
		decision = fromResult.decision;
	}
	// A step that is only a decision ("Si … : passer à l'étape 7.") asks its question as the action.
	if (!text(action) && decision) {
		const question = text(decision.condition).replace(/^(Si|If)\s+/i, '');
		action = [
			{
				type: 'text',
				text: `${question.charAt(0).toUpperCase()}${question.slice(1)}${locale === 'fr' ? ' ?' : '?'}`
			}
		];
	}
	return { action, result, ...(decision ? { decision } : {}) };
}

const field = (type: string, content: Inline): BodyNode => (content.length ? { type, content } : { type });

/** Finds the floor named in an escalation destination ("(plateau Gestion de compte)"). */
function floorIn(destination: string, floors: readonly Floor[]): string | null {
	const lower = destination.toLowerCase();
	for (const f of floors)
		if (lower.includes(f.name.fr.toLowerCase()) || lower.includes(f.name.en.toLowerCase())) return f.id;
	return null;
}

/** Rewrites a procedure body in place of its Markdown conventions; other kinds pass through. */
export function structureProcedure(
	body: BodyNode[],
	locale: Locale,
	floors: readonly Floor[],
	articleId: string
): BodyNode[] {
	const out: BodyNode[] = [];
	for (let i = 0; i < body.length; i++) {
		const node = body[i]!;
		out.push(node);
		const heading = node.type === 'heading' ? text(node.content ?? []) : '';
		if (STEPS_HEADING.test(heading) && body[i + 1]?.type === 'orderedList') {
			const raw = (body[i + 1]!.content ?? []).map((item) => toStep(item, locale));
			// Fixed ids (the seed must encode the same bytes on every run).
			const ids = raw.map((_, k) => `${articleId}-s${k + 1}`);
			out.push({
				type: N.steps,
				content: raw.map((s, k) => ({
					type: N.step,
					attrs: { id: ids[k]! },
					content: [
						field(N.action, s.action),
						field(N.result, s.result),
						...(s.decision
							? [
									{
										type: N.decision,
										attrs: { target: ids[s.decision.target - 1] ?? null },
										content: s.decision.condition
									}
								]
							: [])
					]
				}))
			});
			i++;
		} else if (ESCALATION_HEADING.test(heading)) {
			let when: Inline = [];
			let to: Inline = [];
			const handover: BodyNode[] = [];
			let j = i + 1;
			for (; j < body.length && body[j]!.type !== 'heading'; j++) {
				const part = body[j]!;
				if (part.type === 'paragraph' && !when.length) when = part.content ?? [];
				else if (part.type === 'bulletList') {
					for (const item of part.content ?? []) {
						const inline = inlineOf(item);
						const t = text(inline);
						const toMatch = TO_MARK.exec(t);
						const handMatch = HANDOVER_MARK.exec(t);
						if (toMatch) to = trim(slice(inline, toMatch[0].length, t.length));
						else if (handMatch)
							handover.push({
								type: 'paragraph',
								content: trim(slice(inline, handMatch[0].length, t.length))
							});
						else handover.push({ type: 'paragraph', content: inline });
					}
				} else handover.push(part);
			}
			out.push({
				type: N.escalation,
				attrs: { floor: floorIn(text(to), floors) },
				content: [
					field(N.when, when),
					field(N.to, to),
					{ type: N.handover, content: handover.length ? handover : [{ type: 'paragraph' }] }
				]
			});
			i = j - 1;
		}
	}
	return out;
}
