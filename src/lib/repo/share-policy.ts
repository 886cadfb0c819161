// Which documents may go to which peer, and whose changes to them are accepted.
//  - Reading (mayShare): a peer is sent only documents of spaces both sides belong to; a personal
//    space only to devices proven to be the same agent; a note per its author's access record
//    (private → the author's devices, floor → that floor, centre → everyone).
//  - Writing (mayWrite): a peer's update is applied only if it may write the document: anyone of
//    the space for the knowledge base; only the author's proven devices for an access document and
//    for a read-only note; colleagues too for a note whose author lets them edit (vetUpdate then
//    checks they left the author-only fields alone); the centre document by its administrators,
//    and each agent's own directory entry by that agent (vetUpdate checks it on a trial copy).
//  - A peer that did not prove its key on this connection (unproven) reads the knowledge base only
//    and writes nothing.
// A device sends a document only where it may write it itself, so honest peers never send what the
// other side would refuse (a reader does not relay a read-only note).
import * as Y from 'yjs';
import { parseDocId, KB_SPACE } from '../domain/ids';
import { mayReadNote, mayWriteNote, noteAuthor, type NoteReader } from '../domain/note';
import {
	centreOutsideEntry,
	centreWriteProblem,
	isCentreAdmin,
	isCentreUnset,
	noteAccessAuthor,
	noteAuthorPart
} from '../schema/index';
import type { NoteAccessLookup } from './note-access';
import { trialCopy } from './trial';
import type { Hello } from './sync-protocol';

export interface SharePolicy {
	/** Spaces this device belongs to, announced to peers. */
	spaces(): string[];
	/** The space a document belongs to, or undefined for documents never shared. */
	spaceOf(docId: string): string | undefined;
	/** Whether the document may be shown to (exchanged with) this peer. */
	mayShare(peer: Hello, docId: string): boolean;
	/** Whether this peer's updates to the document may be applied here. */
	mayWrite(peer: Hello, docId: string): boolean;
	/** A reason to refuse this particular update from a peer allowed to write the document, or
	 *  undefined to accept it. */
	vetUpdate?(peer: Hello, docId: string, doc: Y.Doc, update: Uint8Array): string | undefined;
	/** Listens to changes of who may read or write which documents; returns the unsubscribe. */
	onChange?(listener: (docIds: string[]) => void): () => void;
}

/** The centre-wide space: shared notes and their authors' access documents. */
export const CENTRE_SPACE = 'centre';

export function personalSpace(agentId: string): string {
	return `personal:${agentId}`;
}

export function floorSpace(floor: string): string {
	return `floor:${floor}`;
}

export interface CentrePolicyOptions {
	/** This agent's floor (its floor-shared notes' audience). */
	floor?: () => string;
	/** Note access records; without them every note is private. */
	notes?: NoteAccessLookup;
	extraSpaces?: () => string[];
}

/** The centre's policy: the knowledge base (articles, its catalog, the centre document) is shared
 *  with every peer of the centre; a personal space only with the same agent's proven devices;
 *  notes as their authors decided. */
export class CentreSharePolicy implements SharePolicy {
	readonly agentId: string;
	readonly #floor: () => string;
	readonly #notes: NoteAccessLookup | undefined;
	readonly #extra: () => string[];

	constructor(agentId: string, options: CentrePolicyOptions = {}) {
		this.agentId = agentId;
		this.#floor = options.floor ?? (() => '');
		this.#notes = options.notes;
		this.#extra = options.extraSpaces ?? (() => []);
	}

	spaces(): string[] {
		const floor = this.#floor();
		return [
			KB_SPACE,
			CENTRE_SPACE,
			personalSpace(this.agentId),
			...(floor ? [floorSpace(floor)] : []),
			...this.#extra()
		];
	}

	spaceOf(docId: string): string | undefined {
		const parsed = parseDocId(docId);
		if (!parsed) return undefined;
		if (parsed.type === 'article' || parsed.type === 'centre') return KB_SPACE;
		if (parsed.type === 'note') {
			const author = noteAuthor(parsed.id);
			if (!author) return undefined;
			const access = this.#notes?.get(docId);
			if (access?.visibility === 'centre') return CENTRE_SPACE;
			if (access?.visibility === 'floor') return floorSpace(access.floor);
			return personalSpace(author);
		}
		if (parsed.type === 'space') {
			if (parsed.id === KB_SPACE) return KB_SPACE;
			if (noteAccessAuthor(docId)) return CENTRE_SPACE;
			return parsed.id;
		}
		return undefined;
	}

	mayShare(peer: Hello, docId: string): boolean {
		const space = this.spaceOf(docId);
		if (!space || !this.spaces().includes(space) || !peer.spaces.includes(space)) return false;
		if (!peer.verified) return space === KB_SPACE;
		if (space.startsWith('personal:'))
			return space === personalSpace(this.agentId) && isAgent(peer, this.agentId);
		if (space.startsWith('floor:')) return space === floorSpace(peer.floor);
		return true;
	}

	mayWrite(peer: Hello, docId: string): boolean {
		if (!peer.verified) return false;
		const accessAuthor = noteAccessAuthor(docId);
		if (accessAuthor) return isAgent(peer, accessAuthor);
		const author = docId.startsWith('note/') ? noteAuthor(docId) : undefined;
		if (!author) return this.mayShare(peer, docId);
		const access = this.#notes?.get(docId);
		const me = this.#reader();
		// The author's own device: accepted even before its access record arrives (the author chose
		// to send it), unless the record says this agent may not read it.
		if (isAgent(peer, author)) return author === this.agentId || !access || mayReadNote(access, me);
		if (!access || !mayReadNote(access, me)) return false;
		return mayWriteNote(access, { id: peer.verified ? peer.agentId : '', floor: peer.floor });
	}

	vetUpdate(peer: Hello, docId: string, doc: Y.Doc, update: Uint8Array): string | undefined {
		if (docId.startsWith('centre/')) return this.#vetCentre(peer, doc, update);
		const author = docId.startsWith('note/') ? noteAuthor(docId) : undefined;
		if (!author || isAgent(peer, author)) return undefined;
		// A colleague may edit the text; who may read or write it is the author's alone. Try the
		// update on a copy and compare the author-only fields.
		const trial = trialCopy(doc);
		const before = noteAuthorPart(trial);
		Y.applyUpdate(trial, update);
		const changed = noteAuthorPart(trial) !== before;
		trial.destroy();
		return changed ? `changes author-only fields of ${docId}` : undefined;
	}

	/** The centre document: administrators change anything, other agents their own entry only. */
	#vetCentre(peer: Hello, doc: Y.Doc, update: Uint8Array): string | undefined {
		if (!peer.verified) return 'is not proven';
		if (isCentreAdmin(doc, peer.agentId, peer.key)) return undefined;
		if (isCentreUnset(doc)) return undefined; // the centre's first state: trust on first use
		const trial = trialCopy(doc);
		const before = centreOutsideEntry(trial, peer.agentId);
		Y.applyUpdate(trial, update);
		const problem = centreWriteProblem(before, trial, peer.agentId);
		trial.destroy();
		return problem;
	}

	onChange(listener: (docIds: string[]) => void): () => void {
		return this.#notes?.onChange(listener) ?? (() => {});
	}

	#reader(): NoteReader {
		return { id: this.agentId, floor: this.#floor() };
	}
}

/** The peer proved to be this agent (hello signed with the key the agent id derives from). */
function isAgent(peer: Hello, agentId: string): boolean {
	return peer.verified === true && peer.agentId === agentId;
}
