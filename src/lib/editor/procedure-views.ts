// Node views for the two procedure nodes that carry a choice: a decision's target step and the
// escalation's destination floor. The choice is a native <select> outside the editable content, so
// it is keyboard- and screen-reader-friendly; the text stays in ProseMirror's content DOM.
import type { NodeViewRendererProps } from '@tiptap/core';
import type { Node as PMNode } from '@tiptap/pm/model';
import type { NodeView } from '@tiptap/pm/view';
import { PROCEDURE_NODES as N } from '../domain/procedure';

export interface ProcedureViewLabels {
	decision: string;
	goTo: string;
	noTarget: string;
	escalation: string;
	floor: string;
	noFloor: string;
	/** "Step {n}: {action}" */
	step: string;
}

export interface ProcedureViewOptions {
	labels: ProcedureViewLabels;
	floors: { id: string; name: string }[];
}

function el<K extends keyof HTMLElementTagNameMap>(
	tag: K,
	attrs: Record<string, string> = {},
	text?: string
): HTMLElementTagNameMap[K] {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
	if (text !== undefined) e.textContent = text;
	return e;
}

function setOptions(
	select: HTMLSelectElement,
	options: { value: string; label: string }[],
	value: string
): void {
	const same =
		select.options.length === options.length &&
		options.every((o, i) => select.options[i]!.value === o.value && select.options[i]!.text === o.label);
	if (!same) select.replaceChildren(...options.map((o) => el('option', { value: o.value }, o.label)));
	if (select.value !== value) select.value = value;
}

/** The steps of the procedure list holding the decision at `pos`, with their numbers. */
function stepsAround(doc: PMNode, pos: number): { id: string; label: string }[] {
	const $pos = doc.resolve(pos);
	for (let d = $pos.depth; d > 0; d--) {
		const list = $pos.node(d);
		if (list.type.name !== N.steps) continue;
		const out: { id: string; label: string }[] = [];
		list.forEach((step) =>
			out.push({ id: String(step.attrs.id ?? ''), label: step.firstChild?.textContent ?? '' })
		);
		return out;
	}
	return [];
}

const excerpt = (text: string) => (text.length > 48 ? `${text.slice(0, 47)}…` : text);

/** The node view around one choice: `attr` follows `select`, `render` refreshes the choices on every
 *  transaction (they depend on the rest of the document), and `controls` stay out of ProseMirror's hands. */
function choiceView(
	props: NodeViewRendererProps,
	parts: {
		dom: HTMLElement;
		contentDOM: HTMLElement;
		controls: HTMLElement;
		select: HTMLSelectElement;
		attr: string;
		render: (node: PMNode, pos: number) => void;
	}
): NodeView {
	const { editor, getPos } = props;
	const { dom, contentDOM, controls, select, attr } = parts;
	let node = props.node as PMNode;
	const position = () => (typeof getPos === 'function' ? getPos() : undefined);
	const render = () => {
		const pos = position();
		if (pos === undefined) return;
		parts.render(node, pos);
		select.disabled = !editor.isEditable;
	};
	const onChange = () => {
		const pos = position();
		if (pos === undefined) return;
		editor.view.dispatch(
			editor.state.tr.setNodeMarkup(pos, undefined, { ...node.attrs, [attr]: select.value || null })
		);
	};
	select.addEventListener('change', onChange);
	editor.on('transaction', render);
	render();
	return {
		dom,
		contentDOM,
		update(next) {
			if (next.type !== node.type) return false;
			node = next;
			render();
			return true;
		},
		stopEvent: (event) => controls.contains(event.target as globalThis.Node),
		ignoreMutation: (m) => !contentDOM.contains(m.target) || m.target === dom,
		destroy() {
			select.removeEventListener('change', onChange);
			editor.off('transaction', render);
		}
	};
}

export function decisionView(props: NodeViewRendererProps, options: ProcedureViewOptions): NodeView {
	const doc = () => props.editor.state.doc;
	const L = options.labels;
	const dom = el('div', { class: 'step-decision' });
	const head = el('span', { class: 'decision-label', contenteditable: 'false' }, L.decision);
	const contentDOM = el('div', { class: 'decision-condition' });
	const chooser = el('label', { class: 'decision-target', contenteditable: 'false' });
	const select = el('select', { 'aria-label': L.goTo });
	chooser.append(el('span', {}, L.goTo), select);
	dom.append(head, contentDOM, chooser);

	return choiceView(props, {
		dom,
		contentDOM,
		controls: chooser,
		select,
		attr: 'target',
		render: (node, pos) => {
			const steps = stepsAround(doc(), pos);
			const $p = doc().resolve(pos);
			const own = $p.depth > 0 ? String($p.parent.attrs.id ?? '') : '';
			const choices = [{ value: '', label: L.noTarget }];
			steps.forEach((s, i) => {
				if (s.id !== own)
					choices.push({
						value: s.id,
						label: L.step.replace('{n}', String(i + 1)).replace('{action}', excerpt(s.label))
					});
			});
			const target = typeof node.attrs.target === 'string' ? node.attrs.target : '';
			const exists = steps.some((s) => s.id === target);
			// A target whose step was deleted stays visible as missing, so nobody loses the link silently.
			if (target && !exists) choices.push({ value: target, label: `⚠ ${L.noTarget}` });
			setOptions(select, choices, target);
			dom.toggleAttribute('data-missing-target', !target || !exists);
		}
	});
}

export function escalationView(props: NodeViewRendererProps, options: ProcedureViewOptions): NodeView {
	const L = options.labels;
	const dom = el('section', { class: 'escalation' });
	const header = el('div', { class: 'escalation-header', contenteditable: 'false' });
	const title = el('strong', {}, L.escalation);
	const chooser = el('label', { class: 'escalation-floor' });
	const select = el('select', { 'aria-label': L.floor });
	chooser.append(el('span', {}, L.floor), select);
	header.append(title, chooser);
	const contentDOM = el('div', { class: 'escalation-fields' });
	dom.append(header, contentDOM);

	return choiceView(props, {
		dom,
		contentDOM,
		controls: header,
		select,
		attr: 'floor',
		render: (node) => {
			const floor = typeof node.attrs.floor === 'string' ? node.attrs.floor : '';
			const choices = [
				{ value: '', label: L.noFloor },
				...options.floors.map((f) => ({ value: f.id, label: f.name }))
			];
			if (floor && !options.floors.some((f) => f.id === floor)) choices.push({ value: floor, label: floor });
			setOptions(select, choices, floor);
		}
	});
}
