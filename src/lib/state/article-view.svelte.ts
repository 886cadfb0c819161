import type * as Y from 'yjs';
import type { ArticleMeta } from '../domain/article';
import type { BodyNode } from '../domain/body';
import { readProcedure, type Procedure } from '../domain/procedure';
import { responseTemplate } from '../domain/response';
import type { Locale } from '../domain/locale';
import type { Repo } from '../repo/repo';
import { openAndFollow } from './doc-reading';
import { docId as makeDocId, KB_SPACE } from '../domain/ids';
import {
	articleSummary,
	putCatalogEntry,
	readArticleBody,
	readArticleMeta,
	updateArticleMeta
} from '../schema/index';

/** One article open: re-reads on every change to its document (a peer's edit, the editor), edits
 *  its details and lifecycle (each keeping its catalog line in step), and stops listening on
 *  destroy(). */
export class ArticleView {
	status = $state<'loading' | 'ready' | 'missing' | 'invalid'>('loading');
	meta = $state.raw<ArticleMeta | null>(null);
	body = $state.raw<BodyNode[]>([]);
	problem = $state('');
	/** Steps and escalation, re-read with the body: the process map redraws from it. */
	readonly procedure: Procedure = $derived(
		this.meta?.kind === 'procedure' ? readProcedure(this.body) : { steps: [], escalation: null }
	);

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

	/** The article's document, once open. */
	get doc(): Y.Doc | undefined {
		return this.#doc;
	}

	async #open(): Promise<void> {
		const read = { meta: readArticleMeta, body: readArticleBody };
		const off = await openAndFollow(
			this.#repo,
			this.docId,
			this,
			read,
			() => this.#destroyed,
			(doc) => (this.#doc = doc)
		);
		if (off) this.#off = off;
	}

	/** Renames the article, and its line in the knowledge base's catalog. Throws ValidationError
	 *  for an empty or overlong title. */
	async rename(title: string): Promise<void> {
		await this.update({ title });
	}

	/** Changes details (title, kind, topic, language, tags, owner, floor, tone, status) after
	 *  validating them all; throws ValidationError naming the field at fault. */
	async update(patch: Partial<ArticleMeta>): Promise<ArticleMeta | undefined> {
		if (!this.#doc) return undefined;
		const meta = updateArticleMeta(this.#doc, patch);
		putCatalogEntry(await this.#repo.open(makeDocId('space', KB_SPACE)), articleSummary(this.docId, meta));
		return meta;
	}

	/** Archives or deletes the article (it leaves lists, counts and search); returns the undo. */
	async retire(status: 'archived' | 'deleted'): Promise<() => Promise<void>> {
		const before = this.meta?.status ?? 'draft';
		const keep =
			before === 'archived' || before === 'deleted' ? (this.meta?.statusBefore ?? 'draft') : before;
		await this.update({ status, statusBefore: keep });
		return async () => {
			await this.update({
				status: before,
				statusBefore: before === 'archived' || before === 'deleted' ? keep : undefined
			});
		};
	}

	/** The standard response's text in this article's language and in each translation, for
	 *  "fill and copy" (translations are opened from the store on demand). */
	async responseVariants(
		translationIds: string[]
	): Promise<{ locale: Locale; title: string; template: string }[]> {
		const out: { locale: Locale; title: string; template: string }[] = [];
		for (const id of [this.docId, ...translationIds]) {
			const doc = id === this.docId ? this.#doc : await this.#repo.find(id);
			if (!doc) continue;
			try {
				const meta = readArticleMeta(doc);
				if (!out.some((v) => v.locale === meta.locale))
					out.push({
						locale: meta.locale,
						title: meta.title,
						template: responseTemplate(readArticleBody(doc))
					});
			} catch {
				// An unreadable translation is simply not offered.
			}
		}
		return out;
	}

	/** Brings an archived or deleted article back with the status it had. */
	async restore(): Promise<void> {
		await this.update({ status: this.meta?.statusBefore ?? 'draft', statusBefore: undefined });
	}

	destroy(): void {
		this.#destroyed = true;
		this.#off?.();
		this.#off = undefined;
	}
}
