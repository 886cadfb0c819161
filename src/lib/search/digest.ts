// A short digest of a document's version: its state vector plus delete set (Y.snapshot). The state
// vector alone misses deletions, so an edit that only removes words would look unchanged. Hashed
// with Plateau's one fingerprint function (domain/hash.ts).
import * as Y from 'yjs';
import { fingerprint } from '../domain/hash';

export { fingerprintText as hashText } from '../domain/hash';

export function docDigest(doc: Y.Doc): string {
	return fingerprint(Y.encodeSnapshot(Y.snapshot(doc)));
}
