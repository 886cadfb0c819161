// Document ids: `<type>/<entity id>`. The type prefix tells the repo and the share policy what a
// document is without opening it.
export const DOC_TYPES = ['article', 'note', 'question', 'space', 'centre'] as const;
export type DocType = (typeof DOC_TYPES)[number];

export function docId(type: DocType, id: string): string {
	return `${type}/${id}`;
}

export function parseDocId(value: string): { type: DocType; id: string } | null {
	const slash = value.indexOf('/');
	if (slash < 1) return null;
	const type = value.slice(0, slash);
	const id = value.slice(slash + 1);
	if (!(DOC_TYPES as readonly string[]).includes(type) || id.length === 0) return null;
	return { type: type as DocType, id };
}

/** A new random entity id, URL-safe, 16 characters of base-36. */
export function newId(prefix = ''): string {
	const bytes = crypto.getRandomValues(new Uint8Array(10));
	let out = '';
	for (const b of bytes) out += (b % 36).toString(36);
	return prefix + out + Date.now().toString(36).slice(-6);
}

/** The knowledge base space every centre has. */
export const KB_SPACE = 'kb';
