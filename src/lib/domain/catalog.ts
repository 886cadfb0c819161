import { isRetired, type ArticleKind, type ArticleStatus } from './article';
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
	/** The published revision's number; absent for an article never published (a draft). */
	revision?: number;
	/** A review was asked for and not yet answered (domain/lifecycle.ts). */
	inReview?: boolean;
	/** When the current revision was last verified (its publication or a later verification, ms):
	 *  the due date is computed where it is shown, with the centre's intervals
	 *  (domain/review-interval.ts entryReviewDue), so a topic's new interval needs no line rewritten. */
	verifiedAt?: number;
	/** The due date by the kind's default interval, as lines written before per-topic intervals
	 *  carry it (read through entryReviewDue; new lines carry verifiedAt instead). */
	reviewDue?: number;
	/** When the current revision was published, by whom (name), and its change note (cut to
	 *  NOTE_IN_CATALOG characters): the change feed reads them without opening the article. A
	 *  display hint like the rest of the line; the article's signed record is the truth. */
	publishedAt?: number;
	publishedBy?: string;
	changeNote?: string;
}

/** How much of a change note a catalog line carries (the feed shows one line of it). */
export const NOTE_IN_CATALOG = 80;

/** An article never published: no revision, and its status still the draft's (articles from
 *  before revisions, marked published, count as published). Lists mark and rank them last. */
export function isUnpublished(entry: Pick<CatalogEntry, 'revision' | 'status'>): boolean {
	return entry.revision === undefined && entry.status === 'draft';
}

/** Distinct articles per key, an article and its translations counting once; archived ones not
 *  counted. */
function countBy<K>(entries: Iterable<CatalogEntry>, key: (e: CatalogEntry) => K): Map<K, number> {
	const groups = new Map<K, Set<string>>();
	for (const e of entries) {
		if (isRetired(e.status)) continue;
		const k = key(e);
		let set = groups.get(k);
		if (!set) groups.set(k, (set = new Set()));
		set.add(translationGroup(e));
	}
	return new Map([...groups].map(([k, set]) => [k, set.size]));
}

/** Articles attached directly to each taxonomy node. */
export function countByNode(entries: Iterable<CatalogEntry>): Map<string, number> {
	return countBy(entries, (e) => e.node);
}

export function countByKind(entries: Iterable<CatalogEntry>): Map<ArticleKind, number> {
	return countBy(entries, (e) => e.kind);
}

/** Articles in all, translations counting once. */
export function countArticles(entries: Iterable<CatalogEntry>): number {
	return countBy(entries, () => 0).get(0) ?? 0;
}

/** Groups an article with its translations: the original's id is the group key. */
export function translationGroup(entry: CatalogEntry): string {
	return entry.translationOf ?? entry.docId.slice(entry.docId.indexOf('/') + 1);
}
