// Notes: an agent's own knowledge. Private by default; the author may share one with their floor or
// the whole centre, let colleagues edit it, withdraw it, or promote it to a draft article.
import { newId } from './ids';
import { requireId, requireOneOf, requireString, requireTimestamp, ValidationError } from './validation';

export const NOTE_VISIBILITIES = ['private', 'floor', 'centre'] as const;
export type NoteVisibility = (typeof NOTE_VISIBILITIES)[number];

/** Who may see and change a note: what the share policy, the lists and search decide on. */
export interface NoteAccess {
	/** Agent id of the author (also the first part of the note's id). */
	author: string;
	visibility: NoteVisibility;
	/** The floor a floor-shared note is shared with (the author's floor when shared). */
	floor: string;
	/** Whether those it is shared with may edit it (read-only otherwise). */
	colleaguesMayEdit: boolean;
}

export interface NoteMeta extends NoteAccess {
	title: string;
	/** The author's name when the note was last saved, shown to colleagues. */
	authorName: string;
	createdAt: number;
	updatedAt: number;
	/** Entity id of the draft article this note was promoted to. */
	promotedTo?: string;
}

/** An agent as far as note rights go. */
export interface NoteReader {
	id: string;
	floor: string;
}

/** Whether `agent` may read the note: its author always; the author's floor or the whole centre when
 *  shared with them. */
export function mayReadNote(access: NoteAccess, agent: NoteReader): boolean {
	if (agent.id === access.author) return true;
	if (access.visibility === 'centre') return true;
	return access.visibility === 'floor' && agent.floor === access.floor;
}

/** Whether `agent` may change the note: its author, or those it is shared with if the author lets
 *  colleagues edit it. */
export function mayWriteNote(access: NoteAccess, agent: NoteReader): boolean {
	if (agent.id === access.author) return true;
	return access.visibility !== 'private' && access.colleaguesMayEdit && mayReadNote(access, agent);
}

/** A new note's entity id: `<author>.<random>`, so anyone can tell the author from the id alone
 *  (agent ids never contain a dot). */
export function newNoteId(author: string): string {
	return `${requireId(author, 'author')}.${newId()}`;
}

/** The author named by a note's entity id or document id (`note/<author>.<random>`). */
export function noteAuthor(id: string): string | undefined {
	const entity = id.startsWith('note/') ? id.slice('note/'.length) : id;
	const dot = entity.indexOf('.');
	return dot > 0 ? entity.slice(0, dot) : undefined;
}

/** Checks a note's access fields from any source and returns a clean copy. */
export function validateNoteAccess(input: unknown): NoteAccess {
	if (typeof input !== 'object' || input === null) throw new ValidationError('note', 'must be an object');
	const m = input as Record<string, unknown>;
	const visibility = requireOneOf(m.visibility, NOTE_VISIBILITIES, 'visibility');
	if (typeof m.colleaguesMayEdit !== 'boolean')
		throw new ValidationError('colleaguesMayEdit', 'must be true or false');
	return {
		author: requireId(m.author, 'author'),
		visibility,
		floor: m.floor === '' && visibility !== 'floor' ? '' : requireId(m.floor, 'floor'),
		colleaguesMayEdit: m.colleaguesMayEdit
	};
}

/** Checks a note's metadata from any source (form, storage, peer) and returns a clean copy. */
export function validateNoteMeta(input: unknown): NoteMeta {
	const access = validateNoteAccess(input);
	const m = input as Record<string, unknown>;
	const meta: NoteMeta = {
		...access,
		title: requireString(m.title, 'title', { max: 200 }),
		authorName: requireString(m.authorName, 'authorName', { max: 80 }),
		createdAt: requireTimestamp(m.createdAt, 'createdAt'),
		updatedAt: requireTimestamp(m.updatedAt, 'updatedAt')
	};
	if (m.promotedTo !== undefined && m.promotedTo !== null && m.promotedTo !== '')
		meta.promotedTo = requireId(m.promotedTo, 'promotedTo');
	return meta;
}
