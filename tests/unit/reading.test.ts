// What changed since I last read it (issue 14, part 5): read marks, follows and the change feed as
// pure functions (domain/read-marks.ts, follows.ts, change-feed.ts); the catalog line that feeds
// them without opening articles (schema/revisions.ts articleEntry, schema/space.ts); and the
// agent's reading state over a device store (state/reading.svelte.ts): kept across a restart,
// a fresh device shows nothing as updated, a procedure shown long enough is followed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { NOTE_IN_CATALOG, type CatalogEntry } from '../../src/lib/domain/catalog';
import { changeFeed, FEED_WINDOW_MS, isUnread, type FeedInput } from '../../src/lib/domain/change-feed';
import {
	AUTO_FOLLOW_MS,
	autoFollows,
	decodeFollows,
	emptyFollows,
	encodeFollows,
	followArticle,
	followTopic,
	MAX_FOLLOWED_ARTICLES,
	unfollowArticle,
	unfollowTopic
} from '../../src/lib/domain/follows';
import {
	decodeReadMarks,
	encodeReadMarks,
	markRead,
	REVISION_ID_KEPT,
	revisionReadBefore,
	revisionReplaced,
	updatedSinceRead,
	type ReadMarks
} from '../../src/lib/domain/read-marks';
import type { RevisionFields } from '../../src/lib/domain/revision';
import type { TaxonomyNode } from '../../src/lib/domain/taxonomy';
import { DEVICE_KEYS, MemoryDeviceStore } from '../../src/lib/repo/device-store';
import { generateIdentity } from '../../src/lib/repo/identity';
import { publishDraft } from '../../src/lib/repo/revisions';
import { articleEntry, initArticle, putCatalogEntry, readCatalog } from '../../src/lib/schema/index';
import { ReadingState } from '../../src/lib/state/reading.svelte';

const DAY = 24 * 3600 * 1000;
const NOW = 1_800_000_000_000;

function entry(docId: string, patch: Partial<CatalogEntry> = {}): CatalogEntry {
	return {
		docId,
		kind: 'procedure',
		title: docId,
		node: 'bourse.ordres',
		locale: 'fr',
		status: 'published',
		updatedAt: 1,
		...patch
	};
}

function record(
	number: number,
	id: string,
	previous = number - 1,
	publisher = 'p'
): RevisionFields & { id: string } {
	return {
		id,
		articleId: 'a',
		number,
		previous,
		topic: 't',
		digest: '0'.repeat(64),
		note: '',
		publisher,
		publisherName: 'P',
		time: number
	};
}

describe('read marks', () => {
	it('keeps the revision last read, never moves back, and returns the same marks when nothing changes', () => {
		let marks: ReadMarks = new Map();
		marks = markRead(marks, 'article/a', 2, 'r2', 10);
		expect(marks.get('article/a')).toEqual({ revision: 2, revisionId: 'r2', at: 10 });
		expect(markRead(marks, 'article/a', 2, 'r2', 20)).toBe(marks);
		expect(markRead(marks, 'article/a', 1, 'r1', 30)).toBe(marks); // an older one shown late
		expect(markRead(marks, 'article/a', 3, 'r3', 40).get('article/a')?.revision).toBe(3);
	});

	it('keeps at most `max` marks, dropping the least recently read', () => {
		let marks: ReadMarks = new Map();
		for (const id of ['a', 'b', 'c']) marks = markRead(marks, id, 1, id, 1, 3);
		marks = markRead(marks, 'a', 2, 'a2', 2, 3); // a read again: now the most recent
		marks = markRead(marks, 'd', 1, 'd', 3, 3);
		expect([...marks.keys()]).toEqual(['c', 'a', 'd']);
	});

	it('says updated only with a mark older than the current revision: no mark, nothing to compare', () => {
		const mark = { revision: 2, revisionId: 'x', at: 1 };
		expect(updatedSinceRead({ revision: 3 }, mark)).toBe(true);
		expect(updatedSinceRead({ revision: 2 }, mark)).toBe(false);
		expect(updatedSinceRead({ revision: 3 }, undefined)).toBe(false);
		expect(updatedSinceRead({ revision: undefined }, mark)).toBe(false);
	});

	it('round-trips through the device store and drops rows that are not marks', () => {
		const marks = markRead(markRead(new Map(), 'a', 1, 'r1', 5), 'b', 4, 'r4', 6);
		expect(decodeReadMarks(structuredClone(encodeReadMarks(marks)))).toEqual(marks);
		const damaged = {
			v: 1,
			rows: [
				['a', 1, 'r1', 5],
				['b', 0, 'x', 1],
				['c', 1.5, 'x', 1],
				[7, 1, 'x', 1],
				'junk',
				['d', 2, 'r', 'x']
			]
		};
		expect([...decodeReadMarks(damaged).keys()]).toEqual(['a']);
		expect(decodeReadMarks(undefined).size).toBe(0);
		expect(decodeReadMarks({ rows: 'no' }).size).toBe(0);
		expect(decodeReadMarks(encodeReadMarks(marks), 1).size).toBe(1);
	});

	it('finds the revision last read to compare with, by id, else by number; or the one replaced', () => {
		const records = [record(1, 'r1'), record(2, 'r2a', 1, 'a'), record(2, 'r2b', 1, 'b'), record(3, 'r3', 2)];
		expect(revisionReadBefore(records, { revision: 2, revisionId: 'r2a', at: 0 })?.id).toBe('r2a');
		expect(revisionReadBefore(records, { revision: 2, revisionId: 'gone', at: 0 })?.id).toBe('r2b');
		// Marks keep a prefix of the record id.
		const long = [record(1, 'a'.repeat(64)), record(1, 'b'.repeat(64), 0, 'z'), record(2, 'c'.repeat(64))];
		const mark = markRead(new Map(), 'x', 1, 'a'.repeat(64), 0).get('x')!;
		expect(mark.revisionId).toBe('a'.repeat(REVISION_ID_KEPT));
		expect(revisionReadBefore(long, mark)?.id).toBe('a'.repeat(64));
		expect(revisionReadBefore(records, { revision: 3, revisionId: 'r3', at: 0 })).toBeUndefined();
		expect(revisionReadBefore(records, undefined)).toBeUndefined();
		expect(revisionReplaced(records)?.id).toBe('r2b');
		expect(revisionReplaced([record(1, 'r1')])).toBeUndefined();
	});
});

describe('follows', () => {
	it('follows and unfollows articles and topics; an article unfollowed is never followed automatically', () => {
		let f = emptyFollows();
		f = followArticle(f, 'article/a', 1, true);
		expect(f.articles.get('article/a')).toEqual({ since: 1, auto: true });
		expect(followArticle(f, 'article/a', 2, true)).toBe(f);
		f = followArticle(f, 'article/a', 3); // followed by hand: no longer an automatic follow
		expect(f.articles.get('article/a')).toEqual({ since: 1, auto: false });
		f = unfollowArticle(f, 'article/a');
		expect(f.articles.has('article/a')).toBe(false);
		expect(followArticle(f, 'article/a', 4, true)).toBe(f);
		f = followArticle(f, 'article/a', 5); // by hand it is followed again
		expect(f.articles.has('article/a')).toBe(true);
		expect(f.declined.has('article/a')).toBe(false);
		f = followTopic(f, 'bourse', 6);
		expect(f.topics.get('bourse')).toBe(6);
		expect(unfollowTopic(f, 'bourse').topics.has('bourse')).toBe(false);
	});

	it('is bounded and round-trips through the device store, dropping what is not a follow', () => {
		let f = emptyFollows();
		for (let i = 0; i < MAX_FOLLOWED_ARTICLES + 5; i++) f = followArticle(f, `article/${i}`, i);
		expect(f.articles.size).toBe(MAX_FOLLOWED_ARTICLES);
		expect(f.articles.has('article/0')).toBe(false);
		f = followTopic(unfollowArticle(f, 'article/9'), 'compte', 1);
		expect(decodeFollows(structuredClone(encodeFollows(f)))).toEqual(f);
		const bad = decodeFollows({
			articles: [['x', 'y'], 5, ['ok', 3, true]],
			topics: [[1, 2]],
			declined: [3, 'z']
		});
		expect([...bad.articles.keys()]).toEqual(['ok']);
		expect(bad.topics.size).toBe(0);
		expect([...bad.declined]).toEqual(['z']);
		expect(decodeFollows(null)).toEqual(emptyFollows());
	});

	it('follows automatically a procedure shown long enough, nothing else', () => {
		expect(autoFollows('procedure', AUTO_FOLLOW_MS)).toBe(true);
		expect(autoFollows('procedure', AUTO_FOLLOW_MS - 1)).toBe(false);
		expect(autoFollows('faq', AUTO_FOLLOW_MS * 10)).toBe(false);
	});
});

describe('change feed', () => {
	const taxonomy: TaxonomyNode[] = [
		{ id: 'bourse', label: { fr: 'Bourse', en: 'Bourse' }, order: 0 },
		{ id: 'bourse.ordres', parent: 'bourse', label: { fr: 'Ordres', en: 'Ordres' }, order: 0 },
		{ id: 'compte', label: { fr: 'Compte', en: 'Compte' }, order: 1 },
		{ id: 'compte.acces', parent: 'compte', label: { fr: 'Accès', en: 'Accès' }, order: 0 },
		{ id: 'technique', label: { fr: 'Technique', en: 'Technique' }, order: 2 },
		// A cycle from concurrent moves must not hang the climb.
		{ id: 'x', parent: 'y', label: { fr: 'X', en: 'X' }, order: 3 },
		{ id: 'y', parent: 'x', label: { fr: 'Y', en: 'Y' }, order: 4 }
	];
	const input = (patch: Partial<FeedInput> = {}): FeedInput => ({
		follows: emptyFollows(),
		floorTopics: ['bourse'],
		taxonomy,
		marks: new Map(),
		state: { since: NOW - 10 * DAY, clearedAt: 0 },
		now: NOW,
		...patch
	});
	const published = (docId: string, node: string, revision: number, at: number) =>
		entry(docId, { node, revision, publishedAt: at, publishedBy: 'Eve' });

	it('lists publications on followed articles, followed topics and the floor’s topics, newest first', () => {
		const entries = [
			published('article/floor', 'bourse.ordres', 2, NOW - 3 * DAY),
			published('article/topic', 'compte.acces', 1, NOW - 2 * DAY),
			published('article/followed', 'technique', 5, NOW - 1 * DAY),
			published('article/other', 'technique', 1, NOW - DAY / 2),
			published('article/cycle', 'x', 1, NOW - DAY / 3),
			published('article/before', 'bourse', 4, NOW - 11 * DAY), // before this device's feed began
			entry('article/draft', { node: 'bourse' }), // never published: not a publication
			{ ...published('article/archived', 'bourse', 2, NOW - DAY), status: 'archived' as const }
		];
		let follows = followArticle(emptyFollows(), 'article/followed', 0);
		follows = followTopic(follows, 'compte', 0);
		const feed = changeFeed(entries, input({ follows }));
		expect(feed.items.map((i) => [i.entry.docId, i.reason, i.unread])).toEqual([
			['article/followed', 'article', true],
			['article/topic', 'topic', true],
			['article/floor', 'floor', true]
		]);
		expect(feed.unread).toBe(3);
	});

	it('counts nothing unread before the feed started, after "mark all read", or once read at that revision', () => {
		const state = { since: NOW - 5 * DAY, clearedAt: 0 };
		const e = published('article/a', 'bourse', 3, NOW - DAY);
		expect(isUnread(e, undefined, state)).toBe(true);
		expect(isUnread(e, { revision: 2 }, state)).toBe(true);
		expect(isUnread(e, { revision: 3 }, state)).toBe(false);
		expect(isUnread(e, undefined, { since: NOW, clearedAt: 0 })).toBe(false); // a new device
		expect(isUnread(e, undefined, { ...state, clearedAt: NOW - DAY / 2 })).toBe(false);
		expect(isUnread({ revision: undefined, publishedAt: undefined }, undefined, state)).toBe(false);
	});

	it('keeps read publications for the window, unread ones until read; caps the list but not the count', () => {
		const old = published('article/old', 'bourse', 1, NOW - FEED_WINDOW_MS - DAY);
		const state = { since: 0, clearedAt: 0 };
		expect(changeFeed([old], input({ state })).items).toHaveLength(1); // unread: kept
		const marks = markRead(new Map(), 'article/old', 1, 'r', NOW);
		expect(changeFeed([old], input({ state, marks })).items).toHaveLength(0);
		const many = Array.from({ length: 60 }, (_, i) => published(`article/${i}`, 'bourse', 1, NOW - i));
		const feed = changeFeed(many, input({ state }), 50);
		expect(feed.items).toHaveLength(50);
		expect(feed.unread).toBe(60);
		expect(feed.items[0]!.entry.docId).toBe('article/0');
	});
});

describe('catalog lines carry the current publication', () => {
	it('has the revision’s time, publisher and change note (cut), and refuses a line with them mistyped', async () => {
		const meta: ArticleMeta = {
			kind: 'faq',
			title: 'Plafond',
			node: 'compte',
			locale: 'fr',
			tags: [],
			status: 'draft',
			createdAt: 1,
			updatedAt: 1
		};
		const doc = new Y.Doc();
		initArticle(doc, meta, [{ type: 'paragraph', content: [{ type: 'text', text: 'Texte' }] }]);
		const identity = await generateIdentity();
		const note = 'n'.repeat(400);
		const r = await publishDraft(doc, 'p', identity, { note, publisherName: 'Eve Expert' });
		const line = articleEntry('article/p', doc);
		expect(line).toMatchObject({ revision: 1, publishedAt: r.time, publishedBy: 'Eve Expert' });
		expect(line.changeNote).toBe(note.slice(0, NOTE_IN_CATALOG));

		const space = new Y.Doc();
		putCatalogEntry(space, line);
		putCatalogEntry(space, { ...entry('article/bad'), publishedAt: 'yesterday' as unknown as number });
		putCatalogEntry(space, { ...entry('article/bad2'), changeNote: { html: 'x' } as unknown as string });
		const invalid: string[] = [];
		expect(readCatalog(space, (id) => invalid.push(id)).map((e) => e.docId)).toEqual(['article/p']);
		expect(invalid.sort()).toEqual(['article/bad', 'article/bad2']);
	});
});

describe('ReadingState over a device store', () => {
	afterEach(() => vi.useRealTimers());
	const sources = (entries: CatalogEntry[] = []) => ({
		entries: () => entries,
		taxonomy: () => [] as TaxonomyNode[],
		floorTopics: () => [] as string[]
	});

	it('starts a fresh device’s feed now, and keeps marks, follows and the feed’s start across a restart', async () => {
		const device = new MemoryDeviceStore();
		let now = NOW;
		const first = new ReadingState(device, 'c1', sources(), { now: () => now });
		await first.load();
		expect(first.feedState.since).toBe(NOW);
		first.read('article/a', 2, 'r2');
		first.follow('article/b');
		first.followTopic('bourse');
		now += DAY;
		first.markAllRead();
		await first.saved();
		// Only the device's own records: two keys, the centre's name in them.
		expect([...device.records.keys()].sort()).toEqual([
			DEVICE_KEYS.follows('c1'),
			DEVICE_KEYS.readMarks('c1')
		]);

		const again = new ReadingState(new MemoryDeviceStore(device.records), 'c1', sources(), {
			now: () => now + DAY
		});
		await again.load();
		expect(again.lastRead('article/a')).toMatchObject({ revision: 2, revisionId: 'r2' });
		expect(again.isFollowing('article/b')).toBe(true);
		expect(again.isFollowingTopic('bourse')).toBe(true);
		expect(again.feedState).toEqual({ since: NOW, clearedAt: NOW + DAY });
		expect(again.updatedSinceRead({ docId: 'article/a', revision: 3 })).toBe(true);
		expect(again.updatedSinceRead({ docId: 'article/z', revision: 3 })).toBe(false);
		// Another centre on the same device reads none of it.
		const other = new ReadingState(new MemoryDeviceStore(device.records), 'c2', sources());
		await other.load();
		expect(other.marks.size).toBe(0);
	});

	it('a visit keeps the mark it began with while marking what is shown', async () => {
		const reading = new ReadingState(new MemoryDeviceStore(), 'c', sources());
		await reading.load();
		reading.read('article/a', 1, 'r1');
		const visit = reading.visit('article/a');
		visit.shown({ number: 2, id: 'r2' }, 'faq');
		expect(visit.baseline?.revision).toBe(1);
		expect(reading.lastRead('article/a')?.revision).toBe(2);
		visit.end();
	});

	it('follows a procedure shown long enough, not one hidden before, and never one unfollowed', async () => {
		vi.useFakeTimers();
		const reading = new ReadingState(new MemoryDeviceStore(), 'c', sources());
		await reading.load();
		const visit = reading.visit('article/p');
		visit.shown({ number: 1, id: 'r1' }, 'procedure');
		vi.advanceTimersByTime(AUTO_FOLLOW_MS - 1000);
		visit.hidden(); // the agent went to edit the draft
		vi.advanceTimersByTime(AUTO_FOLLOW_MS);
		expect(reading.isFollowing('article/p')).toBe(false);
		visit.shown({ number: 1, id: 'r1' }, 'procedure');
		vi.advanceTimersByTime(AUTO_FOLLOW_MS);
		expect(reading.follows.articles.get('article/p')).toMatchObject({ auto: true });
		visit.end();

		const faq = reading.visit('article/f');
		faq.shown({ number: 1, id: 'f1' }, 'faq');
		vi.advanceTimersByTime(AUTO_FOLLOW_MS * 2);
		expect(reading.isFollowing('article/f')).toBe(false);

		reading.unfollow('article/p');
		const back = reading.visit('article/p');
		back.shown({ number: 1, id: 'r1' }, 'procedure');
		vi.advanceTimersByTime(AUTO_FOLLOW_MS * 2);
		expect(reading.isFollowing('article/p')).toBe(false);
		back.end();
	});

	it('the feed follows the catalog: a new publication on a followed article is unread until read', async () => {
		let now = NOW;
		let entries: CatalogEntry[] = [
			entry('article/a', { revision: 1, publishedAt: NOW - DAY, publishedBy: 'Eve' })
		];
		const reading = new ReadingState(
			new MemoryDeviceStore(),
			'c',
			{ ...sources(), entries: () => entries },
			{
				now: () => now
			}
		);
		await reading.load();
		reading.read('article/a', 1, 'r1');
		reading.follow('article/a');
		expect(reading.feed.unread).toBe(0); // published before this device's feed started
		now += DAY;
		entries = [entry('article/a', { revision: 2, publishedAt: now, publishedBy: 'Eve' })];
		reading.followTopic('x'); // any change makes the derived feed read the new entries
		expect(reading.feed.unread).toBe(1);
		expect(reading.updatedSinceRead(entries[0]!)).toBe(true);
		reading.read('article/a', 2, 'r2');
		expect(reading.feed.unread).toBe(0);
		expect(reading.feed.items).toHaveLength(1);
	});

	it('reports a failed write and keeps going', async () => {
		const device = new MemoryDeviceStore();
		const reading = new ReadingState(device, 'c', sources());
		await reading.load();
		device.write = () => Promise.reject(new Error('quota exceeded'));
		reading.read('article/a', 1, 'r1');
		await reading.saved();
		expect(reading.writeError).toBe('quota exceeded');
		expect(reading.lastRead('article/a')?.revision).toBe(1);
	});
});
