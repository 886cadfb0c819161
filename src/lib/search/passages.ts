// Bodies are indexed as passages, not whole: Orama's BM25 divides by field length, so a long article
// sinks below short ones for a query it answers in one step (DESIGN.md, "Search"). A passage is the
// text under a heading, or one step of a numbered procedure; a document ranks by its best passage.
import { bodyText, type BodyNode } from '../domain/body';

export interface Passage {
	/** The heading the passage sits under ('' before the first heading), with the step number. */
	heading: string;
	text: string;
}

/** Passages shorter than this join the next one, so a one-line paragraph does not stand alone. */
const MIN_CHARS = 80;

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
			node.content!.forEach((item, i) => {
				pending = [item];
				flush(heading ? `${heading} ${start + i}` : String(start + i));
			});
			continue;
		}
		pending.push(node);
		if (bodyText(pending).length >= MIN_CHARS * 4) flush();
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
