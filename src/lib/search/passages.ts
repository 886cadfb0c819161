// Bodies are weighed by passages, not whole: BM25 divides by field length, so a long article would
// sink below short ones for a query it answers in one step (DESIGN.md, "Search"). A passage is the
// text under a heading, or a run of steps of a numbered procedure of at least MIN_CHARS; a document
// ranks by its best passage.
import { bodyText, type BodyNode } from '../domain/body';

export interface Passage {
	/** The heading the passage sits under ('' before the first heading), with the step number. */
	heading: string;
	text: string;
}

/** Steps and paragraphs gather until a passage has this many characters (about 60 words): short
 *  passages multiply records (index size and build time) without ranking better. */
const MIN_CHARS = 400;

export function splitPassages(nodes: readonly BodyNode[]): Passage[] {
	const out: Passage[] = [];
	let heading = '';
	let pending: BodyNode[] = [];
	const flush = (h = heading) => {
		const text = bodyText(pending);
		pending = [];
		if (text) out.push({ heading: h, text });
	};
	for (const node of nodes) {
		if (node.type === 'heading') {
			flush();
			heading = bodyText(node.content ?? []);
			continue;
		}
		if (node.type === 'orderedList' && (node.content?.length ?? 0) > 1) {
			flush();
			const start = Number.isInteger(node.attrs?.start) ? (node.attrs!.start as number) : 1;
			let first = 0;
			node.content!.forEach((item, i) => {
				pending.push(item);
				if (bodyText(pending).length < MIN_CHARS && i < node.content!.length - 1) return;
				const steps = first === i ? `${start + i}` : `${start + first}–${start + i}`;
				flush(heading ? `${heading} ${steps}` : steps);
				first = i + 1;
			});
			continue;
		}
		pending.push(node);
		if (bodyText(pending).length >= MIN_CHARS * 2) flush();
	}
	flush();
	return mergeShort(out);
}

function mergeShort(passages: Passage[]): Passage[] {
	const out: Passage[] = [];
	for (const p of passages) {
		const last = out[out.length - 1];
		if (last && last.text.length < MIN_CHARS && last.heading === p.heading) last.text += `\n${p.text}`;
		else out.push({ ...p });
	}
	return out;
}
