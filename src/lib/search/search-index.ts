// The Orama database plus what it takes to keep it exact: for every indexed document, how many
// passages it has and in which language they were tokenized (a remove must tokenize as the insert
// did, or stale tokens stay behind as ghost hits).
import { insert, load, remove, save, type RawData } from '@orama/orama';
import type { Locale } from '../domain/locale';
import type { SearchableDoc } from './readers';
import { createSearchDb, passageId, passageRecords, SEARCH_PROPERTIES, type SearchDb } from './schema-def';
import { ORAMA_LANGUAGE } from './tokenizer';

export interface IndexedEntry {
	passages: number;
	locale: Locale;
}

export class SearchIndex {
	db: SearchDb = createSearchDb();
	readonly entries = new Map<string, IndexedEntry>();

	/** Indexes a document, replacing what was indexed for it. `path`: its taxonomy path as text. */
	put(doc: SearchableDoc, path: string): void {
		this.remove(doc.docId);
		const records = passageRecords(doc, path);
		const language = ORAMA_LANGUAGE[doc.locale];
		// One by one: Orama's insertMultiple batches through timers, and callers need the index updated now.
		for (const r of records) insert(this.db, r, language);
		this.entries.set(doc.docId, { passages: records.length, locale: doc.locale });
	}

	remove(docId: string): boolean {
		const entry = this.entries.get(docId);
		if (!entry) return false;
		const language = ORAMA_LANGUAGE[entry.locale];
		for (let i = 0; i < entry.passages; i++) remove(this.db, passageId(docId, i), language);
		this.entries.delete(docId);
		return true;
	}

	has(docId: string): boolean {
		return this.entries.has(docId);
	}

	/** Orama's internal passage number of a passage id (internal structures of the pinned Orama
	 *  3.1.18, read only). */
	internalId(passageId: string): number | undefined {
		return (this.db as unknown as OramaInternals).internalDocumentIDStore.idToInternalId.get(passageId);
	}

	/** Internal numbers of the passages holding a word that starts with one of `forms` (or, with a
	 *  tolerance, is that many edits from one): the same lookup Orama's search makes, kept per query
	 *  word so ranking can tell which words a document contains without re-reading its text. */
	passagesWith(forms: readonly string[], tolerance = 0): Set<number> {
		const indexes = (this.db as unknown as OramaInternals).data.index.indexes;
		const out = new Set<number>();
		for (const prop of SEARCH_PROPERTIES) {
			const tree = indexes[prop]?.node;
			if (!tree) continue;
			for (const term of forms) {
				const found = tree.find({ term, exact: false, tolerance });
				for (const w in found) for (const id of found[w]!) out.add(id);
			}
		}
		return out;
	}

	get size(): number {
		return this.entries.size;
	}

	clear(): void {
		this.db = createSearchDb();
		this.entries.clear();
	}

	/** The database and entries as plain data (Orama's core save, which keeps our tokenizer). */
	snapshot(): { raw: RawData; entries: Record<string, IndexedEntry> } {
		return { raw: save(this.db), entries: Object.fromEntries(this.entries) };
	}

	/** Restores a snapshot into a database created with the same schema and tokenizer. */
	restore(raw: RawData, entries: Record<string, IndexedEntry>): void {
		const db = createSearchDb();
		load(db, raw);
		this.db = db;
		this.entries.clear();
		for (const [id, e] of Object.entries(entries)) this.entries.set(id, e);
	}
}

interface OramaInternals {
	internalDocumentIDStore: { idToInternalId: Map<string, number> };
	data: { index: { indexes: Record<string, { node: { find(p: { term: string; exact: boolean; tolerance: number }): Record<string, number[]> } } | undefined> } };
}
