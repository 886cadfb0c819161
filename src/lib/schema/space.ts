// A space document: the catalog of its member documents, so the knowledge base can be listed,
// counted and filtered by opening one document instead of thousands.
import * as Y from 'yjs';
import type { CatalogEntry } from '../domain/catalog';
import { ARTICLE_KINDS, ARTICLE_STATUSES } from '../domain/article';
import { LOCALES } from '../domain/locale';
import type { Localized } from '../domain/locale';
import type { Migration } from './version';
import { writeHeader } from './version';

export const SPACE_KINDS = ['knowledge-base', 'floor', 'personal', 'question'] as const;
export type SpaceKind = (typeof SPACE_KINDS)[number];

export interface SpaceInfo {
	id: string;
	kind: SpaceKind;
	name: Localized;
}

function catalogMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap('catalog');
}

export function initSpace(doc: Y.Doc, info: SpaceInfo): void {
	doc.transact(() => {
		writeHeader(doc, 'space');
		const m = doc.getMap('info');
		m.set('id', info.id);
		m.set('kind', info.kind);
		m.set('name', info.name);
	});
}

export function readSpaceInfo(doc: Y.Doc): SpaceInfo | undefined {
	const m = doc.getMap('info');
	const id = m.get('id');
	if (typeof id !== 'string') return undefined;
	return { id, kind: m.get('kind') as SpaceKind, name: m.get('name') as Localized };
}

export function putCatalogEntry(doc: Y.Doc, entry: CatalogEntry): void {
	catalogMap(doc).set(entry.docId, { ...entry });
}

export function putCatalogEntries(doc: Y.Doc, entries: readonly CatalogEntry[]): void {
	doc.transact(() => {
		for (const e of entries) putCatalogEntry(doc, e);
	});
}

export function removeCatalogEntry(doc: Y.Doc, docId: string): void {
	catalogMap(doc).delete(docId);
}

/**
 * The catalog's entries. An entry a peer wrote in a shape this version cannot read is skipped and
 * reported through `onInvalid`, so one bad line never hides the rest of the knowledge base.
 */
export function readCatalog(doc: Y.Doc, onInvalid?: (docId: string) => void): CatalogEntry[] {
	const out: CatalogEntry[] = [];
	catalogMap(doc).forEach((value, key) => {
		if (isCatalogEntry(value, key)) out.push(value);
		else onInvalid?.(key);
	});
	return out;
}

function isCatalogEntry(value: unknown, key: string): value is CatalogEntry {
	if (typeof value !== 'object' || value === null) return false;
	const e = value as Record<string, unknown>;
	return (
		e.docId === key &&
		typeof e.title === 'string' &&
		typeof e.node === 'string' &&
		typeof e.updatedAt === 'number' &&
		(ARTICLE_KINDS as readonly unknown[]).includes(e.kind) &&
		(ARTICLE_STATUSES as readonly unknown[]).includes(e.status) &&
		(LOCALES as readonly unknown[]).includes(e.locale) &&
		optional(e.revision, 'number') &&
		optional(e.publishedAt, 'number') &&
		optional(e.publishedBy, 'string') &&
		optional(e.changeNote, 'string')
	);
}

/** An optional field is absent or of its type (a peer's line is untrusted). */
function optional(value: unknown, type: 'number' | 'string'): boolean {
	return value === undefined || typeof value === type;
}

/** Observes catalog changes; returns the unsubscribe function. */
export function observeCatalog(doc: Y.Doc, onChange: () => void): () => void {
	const map = catalogMap(doc);
	const handler = () => onChange();
	map.observe(handler);
	return () => map.unobserve(handler);
}

export const spaceMigrations: Migration[] = [() => {}];
