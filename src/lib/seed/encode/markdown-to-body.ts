// Turns the Markdown subset of src/lib/seed/demo/FORMAT.md into body nodes in the editor's schema.
import MarkdownIt from 'markdown-it';
import type { BodyMark, BodyNode } from '../../domain/body';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
type Token = ReturnType<typeof md.parse>[number];

const BLOCKS: Record<string, string> = {
	paragraph_open: 'paragraph',
	heading_open: 'heading',
	bullet_list_open: 'bulletList',
	ordered_list_open: 'orderedList',
	list_item_open: 'listItem',
	blockquote_open: 'blockquote',
	table_open: 'table',
	tr_open: 'tableRow',
	th_open: 'tableHeader',
	td_open: 'tableCell'
};

export function markdownToBody(source: string): BodyNode[] {
	const tokens = md.parse(source, {});
	const root: BodyNode = { type: 'doc', content: [] };
	const stack: BodyNode[] = [root];
	const top = () => stack[stack.length - 1]!;
	const push = (node: BodyNode) => (top().content ??= []).push(node);

	for (const token of tokens) {
		if (
			token.type === 'thead_open' ||
			token.type === 'thead_close' ||
			token.type === 'tbody_open' ||
			token.type === 'tbody_close'
		)
			continue;
		if (token.type === 'hr') {
			push({ type: 'horizontalRule' });
			continue;
		}
		if (token.nesting === 1) {
			const type = BLOCKS[token.type];
			if (!type) throw new Error(`Unsupported Markdown block: ${token.type}`);
			const node: BodyNode = { type };
			if (type === 'heading') node.attrs = { level: Number(token.tag.slice(1)) };
			if (type === 'orderedList') node.attrs = { start: Number(token.attrGet('start') ?? 1) };
			push(node);
			stack.push(node);
			continue;
		}
		if (token.nesting === -1) {
			const node = stack.pop()!;
			if (node.type === 'tableHeader' || node.type === 'tableCell') {
				// Table cells hold paragraphs in the editor's schema.
				node.content = [{ type: 'paragraph', ...(node.content ? { content: node.content } : {}) }];
			}
			if (node.type === 'blockquote') toCallout(node);
			continue;
		}
		if (token.type === 'inline') {
			const inline = inlineNodes(token.children ?? []);
			if (inline.length) (top().content ??= []).push(...inline);
		}
	}
	return root.content ?? [];
}

/** A blockquote starting with `[!warning]` or `[!tip]` becomes a callout of that type. */
function toCallout(node: BodyNode): void {
	const first = node.content?.[0];
	const firstText = first?.content?.[0];
	const match = firstText?.text?.match(/^\[!(warning|tip)\]\s*/i);
	if (!first || !firstText || !match) return;
	node.type = 'callout';
	node.attrs = { type: match[1]!.toLowerCase() };
	firstText.text = firstText.text!.slice(match[0].length);
	if (!firstText.text) first.content!.shift();
	// Drop a line break left behind by the marker line.
	while (first.content?.[0]?.type === 'hardBreak' || first.content?.[0]?.text === '') first.content.shift();
	if (first.content && first.content.length === 0) node.content!.shift();
}

function inlineNodes(tokens: Token[]): BodyNode[] {
	const out: BodyNode[] = [];
	const marks: BodyMark[] = [];
	const text = (value: string, extra?: BodyMark) => {
		if (!value) return;
		const all = extra ? [...marks, extra] : [...marks];
		const prev = out[out.length - 1];
		if (prev?.type === 'text' && JSON.stringify(prev.marks ?? []) === JSON.stringify(all)) {
			prev.text += value;
			return;
		}
		out.push(all.length ? { type: 'text', text: value, marks: all } : { type: 'text', text: value });
	};
	for (const t of tokens) {
		switch (t.type) {
			case 'text':
				text(t.content);
				break;
			case 'softbreak':
				text(' ');
				break;
			case 'hardbreak':
				out.push({ type: 'hardBreak' });
				break;
			case 'code_inline':
				text(t.content, { type: 'code' });
				break;
			case 'strong_open':
				marks.push({ type: 'bold' });
				break;
			case 'em_open':
				marks.push({ type: 'italic' });
				break;
			case 'link_open':
				marks.push({ type: 'link', attrs: { href: t.attrGet('href') ?? '' } });
				break;
			case 'strong_close':
			case 'em_close':
			case 'link_close':
				marks.pop();
				break;
			default:
				throw new Error(`Unsupported Markdown inline: ${t.type}`);
		}
	}
	return out;
}
