// The topics' review intervals as the UI sees them (domain/review-interval.ts): the centre
// document's records verified once each (repo/review-intervals.ts), kept when their signer may
// publish the topic by the roles that hold now, ranked with the taxonomy; and the setting of one
// topic's interval, signed with this device's key (peers check it on receipt whatever this device
// believed). Due dates everywhere (review line, task list) read `intervals`.
import type * as Y from 'yjs';
import type { ArticleKind } from '../domain/article';
import { ReviewIntervals, type IntervalKind, type StoredReviewInterval } from '../domain/review-interval';
import type { EffectiveRoles } from '../domain/roles';
import type { TaxonomyNode } from '../domain/taxonomy';
import type { AgentIdentity } from '../repo/identity';
import { setReviewInterval, verifiedIntervals } from '../repo/review-intervals';
import { observeCentre } from '../schema/index';
import { Reread } from './reread';

export interface ReviewIntervalsDeps {
	agentId: string;
	identity: AgentIdentity | undefined;
	/** The roles that hold now (reactive). */
	roles: () => EffectiveRoles | undefined;
	/** The centre's taxonomy (reactive): a topic's interval passes to its sub-topics. */
	taxonomy: () => readonly TaxonomyNode[];
}

export class ReviewIntervalsState {
	/** Every record that verifies, whoever signed it. */
	verified = $state.raw<StoredReviewInterval[]>([]);
	/** The intervals that hold: records whose signer may publish the topic now. */
	readonly intervals: ReviewIntervals = $derived.by(() => {
		const roles = this.#deps.roles();
		const parents = new Map(this.#deps.taxonomy().map((n) => [n.id, n.parent]));
		return new ReviewIntervals(
			this.verified.filter((r) => !!roles?.mayPublish(r.signer, r.topic)),
			parents
		);
	});

	readonly #centre: Y.Doc;
	readonly #deps: ReviewIntervalsDeps;
	readonly #off: () => void;
	#destroyed = false;
	readonly #reread = new Reread(
		async () => {
			const verified = await verifiedIntervals(this.#centre);
			if (!this.#destroyed) this.verified = verified;
		},
		() => this.#destroyed
	);

	constructor(centre: Y.Doc, deps: ReviewIntervalsDeps) {
		this.#centre = centre;
		this.#deps = deps;
		this.#off = observeCentre(centre, () => void this.refresh());
		void this.refresh();
	}

	/** Days between verifications for an article of this kind on this topic. */
	daysFor(topic: string, kind: ArticleKind): number {
		return this.intervals.daysFor(topic, kind);
	}

	/** This agent may set the topic's intervals (it may publish the topic, and can sign). */
	mayEdit(topic: string): boolean {
		return !!this.#deps.identity && !!this.#deps.roles()?.mayPublish(this.#deps.agentId, topic);
	}

	/** Sets the topic's interval for a kind (`days` 0: back to what applies above). Throws for a
	 *  value out of bounds; peers refuse it if this agent may not. */
	async set(topic: string, kind: IntervalKind, days: number, signerName: string): Promise<void> {
		if (!this.#deps.identity) throw new Error('This device has no key to sign with.');
		await setReviewInterval(this.#centre, this.#deps.identity, { topic, kind, days, signerName });
		await this.refresh();
	}

	/** Resolves once `verified` reflects the document as it is now. */
	refresh(): Promise<void> {
		return this.#reread.refresh();
	}

	destroy(): void {
		this.#destroyed = true;
		this.#off();
	}
}
