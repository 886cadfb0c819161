// The Orama database: one record per passage. The document's title, tags and taxonomy path are
// searchable only on its first passage (they would otherwise count once per passage); every passage
// carries the document's facets so filters apply to passages directly.
import { create, type Orama } from '@orama/orama';
import type { Locale } from '../domain/locale';
import type { SearchableDoc } from './readers';
import { createSearchTokenizer } from './tokenizer';

/** Bumped whenever the schema, the tokenizer or the passage split changes: a saved index of another
 *  format is rebuilt, since its tokens no longer match what queries look for. */
export const INDEX_FORMAT = 2;

/** Indexed fields. Records also carry docId, docTitle and updatedAt, stored but not indexed. */
export const SEARCH_SCHEMA = {
	title: 'string',
	heading: 'string',
	text: 'string',
	tags: 'string',
	path: 'string',
	kind: 'enum',
	node: 'enum',
	locale: 'enum',
	floor: 'enum',
	space: 'enum',
	status: 'enum'
} as const;

export type SearchDb = Orama<typeof SEARCH_SCHEMA>;

export interface PassageRecord {
	id: string;
	docId: string;
	/** The document's title on every passage, stored but not indexed (not in the schema), for display. */
	docTitle: string;
	title: string;
	heading: string;
	text: string;
	tags: string;
	path: string;
	kind: string;
	node: string;
	locale: Locale;
	floor: string;
	space: string;
	status: string;
	updatedAt: number;
}

/** The text fields queries search, and how much a match in each counts. */
export const SEARCH_PROPERTIES = ['title', 'heading', 'text', 'tags', 'path'] as const;
export const BOOST = { title: 3, heading: 1.5, text: 1, tags: 1.5, path: 1 };

export function createSearchDb(): SearchDb {
	return create({
		schema: SEARCH_SCHEMA,
		components: { tokenizer: createSearchTokenizer() },
		// Results are ranked, never sorted on a field: without a sorter, updates skip its O(n) upkeep.
		sort: { enabled: false }
	}) as SearchDb;
}

export function passageId(docId: string, i: number): string {
	return `${docId}#${i}`;
}

/** The records of a document: its first passage carries title, tags and path. */
export function passageRecords(doc: SearchableDoc, path: string): PassageRecord[] {
	const passages = doc.passages.length ? doc.passages : [{ heading: '', text: '' }];
	return passages.map((p, i) => ({
		id: passageId(doc.docId, i),
		docId: doc.docId,
		docTitle: doc.title,
		title: i === 0 ? doc.title : '',
		heading: p.heading,
		text: p.text,
		tags: i === 0 ? doc.tags.join(' ') : '',
		path: i === 0 ? path : '',
		kind: doc.kind,
		node: doc.node,
		locale: doc.locale,
		floor: doc.floor,
		space: doc.space,
		status: doc.status,
		updatedAt: doc.updatedAt
	}));
}
