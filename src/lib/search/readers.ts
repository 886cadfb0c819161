// What the index holds about a document, read through the schema. The indexer dispatches on the
// document id's type prefix, so indexing a new kind of document (notes, questions) is one entry in
// READERS — once the schema offers a typed reader for it. Notes have none yet: `note/…` documents
// are not indexed until src/lib/schema gains readNoteMeta/readNoteBody and a visibility rule.
import type * as Y from 'yjs';
import { parseDocId, KB_SPACE, type DocType } from '../domain/ids';
import type { Locale } from '../domain/locale';
import { readArticleBody, readArticleMeta } from '../schema/index';
import { splitPassages, type Passage } from './passages';

/** A document as search sees it: facets and the passages of its text. */
export interface SearchableDoc {
	docId: string;
	/** Article kind today; 'note' and 'question' later. */
	kind: string;
	title: string;
	locale: Locale;
	/** Taxonomy node id ('' if none). */
	node: string;
	tags: string[];
	/** Floor maintaining it ('' if none). */
	floor: string;
	/** Space the document belongs to (the knowledge base `kb` for articles). */
	space: string;
	status: string;
	updatedAt: number;
	passages: Passage[];
}

/** Reads a document of one type; throws or returns undefined if it is not (yet) readable. */
export type SearchReader = (docId: string, doc: Y.Doc) => SearchableDoc | undefined;

export const READERS: Partial<Record<DocType, SearchReader>> = {
	article: (docId, doc) => {
		const meta = readArticleMeta(doc);
		return {
			docId,
			kind: meta.kind,
			title: meta.title,
			locale: meta.locale,
			node: meta.node,
			tags: meta.tags,
			floor: meta.floor ?? '',
			space: KB_SPACE,
			status: meta.status,
			updatedAt: meta.updatedAt,
			passages: splitPassages(readArticleBody(doc))
		};
	}
	// note: add a reader here when the schema can read notes and tell who may see them.
};

/** The reader for a document id, or undefined for documents search does not index. */
export function readerFor(docId: string): SearchReader | undefined {
	const parsed = parseDocId(docId);
	return parsed ? READERS[parsed.type] : undefined;
}
