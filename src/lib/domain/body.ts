// An article body as plain data, in the shape of ProseMirror's JSON (the editor's schema, so the
// same body binds to Tiptap later). Rendering and search read this; only the schema layer turns it
// into and out of a Y.XmlFragment.

export interface BodyMark {
	type: 'bold' | 'italic' | 'code' | 'link' | 'underline' | 'strike' | string;
	attrs?: Record<string, unknown>;
}

export interface BodyNode {
	type: string;
	attrs?: Record<string, unknown>;
	content?: BodyNode[];
	text?: string;
	marks?: BodyMark[];
}

/** Block and inline node types the renderer knows; anything else is shown as plain text. */
export const BLOCK_TYPES = [
	'paragraph',
	'heading',
	'bulletList',
	'orderedList',
	'listItem',
	'taskList',
	'taskItem',
	'blockquote',
	'callout',
	'table',
	'tableRow',
	'tableHeader',
	'tableCell',
	'horizontalRule',
	'hardBreak',
	'image',
	'codeBlock'
] as const;

/** The plain text of a body: blocks separated by new lines (for search, previews, copy). */
export function bodyText(nodes: readonly BodyNode[]): string {
	const parts: string[] = [];
	const walk = (node: BodyNode) => {
		if (node.text !== undefined) {
			parts.push(node.text);
			return;
		}
		if (node.type === 'hardBreak') {
			parts.push('\n');
			return;
		}
		for (const child of node.content ?? []) walk(child);
		if (node.type !== 'listItem' && node.type !== 'tableCell' && node.type !== 'tableHeader')
			parts.push('\n');
		else parts.push(' ');
	};
	for (const n of nodes) walk(n);
	return parts
		.join('')
		.replace(/[ \t]+\n/g, '\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/** Only http(s) and mailto links are followed; anything else (javascript:, data:) is dropped. */
export function safeHref(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	try {
		const url = new URL(value, 'https://plateau.invalid/');
		if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:') return value;
	} catch {
		return undefined;
	}
	return undefined;
}
