// A throwaway copy of a document to try a peer's update on before applying it for real. The copy
// includes what the document holds pending (updates still missing an earlier one): otherwise an
// update sent ahead of its dependency would be vetted on a copy where it changes nothing, then
// complete a refused change once the innocent-looking dependency arrives.
import * as Y from 'yjs';

export function trialCopy(doc: Y.Doc): Y.Doc {
	// A guid given: Yjs draws a default one from 31 calls to the random source, which took a third
	// of a 5,000-article fill's time in Node (docs/decisions.md).
	const trial = new Y.Doc({ gc: false, guid: 'trial' });
	Y.applyUpdate(trial, Y.encodeStateAsUpdate(doc));
	const pending = doc.store.pendingStructs?.update;
	if (pending) Y.applyUpdate(trial, pending);
	if (doc.store.pendingDs) Y.applyUpdate(trial, doc.store.pendingDs);
	return trial;
}
