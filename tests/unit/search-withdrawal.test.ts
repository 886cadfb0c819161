// A document removed from the search index leaves nothing behind: not in the vocabulary (nor its
// prefix and typo lookups), not in the snapshot that is saved — scanned here as the bytes of its
// structured clone, the serialisation IndexedDB stores — and the saved index is rewritten at once
// after a withdrawal, not at some later save. Words shared with a remaining document stay and
// still find it.
import { serialize } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KB_SPACE } from '../../src/lib/domain/ids';
import type { NoteMeta } from '../../src/lib/domain/note';
import { initNote } from '../../src/lib/schema/index';
import { MemorySearchStore, parseSavedIndex } from '../../src/lib/search/persistence';
import { runQuery } from '../../src/lib/search/query';
import type { SearchableDoc } from '../../src/lib/search/readers';
import { SearchIndex } from '../../src/lib/search/search-index';
import { seededRepo, startIndexer } from './search-fixture';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const c of cleanup.splice(0).reverse()) await c();
});

/** Unusual words a withdrawn note may hold: an account number, a password, a title word. */
const ACCOUNT = 'FR7630004000031234567890143';
const PASSWORD = 'Xq7plumbus42';
const TITLE_WORD = 'zorglubette';
const MARKERS = [ACCOUNT, PASSWORD, TITLE_WORD];

/** Every way a string may sit in structured-clone bytes: Latin-1 (V8's one-byte strings), UTF-16
 *  (two-byte strings) and UTF-8. */
function bytesAsText(bytes: Uint8Array): string {
	const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return [
		buffer.toString('latin1'),
		buffer.toString('utf16le'),
		buffer.subarray(1).toString('utf16le'),
		buffer.toString('utf8')
	].join('\n');
}

/** The markers (compared folded, as the index holds words) found in a value's serialised bytes. */
function tracesIn(value: unknown, markers: readonly string[]): string[] {
	const text = bytesAsText(serialize(value)).toLowerCase();
	return markers.filter((m) => text.includes(m.toLowerCase()));
}

const doc = (docId: string, title: string, text: string): SearchableDoc => ({
	docId,
	kind: 'note',
	title,
	locale: 'fr',
	node: '',
	tags: [],
	floor: 'bourse',
	space: 'notes',
	status: 'published',
	updatedAt: 0,
	passages: [{ heading: '', text }]
});

describe('removal from the search index', () => {
	it('leaves no word, title, passage or id of the document in the vocabulary or the snapshot; shared words still find the other', () => {
		const index = new SearchIndex();
		const secret = doc(
			'note/agent-alice.secret',
			`Coffre ${TITLE_WORD}`,
			`Compte client ${ACCOUNT}, mot de passe ${PASSWORD}, armoire du coffre.`
		);
		const other = doc('note/agent-alice.other', 'Coffre du plateau', 'Le compte client du coffre.');
		index.put(secret, 'Notes');
		index.put(other, 'Notes');
		for (const m of MARKERS)
			expect(runQuery(index, { query: m, locale: 'fr' }).hits[0]?.docId).toBe(secret.docId);
		expect(tracesIn(index.snapshot(), MARKERS)).toEqual(MARKERS);

		index.remove(secret.docId);
		const held = index.vocabulary.words;
		for (const m of MARKERS) {
			expect(held).not.toContain(m.toLowerCase());
			// Prefix and typo lookups forget them too.
			expect(index.vocabulary.withPrefix(m.toLowerCase().slice(0, 6))).toEqual([]);
			expect(index.vocabulary.near(m.toLowerCase().slice(1), 2)).toEqual([]);
			expect(runQuery(index, { query: m, locale: 'fr' }).total).toBe(0);
		}
		expect(held).not.toContain('armoire');
		const snapshot = index.snapshot();
		expect(snapshot.words).not.toContain('armoire');
		expect(tracesIn(snapshot, [...MARKERS, 'armoire', secret.docId, secret.title])).toEqual([]);
		// The words the other document holds too stay, and find it.
		for (const w of ['coffre', 'compte', 'client'])
			expect(runQuery(index, { query: w, locale: 'fr' }).hits.map((h) => h.docId)).toEqual([other.docId]);

		// Restored from its snapshot, the index answers the same; removing the last holder of a word
		// drops it there too.
		const again = new SearchIndex();
		expect(again.restore(snapshot)).toBe(0);
		expect(runQuery(again, { query: 'coffre', locale: 'fr' }).hits.map((h) => h.docId)).toEqual([
			other.docId
		]);
		again.remove(other.docId);
		expect(again.vocabulary.size).toBe(0);
		expect(again.snapshot().words).toEqual([]);
	});

	it('reuses the numbers of forgotten words, and a word indexed again is found again', () => {
		const index = new SearchIndex();
		index.put(doc('note/a.1', 'Alpha', `bravo ${PASSWORD}`), '');
		const capacity = index.vocabulary.words.length;
		index.remove('note/a.1');
		index.put(doc('note/a.2', 'Charlie', `delta ${PASSWORD}`), '');
		expect(index.vocabulary.words.length).toBe(capacity);
		expect(runQuery(index, { query: PASSWORD, locale: 'fr' }).hits.map((h) => h.docId)).toEqual(['note/a.2']);
		expect(runQuery(index, { query: 'bravo', locale: 'fr' }).total).toBe(0);
		expect(runQuery(index, { query: 'charli', locale: 'fr' }).total).toBe(1);
	});

	it('drops the leftover words of an older save when restoring it, and says so', () => {
		const index = new SearchIndex();
		index.put(doc('note/a.1', 'Alpha', 'bravo'), '');
		const s = index.snapshot();
		// An older save: a word no document holds (an empty posting list) among the others.
		const stale = {
			...s,
			words: [...s.words, TITLE_WORD],
			offsets: Int32Array.from([...s.offsets, s.offsets[s.offsets.length - 1]!])
		};
		const restored = new SearchIndex();
		expect(restored.restore(stale)).toBe(1);
		expect(restored.vocabulary.words).not.toContain(TITLE_WORD);
		expect(tracesIn(restored.snapshot(), [TITLE_WORD])).toEqual([]);
	});

	it('saves the index again right after a withdrawn note is removed from the device, without any trace of it', async () => {
		const repo = await seededRepo();
		const store = new MemorySearchStore();
		const viewer = { id: 'agent-bruno', floor: 'bourse' };
		// A save delay far beyond the test: only the removal's own save can write the store in time.
		const indexer = await startIndexer(repo, { store, viewer: () => viewer, saveDelayMs: 3_600_000 });
		cleanup.push(
			() => repo.destroy(),
			() => indexer.destroy()
		);
		const id = 'note/agent-alice.withdrawn';
		const meta: NoteMeta = {
			author: 'agent-alice',
			authorName: 'Alice Martin',
			visibility: 'centre',
			floor: 'bourse',
			colleaguesMayEdit: false,
			title: `Accès ${TITLE_WORD}`,
			createdAt: 1,
			updatedAt: 1
		};
		initNote(await repo.open(id), meta, [
			{ type: 'paragraph', content: [{ type: 'text', text: `Compte ${ACCOUNT} : mot de passe ${PASSWORD}` }] }
		]);
		await indexer.idle();
		expect(runQuery(indexer.index, { query: PASSWORD, locale: 'fr' }).hits[0]?.docId).toBe(id);
		await indexer.save();
		expect(tracesIn(store.data, [...MARKERS, id])).toEqual([...MARKERS, id]);

		const saves = store.saves;
		await repo.remove(id);
		await vi.waitFor(() => expect(store.saves).toBeGreaterThan(saves), { timeout: 10_000, interval: 5 });
		const saved = parseSavedIndex(store.data);
		expect('saved' in saved).toBe(true);
		expect(tracesIn(store.data, [...MARKERS, id, meta.title])).toEqual([]);
		// The rest of the base is still there, and found.
		expect(runQuery(indexer.index, { query: 'virement refusé', locale: 'fr' }).total).toBeGreaterThan(0);
		expect('saved' in saved && saved.saved.index.docs.some((d) => d.space === KB_SPACE)).toBe(true);
	});
});
