// One note open: re-read on every change (the author's or a colleague's edit), shared, withdrawn,
// renamed or promoted by its author; `gone` once a withdrawal removed it from this device.
import type * as Y from 'yjs';
import type { TemplateTexts } from '../domain/article-templates';
import type { BodyNode } from '../domain/body';
import { mayWriteNote, type NoteMeta, type NoteReader, type NoteVisibility } from '../domain/note';
import type { Repo } from '../repo/repo';
import { openAndFollow } from './doc-reading';
import { noteAccessDocId, putNoteAccess, readNoteBody, readNoteMeta, updateNoteMeta } from '../schema/index';
import { createArticle, type NewArticle } from './new-article';

export class NoteView {
	status = $state<'loading' | 'ready' | 'missing' | 'invalid' | 'gone'>('loading');
	meta = $state.raw<NoteMeta | null>(null);
	body = $state.raw<BodyNode[]>([]);
	problem = $state('');

	readonly docId: string;
	readonly #repo: Repo;
	readonly #me: () => NoteReader;
	#doc: Y.Doc | undefined;
	readonly #off: (() => void)[] = [];
	#destroyed = false;

	constructor(repo: Repo, docId: string, me: () => NoteReader) {
		this.#repo = repo;
		this.docId = docId;
		this.#me = me;
		this.#off.push(
			repo.onRemove((id) => {
				if (id !== docId) return;
				this.#doc = undefined;
				this.status = 'gone';
			})
		);
		void this.#open();
	}

	get doc(): Y.Doc | undefined {
		return this.#doc;
	}

	/** This agent wrote the note. */
	get isAuthor(): boolean {
		return this.meta?.author === this.#me().id;
	}

	/** This agent may change the note (its author, or a colleague the author lets edit it). */
	get canWrite(): boolean {
		return !!this.meta && mayWriteNote(this.meta, this.#me());
	}

	async #open(): Promise<void> {
		const read = { meta: readNoteMeta, body: readNoteBody };
		const off = await openAndFollow(
			this.#repo,
			this.docId,
			this,
			read,
			() => this.#destroyed,
			(doc) => (this.#doc = doc)
		);
		if (off) this.#off.push(off);
	}

	/** Renames the note (its author, or a colleague allowed to edit). Throws ValidationError. */
	rename(title: string): void {
		if (!this.#doc || !this.canWrite) return;
		updateNoteMeta(this.#doc, { title });
	}

	/**
	 * Shares the note with the author's floor or the centre, or withdraws it (private). The access
	 * record goes first: colleagues learn of a withdrawal from it, and the policy stops sending the
	 * note before its meta change is made.
	 */
	async share(visibility: NoteVisibility, colleaguesMayEdit: boolean): Promise<void> {
		if (!this.#doc || !this.meta || !this.isAuthor) return;
		const floor = visibility === 'floor' ? this.#me().floor : this.meta.floor;
		const access = { author: this.meta.author, visibility, floor, colleaguesMayEdit };
		putNoteAccess(await this.#repo.open(noteAccessDocId(this.meta.author)), this.docId, access);
		if (this.#doc) updateNoteMeta(this.#doc, { visibility, floor, colleaguesMayEdit });
	}

	/** Withdraws a shared note: colleagues' devices delete their copies. */
	withdraw(): Promise<void> {
		return this.share('private', this.meta?.colleaguesMayEdit ?? false);
	}

	/** Turns the note into a draft article with its text, keeping a link to the note and its author;
	 *  returns the article's document id. Only the author, and only a shared note. */
	async promote(
		input: Pick<NewArticle, 'kind' | 'node' | 'locale'> & { floor?: string },
		texts: TemplateTexts
	): Promise<string | undefined> {
		const meta = this.meta;
		if (!this.#doc || !meta || !this.isAuthor || meta.visibility === 'private') return undefined;
		const noteId = this.docId.slice('note/'.length);
		const articleId = await createArticle(
			this.#repo,
			{ ...input, title: meta.title, owner: meta.author, fromNote: noteId, fromNoteAuthor: meta.author },
			texts,
			Date.now(),
			readNoteBody(this.#doc)
		);
		if (this.#doc) updateNoteMeta(this.#doc, { promotedTo: articleId.slice('article/'.length) });
		return articleId;
	}

	destroy(): void {
		this.#destroyed = true;
		for (const off of this.#off.splice(0)) off();
	}
}
