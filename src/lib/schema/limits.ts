// Shape limits of a Plateau document, checked before anything reads it. Readers (the body renderer,
// Y's toJSON, the indexer, the editor binding) recurse into nested types; a body nested 5,000
// levels deep (102 KiB of update) overflowed the stack of every one of them. This walk is
// iterative and looks at Yjs's item lists directly, so it cannot overflow, and it runs on receipt
// (sync vetting, on a trial copy) and on load (Repo), before any recursive reader sees the document.
import * as Y from 'yjs';

export interface DocLimits {
	/** Nested shared types (elements inside elements). A real body: doc > list > item > list > item >
	 *  paragraph > text is 7; tables, callouts and lists nested ten deep stay under 30. */
	maxDepth: number;
	/** Characters of content (text, attributes, values), summed. Pasted images are data URLs of up to
	 *  1.5 MiB each: 16 Mi leaves room for ten, and a 10,000-article catalog holds about 3 Mi. */
	maxChars: number;
	/** Live items (text runs, elements, map entries): a 100-page reference is about 20,000. */
	maxItems: number;
}

export const DOC_LIMITS: DocLimits = {
	maxDepth: 64,
	maxChars: 16 * 1024 * 1024,
	maxItems: 500_000
};

/** Why `doc` breaks the limits (too deep, too large, a subdocument), or undefined if it does not.
 *  Iterative: never recurses, whatever the document holds. */
export function docShapeProblem(doc: Y.Doc, limits: DocLimits = DOC_LIMITS): string | undefined {
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	const stack: [Y.AbstractType<any>, number][] = [];
	for (const type of doc.share.values()) stack.push([type, 1]);
	let chars = 0;
	let items = 0;
	while (stack.length) {
		const [type, depth] = stack.pop()!;
		if (depth > limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
		const visit = (item: Y.Item): string | undefined => {
			if (item.deleted) return undefined;
			if (++items > limits.maxItems) return `more than ${limits.maxItems} items`;
			const content = item.content;
			if (content instanceof Y.ContentType) stack.push([content.type, depth + 1]);
			else if (content instanceof Y.ContentString) chars += content.str.length;
			else if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) {
				for (const value of content.arr) {
					const size = valueSize(value, limits.maxDepth - depth);
					if (size < 0) return `holds a value nested deeper than ${limits.maxDepth} levels`;
					chars += size;
				}
			} else if (content instanceof Y.ContentFormat) {
				const size = valueSize(content.value, limits.maxDepth - depth);
				if (size < 0) return `holds a format nested deeper than ${limits.maxDepth} levels`;
				chars += content.key.length + size;
			} else if (content instanceof Y.ContentEmbed) {
				const size = valueSize(content.embed, limits.maxDepth - depth);
				if (size < 0) return `holds an embed nested deeper than ${limits.maxDepth} levels`;
				chars += size;
			} else if (content instanceof Y.ContentBinary) chars += content.content.length;
			else if (content instanceof Y.ContentDoc) return 'holds a subdocument';
			if (item.parentSub) chars += item.parentSub.length;
			if (chars > limits.maxChars) return `larger than ${limits.maxChars} characters`;
			return undefined;
		};
		for (let item = type._start; item; item = item.right) {
			const problem = visit(item);
			if (problem) return problem;
		}
		for (const item of type._map.values()) {
			const problem = visit(item);
			if (problem) return problem;
		}
	}
	return undefined;
}

/** Characters of a plain value (strings, keys, numbers counted as 8), or -1 if it nests deeper
 *  than `maxDepth`. Iterative. */
function valueSize(value: unknown, maxDepth: number): number {
	let size = 0;
	const stack: [unknown, number][] = [[value, 0]];
	while (stack.length) {
		const [v, depth] = stack.pop()!;
		if (typeof v === 'string') size += v.length;
		else if (v instanceof Uint8Array) size += v.length;
		else if (Array.isArray(v)) {
			if (depth >= maxDepth) return -1;
			for (const x of v) stack.push([x, depth + 1]);
		} else if (typeof v === 'object' && v !== null) {
			if (depth >= maxDepth) return -1;
			for (const [k, x] of Object.entries(v)) {
				size += k.length;
				stack.push([x, depth + 1]);
			}
		} else size += 8;
	}
	return size;
}
