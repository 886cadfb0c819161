// An article's lifecycle (KCS): a draft, in review when an agent asks for it, published (signed
// revisions, domain/revision.ts), verified again without changes, archived, deleted — and back.
// Every transition is a signed record (who, name, when, an optional note, the revision it concerns,
// the topic it was made under), stored beside the revisions in the article's document and checked
// by every peer on receipt (repo/lifecycle.ts). The status is never a field anyone may set: it is
// derived here from the revisions and these records alone, so every peer derives the same one.
//
// Who may sign what (checked on receipt, on the record's signed topic): asking for a review, or
// withdrawing one's own request, any agent whose key chain proves it; verifying, archiving,
// deleting and undoing those, experts of the topic and knowledge managers (PublishRights).
// Which records count (derived, on the converged document): a record must name a revision the
// article holds and carry that revision's topic; before any publication, it names none and
// carries the draft's topic. So an expert of another topic cannot act on an article by claiming
// their own topic in the record.
import type { ArticleKind, ArticleStatus } from './article';
import type { RevisionFields } from './revision';

export const LIFECYCLE_ACTIONS = [
	'request-review',
	'withdraw-review',
	'verify',
	'archive',
	'unarchive',
	'delete',
	'undelete'
] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** Actions any proven agent may sign; the others need the right to publish the topic. */
export const AGENT_ACTIONS: readonly LifecycleAction[] = ['request-review', 'withdraw-review'];

export const MAX_LIFECYCLE_NOTE = 500;

/** The signed part of a lifecycle record. */
export interface LifecycleFields {
	articleId: string;
	action: LifecycleAction;
	/** The id of the revision it concerns (the current one when it was made); '' before any. */
	revision: string;
	/** The topic it was made under: the revision's, or the draft's before any publication. */
	topic: string;
	note: string;
	actor: string;
	actorName: string;
	time: number;
}

export interface LifecycleRecord extends LifecycleFields {
	/** The actor's key chain (repo/identity.ts). */
	chain: Uint8Array;
	signature: Uint8Array;
}

/** A record as stored: with its id (its key in the document). */
export interface StoredLifecycle extends LifecycleFields {
	id: string;
}

/** Why a record's own fields are inconsistent (before any signature is checked), or undefined. */
export function lifecycleFieldsProblem(f: LifecycleFields): string | undefined {
	if (!(LIFECYCLE_ACTIONS as readonly string[]).includes(f.action)) return 'its action is unknown';
	if (f.note.length > MAX_LIFECYCLE_NOTE) return 'its note is too long';
	if (f.actorName.length > 200) return 'its actor name is too long';
	if (!Number.isFinite(f.time) || f.time <= 0) return 'its time is not valid';
	if (f.revision !== '' && !/^[0-9a-f]{32}$/.test(f.revision)) return 'it names a malformed revision';
	if (!f.articleId || !f.topic || !f.actor) return 'it lacks an article, a topic or an actor';
	return undefined;
}

/** Records in the order they take effect: time, then id (every peer the same). */
export function lifecycleOrder<T extends Pick<StoredLifecycle, 'time' | 'id'>>(records: readonly T[]): T[] {
	return [...records].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Days between verifications, by kind, unless a topic says otherwise. */
export const REVIEW_INTERVAL_DAYS: Record<ArticleKind, number> = {
	procedure: 90,
	reference: 180,
	response: 180,
	faq: 365
};
const DAY = 24 * 60 * 60 * 1000;
/** A review due within this many days is "due soon" in the task list. */
export const DUE_SOON_DAYS = 30;

export function reviewDueAfter(
	verifiedAt: number,
	kind: ArticleKind,
	days = REVIEW_INTERVAL_DAYS[kind]
): number {
	return verifiedAt + days * DAY;
}

export type ReviewUrgency = 'overdue' | 'due-soon' | 'ok';

export function reviewUrgency(due: number, now: number): ReviewUrgency {
	if (due <= now) return 'overdue';
	return due - now <= DUE_SOON_DAYS * DAY ? 'due-soon' : 'ok';
}

/** What the derivation needs of a revision. */
export type LifecycleRevision = Pick<
	RevisionFields,
	'number' | 'publisher' | 'publisherName' | 'time' | 'topic'
> & {
	id: string;
	kind: ArticleKind;
};

export interface LifecycleInput {
	/** The current revision first (domain/revision.ts byRecency), or none. */
	revisions: readonly LifecycleRevision[];
	records: readonly StoredLifecycle[];
	/** The draft's topic (what records made before any publication name). */
	draftTopic: string;
	/** The status the document carried before lifecycle records (meta.status, frozen since: peers
	 *  refuse an update that changes it), and the one before a retirement. */
	legacyStatus: ArticleStatus;
	legacyBefore?: ArticleStatus;
}

export interface Verification {
	by: string;
	name: string;
	time: number;
	/** 'publish' for a publication, 'verify' for a verification without changes. */
	how: 'publish' | 'verify';
}

export interface Lifecycle {
	status: ArticleStatus;
	/** The open review request, if any (asked after the last publication or verification). */
	review?: { by: string; name: string; time: number; note: string; id: string };
	/** The last verification of the current revision (its publication, or a later verify). */
	verified?: Verification;
	/** When the current revision must be verified again. */
	reviewDue?: number;
	/** Every transition that counts, oldest first. */
	history: StoredLifecycle[];
}

/** The article's lifecycle from its revisions and records. */
export function deriveLifecycle(input: LifecycleInput, intervalDays?: number): Lifecycle {
	const current = input.revisions[0];
	const byId = new Map(input.revisions.map((r) => [r.id, r]));
	const counts = (r: StoredLifecycle) =>
		input.revisions.length === 0
			? r.revision === '' && r.topic === input.draftTopic
			: byId.get(r.revision)?.topic === r.topic;
	const history = lifecycleOrder(input.records.filter(counts));

	const legacy = input.legacyStatus;
	const before = input.legacyBefore;
	let archived = legacy === 'archived' || (legacy === 'deleted' && before === 'archived');
	let deleted = legacy === 'deleted';
	let verified: Verification | undefined = current
		? { by: current.publisher, name: current.publisherName, time: current.time, how: 'publish' }
		: undefined;
	// The last time anything was published or verified: a review asked before it is answered.
	let answered = input.revisions.reduce((t, r) => Math.max(t, r.time), 0);
	for (const r of history) {
		if (r.action === 'archive') archived = true;
		else if (r.action === 'unarchive') archived = false;
		else if (r.action === 'delete') deleted = true;
		else if (r.action === 'undelete') deleted = false;
		else if (r.action === 'verify') {
			answered = Math.max(answered, r.time);
			if (current && r.revision === current.id && (!verified || r.time > verified.time))
				verified = { by: r.actor, name: r.actorName, time: r.time, how: 'verify' };
		}
	}
	let review: Lifecycle['review'];
	for (const r of history) {
		if (r.action === 'request-review' && r.time > answered)
			review = { by: r.actor, name: r.actorName, time: r.time, note: r.note, id: r.id };
		else if (r.action === 'withdraw-review' && review && r.actor === review.by && r.time >= review.time)
			review = undefined;
	}
	const published = !!current || legacy === 'published' || before === 'published';
	const status: ArticleStatus = deleted
		? 'deleted'
		: archived
			? 'archived'
			: published
				? 'published'
				: 'draft';
	const out: Lifecycle = { status, history };
	if (review && status !== 'deleted' && status !== 'archived') out.review = review;
	if (verified && current) {
		out.verified = verified;
		out.reviewDue = reviewDueAfter(verified.time, current.kind, intervalDays);
	}
	return out;
}

/** May this agent sign this action on an article of this topic? (`publish`: the agent may
 *  publish the topic.) The UI shows only what this says; peers check it anyway. */
export function mayTakeAction(action: LifecycleAction, publish: boolean): boolean {
	return AGENT_ACTIONS.includes(action) || publish;
}
