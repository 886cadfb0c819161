import * as Y from 'yjs';
import type { ArticleMeta } from '../domain/article';
import { validateArticleMeta } from '../domain/article';
import type { BodyNode } from '../domain/body';
import type { CatalogEntry } from '../domain/catalog';
import { bodyFragment, readBody, writeBody } from './body';
import type { Migration } from './version';
import { writeHeader } from './version';

function metaMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap('meta');
}

/** Writes a new article: header, metadata and body, in one transaction. */
export function initArticle(doc: Y.Doc, meta: ArticleMeta, body: readonly BodyNode[] = []): void {
	const clean = validateArticleMeta(meta);
	doc.transact(() => {
		writeHeader(doc, 'article');
		const m = metaMap(doc);
		for (const [key, value] of Object.entries(clean)) if (value !== undefined) m.set(key, value);
		writeBody(bodyFragment(doc), body);
	});
}

/** The article's metadata, validated: throws ValidationError when a field is missing or wrong. */
export function readArticleMeta(doc: Y.Doc): ArticleMeta {
	return validateArticleMeta(metaMap(doc).toJSON());
}

export function updateArticleMeta(doc: Y.Doc, patch: Partial<ArticleMeta>, now = Date.now()): ArticleMeta {
	const next = validateArticleMeta({ ...metaMap(doc).toJSON(), ...patch, updatedAt: now });
	doc.transact(() => {
		const m = metaMap(doc);
		for (const [key, value] of Object.entries(patch)) {
			const v = next[key as keyof ArticleMeta];
			if (v === undefined) m.delete(key);
			else if (value !== undefined) m.set(key, v);
		}
		m.set('updatedAt', now);
	});
	return next;
}

export function readArticleBody(doc: Y.Doc): BodyNode[] {
	return readBody(bodyFragment(doc));
}

export function articleBody(doc: Y.Doc): Y.XmlFragment {
	return bodyFragment(doc);
}

/** The catalog line for an article. */
export function articleSummary(docId: string, meta: ArticleMeta): CatalogEntry {
	const entry: CatalogEntry = {
		docId,
		kind: meta.kind,
		title: meta.title,
		node: meta.node,
		locale: meta.locale,
		status: meta.status,
		updatedAt: meta.updatedAt
	};
	if (meta.translationOf) entry.translationOf = meta.translationOf;
	if (meta.owner) entry.owner = meta.owner;
	if (meta.floor) entry.floor = meta.floor;
	return entry;
}

/** v0 → v1: articles written before documents carried a schema version had no tags or status
 *  when empty; give them the defaults v1 requires. Idempotent. */
export const articleMigrations: Migration[] = [
	(doc) => {
		const m = metaMap(doc);
		if (!Array.isArray(m.get('tags'))) m.set('tags', []);
		if (typeof m.get('status') !== 'string') m.set('status', 'published');
		if (typeof m.get('createdAt') !== 'number') m.set('createdAt', (m.get('updatedAt') as number) ?? 0);
		if (typeof m.get('updatedAt') !== 'number') m.set('updatedAt', m.get('createdAt') as number);
	}
];
