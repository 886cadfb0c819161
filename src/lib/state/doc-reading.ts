// What article and note views share: follow one open document, re-reading its details and body
// after every change (a peer's edit, the editor's), with an unreadable document reported, not thrown.
import type * as Y from 'yjs';
import type { BodyNode } from '../domain/body';

export interface ReadDoc<M> {
	status: string;
	meta: M | null;
	body: BodyNode[];
	problem: string;
}

/** Reads `doc` into `view` now and after each update; returns the unsubscribe function. */
export function followDoc<M>(doc: Y.Doc, view: ReadDoc<M>, readMeta: (doc: Y.Doc) => M, readBody: (doc: Y.Doc) => BodyNode[]): () => void {
	const read = () => {
		try {
			view.meta = readMeta(doc);
			view.body = readBody(doc);
			view.status = 'ready';
		} catch (err) {
			view.problem = err instanceof Error ? err.message : String(err);
			view.status = 'invalid';
		}
	};
	doc.on('update', read);
	read();
	return () => doc.off('update', read);
}
