// Which documents may go to which peer, and whose changes to them are accepted.
//  - Reading (mayShare): a peer is sent only documents of spaces both sides belong to; a personal
//    space only to devices proven to be the same agent; a note per its author's access record
//    (private → the author's devices, floor → that floor, centre → everyone).
//  - Writing (mayWrite): a peer's update is applied only if it may write the document: anyone of
//    the space for the knowledge base; only the author's proven devices for an access document and
//    for a read-only note; colleagues too for a note whose author lets them edit (vetUpdate then
//    checks they left the author-only fields alone); the centre document by its administrators
//    (by signed role record, schema/roles.ts, or listed at creation), and each agent's own directory
//    entry by that agent (vetUpdate checks it on a trial copy). Every role record an update adds
//    must verify and take effect (prepareVet verifies them first: WebCrypto is asynchronous). A
//    topic's review interval (a signed record in the `reviewIntervals` map) is any proven agent's
//    to add if it may publish the topic; records are never changed or removed (review-intervals.ts).
//    A synonym group (a signed record in the `synonymRecords` map) is any agent's with a role to
//    add, and a record may be removed once a later one of its group replaces it (synonym-records.ts).
//  - A peer that did not prove its key on this connection (unproven) reads the knowledge base only
//    and writes nothing.
// Guarded documents (notes, access documents, the centre document: those whose writers are
// restricted) travel only as signed entries (sync-signed.ts): a receiver checks each entry's
// signature, then applies mayWrite and vetUpdate to the SIGNER (signerHello: its floor from the
// centre directory), whoever forwarded it; any peer allowed to hold such a document forwards and
// serves it. Other documents travel plain, and a device sends them only where it may write them
// itself, so honest peers never send what the other side would refuse.
//  - An article's publication records (its published revisions) and lifecycle records (review
//    requests, verifications, archive, delete) are judged on their own signatures, whoever sent
//    them: verifyUpdate refuses an update that changes or removes one, or adds one not signed by
//    someone allowed to make it (`publishRights`: publish, verify, archive, delete). Its old plain
//    status field is frozen (vetUpdate): the status is derived from those records.
//  - A hub (the centre's always-on peer, `hub: true`) belongs to the knowledge base, the centre
//    space and every floor space, never to a personal space: it holds every shared note and no
//    private one. Browsers share floor-shared notes with a proven peer whose hello says `role:
//    'hub'` — self-declared until roles are records signed by an administrator.
import * as Y from 'yjs';
import { parseDocId, KB_SPACE } from '../domain/ids';
import { mayReadNote, mayWriteNote, noteAuthor, type NoteAccess, type NoteReader } from '../domain/note';
import {
	adminsChangeProblem,
	centreOutsideEntry,
	centreWriteProblem,
	effectiveRolesNow,
	frozenStatusProblem,
	intervalBytesInUpdate,
	intervalEntries,
	isCentreUnset,
	mayAdministerCentre,
	noteAccessAuthor,
	noteAuthorPart,
	readAdmins,
	roleRecordTexts,
	roleTextsInUpdate,
	rolesWriteProblem,
	roleVerifications,
	synonymBytesInUpdate,
	synonymRecordEntries
} from '../schema/index';
import type { PublishRights } from '../domain/revision';
import type { NoteAccessLookup } from './note-access';
import { builtLifecycleProblem, lifecycleUpdateProblem } from './lifecycle';
import { builtRevisionsProblem, revisionUpdateProblem } from './revisions';
import { intervalsWriteProblem, intervalVerifications } from './review-intervals';
import { synonymsWriteProblem, synonymVerifications } from './synonym-records';
import { trialCopy } from './trial';
import { PROTOCOL_VERSION, type Hello } from './sync-protocol';

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
	/** Asynchronous checks vetUpdate relies on, run just before it (signatures of the role records
	 *  a centre update carries). */
	prepareVet?(docId: string, doc: Y.Doc, update: Uint8Array): Promise<void>;
	/** Listens to changes of who may read or write which documents; returns the unsubscribe. */
	onChange?(listener: (docIds: string[]) => void): () => void;
	/** Whether the document's writers are restricted: it travels as signed entries. */
	guarded?(docId: string): boolean;
	/** Whether this device may hold the document (its space is one of this device's). */
	mayHold?(docId: string): boolean;
	/** The hello of the agent that signed an entry (proven by its chain), as if it were a peer:
	 *  what mayWrite and vetUpdate judge a signed entry by. Its floor is the centre directory's;
	 *  `claimedFloor` (the signer's own hello, when its device is the one that sent the entry) only
	 *  where the directory does not list the agent. */
	signerHello?(agentId: string, key: string, claimedFloor?: string): Hello;
	/** Whether this signer may write the whole document (its snapshots cover everyone's entries). */
	writesWhole?(signer: Hello, docId: string, doc: Y.Doc): boolean;
	/** Checks that need to wait (signatures inside the update: an article's publication records),
	 *  run after vetUpdate: a reason to refuse, or undefined; no promise at all when there is
	 *  nothing to wait for. */
	verifyUpdate?(
		peer: Hello,
		docId: string,
		doc: Y.Doc,
		update: Uint8Array
	): Promise<string | undefined> | undefined;
	/** verifyUpdate for a document built whole from a peer's update, where it was not held. */
	verifyBuilt?(peer: Hello, docId: string, built: Y.Doc): Promise<string | undefined> | undefined;
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
	/** An agent's floor, as the centre directory says: a signer's floor (floor-shared notes that
	 *  colleagues may edit). */
	floorOf?: (agentId: string) => string | undefined;
	/** This device is the centre's hub: it belongs to every floor (`floors`) and to no personal
	 *  space. */
	hub?: boolean;
	/** The centre's floors (a hub's spaces). */
	floors?: () => string[];
	/** Who may publish an article of a topic: every publication record a peer sends is checked
	 *  against it (repo/revisions.ts). Without it, no publication from a peer is accepted. */
	publishRights?: PublishRights;
}

/** The centre's policy: the knowledge base (articles, its catalog, the centre document) is shared
 *  with every peer of the centre; a personal space only with the same agent's proven devices;
 *  notes as their authors decided. */
export class CentreSharePolicy implements SharePolicy {
	readonly agentId: string;
	readonly #floor: () => string;
	readonly #notes: NoteAccessLookup | undefined;
	readonly #extra: () => string[];
	readonly #floorOf: (agentId: string) => string | undefined;
	readonly #hub: boolean;
	readonly #floors: () => string[];
	readonly #publishRights: PublishRights;

	constructor(agentId: string, options: CentrePolicyOptions = {}) {
		this.agentId = agentId;
		this.#floor = options.floor ?? (() => '');
		this.#notes = options.notes;
		this.#extra = options.extraSpaces ?? (() => []);
		this.#floorOf = options.floorOf ?? (() => undefined);
		this.#hub = options.hub ?? false;
		this.#floors = options.floors ?? (() => []);
		this.#publishRights = options.publishRights ?? (() => false);
	}

	spaces(): string[] {
		if (this.#hub) return [KB_SPACE, CENTRE_SPACE, ...this.#floors().map(floorSpace), ...this.#extra()];
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
		if (space.startsWith('floor:')) return space === floorSpace(peer.floor) || peer.role === 'hub';
		return true;
	}

	guarded(docId: string): boolean {
		return docId.startsWith('note/') || docId.startsWith('centre/') || !!noteAccessAuthor(docId);
	}

	mayHold(docId: string): boolean {
		const space = this.spaceOf(docId);
		return !!space && this.spaces().includes(space);
	}

	signerHello(agentId: string, key: string, claimedFloor?: string): Hello {
		const floor =
			(agentId === this.agentId && !this.#hub ? this.#floor() : this.#floorOf(agentId)) ?? claimedFloor ?? '';
		return {
			protocol: PROTOCOL_VERSION,
			agentId,
			floor,
			spaces: [KB_SPACE, CENTRE_SPACE, personalSpace(agentId), ...(floor ? [floorSpace(floor)] : [])],
			key,
			verified: true
		};
	}

	writesWhole(signer: Hello, docId: string, doc: Y.Doc): boolean {
		const author = noteAccessAuthor(docId) ?? (docId.startsWith('note/') ? noteAuthor(docId) : undefined);
		if (author) return isAgent(signer, author);
		if (docId.startsWith('centre/')) return administersCentre(signer, doc);
		return false;
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
		if (isAgent(peer, author)) return author === this.agentId || !access || this.#mayRead(access, me);
		if (!access || !this.#mayRead(access, me)) return false;
		return mayWriteNote(access, { id: peer.verified ? peer.agentId : '', floor: peer.floor });
	}

	vetUpdate(peer: Hello, docId: string, doc: Y.Doc, update: Uint8Array): string | undefined {
		if (docId.startsWith('centre/')) return this.#vetCentre(peer, doc, update);
		// An article's status comes from signed lifecycle records: its old plain field is frozen.
		if (docId.startsWith('article/')) return frozenStatusProblem(doc, update, trialCopy);
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

	async prepareVet(docId: string, doc: Y.Doc, update: Uint8Array): Promise<void> {
		if (!docId.startsWith('centre/')) return;
		await roleVerifications.verify([...roleRecordTexts(doc).values(), ...roleTextsInUpdate(update)]);
		await intervalVerifications.verify(intervalBytesInUpdate(update));
		// A removal is judged against the records left: the held ones are checked too (cached).
		await synonymVerifications.verify([
			...synonymRecordEntries(doc).values(),
			...synonymBytesInUpdate(update)
		]);
	}

	/** An article's publication records: only added, each signed by someone allowed to publish its
	 *  topic (repo/revisions.ts). */
	verifyUpdate(
		_peer: Hello,
		docId: string,
		doc: Y.Doc,
		update: Uint8Array
	): Promise<string | undefined> | undefined {
		const parsed = parseDocId(docId);
		if (parsed?.type !== 'article') return undefined;
		return both(
			revisionUpdateProblem(doc, parsed.id, update, this.#publishRights),
			lifecycleUpdateProblem(doc, parsed.id, update, this.#publishRights)
		);
	}

	/** The same for a document built whole from a peer's update (not held here before). */
	verifyBuilt(_peer: Hello, docId: string, built: Y.Doc): Promise<string | undefined> | undefined {
		const parsed = parseDocId(docId);
		if (parsed?.type !== 'article') return undefined;
		return both(
			builtRevisionsProblem(built, parsed.id, this.#publishRights),
			builtLifecycleProblem(built, parsed.id, this.#publishRights)
		);
	}

	/** The centre document: administrators change anything, other agents their own entry only;
	 *  the creation-time administrators list stays as it is, and every role record added must
	 *  verify and take effect. */
	#vetCentre(peer: Hello, doc: Y.Doc, update: Uint8Array): string | undefined {
		if (!peer.verified) return 'is not proven';
		if (isCentreUnset(doc)) return undefined; // the centre's first state: trust on first use
		const admin = administersCentre(peer, doc);
		const trial = trialCopy(doc);
		const before = admin ? '' : centreOutsideEntry(trial, peer.agentId);
		const admins = readAdmins(trial);
		const roles = roleRecordTexts(trial);
		const intervals = intervalEntries(trial);
		const synonyms = synonymRecordEntries(trial);
		Y.applyUpdate(trial, update);
		const writer = { agentId: peer.agentId, administersCentre: admin };
		const problem =
			adminsChangeProblem(admins, trial) ??
			rolesWriteProblem(roles, trial, writer) ??
			intervalsWriteProblem(intervals, trial, writer) ??
			synonymsWriteProblem(synonyms, trial, writer) ??
			(admin ? undefined : centreWriteProblem(before, trial, peer.agentId));
		trial.destroy();
		return problem;
	}

	onChange(listener: (docIds: string[]) => void): () => void {
		return this.#notes?.onChange(listener) ?? (() => {});
	}

	/** Whether this device may read a note: a hub holds every shared one. */
	#mayRead(access: NoteAccess, me: NoteReader): boolean {
		return this.#hub ? access.visibility !== 'private' : mayReadNote(access, me);
	}

	#reader(): NoteReader {
		return { id: this.agentId, floor: this.#floor() };
	}
}

/** Whether a proven peer may change the centre's fields: an administrator by signed role record,
 *  or one listed when the centre was created (before role records). */
function administersCentre(peer: Hello, doc: Y.Doc): boolean {
	return peer.verified === true && mayAdministerCentre(doc, effectiveRolesNow(doc), peer.agentId, peer.key);
}

/** The first reason of two checks that may each need to wait; no promise when neither does. */
function both(
	a: Promise<string | undefined> | undefined,
	b: Promise<string | undefined> | undefined
): Promise<string | undefined> | undefined {
	if (!a) return b;
	if (!b) return a;
	return a.then((problem) => problem ?? b);
}

/** The peer proved to be this agent (hello signed with the key the agent id derives from). */
function isAgent(peer: Hello, agentId: string): boolean {
	return peer.verified === true && peer.agentId === agentId;
}
