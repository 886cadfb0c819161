// The article editor in real Chromium on the real app state (IndexedDB, seeded demo centre):
// no listener left behind after 50 open/close cycles, undo that only takes back one's own
// changes, procedure keys (Enter/Backspace between fields), and safe paste through the editor.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import * as Y from 'yjs';
import { readProcedure } from '../../src/lib/domain/procedure';
import { readArticleBody } from '../../src/lib/schema/index';
import { bodyText } from '../../src/lib/domain/body';
import { App } from '../../src/lib/state/app.svelte';
import { ArticleEditor } from '../../src/lib/state/article-editor.svelte';
import { ArticleView } from '../../src/lib/state/article-view.svelte';
import { databaseName, IndexedDbStorage } from '../../src/lib/storage/indexeddb';
import { memoryStorage } from '../support/memory-storage';

const PROCEDURE = 'article/proc-declaration-deces';
let app: App;

/** Every listener a Y.Doc holds: its own events, and observers on each of its shared types. */
function listeners(doc: Y.Doc): number {
	let n = 0;
	for (const set of (doc as unknown as { _observers: Map<string, Set<unknown>> })._observers.values())
		n += set.size;
	const types = [...doc.share.values()];
	const walk = (t: unknown) => {
		const h = t as unknown as { _eH: { l: unknown[] }; _dEH: { l: unknown[] } };
		n += h._eH.l.length + h._dEH.l.length;
	};
	for (const t of types) walk(t);
	return n;
}

/** Waits until `check()` holds; the bound is only there to name what a stuck test waited for. */
async function until(check: () => boolean): Promise<void> {
	await vi.waitFor(() => expect(check()).toBe(true), { timeout: 30_000, interval: 10 });
}

/** Resolves once Tiptap has finished mounting: its deferred 'create' step (autofocus, extensions'
 *  onCreate) is the last thing an editor does on its own after mount(). */
function created(editor: ArticleEditor): Promise<void> {
	const tiptap = editor.editor!;
	if (tiptap.isInitialized) return Promise.resolve();
	return new Promise((resolve) => tiptap.once('create', () => resolve()));
}

function mountPoint(): HTMLElement {
	const el = document.createElement('div');
	document.body.append(el);
	return el;
}

beforeAll(async () => {
	const suffix = `editor-${Date.now()}`;
	app = new App({
		openStorage: (c) => new IndexedDbStorage(databaseName(`${c}-${suffix}`)),
		deleteStorage: (c) => IndexedDbStorage.deleteDatabase(databaseName(`${c}-${suffix}`)),
		storage: memoryStorage({ 'plateau:locale': 'fr' })
	});
	await app.start(); // a fresh device belongs to no centre: it tries the demo
	await app.tryDemo();
	app.session!.save({ name: 'Camille Dupont', floor: 'bourse', languages: ['fr'] });
});

afterAll(async () => {
	await app.destroy();
});

// Mounting real editors on the real store: the 50 opens and closes take about 2 s on a quiet machine,
// over 20 s at a load average of 20 on 2 cores (measured), past the browser project's 15 s default.
describe('article editor', { timeout: 60_000 }, () => {
	it('opening and closing an article 50 times leaves no listener behind on its document', async () => {
		const doc = await app.repo!.open(PROCEDURE);
		const before = listeners(doc);
		let whileOpen = 0;
		for (let i = 0; i < 50; i++) {
			const view = new ArticleView(app.repo!, PROCEDURE);
			await until(() => view.status === 'ready');
			const editor = new ArticleEditor(app, PROCEDURE, view.doc!, () => true);
			const el = mountPoint();
			editor.mount(el);
			editor.setEditable(true);
			editor.editor!.commands.insertContentAt(3, 'x');
			if (i === 0) whileOpen = listeners(doc);
			editor.destroy();
			view.destroy();
			el.remove();
		}
		// The count measures something: an open editor and view do listen.
		expect(whileOpen).toBeGreaterThan(before);
		expect(listeners(doc)).toBe(before);
		// The 50 edits all landed (one character each).
		expect(bodyText(readArticleBody(doc))).toContain('x'.repeat(50));
	});

	it('opening an article to read it writes nothing to its document; editing adds the trailing paragraph', async () => {
		// Both end with a block after which Tiptap keeps an empty paragraph (a callout, a list).
		for (const id of ['article/ref-guide-ton-style', 'article/proc-virement-refuse']) {
			const view = new ArticleView(app.repo!, id);
			await until(() => view.status === 'ready');
			const doc = view.doc!;
			const before = Y.encodeStateAsUpdate(doc);
			const lastType = () => readArticleBody(doc).at(-1)?.type;
			expect(lastType()).not.toBe('paragraph');
			const editor = new ArticleEditor(app, id, doc, () => true);
			const el = mountPoint();
			editor.mount(el);
			// Everything the editor does by itself on opening is done once it says it was created.
			await created(editor);
			expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
			// Editing: the first transaction gives the caret somewhere to go below the last block.
			editor.setEditable(true);
			await userEvent.click(el.querySelector('.plateau-editor p')!);
			await until(() => lastType() === 'paragraph');
			editor.destroy();
			view.destroy();
			el.remove();
		}
	});

	it('a published revision reads in the draft’s layout: its steps, decisions and escalation, read-only, its document untouched', async () => {
		const view = new ArticleView(app.repo!, PROCEDURE);
		await until(() => view.status === 'ready');
		const doc = view.doc!;
		const before = Y.encodeStateAsUpdate(doc);
		const body = readArticleBody(doc);
		const steps = readProcedure(body).steps.length;
		expect(steps).toBeGreaterThan(1);
		const published = ArticleEditor.forSnapshot(app, PROCEDURE, body, () => true);
		const el = mountPoint();
		published.mount(el);
		await created(published);
		// Laid out as a procedure (not flattened into paragraphs), not editable.
		expect(el.querySelectorAll('.plateau-editor .procedure-step').length).toBe(steps);
		expect(el.querySelector('.escalation')).not.toBeNull();
		expect(el.querySelector('.plateau-editor')!.getAttribute('contenteditable')).toBe('false');
		published.destroy();
		el.remove();
		// Built apart from the article: reading a revision writes nothing to the draft.
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
		view.destroy();
	});

	it('undo takes back only this agent’s own change, not a colleague’s typed meanwhile', async () => {
		const base = await app.repo!.open(PROCEDURE);
		const a = new Y.Doc();
		const b = new Y.Doc();
		Y.applyUpdate(a, Y.encodeStateAsUpdate(base));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(base));
		a.on('update', (u, origin) => origin !== 'peer' && Y.applyUpdate(b, u, 'peer'));
		b.on('update', (u, origin) => origin !== 'peer' && Y.applyUpdate(a, u, 'peer'));
		const ea = new ArticleEditor(app, PROCEDURE, a, () => true);
		const eb = new ArticleEditor(app, PROCEDURE, b, () => true);
		const [ela, elb] = [mountPoint(), mountPoint()];
		ea.mount(ela);
		eb.mount(elb);
		ea.setEditable(true);
		eb.setEditable(true);
		ea.editor!.commands.insertContentAt(1, 'ALPHA ');
		eb.editor!.commands.insertContentAt(1, 'BRAVO ');
		const text = (d: Y.Doc) => bodyText(readArticleBody(d));
		expect(text(a)).toContain('ALPHA');
		expect(text(a)).toContain('BRAVO');
		expect(ea.canUndo || ea.editor!.can().undo()).toBe(true);
		ea.undo();
		expect(text(a)).not.toContain('ALPHA');
		expect(text(a)).toContain('BRAVO');
		expect(text(b)).toBe(text(a));
		ea.redo();
		expect(text(b)).toContain('ALPHA');
		ea.destroy();
		eb.destroy();
		ela.remove();
		elb.remove();
	});

	it('Enter moves from action to result, then makes a new step; Backspace removes an empty step', async () => {
		const view = new ArticleView(app.repo!, PROCEDURE);
		await until(() => view.status === 'ready');
		const editor = new ArticleEditor(app, PROCEDURE, view.doc!, () => true);
		const el = mountPoint();
		editor.mount(el);
		editor.setEditable(true);
		const steps = () => readProcedure(readArticleBody(view.doc!)).steps;
		const count = steps().length;
		const secondAction = el.querySelectorAll('.procedure-step .step-action')[1] as HTMLElement;
		await userEvent.click(secondAction);
		await userEvent.keyboard('{End}');
		await userEvent.keyboard('{Enter}');
		await userEvent.keyboard(' lu et noté');
		expect(steps()[1]!.result.endsWith('lu et noté')).toBe(true);
		await userEvent.keyboard('{Enter}');
		await userEvent.keyboard('Nouvelle vérification');
		const after = steps();
		expect(after.length).toBe(count + 1);
		expect(after[2]!.action).toBe('Nouvelle vérification');
		expect(new Set(after.map((s) => s.id)).size).toBe(after.length);
		// The decision of step 2 still points at the same step, now numbered one more.
		expect(after[1]!.decision?.targetNumber).toBe(7);
		for (let i = 0; i < 'Nouvelle vérification'.length; i++) await userEvent.keyboard('{Backspace}');
		await userEvent.keyboard('{Backspace}');
		expect(steps().length).toBe(count);
		expect(steps()[1]!.decision?.targetNumber).toBe(6);
		editor.destroy();
		view.destroy();
		el.remove();
	});

	it('pasted HTML keeps its structure and loses scripts, handlers, styles and remote images, with a notice', async () => {
		const doc = new Y.Doc();
		Y.applyUpdate(
			doc,
			Y.encodeStateAsUpdate(await app.repo!.open('article/faq-code-double-authentification'))
		);
		const editor = new ArticleEditor(app, 'article/faq-code-double-authentification', doc, () => false);
		const el = mountPoint();
		editor.mount(el);
		editor.setEditable(true);
		editor.editor!.commands.setTextSelection(1);
		editor.editor!.view.pasteHTML(
			'<h2 style="color:red" onclick="alert(1)">Collé</h2><script>window.__pwned = 1</script><ul><li>un</li><li>deux</li></ul><img src="https://tracker.example/p.gif"><a href="javascript:alert(1)">piège</a>'
		);
		const body = readArticleBody(doc);
		const json = JSON.stringify(body);
		expect(body.some((n) => n.type === 'heading' && bodyText([n]) === 'Collé')).toBe(true);
		expect(body.some((n) => n.type === 'bulletList' && bodyText([n]).includes('deux'))).toBe(true);
		expect(json).not.toMatch(/script|onclick|javascript:|tracker\.example|style/);
		expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
		expect(editor.notice).toMatch(/1 image\(s\) hébergée\(s\) ailleurs/);
		expect(el.querySelector('.plateau-editor h2')?.getAttribute('style')).toBeNull();
		editor.destroy();
		el.remove();
	});

	it('refuses a pasted image over the limit with a message, and stores a small one in the document', async () => {
		const doc = new Y.Doc();
		const editor = new ArticleEditor(app, 'article/new-images', doc, () => false);
		const el = mountPoint();
		editor.mount(el);
		editor.setEditable(true);
		// A 1×1 PNG, then the same header padded past 1.5 MiB.
		const png = Uint8Array.from(
			atob(
				'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
			),
			(c) => c.charCodeAt(0)
		);
		const big = new Uint8Array(2 * 1024 * 1024);
		big.set(png);
		await editor.insertImage(new File([big], 'capture.png', { type: 'image/png' }));
		expect(editor.notice).toMatch(/Image de 2\s?Mo refusée\s?: la limite est de 1,5\s?Mo/);
		expect(JSON.stringify(readArticleBody(doc))).not.toContain('image');
		await editor.insertImage(new File([png], 'petit.png', { type: 'image/png' }));
		const images = readArticleBody(doc).filter((n) => n.type === 'image');
		expect(images).toHaveLength(1);
		expect(String(images[0]!.attrs?.src)).toMatch(/^data:image\/png;base64,/);
		editor.destroy();
		el.remove();
	});

	it('keyboard shortcuts insert tables, callouts, lists and procedure blocks', async () => {
		const doc = new Y.Doc();
		const editor = new ArticleEditor(app, 'article/new-shortcuts', doc, () => true);
		const el = mountPoint();
		editor.mount(el);
		editor.setEditable(true);
		await userEvent.click(el.querySelector('.plateau-editor')!);
		const types = () => readArticleBody(doc).map((n) => n.type);
		await userEvent.keyboard('{Control>}{Alt>}t{/Alt}{/Control}');
		expect(types()).toContain('table');
		editor.editor!.commands.setTextSelection(editor.editor!.state.doc.content.size - 1);
		await userEvent.keyboard('{Control>}{Alt>}s{/Alt}{/Control}');
		expect(types()).toContain('procedureSteps');
		await userEvent.keyboard('Vérifier');
		await userEvent.keyboard('{Control>}{Alt>}d{/Alt}{/Control}');
		await userEvent.keyboard('Si bloqué');
		expect(readProcedure(readArticleBody(doc)).steps[0]).toMatchObject({
			action: 'Vérifier',
			decision: { condition: 'Si bloqué', target: null }
		});
		await userEvent.keyboard('{Control>}{Alt>}e{/Alt}{/Control}');
		expect(types()).toContain('escalation');
		editor.destroy();
		el.remove();
	});
});
