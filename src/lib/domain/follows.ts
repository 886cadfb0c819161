// What an agent follows: articles and taxonomy topics (a topic's sub-topics included). The change
// feed lists new publications on them. Private like read marks: kept on the device only.
import type { ArticleKind } from './article';

export interface Follows {
	/** Article document id → when it was followed and whether it was followed automatically. */
	articles: ReadonlyMap<string, { since: number; auto: boolean }>;
	/** Taxonomy node id → when it was followed. */
	topics: ReadonlyMap<string, number>;
	/** Articles the agent stopped following: never followed automatically again. */
	declined: ReadonlySet<string>;
}

export const MAX_FOLLOWED_ARTICLES = 500;
export const MAX_FOLLOWED_TOPICS = 200;
export const MAX_DECLINED = 500;

/** A procedure shown this long in the reading view is followed automatically: long enough to
 *  have been used on a call, not a glance while browsing. */
export const AUTO_FOLLOW_MS = 20_000;

export function emptyFollows(): Follows {
	return { articles: new Map(), topics: new Map(), declined: new Set() };
}

/** The rule for following automatically: a procedure the agent kept open in the reading view for
 *  AUTO_FOLLOW_MS or more. Other kinds, drafts and edits never count. */
export function autoFollows(kind: ArticleKind, shownMs: number, threshold = AUTO_FOLLOW_MS): boolean {
	return kind === 'procedure' && shownMs >= threshold;
}

function capped<K, V>(map: Map<K, V>, max: number): Map<K, V> {
	for (const key of map.keys()) {
		if (map.size <= max) break;
		map.delete(key);
	}
	return map;
}

/** The set without its oldest members beyond `max` (a Set keeps insertion order). */
function cappedSet<T>(set: Set<T>, max: number): Set<T> {
	for (const item of set) {
		if (set.size <= max) break;
		set.delete(item);
	}
	return set;
}

export function followArticle(f: Follows, docId: string, now: number, auto = false): Follows {
	const held = f.articles.get(docId);
	if (held && (auto || !held.auto)) return f;
	if (auto && f.declined.has(docId)) return f;
	const articles = new Map(f.articles);
	articles.set(docId, { since: held?.since ?? now, auto });
	const declined = new Set(f.declined);
	declined.delete(docId);
	return { ...f, articles: capped(articles, MAX_FOLLOWED_ARTICLES), declined };
}

export function unfollowArticle(f: Follows, docId: string): Follows {
	if (!f.articles.has(docId) && f.declined.has(docId)) return f;
	const articles = new Map(f.articles);
	articles.delete(docId);
	const declined = new Set(f.declined);
	declined.delete(docId);
	declined.add(docId);
	return { ...f, articles, declined: cappedSet(declined, MAX_DECLINED) };
}

export function followTopic(f: Follows, nodeId: string, now: number): Follows {
	if (f.topics.has(nodeId)) return f;
	const topics = new Map(f.topics);
	topics.set(nodeId, now);
	return { ...f, topics: capped(topics, MAX_FOLLOWED_TOPICS) };
}

export function unfollowTopic(f: Follows, nodeId: string): Follows {
	if (!f.topics.has(nodeId)) return f;
	const topics = new Map(f.topics);
	topics.delete(nodeId);
	return { ...f, topics };
}

export function encodeFollows(f: Follows): {
	v: 1;
	articles: [string, number, boolean][];
	topics: [string, number][];
	declined: string[];
} {
	return {
		v: 1,
		articles: [...f.articles].map(([id, a]) => [id, a.since, a.auto]),
		topics: [...f.topics],
		declined: [...f.declined]
	};
}

/** Follows back from the device store; entries that are not follows are dropped. */
export function decodeFollows(value: unknown): Follows {
	const v = (value ?? {}) as Record<string, unknown>;
	const articles = new Map<string, { since: number; auto: boolean }>();
	const topics = new Map<string, number>();
	const declined = new Set<string>();
	if (Array.isArray(v.articles))
		for (const row of v.articles)
			if (Array.isArray(row) && typeof row[0] === 'string' && Number.isFinite(row[1]))
				articles.set(row[0], { since: row[1] as number, auto: row[2] === true });
	if (Array.isArray(v.topics))
		for (const row of v.topics)
			if (Array.isArray(row) && typeof row[0] === 'string' && Number.isFinite(row[1]))
				topics.set(row[0], row[1] as number);
	if (Array.isArray(v.declined)) for (const id of v.declined) if (typeof id === 'string') declined.add(id);
	return {
		articles: capped(articles, MAX_FOLLOWED_ARTICLES),
		topics: capped(topics, MAX_FOLLOWED_TOPICS),
		declined: cappedSet(declined, MAX_DECLINED)
	};
}
