import type * as Y from 'yjs';
import type { ArticleMeta } from '../domain/article';
import type { BodyNode } from '../domain/body';
import type { Repo } from '../repo/repo';
import { docId as makeDocId, KB_SPACE } from '../domain/ids';
import { articleSummary, putCatalogEntry, readArticleBody, readArticleMeta, updateArticleMeta } from '../schema/index';

/** One article open for reading. Re-reads on every change to its document (a peer's edit, later
 *  the editor) and releases the document on destroy(). */
export class ArticleView {
	status = $state<'loading' | 'ready' | 'missing' | 'invalid'>('loading');
	meta = $state.raw<ArticleMeta | null>(null);
	body = $state.raw<BodyNode[]>([]);
	problem = $state('');

	readonly docId: string;
	readonly #repo: Repo;
	#doc: Y.Doc | undefined;
	#off: (() => void) | undefined;
	#destroyed = false;

	constructor(repo: Repo, docId: string) {
		this.#repo = repo;
		this.docId = docId;
		void this.#open();
	}

	async #open(): Promise<void> {
		const doc = await this.#repo.find(this.docId);
		if (this.#destroyed) return;
		if (!doc) {
			this.status = 'missing';
			return;
		}
		this.#doc = doc;
		const onUpdate = () => this.#read();
		doc.on('update', onUpdate);
		this.#off = () => doc.off('update', onUpdate);
		this.#read();
	}

	#read(): void {
		if (!this.#doc) return;
		try {
			this.meta = readArticleMeta(this.#doc);
			this.body = readArticleBody(this.#doc);
			this.status = 'ready';
		} catch (err) {
			this.problem = err instanceof Error ? err.message : String(err);
			this.status = 'invalid';
		}
	}

	/** Renames the article, and its line in the knowledge base's catalog. Throws ValidationError
	 *  for an empty or overlong title. */
	async rename(title: string): Promise<void> {
		if (!this.#doc) return;
		const meta = updateArticleMeta(this.#doc, { title });
		putCatalogEntry(await this.#repo.open(makeDocId('space', KB_SPACE)), articleSummary(this.docId, meta));
	}

	destroy(): void {
		this.#destroyed = true;
		this.#off?.();
		this.#off = undefined;
	}
}
