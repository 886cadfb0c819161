// A note document (`note/<author>.<id>`): header, a `meta` map and the same `body` fragment as an
// article, so the article editor edits notes as they are.
//
// Who may read and write a shared note is decided from its author's *access document*
// (`space/notes:<author>`): one record per note the author ever shared, written only by the author's
// devices and sent to every peer of the centre. It outlives a withdrawal (the record then says
// `private`), which is how colleagues who were offline at the time learn to delete their copy.
import * as Y from 'yjs';
import type { BodyNode } from '../domain/body';
import {
	noteAuthor,
	validateNoteAccess,
	validateNoteMeta,
	type NoteAccess,
	type NoteMeta
} from '../domain/note';
import { bodyFragment, readBody, writeBody } from './body';
import type { Migration } from './version';
import { docVersion, writeHeader } from './version';

const metaMap = (doc: Y.Doc) => doc.getMap<unknown>('meta');
const recordsMap = (doc: Y.Doc) => doc.getMap<unknown>('notes');

/** Meta fields only the author may change: a colleague allowed to edit changes the title and body. */
export const NOTE_AUTHOR_FIELDS = [
	'author',
	'authorName',
	'visibility',
	'floor',
	'colleaguesMayEdit',
	'createdAt',
	'promotedTo'
] as const;

/** Writes a new note: header, metadata and body, in one transaction. */
export function initNote(doc: Y.Doc, meta: NoteMeta, body: readonly BodyNode[] = []): void {
	const clean = validateNoteMeta(meta);
	doc.transact(() => {
		writeHeader(doc, 'note');
		const m = metaMap(doc);
		for (const [key, value] of Object.entries(clean)) if (value !== undefined) m.set(key, value);
		writeBody(bodyFragment(doc), body);
	});
}

/** The note's metadata, validated: throws ValidationError when a field is missing or wrong. */
export function readNoteMeta(doc: Y.Doc): NoteMeta {
	return validateNoteMeta(metaMap(doc).toJSON());
}

export function readNoteBody(doc: Y.Doc): BodyNode[] {
	return readBody(bodyFragment(doc));
}

export function updateNoteMeta(doc: Y.Doc, patch: Partial<NoteMeta>, now = Date.now()): NoteMeta {
	const next = validateNoteMeta({ ...metaMap(doc).toJSON(), ...patch, updatedAt: now });
	doc.transact(() => {
		const m = metaMap(doc);
		for (const key of Object.keys(patch)) {
			const v = next[key as keyof NoteMeta];
			if (v === undefined) m.delete(key);
			else m.set(key, v);
		}
		m.set('updatedAt', now);
	});
	return next;
}

/** The author-only part of a note's state (header and protected meta fields), to tell whether an
 *  update from a colleague touched it. */
export function noteAuthorPart(doc: Y.Doc): string {
	const m = metaMap(doc);
	return JSON.stringify([doc.getMap('_plateau').toJSON(), NOTE_AUTHOR_FIELDS.map((k) => m.get(k) ?? null)]);
}

/** The access document of an author: `space/notes:<agent>`. */
export function noteAccessDocId(author: string): string {
	return `space/notes:${author}`;
}

/** The author whose access document this is, or undefined if `docId` is not one. */
export function noteAccessAuthor(docId: string): string | undefined {
	return docId.startsWith('space/notes:') ? docId.slice('space/notes:'.length) || undefined : undefined;
}

/** Records (or replaces) the access of one of the author's notes. */
export function putNoteAccess(doc: Y.Doc, noteDocId: string, access: NoteAccess): void {
	const clean = validateNoteAccess(access);
	if (noteAuthor(noteDocId) !== clean.author)
		throw new Error(`${noteDocId} is not a note of ${clean.author}`);
	doc.transact(() => {
		// The author writes the header too: a reader's device migrating a header-less copy would make
		// a change of its own to a document only the author may write.
		if (docVersion(doc) === 0) writeHeader(doc, 'space');
		recordsMap(doc).set(noteDocId, { ...clean });
	});
}

/** The access records of an access document, by note document id. A record naming another author
 *  than the document's, or in a shape this version cannot read, is skipped. */
export function readNoteAccess(doc: Y.Doc, author: string): Map<string, NoteAccess> {
	const out = new Map<string, NoteAccess>();
	recordsMap(doc).forEach((value, noteDocId) => {
		try {
			const access = validateNoteAccess(value);
			if (access.author === author && noteAuthor(noteDocId) === author) out.set(noteDocId, access);
		} catch {
			/* skipped: an unreadable record grants nothing */
		}
	});
	return out;
}

export const noteMigrations: Migration[] = [() => {}];
