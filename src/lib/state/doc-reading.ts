// What article and note views share: follow one open document, re-reading its details and body
// after every change (a peer's edit, the editor's), with an unreadable document reported, not thrown.
import type * as Y from 'yjs';
import type { BodyNode } from '../domain/body';
import type { Repo } from '../repo/repo';

export interface ReadDoc<M> {
	status: string;
	meta: M | null;
	body: BodyNode[];
	problem: string;
}

/** Reads `doc` into `view` now and after each update; returns the unsubscribe function. */
function followDoc<M>(
	doc: Y.Doc,
	view: ReadDoc<M>,
	readMeta: (doc: Y.Doc) => M,
	readBody: (doc: Y.Doc) => BodyNode[]
): () => void {
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

/** Opens the document, hands it to `attach`, then follows it into `view`; or marks the view
 *  `missing` when the device does not hold it. `attach` comes first so that a view reported ready
 *  already has its document. Returns the unsubscribe function; undefined if missing, or if the view
 *  was destroyed while the document loaded. */
export async function openAndFollow<M>(
	repo: Repo,
	docId: string,
	view: ReadDoc<M>,
	read: { meta: (doc: Y.Doc) => M; body: (doc: Y.Doc) => BodyNode[] },
	destroyed: () => boolean,
	attach: (doc: Y.Doc) => void
): Promise<(() => void) | undefined> {
	const doc = await repo.find(docId);
	if (destroyed()) return undefined;
	if (!doc) {
		view.status = 'missing';
		return undefined;
	}
	attach(doc);
	return followDoc(doc, view, read.meta, read.body);
}
