// A standard response as text to send: the answer without the agent's note, and its {{placeholders}}
// filled with what the agent typed. Placeholders are matched like placeholders() in article.ts.
import type { BodyNode } from './body';

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/gi;

/** The answer text of a response body: blocks separated by a blank line, list items one per line
 *  ("- " or "1. "), without the leading one-line italic note addressed to the agent. */
export function responseTemplate(nodes: readonly BodyNode[]): string {
	const blocks = isAgentNote(nodes[0]) ? nodes.slice(1) : nodes;
	return blocks
		.map(blockText)
		.filter((b) => b.trim() !== '')
		.join('\n\n');
}

/** A paragraph whose every bit of text is in italics: the "when to use it" note of FORMAT.md. */
function isAgentNote(node: BodyNode | undefined): boolean {
	if (node?.type !== 'paragraph' || !node.content?.length) return false;
	const texts = node.content.filter((c) => c.text !== undefined);
	return (
		texts.length > 0 && texts.every((c) => c.marks?.some((m) => m.type === 'italic') || c.text!.trim() === '')
	);
}

function inline(node: BodyNode): string {
	if (node.text !== undefined) return node.text;
	if (node.type === 'hardBreak') return '\n';
	return (node.content ?? []).map(inline).join('');
}

function blockText(node: BodyNode): string {
	switch (node.type) {
		case 'bulletList':
		case 'orderedList':
		case 'taskList': {
			const start = Number.isInteger(node.attrs?.start) ? (node.attrs!.start as number) : 1;
			return (node.content ?? [])
				.map((item, i) => {
					const marker = node.type === 'orderedList' ? `${start + i}. ` : '- ';
					// Continuation lines of an item (nested lists, second paragraphs) are indented under it.
					const text = (item.content ?? [])
						.map(blockText)
						.join('\n')
						.replace(/\n/g, `\n${' '.repeat(marker.length)}`);
					return marker + text;
				})
				.join('\n');
		}
		case 'table':
			return (node.content ?? [])
				.map((row) =>
					(row.content ?? []).map((cell) => (cell.content ?? []).map(blockText).join(' ')).join(' | ')
				)
				.join('\n');
		case 'horizontalRule':
			return '';
		case 'paragraph':
		case 'heading':
		case 'codeBlock':
			return inline(node).trim();
		default:
			// Containers (blockquote, callout…): their blocks, one per line.
			return node.content
				? node.content.map((c) => (c.text !== undefined ? inline(c) : blockText(c))).join('\n')
				: inline(node);
	}
}

export type TemplatePart =
	{ kind: 'text'; text: string } | { kind: 'placeholder'; name: string; raw: string };

/** The template cut into literal text and placeholders (name lowercased, `raw` as written). */
export function templateParts(template: string): TemplatePart[] {
	const parts: TemplatePart[] = [];
	let last = 0;
	for (const match of template.matchAll(PLACEHOLDER)) {
		if (match.index > last) parts.push({ kind: 'text', text: template.slice(last, match.index) });
		parts.push({ kind: 'placeholder', name: match[1]!.toLowerCase(), raw: match[0] });
		last = match.index + match[0].length;
	}
	if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
	return parts;
}

/** Replaces every placeholder that has a non-blank value; the others stay as written and are listed
 *  in `missing` (once each, in order of first use). */
export function fillPlaceholders(
	template: string,
	values: Record<string, string>
): { text: string; missing: string[] } {
	const byName = new Map(Object.entries(values).map(([k, v]) => [k.trim().toLowerCase(), v]));
	const missing = new Set<string>();
	const text = templateParts(template)
		.map((part) => {
			if (part.kind === 'text') return part.text;
			const value = byName.get(part.name);
			if (value !== undefined && value.trim() !== '') return value.trim();
			missing.add(part.name);
			return part.raw;
		})
		.join('');
	return { text, missing: [...missing] };
}

/** A placeholder's field label: "nom_client" → "Nom client". */
export function placeholderLabel(name: string): string {
	const words = name
		.replace(/[_\s]+/g, ' ')
		.trim()
		.toLowerCase();
	return words.charAt(0).toUpperCase() + words.slice(1);
}
