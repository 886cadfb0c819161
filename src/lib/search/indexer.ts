// Keeps the search index in step with the repo, fed only by its change events: a changed document
// is re-read (debounced per document) and its passages replaced. On start it restores the saved
// index and re-indexes only documents whose version differs from the ledger; a missing, old or
// corrupt saved index is rebuilt from every document, with progress.
import type * as Y from 'yjs';
import { parseDocId, type DocType } from '../domain/ids';
import type { Locale } from '../domain/locale';
import { taxonomyPath, type TaxonomyNode } from '../domain/taxonomy';
import type { ChangeEvent, Repo } from '../repo/repo';
import { readTaxonomy } from '../schema/index';
import { docDigest, hashText } from './digest';
import { INDEX_FORMAT, MemorySearchStore, parseSavedIndex, type SearchStore } from './persistence';
import type { NoteReader } from '../domain/note';
import { readerFor } from './readers';
import { SearchIndex } from './search-index';

export interface IndexerOptions {
	store?: SearchStore;
	/** The centre document, whose taxonomy gives each document's path. */
	centreDocId?: string;
	/** Wait after a document's last change before re-reading it. */
	delayMs?: number;
	/** Wait after the last index change before saving. */
	saveDelayMs?: number;
	/** The agent searching (notes they may not read are not indexed). */
	viewer?: () => NoteReader | undefined;
}

export interface IndexProgress {
	/** loading: reading the saved index; rebuilding: indexing every document (no usable saved
	 *  index); checking: comparing documents with the ledger; ready. */
	phase: 'idle' | 'loading' | 'rebuilding' | 'checking' | 'ready';
	done: number;
	total: number;
	/** Why the saved index was not used, if it was not. */
	rebuiltBecause?: 'missing' | 'corrupt' | 'old';
}

const BATCH = 25;

export class SearchIndexer {
	readonly index = new SearchIndex();
	/** Documents (re)indexed since start: all of them after a rebuild, only changed ones after a restore. */
	reindexed = 0;
	progress: IndexProgress = { phase: 'idle', done: 0, total: 0 };

	readonly #repo: Repo;
	readonly #store: SearchStore;
	readonly #centreDocId: string | undefined;
	readonly #delayMs: number;
	readonly #saveDelayMs: number;
	readonly #viewer: () => NoteReader | undefined;
	readonly #ledger = new Map<string, string>();
	readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
	readonly #listeners = new Set<() => void>();
	#taxonomy = new Map<string, TaxonomyNode>();
	#taxonomyDigest = '';
	#queue: Promise<void> = Promise.resolve();
	#saveTimer: ReturnType<typeof setTimeout> | undefined;
	#dirty = false;
	#off: (() => void) | undefined;
	#destroyed = false;

	constructor(repo: Repo, options: IndexerOptions = {}) {
		this.#repo = repo;
		this.#store = options.store ?? new MemorySearchStore();
		this.#centreDocId = options.centreDocId;
		this.#delayMs = options.delayMs ?? 150;
		this.#saveDelayMs = options.saveDelayMs ?? 2000;
		this.#viewer = options.viewer ?? (() => undefined);
	}

	/** Listens to index changes and progress; returns the unsubscribe function. */
	onUpdate(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Restores or rebuilds, then follows changes. Resolves once the index reflects every document. */
	async start(): Promise<void> {
		const offChange = this.#repo.onChange((e) => this.#onChange(e));
		// A document deleted from the device (a withdrawn note) leaves the index at once.
		const offRemove = this.#repo.onRemove((docId) => {
			if (this.#destroyed || !this.index.has(docId)) return;
			void this.#enqueue(async () => {
				if (this.#drop(docId)) this.#notify();
			});
		});
		this.#off = () => {
			offChange();
			offRemove();
		};
		this.#setProgress({ phase: 'loading', done: 0, total: 0 });
		await this.#readTaxonomy();
		const parsed = parseSavedIndex(await this.#store.load().catch(() => null));
		let rebuiltBecause: IndexProgress['rebuiltBecause'];
		if ('saved' in parsed) {
			try {
				this.index.restore(parsed.saved.index);
				for (const [id, d] of Object.entries(parsed.saved.ledger)) this.#ledger.set(id, d);
				// Paths were written with another taxonomy: every document's entry is out of date.
				if (parsed.saved.taxonomy !== this.#taxonomyDigest) this.#ledger.clear();
			} catch {
				rebuiltBecause = 'corrupt';
			}
		} else rebuiltBecause = parsed.problem;
		if (rebuiltBecause) {
			this.index.clear();
			this.#ledger.clear();
		}
		await this.#reconcile(rebuiltBecause);
	}

	/** Re-reads every document of a type: who may read notes changed (the agent moved floor), so
	 *  notes may enter or leave this agent's index. */
	async recheck(type: DocType): Promise<void> {
		await this.#enqueue(async () => {
			const ids = (await this.#repo.list()).filter((id) => parseDocId(id)?.type === type);
			for (const id of ids) {
				const doc = await this.#repo.find(id);
				if (doc) this.#indexDoc(id, doc);
				else this.#drop(id);
			}
		});
		this.#notify();
	}

	/** Resolves once every scheduled re-index has run (tests, and before a save on close). */
	async idle(): Promise<void> {
		while (this.#timers.size) {
			await new Promise((r) => setTimeout(r, this.#delayMs));
			await this.#queue;
		}
		await this.#queue;
	}

	/** Saves now if anything changed since the last save. */
	async save(): Promise<void> {
		clearTimeout(this.#saveTimer);
		this.#saveTimer = undefined;
		if (!this.#dirty) return;
		this.#dirty = false;
		await this.#store.save({
			format: INDEX_FORMAT,
			savedAt: Date.now(),
			taxonomy: this.#taxonomyDigest,
			index: this.index.snapshot(),
			ledger: Object.fromEntries(this.#ledger)
		});
	}

	async destroy(): Promise<void> {
		if (this.#destroyed) return;
		this.#destroyed = true;
		this.#off?.();
		for (const t of this.#timers.values()) clearTimeout(t);
		this.#timers.clear();
		await this.#queue;
		await this.save().catch(() => undefined);
		await this.#store.close();
		this.#listeners.clear();
	}

	#setProgress(p: IndexProgress): void {
		this.progress = p;
		this.#notify();
	}

	#notify(): void {
		for (const l of this.#listeners) l();
	}

	#enqueue(job: () => Promise<void>): Promise<void> {
		this.#queue = this.#queue
			.then(() => (this.#destroyed ? undefined : job()))
			.catch((err) => console.warn('Plateau search:', err));
		return this.#queue;
	}

	/** Compares every indexable document with the ledger, batch by batch (changes interleave). */
	async #reconcile(rebuiltBecause?: IndexProgress['rebuiltBecause']): Promise<void> {
		const ids = (await this.#repo.list()).filter((id) => readerFor(id)).sort();
		const present = new Set(ids);
		await this.#enqueue(async () => {
			for (const id of [...this.index.ids()]) if (!present.has(id)) this.#drop(id);
		});
		const phase = rebuiltBecause ? 'rebuilding' : 'checking';
		this.#setProgress({ phase, done: 0, total: ids.length, rebuiltBecause });
		for (let i = 0; i < ids.length; i += BATCH) {
			const batch = ids.slice(i, i + BATCH);
			await this.#enqueue(async () => {
				for (const id of batch) {
					const doc = await this.#repo.find(id);
					if (!doc) this.#drop(id);
					else if (this.#ledger.get(id) !== docDigest(doc) || !this.index.has(id)) this.#indexDoc(id, doc);
				}
			});
			this.#setProgress({ phase, done: Math.min(ids.length, i + BATCH), total: ids.length, rebuiltBecause });
			await new Promise((r) => setTimeout(r, 0)); // let the page paint and type
		}
		if (this.#destroyed) return;
		this.#setProgress({ phase: 'ready', done: ids.length, total: ids.length, rebuiltBecause });
		this.#dirty ||= rebuiltBecause !== undefined;
		await this.save();
	}

	#onChange(e: ChangeEvent): void {
		if (this.#destroyed) return;
		// Documents removed from the device leave through Repo.onRemove (see start()).
		if (readerFor(e.docId)) this.#schedule(e.docId, () => this.#refresh(e.docId));
		else if (e.docId === this.#centreDocId) this.#schedule(e.docId, () => this.#taxonomyChanged());
	}

	#schedule(key: string, job: () => Promise<void>): void {
		clearTimeout(this.#timers.get(key));
		this.#timers.set(
			key,
			setTimeout(() => {
				this.#timers.delete(key);
				void this.#enqueue(job);
			}, this.#delayMs)
		);
	}

	async #refresh(docId: string): Promise<void> {
		const doc = await this.#repo.find(docId);
		if (!doc) this.#drop(docId);
		else this.#indexDoc(docId, doc);
		this.#notify();
	}

	async #taxonomyChanged(): Promise<void> {
		const before = this.#taxonomyDigest;
		await this.#readTaxonomy();
		if (before === this.#taxonomyDigest) return;
		for (const id of [...this.index.ids()]) {
			const doc = await this.#repo.find(id);
			if (doc) this.#indexDoc(id, doc);
		}
		this.#notify();
	}

	async #readTaxonomy(): Promise<void> {
		if (!this.#centreDocId) return;
		const centre = await this.#repo.find(this.#centreDocId);
		const nodes = centre ? readTaxonomy(centre) : [];
		this.#taxonomy = new Map(nodes.map((n) => [n.id, n]));
		this.#taxonomyDigest = hashText(JSON.stringify(nodes.map((n) => [n.id, n.parent, n.label])));
	}

	#path(node: string, locale: Locale): string {
		return taxonomyPath(this.#taxonomy, node, locale).join(' › ');
	}

	/** Reads and indexes one document; an unreadable one leaves the index (it cannot be shown either). */
	#indexDoc(docId: string, doc: Y.Doc): void {
		const digest = docDigest(doc);
		let searchable;
		try {
			searchable = readerFor(docId)?.(docId, doc, { viewer: this.#viewer() });
		} catch {
			searchable = undefined;
		}
		if (!searchable) this.index.remove(docId);
		else this.index.put(searchable, this.#path(searchable.node, searchable.locale));
		this.#ledger.set(docId, digest);
		this.reindexed++;
		this.#changed();
	}

	#drop(docId: string): boolean {
		this.#ledger.delete(docId);
		const removed = this.index.remove(docId);
		if (removed) this.#changed();
		return removed;
	}

	#changed(): void {
		this.#dirty = true;
		if (this.progress.phase !== 'ready') return; // the reconcile saves at its end
		clearTimeout(this.#saveTimer);
		this.#saveTimer = setTimeout(
			() => void this.save().catch((err) => console.warn('Plateau search: save failed', err)),
			this.#saveDelayMs
		);
	}
}
