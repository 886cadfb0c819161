import type { Locale } from './locale';
import { LOCALES } from './locale';
import {
	optionalString,
	requireId,
	requireOneOf,
	requireString,
	requireStringList,
	requireTimestamp,
	ValidationError
} from './validation';

export const ARTICLE_KINDS = ['procedure', 'reference', 'response', 'faq'] as const;
export type ArticleKind = (typeof ARTICLE_KINDS)[number];

// 'deleted' keeps the document (peers hold it too, and undo must bring it back): it only leaves the
// knowledge base's lists, search and counts.
export const ARTICLE_STATUSES = ['draft', 'published', 'archived', 'deleted'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

/** Statuses that keep an article out of lists and counts. */
export function isRetired(status: ArticleStatus): boolean {
	return status === 'archived' || status === 'deleted';
}

export const TONES = ['formal', 'friendly'] as const;
export type Tone = (typeof TONES)[number];

export interface ArticleMeta {
	kind: ArticleKind;
	title: string;
	/** Taxonomy node the article answers. */
	node: string;
	locale: Locale;
	/** Id of the article this one translates (the original's id), if it is a translation. */
	translationOf?: string;
	tags: string[];
	status: ArticleStatus;
	/** Agent id of the subject-matter expert who owns it. */
	owner?: string;
	/** Floor that maintains it. */
	floor?: string;
	/** Standard responses only. */
	tone?: Tone;
	/** The status before archiving or deleting, restored by "restore". */
	statusBefore?: ArticleStatus;
	/** Entity id of the note this article was promoted from, and that note's author (agent id). */
	fromNote?: string;
	fromNoteAuthor?: string;
	createdAt: number;
	updatedAt: number;
}

/** Checks an article's metadata from any source (form, storage, peer) and returns a clean copy. */
export function validateArticleMeta(input: unknown): ArticleMeta {
	if (typeof input !== 'object' || input === null) throw new ValidationError('article', 'must be an object');
	const m = input as Record<string, unknown>;
	const kind = requireOneOf(m.kind, ARTICLE_KINDS, 'kind');
	const meta: ArticleMeta = {
		kind,
		title: requireString(m.title, 'title', { max: 200 }),
		node: requireId(m.node, 'node'),
		locale: requireOneOf(m.locale, LOCALES, 'locale'),
		tags: requireStringList(m.tags, 'tags'),
		status: requireOneOf(m.status, ARTICLE_STATUSES, 'status'),
		createdAt: requireTimestamp(m.createdAt, 'createdAt'),
		updatedAt: requireTimestamp(m.updatedAt, 'updatedAt')
	};
	const translationOf = optionalString(m.translationOf, 'translationOf', 128);
	if (translationOf) meta.translationOf = requireId(translationOf, 'translationOf');
	const owner = optionalString(m.owner, 'owner', 128);
	if (owner) meta.owner = requireId(owner, 'owner');
	const floor = optionalString(m.floor, 'floor', 128);
	if (floor) meta.floor = requireId(floor, 'floor');
	const fromNote = optionalString(m.fromNote, 'fromNote', 128);
	if (fromNote) meta.fromNote = requireId(fromNote, 'fromNote');
	const fromNoteAuthor = optionalString(m.fromNoteAuthor, 'fromNoteAuthor', 128);
	if (fromNoteAuthor) meta.fromNoteAuthor = requireId(fromNoteAuthor, 'fromNoteAuthor');
	if (m.tone !== undefined && m.tone !== null) meta.tone = requireOneOf(m.tone, TONES, 'tone');
	if (m.statusBefore !== undefined && m.statusBefore !== null)
		meta.statusBefore = requireOneOf(m.statusBefore, ARTICLE_STATUSES, 'statusBefore');
	if (kind === 'response' && !meta.tone) meta.tone = 'formal';
	return meta;
}

/** Placeholders of a standard response: `{{nom_client}}` → `nom_client`, in order of first use. */
export function placeholders(text: string): string[] {
	const seen = new Set<string>();
	for (const match of text.matchAll(/\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/gi)) seen.add(match[1]!.toLowerCase());
	return [...seen];
}
