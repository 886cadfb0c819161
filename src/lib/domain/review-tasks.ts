// An expert's task list (issue 14, part 6): on the topics the agent may publish (an expert's topics
// and their sub-topics; a knowledge manager's floor or centre), the published articles whose review
// is overdue or due within 30 days, and the drafts whose review was asked for. Read from the
// catalog lines (schema/revisions.ts articleEntry derives them from the signed records); due dates
// by the centre's intervals (domain/review-interval.ts), set on the lines listed as `reviewDue`.
import { isRetired } from './article';
import type { CatalogEntry } from './catalog';
import { reviewUrgency } from './lifecycle';
import { DEFAULT_INTERVALS, entryReviewDue, type ReviewIntervals } from './review-interval';

export interface ReviewTasks {
	overdue: CatalogEntry[];
	dueSoon: CatalogEntry[];
	inReview: CatalogEntry[];
}

export function reviewTasks(
	entries: readonly CatalogEntry[],
	mayReview: (topic: string) => boolean,
	now: number,
	intervals: ReviewIntervals = DEFAULT_INTERVALS
): ReviewTasks {
	const out: ReviewTasks = { overdue: [], dueSoon: [], inReview: [] };
	for (const e of entries) {
		if (isRetired(e.status) || !mayReview(e.node)) continue;
		// Catalog lines come from peers: only well-formed values count.
		const due = entryReviewDue(e, intervals);
		const urgency = due === undefined ? 'ok' : reviewUrgency(due, now);
		if (e.inReview !== true && urgency === 'ok') continue;
		// Listed lines carry the due date by the centre's intervals (a copy: the catalog's stay as read).
		const line: CatalogEntry = { ...e, reviewDue: due };
		if (due === undefined) delete line.reviewDue;
		if (e.inReview === true) out.inReview.push(line);
		if (urgency === 'overdue') out.overdue.push(line);
		else if (urgency === 'due-soon') out.dueSoon.push(line);
	}
	const byDue = (a: CatalogEntry, b: CatalogEntry) => (a.reviewDue ?? 0) - (b.reviewDue ?? 0);
	out.overdue.sort(byDue);
	out.dueSoon.sort(byDue);
	out.inReview.sort((a, b) => a.title.localeCompare(b.title));
	return out;
}

/** How many tasks in all (an article in review and due counts twice: two things to do). */
export function taskCount(t: ReviewTasks): number {
	return t.overdue.length + t.dueSoon.length + t.inReview.length;
}
