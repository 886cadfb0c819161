// The change feed: new publications on what the agent follows (articles, topics) and on their
// floor's topics, newest first, from the catalog's lines alone (each line carries its current
// revision's number, time, publisher and change note), so it never opens an article document.
// One item per article: its latest publication.
import { isRetired } from './article';
import type { CatalogEntry } from './catalog';
import type { Follows } from './follows';
import type { ReadMarks } from './read-marks';
import type { TaxonomyNode } from './taxonomy';

/** Where the feed starts on this device, and when the agent last marked it all read. */
export interface FeedState {
	/** Publications before this time are never unread: a new device's feed starts empty-handed
	 *  rather than with the whole knowledge base unread. */
	since: number;
	/** "Mark all as read": publications up to this time are read. */
	clearedAt: number;
}

export type FeedReason = 'article' | 'topic' | 'floor';

export interface FeedItem {
	entry: CatalogEntry & { revision: number; publishedAt: number };
	/** Why it is in the feed: a followed article, a followed topic, the agent's floor's topic. */
	reason: FeedReason;
	unread: boolean;
}

export interface FeedInput {
	follows: Follows;
	/** Topics of the agent's floor (their sub-topics included). */
	floorTopics: readonly string[];
	taxonomy: readonly TaxonomyNode[];
	marks: ReadMarks;
	state: FeedState;
	now: number;
}

/** Read publications stay listed this long after they were published (unread ones until read). */
export const FEED_WINDOW_MS = 30 * 24 * 3600 * 1000;
export const FEED_LIMIT = 50;

/** Whether a publication is unread: published after the feed started and after "mark all as
 *  read", and its article not read at that revision or later. */
export function isUnread(
	entry: Pick<CatalogEntry, 'revision' | 'publishedAt'>,
	mark: { revision: number } | undefined,
	state: FeedState
): boolean {
	if (entry.revision === undefined || entry.publishedAt === undefined) return false;
	if (entry.publishedAt <= Math.max(state.since, state.clearedAt)) return false;
	return !mark || mark.revision < entry.revision;
}

/** The feed's items, newest first, at most `limit`, and how many are unread in all. */
export function changeFeed(
	entries: readonly CatalogEntry[],
	input: FeedInput,
	limit = FEED_LIMIT
): { items: FeedItem[]; unread: number } {
	const parents = new Map(input.taxonomy.map((n) => [n.id, n.parent]));
	const floorTopics = new Set(input.floorTopics);
	// Per topic, once (a catalog has far fewer topics than articles): followed, or the floor's,
	// itself or through an ancestor (a cycle from concurrent moves stops the climb).
	const byNode = new Map<string, FeedReason | undefined>();
	const topicReason = (node: string): FeedReason | undefined => {
		if (byNode.has(node)) return byNode.get(node);
		let reason: FeedReason | undefined;
		const seen = new Set<string>();
		for (let at: string | undefined = node; at !== undefined && !seen.has(at); at = parents.get(at)) {
			seen.add(at);
			if (input.follows.topics.has(at)) {
				reason = 'topic';
				break;
			}
			if (floorTopics.has(at)) reason = 'floor';
		}
		byNode.set(node, reason);
		return reason;
	};
	const reasonOf = (entry: CatalogEntry): FeedReason | undefined =>
		input.follows.articles.has(entry.docId) ? 'article' : topicReason(entry.node);
	const items: FeedItem[] = [];
	for (const entry of entries) {
		if (entry.revision === undefined || entry.publishedAt === undefined || isRetired(entry.status)) continue;
		const reason = reasonOf(entry);
		if (!reason) continue;
		// Only what was published since the feed started on this device: a new device (or a demo
		// seeded with history) starts with an empty feed, not the whole knowledge base.
		if (entry.publishedAt <= input.state.since) continue;
		const unread = isUnread(entry, input.marks.get(entry.docId), input.state);
		if (!unread && entry.publishedAt < input.now - FEED_WINDOW_MS) continue;
		items.push({ entry: entry as FeedItem['entry'], reason, unread });
	}
	items.sort(
		(a, b) => b.entry.publishedAt - a.entry.publishedAt || a.entry.docId.localeCompare(b.entry.docId)
	);
	const unread = items.reduce((n, i) => n + Number(i.unread), 0);
	return { items: items.slice(0, limit), unread };
}
