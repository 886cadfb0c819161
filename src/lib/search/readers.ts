// What the index holds about a document, read through the schema. The indexer dispatches on the
// document id's type prefix, so indexing a new kind of document (questions) is one entry in READERS.
// Notes are indexed only for an agent allowed to read them (the device may still hold a note a
// moment before its withdrawal removes it).
import type * as Y from 'yjs';
import { bodyText } from '../domain/body';
import { parseDocId, KB_SPACE, type DocType } from '../domain/ids';
import type { Locale } from '../domain/locale';
import { mayReadNote, type NoteReader } from '../domain/note';
import { currentRevision, decodeSnapshot } from '../domain/revision';
import {
	lifecycleOf,
	readArticleBody,
	readArticleMeta,
	readNoteBody,
	readNoteMeta,
	readRevisions
} from '../schema/index';
import { splitPassages, type Passage } from './passages';
import { guessLocale } from './tokenizer';

/** The space search files notes under (a filter, like the knowledge base's `kb`). */
export const NOTES_SPACE = 'notes';

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
	/** A note's author, shown with the result. */
	author?: string;
}

/** Who is searching: notes they may not read stay out of their index. */
export interface ReaderContext {
	viewer?: NoteReader;
}

/** Reads a document of one type; throws or returns undefined if it is not (yet) readable. */
export type SearchReader = (docId: string, doc: Y.Doc, context?: ReaderContext) => SearchableDoc | undefined;

export const READERS: Partial<Record<DocType, SearchReader>> = {
	// What agents read: the published revision's title and text once there is one, the draft's
	// before (its status 'draft' ranks it below published content).
	article: (docId, doc) => {
		const meta = readArticleMeta(doc);
		const revisions = readRevisions(doc);
		const current = currentRevision(revisions);
		const pub = current ? decodeSnapshot(current.snapshot) : undefined;
		return {
			docId,
			kind: pub?.kind ?? meta.kind,
			title: pub?.title ?? meta.title,
			locale: pub?.locale ?? meta.locale,
			node: pub?.node ?? meta.node,
			tags: pub?.tags ?? meta.tags,
			floor: meta.floor ?? '',
			space: KB_SPACE,
			// From the signed records (schema/lifecycle.ts), never from the plain field alone.
			status: lifecycleOf(doc, meta, revisions).status,
			updatedAt: meta.updatedAt,
			passages: splitPassages(pub?.body ?? readArticleBody(doc))
		};
	},
	note: (docId, doc, context) => {
		const meta = readNoteMeta(doc);
		if (!context?.viewer || !mayReadNote(meta, context.viewer)) return undefined;
		const body = readNoteBody(doc);
		return {
			docId,
			kind: 'note',
			title: meta.title,
			// Notes carry no language: told from their words, so stop words and ranking fit.
			locale: guessLocale(`${meta.title} ${bodyText(body)}`),
			node: '',
			// The author's name, so "notes by Alice" can be searched.
			tags: [meta.authorName],
			floor: meta.visibility === 'floor' ? meta.floor : '',
			space: NOTES_SPACE,
			// Article statuses do not apply; '' keeps notes out of the status facet.
			status: '',
			updatedAt: meta.updatedAt,
			passages: splitPassages(body),
			author: meta.authorName
		};
	}
};

/** The reader for a document id, or undefined for documents search does not index. */
export function readerFor(docId: string): SearchReader | undefined {
	const parsed = parseDocId(docId);
	return parsed ? READERS[parsed.type] : undefined;
}
