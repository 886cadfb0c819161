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

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
	if (text !== undefined) e.textContent = text;
	return e;
}

function setOptions(select: HTMLSelectElement, options: { value: string; label: string }[], value: string): void {
	const same =
		select.options.length === options.length && options.every((o, i) => select.options[i]!.value === o.value && select.options[i]!.text === o.label);
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
		list.forEach((step) => out.push({ id: String(step.attrs.id ?? ''), label: step.firstChild?.textContent ?? '' }));
		return out;
	}
	return [];
}

const excerpt = (text: string) => (text.length > 48 ? `${text.slice(0, 47)}…` : text);

export function decisionView(props: NodeViewRendererProps, options: ProcedureViewOptions): NodeView {
	const { editor, getPos } = props;
	let node = props.node as PMNode;
	const L = options.labels;
	const dom = el('div', { class: 'step-decision' });
	const head = el('span', { class: 'decision-label', contenteditable: 'false' }, L.decision);
	const contentDOM = el('div', { class: 'decision-condition' });
	const chooser = el('label', { class: 'decision-target', contenteditable: 'false' });
	const select = el('select', { 'aria-label': L.goTo });
	chooser.append(el('span', {}, L.goTo), select);
	dom.append(head, contentDOM, chooser);

	const render = () => {
		const pos = typeof getPos === 'function' ? getPos() : undefined;
		if (pos === undefined) return;
		const steps = stepsAround(editor.state.doc, pos);
		const own = (() => {
			const $p = editor.state.doc.resolve(pos);
			return $p.depth > 0 ? String($p.parent.attrs.id ?? '') : '';
		})();
		const choices = [{ value: '', label: L.noTarget }];
		steps.forEach((s, i) => {
			if (s.id !== own) choices.push({ value: s.id, label: L.step.replace('{n}', String(i + 1)).replace('{action}', excerpt(s.label)) });
		});
		const target = typeof node.attrs.target === 'string' ? node.attrs.target : '';
		// A target whose step was deleted stays visible as missing, so nobody loses the link silently.
		if (target && !steps.some((s) => s.id === target)) choices.push({ value: target, label: `⚠ ${L.noTarget}` });
		setOptions(select, choices, target);
		select.disabled = !editor.isEditable;
		dom.toggleAttribute('data-missing-target', !target || !steps.some((s) => s.id === target));
	};
	const onChange = () => {
		const pos = typeof getPos === 'function' ? getPos() : undefined;
		if (pos === undefined) return;
		editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...node.attrs, target: select.value || null }));
	};
	select.addEventListener('change', onChange);
	// Step numbers and actions change elsewhere in the document: refresh the choices on every update.
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
		stopEvent: (event) => chooser.contains(event.target as globalThis.Node),
		ignoreMutation: (m) => !contentDOM.contains(m.target) || m.target === dom,
		destroy() {
			select.removeEventListener('change', onChange);
			editor.off('transaction', render);
		}
	};
}

export function escalationView(props: NodeViewRendererProps, options: ProcedureViewOptions): NodeView {
	const { editor, getPos } = props;
	let node = props.node as PMNode;
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

	const render = () => {
		const floor = typeof node.attrs.floor === 'string' ? node.attrs.floor : '';
		const choices = [{ value: '', label: L.noFloor }, ...options.floors.map((f) => ({ value: f.id, label: f.name }))];
		if (floor && !options.floors.some((f) => f.id === floor)) choices.push({ value: floor, label: floor });
		setOptions(select, choices, floor);
		select.disabled = !editor.isEditable;
	};
	const onChange = () => {
		const pos = typeof getPos === 'function' ? getPos() : undefined;
		if (pos === undefined) return;
		editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...node.attrs, floor: select.value || null }));
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
		stopEvent: (event) => header.contains(event.target as globalThis.Node),
		ignoreMutation: (m) => !contentDOM.contains(m.target) || m.target === dom,
		destroy() {
			select.removeEventListener('change', onChange);
			editor.off('transaction', render);
		}
	};
}
