// The search as the UI uses it: query, filters, results, indexing progress, and the gap log. Built
// from the app (its repo and the agent's language); runs queries synchronously on each keystroke,
// since they take milliseconds, and again whenever the index changes under them.
import type { Locale } from '../domain/locale';
import type { NoteReader } from '../domain/note';
import type { TaxonomyNode } from '../domain/taxonomy';
import type { Repo } from '../repo/repo';
import { GapLogger, MemoryGapStore, type GapEntry, type GapStore } from '../search/gap-log';
import { SearchIndexer, type IndexProgress } from '../search/indexer';
import { MemorySearchStore, type SearchStore } from '../search/persistence';
import {
	RESULTS_SHOWN,
	runQuery,
	type FacetName,
	type SearchFilters,
	type SearchHit,
	type SearchResults
} from '../search/query';
import { closestSpelling, suggestNodes, type NodeSuggestion } from '../search/suggest';

export interface SearchOptions {
	repo: Repo;
	centreDocId: string;
	locale: () => Locale;
	/** The agent searching: the notes they may read are indexed, no others. */
	viewer?: () => NoteReader | undefined;
	/** Listens to changes of the viewer (a new floor changes which notes they may read); returns
	 *  the unsubscribe function. */
	onViewerChange?: (listener: () => void) => () => void;
	store?: SearchStore & Partial<GapStore>;
}

export class SearchState {
	query = $state('');
	filters = $state<SearchFilters>({});
	/** Results shown: RESULTS_SHOWN, more each time the agent asks (back to it on a new query). */
	limit = $state(RESULTS_SHOWN);
	results = $state.raw<SearchResults | null>(null);
	progress = $state.raw<IndexProgress>({ phase: 'idle', done: 0, total: 0 });
	/** Documents (re)indexed since the app started (0 after a reload with nothing changed). */
	reindexed = $state(0);
	indexed = $state(0);

	readonly indexer: SearchIndexer;
	readonly #gaps: GapLogger;
	readonly #locale: () => Locale;
	readonly #off: () => void;
	readonly #offViewer: () => void;

	constructor(options: SearchOptions) {
		const store: SearchStore & Partial<GapStore> = options.store ?? new MemorySearchStore();
		this.#locale = options.locale;
		this.indexer = new SearchIndexer(options.repo, {
			store,
			centreDocId: options.centreDocId,
			viewer: options.viewer
		});
		const gapStore: GapStore =
			store.add && store.list && store.forget ? (store as GapStore) : new MemoryGapStore();
		this.#gaps = new GapLogger(gapStore);
		this.#off = this.indexer.onUpdate(() => {
			this.progress = this.indexer.progress;
			this.reindexed = this.indexer.reindexed;
			this.indexed = this.indexer.index.size;
			if (this.query.trim()) this.#run(false);
		});
		let floor = options.viewer?.()?.floor;
		this.#offViewer =
			options.onViewerChange?.(() => {
				const next = options.viewer?.()?.floor;
				if (next === floor) return;
				floor = next;
				void this.indexer.recheck('note');
			}) ?? (() => {});
	}

	start(): Promise<void> {
		return this.indexer.start();
	}

	get busy(): boolean {
		return this.progress.phase === 'loading' || this.progress.phase === 'rebuilding';
	}

	setQuery(query: string): void {
		this.query = query;
		this.limit = RESULTS_SHOWN;
		this.#run(true);
	}

	/** Shows the next RESULTS_SHOWN results of the current query. */
	showMore(): void {
		this.limit += RESULTS_SHOWN;
		this.#run(false);
	}

	/** Matching documents not shown yet. */
	get more(): number {
		return Math.max(0, (this.results?.total ?? 0) - (this.results?.hits.length ?? 0));
	}

	/** Turns a facet value on (replacing that facet's other value) or off. */
	toggle(facet: FacetName, value: string): void {
		const next = { ...this.filters };
		if (next[facet] === value) delete next[facet];
		else next[facet] = value;
		this.filters = next;
		this.#run(true);
	}

	clearFilters(): void {
		this.filters = {};
		this.#run(true);
	}

	clear(): void {
		this.query = '';
		this.results = null;
		this.#gaps.observe('', this.filters, this.#locale(), 0);
	}

	/** The agent left the search: a pending search without result is logged now. */
	leave(): void {
		void this.#gaps.leave();
	}

	/** The result for `docId` of `query` (an opened result, whose words and passage its page marks):
	 *  from the results shown if they hold it, else the query run again on that document alone (a
	 *  link, a reload). Read in a reactive context, it follows the index (a restore, a peer's edit). */
	locate(docId: string, query: string | null | undefined): SearchHit | undefined {
		if (!query?.trim()) return undefined;
		void this.indexed;
		void this.progress;
		const shown =
			this.results?.query === query ? this.results.hits.find((h) => h.docId === docId) : undefined;
		return (
			shown ??
			runQuery(this.indexer.index, {
				query,
				locale: this.#locale(),
				docId,
				limit: 1,
				synonyms: this.indexer.synonyms
			}).hits[0]
		);
	}

	/** Closest taxonomy nodes to the query (for the empty state). */
	suggestions(nodes: readonly TaxonomyNode[]): NodeSuggestion[] {
		return suggestNodes(this.query, nodes, this.#locale());
	}

	/** The query spelled with words the knowledge base holds ("did you mean"), if any differ. */
	spelling(): string | undefined {
		return this.query.trim() ? closestSpelling(this.indexer.index, this.query, this.#locale()) : undefined;
	}

	/** "Signaler ce manque": the agent says the current search did not answer; it goes to the gap
	 *  report at once, whatever it found. */
	report(): Promise<void> {
		return this.#gaps.report(this.query, this.filters, this.#locale());
	}

	/** Searches logged as gaps (found nothing, or reported) that would find something with these
	 *  synonym groups added to the centre's: what a new group would fix. */
	async gapsAnsweredWith(groups: readonly (readonly string[])[]): Promise<string[]> {
		const index = this.indexer.index;
		const current = this.indexer.synonyms;
		const out = new Set<string>();
		for (const g of await this.#gaps.read()) {
			if (out.has(g.query)) continue;
			const params = { query: g.query, locale: g.locale, filters: g.filters, limit: 1 };
			const before = runQuery(index, { ...params, synonyms: current });
			const after = runQuery(index, { ...params, synonyms: [...current, ...groups] });
			// Found nothing before, or (reported) found other documents first.
			if (
				after.total > 0 &&
				(before.total === 0 || (g.reported && after.hits[0]?.docId !== before.hits[0]?.docId))
			)
				out.add(g.query);
		}
		return [...out];
	}

	/** Searches that found nothing on this device (for the knowledge-gap report). */
	gaps(): Promise<GapEntry[]> {
		return this.#gaps.read();
	}

	async destroy(): Promise<void> {
		this.#off();
		this.#offViewer();
		this.#gaps.destroy();
		await this.indexer.destroy();
	}

	#run(typed: boolean): void {
		const query = this.query;
		if (!query.trim()) {
			this.results = null;
			return;
		}
		const results = runQuery(this.indexer.index, {
			query,
			locale: this.#locale(),
			filters: this.filters,
			limit: this.limit,
			synonyms: this.indexer.synonyms
		});
		this.results = results;
		// Only what the agent typed or chose counts for the gap log, not a refresh from the index; but
		// a refresh that now answers the query (a document arrived or was indexed) means it was no gap.
		if (typed) this.#gaps.observe(query, this.filters, this.#locale(), results.total);
		else if (results.total > 0) this.#gaps.answered(query, this.#locale());
	}
}
