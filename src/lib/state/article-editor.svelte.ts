// One article's editor: the Tiptap editor on its body, this agent's caret shared with the peers who
// have the article open, the toolbar's active formats, the slash menu and paste notices.
// Reading mode is the default (an agent on a call must not change a procedure by a stray key);
// "Edit" makes it editable and shows this agent's caret to the others.
import type { Editor } from '@tiptap/core';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { localized } from '../domain/locale';
import { agentColor, safeColor } from '../editor/carets';
import { createEditor } from '../editor/create-editor';
import { editorTexts } from '../editor/texts';
import { insertImageFile, type PasteNotice } from '../editor/paste';
import { formatBytes } from '../domain/format';
import type { MessageKey } from '../i18n/index';
import { articleBody, writeBody } from '../schema/index';
import type { BodyNode } from '../domain/body';
import type { App } from './app.svelte';
import { SlashMenuState } from './slash-menu.svelte';

/** Formats the toolbar reflects. */
const TRACKED = [
	'bold',
	'italic',
	'underline',
	'strike',
	'code',
	'link',
	'bulletList',
	'orderedList',
	'taskList',
	'table'
] as const;
export type TrackedFormat = (typeof TRACKED)[number] | 'heading2' | 'heading3' | 'warning' | 'tip' | 'step';

export class ArticleEditor {
	editable = $state(false);
	active = $state<Record<string, boolean>>({});
	canUndo = $state(false);
	canRedo = $state(false);
	/** Last paste or image message for the agent, already translated. */
	notice = $state('');
	/** Set when the image picker should open (the component owns the file input). */
	pickImageRequested = $state(0);
	/** Colleagues editing this article now (their carets are in the text). */
	others = $state.raw<{ id: number; name: string; color: string }[]>([]);
	readonly slash = new SlashMenuState();
	readonly awareness: Awareness;

	readonly #app: App;
	readonly #docId: string;
	readonly #doc: Y.Doc;
	readonly #isProcedure: () => boolean;
	#editor: Editor | undefined;
	#frame = 0;
	#stopSharing: () => void = () => {};
	#destroyed = false;
	readonly #awarenessHost: Y.Doc;

	/** A read-only view of a published revision's body, laid out like the draft (numbered steps,
	 *  expected results, decisions, escalation): a throwaway document built from the snapshot, with
	 *  no caret shared. */
	static forSnapshot(
		app: App,
		docId: string,
		body: readonly BodyNode[],
		isProcedure: () => boolean
	): ArticleEditor {
		const doc = new Y.Doc();
		writeBody(articleBody(doc), body);
		const view = new ArticleEditor(app, docId, doc, isProcedure, { shareCarets: false });
		view.#ownsDoc = true;
		return view;
	}

	#ownsDoc = false;

	constructor(
		app: App,
		docId: string,
		doc: Y.Doc,
		isProcedure: () => boolean,
		options: { shareCarets?: boolean } = {}
	) {
		this.#app = app;
		this.#docId = docId;
		this.#doc = doc;
		this.#isProcedure = isProcedure;
		// Awareness subscribes to its doc's 'destroy' and never lets go: give it a stand-in doc with
		// the same client id (carets compare it with the article's) instead of the long-lived article.
		this.#awarenessHost = new Y.Doc();
		this.#awarenessHost.clientID = doc.clientID;
		this.awareness = new Awareness(this.#awarenessHost);
		// Nothing to show the others until this agent edits.
		this.awareness.setLocalState(null);
		this.awareness.on('change', this.#onAwareness);
		// The peer session may start after the article opens (or restart): share carets with it
		// whenever it is there.
		if (options.shareCarets === false) return;
		this.#stopSharing = $effect.root(() => {
			$effect(() => {
				const session = this.#app.sync;
				if (!session) return;
				return session.sync.shareDocAwareness(this.#docId, this.awareness);
			});
		});
	}

	get editor(): Editor | undefined {
		return this.#editor;
	}

	/** Creates the editor in `element` (called once the component has rendered it). */
	mount(element: HTMLElement): void {
		if (this.#destroyed || this.#editor) return;
		const t = this.#app.i18n.t;
		const locale = this.#app.i18n.locale;
		const floors = (this.#app.kb?.floors ?? []).map((f) => ({ id: f.id, name: localized(f.name, locale) }));
		const editor = createEditor({
			element,
			fragment: articleBody(this.#doc),
			awareness: this.awareness,
			user: this.#user(),
			editable: this.editable,
			...editorTexts(t),
			floors,
			translate: (key) => t(key as MessageKey),
			isProcedure: this.#isProcedure,
			slashMenu: this.slash,
			commands: { pickImage: () => this.pickImageRequested++ },
			onNotice: (n) => (this.notice = this.#noticeText(n))
		});
		// If our own local state is null (reading mode) the caret extension must not bring it back.
		if (!this.editable) this.awareness.setLocalState(null);
		editor.on('transaction', this.#onTransaction);
		this.#editor = editor;
		this.#refresh();
	}

	setEditable(on: boolean): void {
		this.editable = on;
		this.awareness.setLocalState(on ? { user: this.#user() } : null);
		if (!this.#editor) return;
		this.#editor.setEditable(on);
		if (on) this.#editor.commands.focus();
	}

	/** Runs a toolbar action. */
	toggle(format: TrackedFormat): void {
		const c = this.#editor?.chain().focus();
		if (!c) return;
		switch (format) {
			case 'bold':
				c.toggleBold().run();
				break;
			case 'italic':
				c.toggleItalic().run();
				break;
			case 'underline':
				c.toggleUnderline().run();
				break;
			case 'strike':
				c.toggleStrike().run();
				break;
			case 'code':
				c.toggleCode().run();
				break;
			case 'bulletList':
				c.toggleBulletList().run();
				break;
			case 'orderedList':
				c.toggleOrderedList().run();
				break;
			case 'taskList':
				c.toggleTaskList().run();
				break;
			case 'table':
				c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run();
				break;
			case 'heading2':
				c.toggleHeading({ level: 2 }).run();
				break;
			case 'heading3':
				c.toggleHeading({ level: 3 }).run();
				break;
			case 'warning':
				c.toggleCallout('warning').run();
				break;
			case 'tip':
				c.toggleCallout('tip').run();
				break;
			case 'step':
				c.addStep().run();
				break;
			case 'link':
				break;
		}
	}

	/** The link at the selection, if any (for the link form). */
	currentLink(): string {
		return (this.#editor?.getAttributes('link').href as string | undefined) ?? '';
	}

	/** Sets (or, with an empty value, removes) the link on the selection. */
	setLink(href: string): void {
		const c = this.#editor?.chain().focus().extendMarkRange('link');
		if (!c) return;
		if (href.trim()) c.setLink({ href: href.trim() }).run();
		else c.unsetLink().run();
	}

	undo(): void {
		this.#editor?.chain().focus().undo().run();
	}

	redo(): void {
		this.#editor?.chain().focus().redo().run();
	}

	async insertImage(file: File): Promise<void> {
		if (!this.#editor) return;
		await insertImageFile(this.#editor.view, file, (n) => (this.notice = this.#noticeText(n)));
	}

	dismissNotice(): void {
		this.notice = '';
	}

	destroy(): void {
		this.#destroyed = true;
		cancelAnimationFrame(this.#frame);
		this.#editor?.off('transaction', this.#onTransaction);
		this.#editor?.destroy();
		this.#editor = undefined;
		this.#stopSharing();
		this.awareness.off('change', this.#onAwareness);
		this.awareness.destroy();
		this.#awarenessHost.destroy();
		this.slash.hide();
		if (this.#ownsDoc) this.#doc.destroy();
	}

	#onAwareness = () => {
		const others: { id: number; name: string; color: string }[] = [];
		for (const [id, state] of this.awareness.getStates()) {
			const user = (state as { user?: { name?: unknown; color?: unknown } } | null)?.user;
			if (id === this.awareness.clientID || !user) continue;
			others.push({
				id,
				name: typeof user.name === 'string' ? user.name.slice(0, 60) : '?',
				color: safeColor(user.color)
			});
		}
		this.others = others;
	};

	#user() {
		const profile = this.#app.session?.profile;
		return { name: profile?.name ?? '?', color: agentColor(this.#app.session?.agentId ?? 'agent') };
	}

	// The toolbar follows the selection at most once a frame: typing stays as fast as the editor.
	#onTransaction = () => {
		cancelAnimationFrame(this.#frame);
		this.#frame = requestAnimationFrame(() => this.#refresh());
	};

	#refresh(): void {
		const e = this.#editor;
		if (!e) return;
		const active: Record<string, boolean> = {};
		for (const name of TRACKED) active[name] = e.isActive(name);
		active.heading2 = e.isActive('heading', { level: 2 });
		active.heading3 = e.isActive('heading', { level: 3 });
		active.warning = e.isActive('callout', { type: 'warning' });
		active.tip = e.isActive('callout', { type: 'tip' });
		active.step = e.isActive('procedureStep');
		this.active = active;
		this.canUndo = e.can().undo();
		this.canRedo = e.can().redo();
	}

	#noticeText(n: PasteNotice): string {
		const t = this.#app.i18n.t;
		const locale = this.#app.i18n.locale;
		switch (n.kind) {
			case 'imageTooLarge':
				return t('paste.imageTooLarge', {
					size: formatBytes(n.size, locale),
					limit: formatBytes(n.limit, locale)
				});
			case 'imagesRefused':
				return t('paste.imagesRefused', { count: n.count, limit: formatBytes(n.limit, locale) });
			case 'remoteImagesDropped':
				return t('paste.remoteImagesDropped', { count: n.count });
			case 'unsupportedImage':
				return t('paste.unsupportedImage', { type: n.type });
		}
	}
}
