// Searches that found nothing, kept on the device for the knowledge-gap report: what agents looked
// for and the knowledge base could not answer. Typing "vir", "virm", "virme" must not log every
// prefix, so a no-result search is recorded only once the agent pauses on it or leaves the field.
import type { Locale } from '../domain/locale';
import type { SearchFilters } from './query';
import { queryWords } from './tokenizer';

export interface GapEntry {
	query: string;
	/** Folded content words, so "Carte avalée" and "carte avalee" count as one gap. */
	normalized: string;
	filters: SearchFilters;
	locale: Locale;
	at: number;
	/** Reported by the agent ("signaler ce manque"): results came, none answered. Kept even when the
	 *  query finds something later (it did then too). */
	reported?: boolean;
}

export interface GapStore {
	add(entry: GapEntry): Promise<void>;
	list(): Promise<GapEntry[]>;
	/** Removes every entry of this normalized query. */
	forget(normalized: string): Promise<void>;
}

export class MemoryGapStore implements GapStore {
	readonly entries: GapEntry[] = [];
	async add(entry: GapEntry): Promise<void> {
		this.entries.push(entry);
	}
	async list(): Promise<GapEntry[]> {
		return [...this.entries];
	}
	async forget(normalized: string): Promise<void> {
		for (let i = this.entries.length - 1; i >= 0; i--)
			if (this.entries[i]!.normalized === normalized && !this.entries[i]!.reported) this.entries.splice(i, 1);
	}
}

export function normalizeQuery(query: string, locale: Locale): string {
	return queryWords(query, locale)
		.map((q) => q.word)
		.join(' ');
}

export class GapLogger {
	readonly #store: GapStore;
	readonly #pauseMs: number;
	readonly #now: () => number;
	#pending: Omit<GapEntry, 'at'> | undefined;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#last = '';
	/** Normalized queries logged by this logger (so a later answer to one of them can forget it). */
	readonly #logged = new Set<string>();

	constructor(
		store: GapStore,
		{ pauseMs = 1500, now = Date.now }: { pauseMs?: number; now?: () => number } = {}
	) {
		this.#store = store;
		this.#pauseMs = pauseMs;
		this.#now = now;
	}

	/** Tells the logger what the latest search found; a no-result search is logged after a pause. */
	observe(query: string, filters: SearchFilters, locale: Locale, total: number): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		const normalized = normalizeQuery(query, locale);
		if (total > 0 || !normalized) {
			this.#pending = undefined;
			if (normalized) this.#forget(normalized);
			return;
		}
		this.#pending = { query: query.trim(), normalized, filters: { ...filters }, locale };
		this.#timer = setTimeout(() => void this.#record(), this.#pauseMs);
	}

	/** The query now finds something without the agent typing (a document arrived or was indexed):
	 *  a pending or logged no-result entry for it was no gap. */
	answered(query: string, locale: Locale): void {
		const normalized = normalizeQuery(query, locale);
		if (!normalized) return;
		if (this.#pending?.normalized === normalized) {
			clearTimeout(this.#timer);
			this.#timer = undefined;
			this.#pending = undefined;
		}
		this.#forget(normalized);
	}

	/** A search that finds something now is no gap (it found nothing while the answer was still
	 *  arriving or being indexed): its earlier entries go, so the log never keeps words the knowledge
	 *  base or a colleague's note did answer. */
	#forget(normalized: string): void {
		if (!this.#logged.delete(normalized)) return;
		this.#last = '';
		void this.#store.forget(normalized).catch((err) => console.warn('Plateau search: gap log failed', err));
	}

	/** The agent left the search field: a pending no-result search is logged now. */
	leave(): Promise<void> {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		return this.#record();
	}

	/** The agent says the search did not answer (no result, or none that helps): recorded at once,
	 *  for the gap report, and never forgotten when the query later finds something. */
	async report(query: string, filters: SearchFilters, locale: Locale): Promise<void> {
		const normalized = normalizeQuery(query, locale);
		if (!normalized) return;
		if (this.#pending?.normalized === normalized) {
			clearTimeout(this.#timer);
			this.#timer = undefined;
			this.#pending = undefined;
		}
		await this.#store.add({
			query: query.trim(),
			normalized,
			filters: { ...filters },
			locale,
			at: this.#now(),
			reported: true
		});
	}

	/** Every no-result search recorded on this device, oldest first. */
	read(): Promise<GapEntry[]> {
		return this.#store.list();
	}

	destroy(): void {
		clearTimeout(this.#timer);
		this.#pending = undefined;
	}

	async #record(): Promise<void> {
		const pending = this.#pending;
		this.#pending = undefined;
		if (!pending) return;
		// The same search logged twice in a row (pause, then leave) is one gap.
		const key = JSON.stringify([pending.normalized, pending.filters]);
		if (key === this.#last) return;
		this.#last = key;
		this.#logged.add(pending.normalized);
		await this.#store
			.add({ ...pending, at: this.#now() })
			.catch((err) => console.warn('Plateau search: gap log failed', err));
	}
}
