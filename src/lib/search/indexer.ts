// Keeps the search index in step with the repo, fed only by its change events: a changed document
// is re-read (debounced per document) and its passages replaced. On start it restores the saved
// index and re-indexes only documents whose version differs from the ledger; a missing, old or
// corrupt saved index is rebuilt from every document, with progress. A removed document (a withdrawn
// note) leaves the saved index at once: the next save is not left to some later change.
import type * as Y from 'yjs';
import { Disposer, Emitter } from '../domain/emitter';
import { parseDocId, type DocType } from '../domain/ids';
import type { Locale } from '../domain/locale';
import { taxonomyPath, type TaxonomyNode } from '../domain/taxonomy';
import type { ChangeEvent, Repo } from '../repo/repo';
import { readTaxonomy } from '../schema/index';
import { verifiedSynonymGroups } from '../repo/synonym-records';
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
	/** The centre's synonym groups, for queries (a new array whenever they change). */
	synonyms: readonly (readonly string[])[] = [];

	readonly #repo: Repo;
	readonly #store: SearchStore;
	readonly #centreDocId: string | undefined;
	readonly #delayMs: number;
	readonly #saveDelayMs: number;
	readonly #viewer: () => NoteReader | undefined;
	readonly #ledger = new Map<string, string>();
	readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
	readonly #events = new Emitter<{ update: () => void }>();
	readonly #disposer = new Disposer();
	#taxonomy = new Map<string, TaxonomyNode>();
	#taxonomyDigest = '';
	#queue: Promise<void> = Promise.resolve();
	#saveTimer: ReturnType<typeof setTimeout> | undefined;
	#dirty = false;
	#destroyed = false;

	constructor(repo: Repo, options: IndexerOptions = {}) {
		this.#repo = repo;
		this.#store = options.store ?? new MemorySearchStore();
		this.#centreDocId = options.centreDocId;
		this.#delayMs = options.delayMs ?? 150;
		this.#saveDelayMs = options.saveDelayMs ?? 2000;
		this.#viewer = options.viewer ?? (() => undefined);
		this.#disposer.add(
			() => this.#events.clear(),
			() => {
				for (const t of this.#timers.values()) clearTimeout(t);
				this.#timers.clear();
				clearTimeout(this.#saveTimer);
			}
		);
	}

	/** Listens to index changes and progress; returns the unsubscribe function. */
	onUpdate(listener: () => void): () => void {
		return this.#events.on('update', listener);
	}

	/** Restores or rebuilds, then follows changes. Resolves once the index reflects every document. */
	async start(): Promise<void> {
		this.#disposer.add(
			this.#repo.onChange((e) => this.#onChange(e)),
			// A document deleted from the device (a withdrawn note) leaves the index at once.
			this.#repo.onRemove((docId) => {
				if (this.#destroyed || (!this.index.has(docId) && !this.#ledger.has(docId))) return;
				void this.#enqueue(async () => {
					if (this.#drop(docId)) this.#notify();
				});
			})
		);
		this.#setProgress({ phase: 'loading', done: 0, total: 0 });
		await this.#readTaxonomy();
		const parsed = parseSavedIndex(await this.#store.load().catch(() => null));
		let rebuiltBecause: IndexProgress['rebuiltBecause'];
		if ('saved' in parsed) {
			try {
				// Words of an older save that no document holds are left out: saved again, without them.
				if (this.index.restore(parsed.saved.index) > 0) this.#dirty = true;
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
		this.#disposer.dispose();
		await this.#queue;
		await this.save().catch(() => undefined);
		await this.#store.close();
	}

	#setProgress(p: IndexProgress): void {
		this.progress = p;
		this.#notify();
	}

	#notify(): void {
		this.#events.emit('update');
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
			for (const id of [...this.index.ids(), ...this.#ledger.keys()]) if (!present.has(id)) this.#drop(id);
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
		const synonyms = this.synonyms;
		await this.#readTaxonomy();
		if (before === this.#taxonomyDigest) {
			if (synonyms !== this.synonyms) this.#notify();
			return;
		}
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
		// Only verified groups by someone with a role now (and administrators' older plain ones).
		const synonyms = centre ? (await verifiedSynonymGroups(centre)).map((g) => g.phrases) : [];
		if (JSON.stringify(synonyms) !== JSON.stringify(this.synonyms)) this.synonyms = synonyms;
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
		// A note the agent may no longer read leaves the index like a removed one.
		let removed = false;
		if (!searchable) removed = this.index.remove(docId);
		else this.index.put(searchable, this.#path(searchable.node, searchable.locale));
		this.#ledger.set(docId, digest);
		this.reindexed++;
		this.#changed(removed);
	}

	/** Forgets a document: its entry in the index and in the ledger (its id must not stay saved). */
	#drop(docId: string): boolean {
		const listed = this.#ledger.delete(docId);
		const removed = this.index.remove(docId);
		if (removed || listed) this.#changed(true);
		return removed;
	}

	/** Schedules a save: after a pause in changes, or at once for a removal, so a withdrawn note's
	 *  words leave the saved index as soon as they leave the index. */
	#changed(removal: boolean): void {
		this.#dirty = true;
		if (this.progress.phase !== 'ready') return; // the reconcile saves at its end
		clearTimeout(this.#saveTimer);
		const save = () => this.save().catch((err) => console.warn('Plateau search: save failed', err));
		if (removal) {
			this.#saveTimer = undefined;
			// After the job that removed it (and any queued with it), not in the middle of one.
			void this.#enqueue(save);
		} else this.#saveTimer = setTimeout(() => void save(), this.#saveDelayMs);
	}
}
