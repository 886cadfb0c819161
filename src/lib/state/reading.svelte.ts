// The agent's own reading: which revision of each article they last read, what they follow, and
// their change feed. All of it stays on this device, in the device store (repo/device-store.ts):
// it is not a document, so no sync path, peer, hub, log or search index ever sees it. Built by
// the app for one centre; each change is written at once (writes coalesce while one is running).
import { changeFeed, type FeedState } from '../domain/change-feed';
import type { CatalogEntry } from '../domain/catalog';
import type { ArticleKind } from '../domain/article';
import {
	AUTO_FOLLOW_MS,
	autoFollows,
	decodeFollows,
	emptyFollows,
	encodeFollows,
	followArticle,
	followTopic,
	unfollowArticle,
	unfollowTopic,
	type Follows
} from '../domain/follows';
import {
	decodeReadMarks,
	encodeReadMarks,
	markRead,
	updatedSinceRead,
	type ReadMark,
	type ReadMarks
} from '../domain/read-marks';
import type { TaxonomyNode } from '../domain/taxonomy';
import { DEVICE_KEYS, type DeviceStore } from '../repo/device-store';

/** What the feed is computed from: the knowledge base's catalog and taxonomy, the agent's floor. */
export interface ReadingSources {
	entries: () => readonly CatalogEntry[];
	taxonomy: () => readonly TaxonomyNode[];
	floorTopics: () => readonly string[];
}

export interface ReadingOptions {
	now?: () => number;
	autoFollowMs?: number;
}

export class ReadingState {
	marks = $state.raw<ReadMarks>(new Map());
	follows = $state.raw<Follows>(emptyFollows());
	feedState = $state.raw<FeedState>({ since: 0, clearedAt: 0 });
	/** Why the last write to the device store failed ('' when it did not). */
	writeError = $state('');

	/** The change feed: newest first, with the number unread. */
	readonly feed = $derived.by(() =>
		changeFeed(this.#sources.entries(), {
			follows: this.follows,
			floorTopics: this.#sources.floorTopics(),
			taxonomy: this.#sources.taxonomy(),
			marks: this.marks,
			state: this.feedState,
			now: this.#now()
		})
	);

	readonly #device: DeviceStore;
	readonly #centreId: string;
	readonly #sources: ReadingSources;
	readonly #now: () => number;
	readonly autoFollowMs: number;
	readonly #dirty = new Set<'marks' | 'follows'>();
	#writing: Promise<void> = Promise.resolve();

	constructor(device: DeviceStore, centreId: string, sources: ReadingSources, options: ReadingOptions = {}) {
		this.#device = device;
		this.#centreId = centreId;
		this.#sources = sources;
		this.#now = options.now ?? Date.now;
		this.autoFollowMs = options.autoFollowMs ?? AUTO_FOLLOW_MS;
	}

	/** Reads the marks and follows; a device without them starts its feed now. */
	async load(): Promise<void> {
		const [marks, follows] = await Promise.all([
			this.#device.get(DEVICE_KEYS.readMarks(this.#centreId)),
			this.#device.get(DEVICE_KEYS.follows(this.#centreId))
		]);
		this.marks = decodeReadMarks(marks);
		this.follows = decodeFollows(follows);
		const f = (follows ?? {}) as Partial<FeedState>;
		const since = Number.isFinite(f.since) ? (f.since as number) : undefined;
		const clearedAt = Number.isFinite(f.clearedAt) ? (f.clearedAt as number) : 0;
		this.feedState = { since: since ?? this.#now(), clearedAt };
		if (since === undefined) this.#persist('follows');
	}

	lastRead(docId: string): ReadMark | undefined {
		return this.marks.get(docId);
	}

	/** "Updated since your last read": a newer revision than the one this agent last read. */
	updatedSinceRead(entry: Pick<CatalogEntry, 'docId' | 'revision'>): boolean {
		return updatedSinceRead(entry, this.marks.get(entry.docId));
	}

	/** The reading view showed this revision of the article. */
	read(docId: string, revision: number, revisionId: string): void {
		const next = markRead(this.marks, docId, revision, revisionId, this.#now());
		if (next === this.marks) return;
		this.marks = next;
		this.#persist('marks');
	}

	/** One visit of an article's page: keeps the mark it began with (what "see what changed"
	 *  compares with), marks what the reading view shows, and follows a procedure shown long
	 *  enough. */
	visit(docId: string): ArticleVisit {
		return new ArticleVisit(this, docId, this.marks.get(docId));
	}

	isFollowing(docId: string): boolean {
		return this.follows.articles.has(docId);
	}

	isFollowingTopic(nodeId: string): boolean {
		return this.follows.topics.has(nodeId);
	}

	follow(docId: string, auto = false): void {
		this.#setFollows(followArticle(this.follows, docId, this.#now(), auto));
	}

	unfollow(docId: string): void {
		this.#setFollows(unfollowArticle(this.follows, docId));
	}

	followTopic(nodeId: string): void {
		this.#setFollows(followTopic(this.follows, nodeId, this.#now()));
	}

	unfollowTopic(nodeId: string): void {
		this.#setFollows(unfollowTopic(this.follows, nodeId));
	}

	/** Every publication so far counts as read in the feed. */
	markAllRead(): void {
		this.feedState = { ...this.feedState, clearedAt: this.#now() };
		this.#persist('follows');
	}

	/** Resolves once every change so far is in the device store. */
	saved(): Promise<void> {
		return this.#writing;
	}

	#setFollows(next: Follows): void {
		if (next === this.follows) return;
		this.follows = next;
		this.#persist('follows');
	}

	#persist(what: 'marks' | 'follows'): void {
		this.#dirty.add(what);
		this.#writing = this.#writing.then(() => this.#flush());
	}

	async #flush(): Promise<void> {
		if (!this.#dirty.size) return;
		const changes: Record<string, unknown> = {};
		if (this.#dirty.has('marks'))
			changes[DEVICE_KEYS.readMarks(this.#centreId)] = encodeReadMarks(this.marks);
		if (this.#dirty.has('follows'))
			changes[DEVICE_KEYS.follows(this.#centreId)] = { ...encodeFollows(this.follows), ...this.feedState };
		this.#dirty.clear();
		try {
			await this.#device.write(changes);
			this.writeError = '';
		} catch (err) {
			// Not kept this time; the next change writes the whole record again.
			this.writeError = err instanceof Error ? err.message : String(err);
		}
	}
}

/** One visit of an article's page (see ReadingState.visit). */
export class ArticleVisit {
	/** The mark this visit began with: what "see what changed" compares with. */
	readonly baseline: ReadMark | undefined;
	readonly docId: string;
	readonly #reading: ReadingState;
	#timer: ReturnType<typeof setTimeout> | undefined;

	constructor(reading: ReadingState, docId: string, baseline: ReadMark | undefined) {
		this.#reading = reading;
		this.docId = docId;
		this.baseline = baseline;
	}

	/** The reading view shows this published revision (not the draft, not the editor). */
	shown(revision: { number: number; id: string }, kind: ArticleKind): void {
		this.#reading.read(this.docId, revision.number, revision.id);
		if (kind !== 'procedure' || this.#timer !== undefined || this.#reading.isFollowing(this.docId)) return;
		const shownAt = Date.now();
		const ms = this.#reading.autoFollowMs;
		this.#timer = setTimeout(() => {
			this.#timer = undefined;
			if (autoFollows(kind, Date.now() - shownAt, ms)) this.#reading.follow(this.docId, true);
		}, ms);
	}

	/** The reading view stopped showing the published revision (editing, the draft). */
	hidden(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	end(): void {
		this.hidden();
	}
}
