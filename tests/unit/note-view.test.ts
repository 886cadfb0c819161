// The notes state: a new note is private; its author shares it (access record and meta together),
// promotes it to a draft article that keeps the link, and withdraws it; the list follows, and
// destroy() releases every subscription.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Repo } from '../../src/lib/repo/repo';
import { NoteAccessRegistry } from '../../src/lib/repo/note-access';
import {
	noteAccessDocId,
	readArticleBody,
	readArticleMeta,
	readCatalog,
	readNoteAccess,
	writeBody,
	bodyFragment
} from '../../src/lib/schema/index';
import { MemoryStorage } from '../../src/lib/storage/memory';
import { Notes } from '../../src/lib/state/notes.svelte';
import { NoteView } from '../../src/lib/state/note-view.svelte';

const repos: Repo[] = [];
afterEach(async () => {
	for (const r of repos.splice(0)) await r.destroy();
});

const me = { id: 'agent-alice', floor: 'bourse', name: 'Alice Martin' };
const texts = { whenToUse: 'w', steps: 's', escalation: 'e', responseNote: 'r' };
/** Waits until `check()` holds; the bound is only there to name what a stuck test waited for. */
const until = (check: () => boolean) =>
	vi.waitFor(() => expect(check()).toBe(true), { timeout: 10_000, interval: 5 });

describe('notes state', () => {
	it('creates a private note, shares, promotes and withdraws it', async () => {
		const repo = new Repo({ storage: new MemoryStorage() });
		repos.push(repo);
		const registry = new NoteAccessRegistry(repo);
		const notes = new Notes(repo, () => me);
		const id = await notes.create('Astuce SRD');
		expect(notes.groups().mine.map((n) => [n.docId, n.visibility])).toEqual([[id, 'private']]);
		const view = new NoteView(repo, id, () => me);
		await until(() => view.status === 'ready');
		expect(view.isAuthor && view.canWrite).toBe(true);
		writeBody(bodyFragment(view.doc!), [
			{ type: 'paragraph', content: [{ type: 'text', text: 'Liquidation à J-5' }] }
		]);

		// Private: promotion is refused.
		expect(await view.promote({ kind: 'reference', node: 'bourse', locale: 'fr' }, texts)).toBeUndefined();

		await view.share('floor', true);
		expect(registry.get(id)).toEqual({
			author: 'agent-alice',
			visibility: 'floor',
			floor: 'bourse',
			colleaguesMayEdit: true
		});
		expect(view.meta).toMatchObject({ visibility: 'floor', colleaguesMayEdit: true });
		expect(notes.groups().mine[0]?.visibility).toBe('floor');

		const articleId = await view.promote({ kind: 'reference', node: 'bourse', locale: 'fr' }, texts);
		const article = await repo.open(articleId!);
		expect(readArticleMeta(article)).toMatchObject({
			title: 'Astuce SRD',
			status: 'draft',
			fromNote: id.slice(5),
			fromNoteAuthor: 'agent-alice',
			owner: 'agent-alice'
		});
		expect(readArticleBody(article)).toEqual([
			{ type: 'paragraph', content: [{ type: 'text', text: 'Liquidation à J-5' }] }
		]);
		expect(readCatalog(await repo.open('space/kb')).map((e) => e.docId)).toContain(articleId);
		expect(view.meta?.promotedTo).toBe(articleId!.slice('article/'.length));

		await view.withdraw();
		expect(
			readNoteAccess(await repo.open(noteAccessDocId('agent-alice')), 'agent-alice').get(id)?.visibility
		).toBe('private');
		expect(view.meta?.visibility).toBe('private');

		// A colleague reading it may not change who sees it.
		const bruno = new NoteView(repo, id, () => ({ id: 'agent-bruno', floor: 'bourse' }));
		await until(() => bruno.status === 'ready');
		await bruno.share('centre', true);
		expect(registry.get(id)?.visibility).toBe('private');

		// Removed from the device (a withdrawal seen by a colleague): the view and the list let go.
		await repo.remove(id);
		expect(bruno.status).toBe('gone');
		expect(notes.groups().mine).toEqual([]);
		const before = repo.stats;
		for (const v of [view, bruno]) v.destroy();
		notes.destroy();
		registry.destroy();
		expect(repo.stats.changeListeners).toBe(before.changeListeners - 2);
	});

	it('refuses an empty title with a ValidationError and creates nothing', async () => {
		const repo = new Repo({ storage: new MemoryStorage() });
		repos.push(repo);
		const notes = new Notes(repo, () => me);
		await expect(notes.create('  ')).rejects.toThrow(/title/);
		await notes.load();
		expect(notes.lines).toEqual([]);
		notes.destroy();
	});
});
