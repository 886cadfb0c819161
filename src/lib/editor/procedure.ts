// Procedure structure as editor nodes: a list of steps (action, expected result, optional decision)
// and an escalation block (when, to whom, what to hand over). Node names come from the domain, so
// readProcedure() reads exactly what the editor writes. Enter and Backspace move between the fields
// of a step instead of splitting them, as an agent typing a procedure expects.
import { Extension, Node, mergeAttributes, type Editor } from '@tiptap/core';
import type { Node as PMNode, ResolvedPos } from '@tiptap/pm/model';
import { Plugin, PluginKey, TextSelection, type EditorState, type Transaction } from '@tiptap/pm/state';
import { newStepId, PROCEDURE_NODES as N } from '../domain/procedure';
import {
	decisionView,
	escalationView,
	type ProcedureViewLabels,
	type ProcedureViewOptions
} from './procedure-views';

export interface ProcedureLabels {
	action: string;
	result: string;
	when: string;
	to: string;
	handover: string;
}

export interface ProcedureOptions {
	labels: ProcedureLabels;
	viewLabels: ProcedureViewLabels;
	floors: ProcedureViewOptions['floors'];
}

const noViewLabels: ProcedureViewLabels = {
	decision: '',
	goTo: '',
	noTarget: '',
	escalation: '',
	floor: '',
	noFloor: '',
	step: ''
};

declare module '@tiptap/core' {
	interface Commands<ReturnType> {
		procedure: {
			/** Inserts a list of steps (one empty step) at the selection. */
			insertProcedureSteps: () => ReturnType;
			/** Adds an empty step after the current one (or at the end of the list). */
			addStep: () => ReturnType;
			/** Gives the current step a decision ("if … go to step N"). */
			addDecision: () => ReturnType;
			/** Inserts the escalation block, if the body has none yet. */
			insertEscalation: () => ReturnType;
		};
	}
}

const field = (name: string, labelKey: keyof ProcedureLabels | null, cls: string) =>
	Node.create<{ labels: ProcedureLabels }>({
		name,
		content: 'inline*',
		defining: true,
		addOptions: () => ({ labels: { action: '', result: '', when: '', to: '', handover: '' } }),
		parseHTML: () => [{ tag: `div.${cls}` }],
		renderHTML({ HTMLAttributes }) {
			const label = labelKey ? { 'data-label': this.options.labels[labelKey] } : {};
			return ['div', mergeAttributes(HTMLAttributes, { class: cls }, label), 0];
		}
	});

export const StepAction = field(N.action, 'action', 'step-action');
export const StepResult = field(N.result, 'result', 'step-result');
export const EscalationWhen = field(N.when, 'when', 'escalation-when');
export const EscalationTo = field(N.to, 'to', 'escalation-to');

export const EscalationHandover = Node.create<{ labels: ProcedureLabels }>({
	name: N.handover,
	content: 'block+',
	defining: true,
	addOptions: () => ({ labels: { action: '', result: '', when: '', to: '', handover: '' } }),
	parseHTML: () => [{ tag: 'div.escalation-handover' }],
	renderHTML({ HTMLAttributes }) {
		return [
			'div',
			mergeAttributes(HTMLAttributes, {
				class: 'escalation-handover',
				'data-label': this.options.labels.handover
			}),
			0
		];
	}
});

export const ProcedureSteps = Node.create({
	name: N.steps,
	group: 'block',
	content: `${N.step}+`,
	parseHTML: () => [{ tag: 'ol.procedure-steps' }],
	renderHTML: ({ HTMLAttributes }) => ['ol', mergeAttributes(HTMLAttributes, { class: 'procedure-steps' }), 0]
});

export const ProcedureStep = Node.create({
	name: N.step,
	content: `${N.action} ${N.result} ${N.decision}?`,
	defining: true,
	addAttributes: () => ({
		id: {
			default: null,
			parseHTML: (el) => el.getAttribute('data-step-id'),
			renderHTML: (a) => ({ 'data-step-id': a.id })
		}
	}),
	parseHTML: () => [{ tag: 'li.procedure-step' }],
	renderHTML: ({ HTMLAttributes }) => ['li', mergeAttributes(HTMLAttributes, { class: 'procedure-step' }), 0]
});

export const StepDecision = Node.create<ProcedureViewOptions>({
	name: N.decision,
	content: 'inline*',
	defining: true,
	addOptions: () => ({ labels: noViewLabels, floors: [] }),
	addAttributes: () => ({
		target: {
			default: null,
			parseHTML: (el) => el.getAttribute('data-target'),
			renderHTML: (a) => ({ 'data-target': a.target })
		}
	}),
	parseHTML: () => [{ tag: 'div.step-decision' }],
	renderHTML: ({ HTMLAttributes }) => ['div', mergeAttributes(HTMLAttributes, { class: 'step-decision' }), 0],
	addNodeView() {
		return (props) => decisionView(props, this.options);
	}
});

export const EscalationBlock = Node.create<ProcedureViewOptions>({
	name: N.escalation,
	group: 'block',
	content: `${N.when} ${N.to} ${N.handover}`,
	defining: true,
	isolating: true,
	addOptions: () => ({ labels: noViewLabels, floors: [] }),
	addAttributes: () => ({
		floor: {
			default: null,
			parseHTML: (el) => el.getAttribute('data-floor'),
			renderHTML: (a) => ({ 'data-floor': a.floor })
		}
	}),
	parseHTML: () => [{ tag: 'section.escalation' }],
	renderHTML: ({ HTMLAttributes }) => [
		'section',
		mergeAttributes(HTMLAttributes, { class: 'escalation' }),
		0
	],
	addNodeView() {
		return (props) => escalationView(props, this.options);
	}
});

/** The ancestor of the selection with the given type, with its position. */
function ancestor($pos: ResolvedPos, type: string): { node: PMNode; pos: number; depth: number } | undefined {
	for (let d = $pos.depth; d > 0; d--) {
		const node = $pos.node(d);
		if (node.type.name === type) return { node, pos: $pos.before(d), depth: d };
	}
	return undefined;
}

function emptyStep(state: EditorState): PMNode {
	const s = state.schema.nodes;
	return s[N.step]!.create({ id: newStepId() }, [s[N.action]!.create(), s[N.result]!.create()]);
}

/** Moves the cursor to the start (or end) of the textblock at `pos` (the position before it). */
function focusField(tr: Transaction, pos: number, atEnd = false): Transaction {
	const node = tr.doc.nodeAt(pos);
	const inside = atEnd && node ? pos + 1 + node.content.size : pos + 1;
	return tr.setSelection(TextSelection.create(tr.doc, inside)).scrollIntoView();
}

function addStepAfter(editor: Editor): boolean {
	const { state } = editor;
	const step = ancestor(state.selection.$from, N.step);
	if (!step) return false;
	const at = step.pos + step.node.nodeSize;
	const tr = state.tr.insert(at, emptyStep(state));
	editor.view.dispatch(focusField(tr, at + 1));
	return true;
}

/** Enter inside procedure fields: action → result; result or decision → a new step; escalation
 *  fields → the next field. Shift+Enter still breaks the line. */
function handleEnter(editor: Editor): boolean {
	const { state } = editor;
	const { $from, empty } = state.selection;
	if (!empty) return false;
	const parent = $from.parent.type.name;
	if (parent === N.action) {
		const step = ancestor($from, N.step)!;
		const resultPos = step.pos + 1 + step.node.child(0).nodeSize;
		editor.view.dispatch(focusField(state.tr, resultPos, true));
		return true;
	}
	if (parent === N.result || parent === N.decision) return addStepAfter(editor);
	if (parent === N.when || parent === N.to) {
		const next = $from.after($from.depth);
		editor.view.dispatch(focusField(state.tr, next, true));
		return true;
	}
	return false;
}

/** Backspace at the start of a field: never joins fields; an empty step is removed. */
function handleBackspace(editor: Editor): boolean {
	const { state } = editor;
	const { $from, empty } = state.selection;
	if (!empty || $from.parentOffset !== 0) return false;
	const parent = $from.parent.type.name;
	if (parent === N.result) {
		editor.view.dispatch(
			focusField(state.tr, $from.before($from.depth) - $from.node($from.depth - 1).child(0).nodeSize, true)
		);
		return true;
	}
	if (parent === N.decision) {
		if ($from.parent.content.size > 0) return true;
		const start = $from.before($from.depth);
		const tr = state.tr.delete(start, start + $from.parent.nodeSize);
		const step = ancestor(tr.doc.resolve(start - 1), N.step);
		editor.view.dispatch(step ? focusField(tr, step.pos + 1 + step.node.child(0).nodeSize, true) : tr);
		return true;
	}
	if (parent === N.action) {
		const step = ancestor($from, N.step)!;
		const list = ancestor($from, N.steps)!;
		const isEmpty = step.node.textContent.length === 0 && step.node.childCount === 2;
		if (!isEmpty) return true;
		if (list.node.childCount === 1) {
			// The last step: remove the whole list, leaving an empty paragraph.
			const tr = state.tr.replaceWith(
				list.pos,
				list.pos + list.node.nodeSize,
				state.schema.nodes.paragraph!.create()
			);
			editor.view.dispatch(tr.setSelection(TextSelection.create(tr.doc, list.pos + 1)));
			return true;
		}
		const index = $from.index(step.depth - 1);
		const tr = state.tr.delete(step.pos, step.pos + step.node.nodeSize);
		if (index > 0) {
			const prev = list.node.child(index - 1);
			const prevStart = step.pos - prev.nodeSize;
			// End of the previous step's last field.
			const lastField = prevStart + prev.nodeSize - 1 - prev.lastChild!.nodeSize;
			editor.view.dispatch(focusField(tr, lastField, true));
		} else editor.view.dispatch(focusField(tr, step.pos + 1));
		return true;
	}
	if (parent === N.to || parent === N.handover) return true;
	return false;
}

/** Gives every step a unique id (new steps, pasted or split ones), so decisions can point at them. */
const stepIdsKey = new PluginKey('plateau-step-ids');
function stepIdsPlugin(): Plugin {
	return new Plugin({
		key: stepIdsKey,
		appendTransaction(transactions, _old, state) {
			if (!transactions.some((t) => t.docChanged)) return null;
			const seen = new Set<string>();
			let tr: Transaction | null = null;
			state.doc.descendants((node, pos) => {
				if (node.type.name !== N.step) return node.isBlock;
				const id = node.attrs.id as string | null;
				if (!id || seen.has(id)) {
					tr ??= state.tr;
					tr.setNodeMarkup(pos, undefined, { ...node.attrs, id: newStepId() });
				} else seen.add(id);
				return false;
			});
			return tr;
		}
	});
}

export const ProcedureCommands = Extension.create({
	name: 'procedureCommands',
	priority: 1000,

	addCommands() {
		return {
			insertProcedureSteps:
				() =>
				({ state, tr, dispatch }) => {
					const list = state.schema.nodes[N.steps]!.create(null, [emptyStep(state)]);
					if (dispatch) {
						// Replaces the current top-level block if it is an empty paragraph, else goes after it.
						const { $from } = state.selection;
						const after = $from.depth > 0 ? $from.after(1) : state.doc.content.size;
						const blockEmpty = $from.depth === 1 && $from.parent.content.size === 0;
						const from = blockEmpty ? $from.before(1) : after;
						tr.replaceWith(from, after, list);
						focusField(tr, from + 2);
					}
					return true;
				},
			addStep:
				() =>
				({ editor, state, dispatch }) => {
					if (ancestor(state.selection.$from, N.step)) return dispatch ? addStepAfter(editor) : true;
					return false;
				},
			addDecision:
				() =>
				({ state, tr, dispatch }) => {
					const step = ancestor(state.selection.$from, N.step);
					if (!step || step.node.childCount > 2) return false;
					if (dispatch) {
						const at = step.pos + step.node.nodeSize - 1;
						tr.insert(at, state.schema.nodes[N.decision]!.create({ target: null }));
						focusField(tr, at);
					}
					return true;
				},
			insertEscalation:
				() =>
				({ state, tr, dispatch }) => {
					let exists = false;
					state.doc.descendants((n) => {
						if (n.type.name === N.escalation) exists = true;
						return !exists && n.isBlock;
					});
					if (exists) return false;
					const s = state.schema.nodes;
					const block = s[N.escalation]!.create({ floor: null }, [
						s[N.when]!.create(),
						s[N.to]!.create(),
						s[N.handover]!.create(null, s.paragraph!.create())
					]);
					if (dispatch) {
						const at =
							state.selection.$from.depth > 0 ? state.selection.$from.after(1) : state.doc.content.size;
						tr.insert(at, block);
						focusField(tr, at + 1);
					}
					return true;
				}
		};
	},

	addKeyboardShortcuts() {
		return {
			Enter: () => handleEnter(this.editor),
			Backspace: () => handleBackspace(this.editor),
			'Mod-Alt-s': () => this.editor.commands.insertProcedureSteps(),
			'Mod-Alt-d': () => this.editor.commands.addDecision(),
			'Mod-Alt-e': () => this.editor.commands.insertEscalation()
		};
	},

	addProseMirrorPlugins() {
		return [stepIdsPlugin()];
	}
});

/** Every node of the procedure structure, configured with labels and floors. */
export function procedureExtensions(options: ProcedureOptions) {
	const labels = { labels: options.labels };
	return [
		ProcedureSteps,
		ProcedureStep,
		StepAction.configure(labels),
		StepResult.configure(labels),
		StepDecision.configure({ labels: options.viewLabels, floors: options.floors }),
		EscalationBlock.configure({ labels: options.viewLabels, floors: options.floors }),
		EscalationWhen.configure(labels),
		EscalationTo.configure(labels),
		EscalationHandover.configure(labels),
		ProcedureCommands
	];
}
