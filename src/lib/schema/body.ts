// The article body is a Y.XmlFragment in y-prosemirror's encoding, so Tiptap's Collaboration
// extension binds to it as is: an element per node (nodeName = node type, attributes = attrs), and a
// Y.XmlText per run of text whose formatting attributes are the marks ({ bold: {} }, { link: {href} }).
import * as Y from 'yjs';
import type { BodyMark, BodyNode } from '../domain/body';

export function bodyFragment(doc: Y.Doc): Y.XmlFragment {
	return doc.getXmlFragment('body');
}

/** Reads a body as plain nodes. */
export function readBody(fragment: Y.XmlFragment): BodyNode[] {
	return fragment.toArray().flatMap(readNode);
}

function readNode(item: Y.XmlElement | Y.XmlText | Y.XmlHook): BodyNode[] {
	if (item instanceof Y.XmlText) {
		const delta = item.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[];
		return delta
			.filter((d) => typeof d.insert === 'string' && d.insert.length > 0)
			.map((d) => {
				const node: BodyNode = { type: 'text', text: d.insert as string };
				const marks = marksFromAttributes(d.attributes);
				if (marks.length) node.marks = marks;
				return node;
			});
	}
	if (item instanceof Y.XmlElement) {
		const node: BodyNode = { type: item.nodeName };
		const attrs = item.getAttributes() as Record<string, unknown>;
		if (Object.keys(attrs).length) node.attrs = attrs;
		const content = item.toArray().flatMap(readNode);
		if (content.length) node.content = content;
		return [node];
	}
	return [];
}

function marksFromAttributes(attributes: Record<string, unknown> | undefined): BodyMark[] {
	if (!attributes) return [];
	return Object.entries(attributes).map(([name, value]) => {
		// y-prosemirror suffixes repeated marks of one type with `--<hash>`.
		const type = name.split('--')[0]!;
		const mark: BodyMark = { type };
		if (value && typeof value === 'object' && Object.keys(value).length)
			mark.attrs = value as Record<string, unknown>;
		return mark;
	});
}

/** Replaces the body with the given nodes (seed generation, imports). */
export function writeBody(fragment: Y.XmlFragment, nodes: readonly BodyNode[]): void {
	const apply = () => {
		if (fragment.length) fragment.delete(0, fragment.length);
		fragment.insert(0, toYItems(nodes));
	};
	if (fragment.doc) fragment.doc.transact(apply);
	else apply();
}

function toYItems(nodes: readonly BodyNode[]): (Y.XmlElement | Y.XmlText)[] {
	const out: (Y.XmlElement | Y.XmlText)[] = [];
	let text: Y.XmlText | null = null;
	let textLength = 0;
	for (const node of nodes) {
		if (node.type === 'text') {
			if (!text) {
				text = new Y.XmlText();
				textLength = 0;
				out.push(text);
			}
			const attrs: Record<string, unknown> = {};
			for (const mark of node.marks ?? []) attrs[mark.type] = mark.attrs ?? {};
			// Formatting is applied after the text is in a document; queue it on the prelim text.
			text.insert(textLength, node.text ?? '', attrs);
			textLength += (node.text ?? '').length;
			continue;
		}
		text = null;
		const el = new Y.XmlElement(node.type);
		for (const [key, value] of Object.entries(node.attrs ?? {})) {
			if (value !== null && value !== undefined) el.setAttribute(key, value as string);
		}
		if (node.content?.length) el.insert(0, toYItems(node.content));
		out.push(el);
	}
	return out;
}
