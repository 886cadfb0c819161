// The body a new article starts with, per kind: a procedure gets its steps and escalation blocks
// ready to fill; a response, the note to agents and a paragraph for the answer.
import type { ArticleKind } from './article';
import type { BodyNode } from './body';
import { PROCEDURE_NODES as N } from './procedure';

export interface TemplateTexts {
	whenToUse: string;
	steps: string;
	escalation: string;
	responseNote: string;
}

const text = (t: string): BodyNode[] => (t ? [{ type: 'text', text: t }] : []);
const para = (t = ''): BodyNode => ({ type: 'paragraph', ...(t ? { content: text(t) } : {}) });

export function articleTemplate(kind: ArticleKind, texts: TemplateTexts, stepId: string): BodyNode[] {
	if (kind === 'procedure') {
		return [
			para(texts.whenToUse),
			{ type: 'heading', attrs: { level: 2 }, content: text(texts.steps) },
			{
				type: N.steps,
				content: [{ type: N.step, attrs: { id: stepId }, content: [{ type: N.action }, { type: N.result }] }]
			},
			{ type: 'heading', attrs: { level: 2 }, content: text(texts.escalation) },
			{
				type: N.escalation,
				attrs: { floor: null },
				content: [{ type: N.when }, { type: N.to }, { type: N.handover, content: [para()] }]
			}
		];
	}
	if (kind === 'response')
		return [
			{
				type: 'paragraph',
				content: [{ type: 'text', text: texts.responseNote, marks: [{ type: 'italic' }] }]
			},
			para()
		];
	return [para()];
}
