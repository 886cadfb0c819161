// Every Plateau document carries a header map: what it is and which schema version wrote it.
// Opening a document runs the migrations from its version up to SCHEMA_VERSION; a document from a
// newer Plateau is left untouched and reported, never rewritten by older code.
import * as Y from 'yjs';
import type { DocType } from '../domain/ids';

export const SCHEMA_VERSION = 1;
export const HEADER = '_plateau';
/** Transaction origin of schema migrations, so listeners can tell them from edits. */
export const MIGRATION_ORIGIN = 'plateau:migration';

export class SchemaError extends Error {
	constructor(
		readonly docId: string,
		message: string
	) {
		super(`${docId}: ${message}`);
		this.name = 'SchemaError';
	}
}

export function header(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap(HEADER);
}

export function writeHeader(doc: Y.Doc, type: DocType): void {
	const h = header(doc);
	h.set('type', type);
	h.set('schema', SCHEMA_VERSION);
}

export function docVersion(doc: Y.Doc): number {
	const v = header(doc).get('schema');
	return typeof v === 'number' ? v : 0;
}

export function docType(doc: Y.Doc): DocType | undefined {
	return header(doc).get('type') as DocType | undefined;
}

/** migrations[type][n] turns a version-n document of that type into version n+1. Must be idempotent:
 *  two peers may migrate the same document concurrently and merge both results. */
export type Migration = (doc: Y.Doc) => void;
export type MigrationTable = Partial<Record<DocType, Migration[]>>;

/**
 * Brings a document up to SCHEMA_VERSION. Returns true if it changed anything. An empty document
 * (nothing stored yet, waiting for a peer) is left alone. Throws SchemaError for a newer version.
 */
export function migrate(doc: Y.Doc, docId: string, type: DocType, table: MigrationTable): boolean {
	const h = header(doc);
	const isEmpty =
		doc.share.size === 0 || [...doc.share.values()].every((t) => t._length === 0 && t._map.size === 0);
	if (isEmpty) return false;
	let version = docVersion(doc);
	if (version > SCHEMA_VERSION)
		throw new SchemaError(
			docId,
			`written by a newer Plateau (schema ${version}, this one reads up to ${SCHEMA_VERSION})`
		);
	if (version === SCHEMA_VERSION) return false;
	const steps = table[type] ?? [];
	doc.transact(() => {
		while (version < SCHEMA_VERSION) {
			const step = steps[version];
			if (!step) throw new SchemaError(docId, `no migration from schema ${version}`);
			step(doc);
			version += 1;
		}
		h.set('type', type);
		h.set('schema', SCHEMA_VERSION);
	}, MIGRATION_ORIGIN);
	return true;
}
