// Creating an article: its document (with the template body of its kind) and its catalog line.
import { validateArticleMeta, type ArticleKind } from '../domain/article';
import { articleTemplate, type TemplateTexts } from '../domain/article-templates';
import { docId as makeDocId, KB_SPACE, newId } from '../domain/ids';
import type { BodyNode } from '../domain/body';
import type { Locale } from '../domain/locale';
import { newStepId } from '../domain/procedure';
import type { Repo } from '../repo/repo';
import { articleSummary, initArticle, putCatalogEntry } from '../schema/index';

export interface NewArticle {
	title: string;
	kind: ArticleKind;
	node: string;
	locale: Locale;
	owner?: string;
	floor?: string;
	/** A promoted note: its entity id and author, kept on the article. */
	fromNote?: string;
	fromNoteAuthor?: string;
}

/** Creates a draft article and lists it; returns its document id. Throws ValidationError. `body`
 *  replaces the kind's template (a promoted note's text). */
export async function createArticle(
	repo: Repo,
	input: NewArticle,
	texts: TemplateTexts,
	now = Date.now(),
	body?: BodyNode[]
): Promise<string> {
	const meta = validateArticleMeta({ ...input, tags: [], status: 'draft', createdAt: now, updatedAt: now });
	const id = makeDocId('article', newId(`${input.kind.slice(0, 4)}-`));
	const doc = await repo.open(id);
	initArticle(doc, meta, body ?? articleTemplate(meta.kind, texts, newStepId()));
	putCatalogEntry(await repo.open(makeDocId('space', KB_SPACE)), articleSummary(id, meta));
	return id;
}
