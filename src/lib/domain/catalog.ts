import type { ArticleKind, ArticleStatus } from './article';
import type { Locale } from './locale';

/** One line of a space's catalog: enough to list, count and filter without opening the document. */
export interface CatalogEntry {
	docId: string;
	kind: ArticleKind;
	title: string;
	node: string;
	locale: Locale;
	status: ArticleStatus;
	translationOf?: string;
	owner?: string;
	floor?: string;
	updatedAt: number;
}

/** Articles per taxonomy node (direct attachments only), not counting archived ones. */
export function countByNode(entries: Iterable<CatalogEntry>): Map<string, number> {
	const counts = new Map<string, number>();
	for (const e of entries) {
		if (e.status === 'archived') continue;
		counts.set(e.node, (counts.get(e.node) ?? 0) + 1);
	}
	return counts;
}

export function countByKind(entries: Iterable<CatalogEntry>): Map<ArticleKind, number> {
	const counts = new Map<ArticleKind, number>();
	for (const e of entries) {
		if (e.status === 'archived') continue;
		counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
	}
	return counts;
}

/** Groups an article with its translations: the original's id is the group key. */
export function translationGroup(entry: CatalogEntry): string {
	return entry.translationOf ?? entry.docId.slice(entry.docId.indexOf('/') + 1);
}
