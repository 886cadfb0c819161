// Review intervals set per topic by its experts (issue 14, part 6): how many days an article of a
// topic may go between verifications, for one kind or for all kinds, overriding the kind's default
// (domain/lifecycle.ts REVIEW_INTERVAL_DAYS). Each setting is a record signed by whoever may publish
// the topic (an expert of it or of a topic above it, a knowledge manager: PublishRights), kept in
// the centre document (schema/review-intervals.ts) and verified by every peer
// (repo/review-intervals.ts). Records are only ever added: changing a topic's interval adds a later
// record, and `days: 0` says "back to what applies above" (the parent topic's, else the default).
//
// The interval of an article: walk from its topic up to the root; the first topic with a counting
// record for its kind (or for all kinds) gives it — at a topic, the latest record by time, then
// signer id, then id, wins; a winner of 0 days passes the question to the parent. No topic says:
// the kind's default. Which records count (verified, signer may publish the topic now) is decided
// by the caller; this file only ranks them.
import { ARTICLE_KINDS, type ArticleKind } from './article';
import type { CatalogEntry } from './catalog';
import { REVIEW_INTERVAL_DAYS, reviewDueAfter } from './lifecycle';

/** Sane bounds: a week is the shortest a team can keep up with, two years the longest a
 *  regulated centre would let anything go unread. */
export const MIN_INTERVAL_DAYS = 7;
export const MAX_INTERVAL_DAYS = 730;
/** `days` of a record that removes the topic's own setting (the parent's or the default applies). */
export const INHERIT = 0;

export type IntervalKind = ArticleKind | 'all';
export const INTERVAL_KINDS: readonly IntervalKind[] = [...ARTICLE_KINDS, 'all'];

/** The signed part of a review-interval record. */
export interface ReviewIntervalFields {
	/** The centre it belongs to: a record cannot be replayed into another centre. */
	centre: string;
	topic: string;
	kind: IntervalKind;
	/** Days between verifications, MIN..MAX, or INHERIT. */
	days: number;
	signer: string;
	signerName: string;
	time: number;
}

export interface ReviewIntervalRecord extends ReviewIntervalFields {
	/** The signer's key chain (repo/identity.ts). */
	chain: Uint8Array;
	signature: Uint8Array;
}

/** A record as stored: with its id (its key in the centre document). */
export interface StoredReviewInterval extends ReviewIntervalFields {
	id: string;
}

/** Why a number of days is not one a record may carry, or undefined. */
export function intervalDaysProblem(days: number): string | undefined {
	if (!Number.isInteger(days)) return 'its number of days is not a whole number';
	if (days === INHERIT) return undefined;
	if (days < MIN_INTERVAL_DAYS || days > MAX_INTERVAL_DAYS)
		return `its interval (${days} days) is outside ${MIN_INTERVAL_DAYS}–${MAX_INTERVAL_DAYS} days`;
	return undefined;
}

/** Why a record's own fields are inconsistent (before any signature is checked), or undefined. */
export function intervalFieldsProblem(f: ReviewIntervalFields): string | undefined {
	if (!(INTERVAL_KINDS as readonly string[]).includes(f.kind)) return 'its kind is unknown';
	const days = intervalDaysProblem(f.days);
	if (days) return days;
	if (!f.centre || !f.topic || !f.signer) return 'it lacks a centre, a topic or a signer';
	if (f.topic.length > 200 || f.signerName.length > 200) return 'its topic or signer name is too long';
	if (!Number.isFinite(f.time) || f.time <= 0) return 'its time is not valid';
	return undefined;
}

/** Whether `a` takes effect after `b` (time, then signer id, then id: every peer the same). */
function later(a: StoredReviewInterval, b: StoredReviewInterval): boolean {
	if (a.time !== b.time) return a.time > b.time;
	if (a.signer !== b.signer) return a.signer > b.signer;
	return a.id > b.id;
}

/** An article's interval, and where it comes from. */
export interface EffectiveInterval {
	days: number;
	/** The record that sets it; absent when it is the kind's default. */
	record?: StoredReviewInterval;
}

/** The topic and its ancestors, nearest first (a cycle from concurrent moves stops the climb). */
export function lineage(parents: ReadonlyMap<string, string | undefined>, topic: string): string[] {
	const out: string[] = [];
	const seen = new Set<string>();
	for (let at: string | undefined = topic; at !== undefined && !seen.has(at); at = parents.get(at)) {
		seen.add(at);
		out.push(at);
	}
	return out;
}

/** The centre's intervals from the records that count (verified; signer may publish the topic). */
export class ReviewIntervals {
	/** Per topic, per kind (or 'all'), the latest record. */
	readonly #latest = new Map<string, Map<IntervalKind, StoredReviewInterval>>();
	readonly #parents: ReadonlyMap<string, string | undefined>;
	readonly #days = new Map<string, number>();

	constructor(
		counting: readonly StoredReviewInterval[],
		parents: ReadonlyMap<string, string | undefined> = new Map()
	) {
		this.#parents = parents;
		for (const r of counting) {
			let byKind = this.#latest.get(r.topic);
			if (!byKind) this.#latest.set(r.topic, (byKind = new Map()));
			const held = byKind.get(r.kind);
			if (!held || later(r, held)) byKind.set(r.kind, r);
		}
	}

	/** The record that decides at this topic alone (latest of the kind's and the all-kinds'), if
	 *  any: one of 0 days says the topic has no setting of its own. */
	own(topic: string, kind: ArticleKind): StoredReviewInterval | undefined {
		const byKind = this.#latest.get(topic);
		if (!byKind) return undefined;
		const a = byKind.get(kind);
		const b = byKind.get('all');
		return a && b ? (later(a, b) ? a : b) : (a ?? b);
	}

	/** The interval of an article of this kind attached to this topic. */
	effective(topic: string, kind: ArticleKind): EffectiveInterval {
		for (const at of lineage(this.#parents, topic)) {
			const r = this.own(at, kind);
			if (r && r.days !== INHERIT) return { days: r.days, record: r };
		}
		return { days: REVIEW_INTERVAL_DAYS[kind] };
	}

	daysFor(topic: string, kind: ArticleKind): number {
		// Asked once per catalog line when the task list is recomputed: remembered per topic and kind.
		const key = `${kind} ${topic}`;
		let days = this.#days.get(key);
		if (days === undefined) this.#days.set(key, (days = this.effective(topic, kind).days));
		return days;
	}

	/** What an article of this topic gets from above it (the parent's chain, else the default):
	 *  what "back to inherited" would give. */
	inherited(topic: string, kind: ArticleKind): EffectiveInterval {
		const parent = this.#parents.get(topic);
		return parent === undefined || parent === topic
			? { days: REVIEW_INTERVAL_DAYS[kind] }
			: this.effective(parent, kind);
	}
}

/** No topic has a setting: every kind's default. */
export const DEFAULT_INTERVALS = new ReviewIntervals([]);

const DAY = 24 * 60 * 60 * 1000;

/** When a catalog line's current revision was last verified: its `verifiedAt`, or, for a line
 *  written before per-topic intervals, its default-interval due date less that interval. */
export function entryVerifiedAt(
	e: Pick<CatalogEntry, 'verifiedAt' | 'reviewDue' | 'kind'>
): number | undefined {
	// Catalog lines come from peers: only well-formed values count.
	if (typeof e.verifiedAt === 'number' && Number.isFinite(e.verifiedAt)) return e.verifiedAt;
	if (typeof e.reviewDue === 'number' && Number.isFinite(e.reviewDue) && e.kind in REVIEW_INTERVAL_DAYS)
		return e.reviewDue - REVIEW_INTERVAL_DAYS[e.kind] * DAY;
	return undefined;
}

/** When a catalog line's article must be verified again, by the centre's intervals. */
export function entryReviewDue(
	e: Pick<CatalogEntry, 'verifiedAt' | 'reviewDue' | 'kind' | 'node'>,
	intervals: ReviewIntervals = DEFAULT_INTERVALS
): number | undefined {
	const at = entryVerifiedAt(e);
	return at === undefined ? undefined : reviewDueAfter(at, e.kind, intervals.daysFor(e.node, e.kind));
}
