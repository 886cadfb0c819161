import type * as Y from 'yjs';
import {
	byRecency,
	decodeSnapshot,
	encodeSnapshot,
	snapshotOf,
	type RevisionSnapshot
} from '../domain/revision';
import { diffSnapshots, type RevisionDiff } from '../domain/revision-diff';
import type { AgentIdentity } from '../repo/identity';
import { publishDraft } from '../repo/revisions';
import { recordTransition } from '../repo/lifecycle';
import { reviewDueAfter, type Lifecycle, type LifecycleAction } from '../domain/lifecycle';
import type { ArticleKind, ArticleMeta } from '../domain/article';
import type { BodyNode } from '../domain/body';
import { readProcedure, type Procedure } from '../domain/procedure';
import { responseTemplate } from '../domain/response';
import type { Locale } from '../domain/locale';
import type { Repo } from '../repo/repo';
import { openAndFollow } from './doc-reading';
import { docId as makeDocId, KB_SPACE } from '../domain/ids';
import {
	articleEntry,
	changesDraft,
	clearDraftEditors,
	markDraftEditor,
	lifecycleOf,
	putCatalogEntry,
	readArticleBody,
	readArticleMeta,
	readDraftEditors,
	readRevisions,
	restoreSnapshot,
	updateArticleMeta,
	type StoredRevision
} from '../schema/index';

/** The agent at this device: draft edits made here are marked with their name. */
export interface Editing {
	agentId: string;
	name: string;
}

export type { StoredRevision };

/** Days between verifications for an article of this topic and kind (the centre's intervals,
 *  state/review-intervals.svelte.ts); undefined: the kind's default. Read reactively. */
export type IntervalDays = (topic: string, kind: ArticleKind) => number | undefined;

/** One side of a comparison: a revision's id, or the draft. */
export type Version = string | 'draft';

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

	/** Published revisions, newest first; the first is what agents read. */
	revisions = $state.raw<StoredRevision[]>([]);
	/** Who changed the draft since it was last published. */
	draftEditors = $state.raw<string[]>([]);
	/** As derived from the document alone (review due by the kind's default interval). */
	#lifecycle = $state.raw<Lifecycle | null>(null);
	/** Status, open review request and last verification, from the signed records
	 *  (domain/lifecycle.ts), the review due by the topic's interval; null until the document is
	 *  read. */
	readonly lifecycle: Lifecycle | null = $derived.by(() => {
		const base = this.#lifecycle;
		const pub = this.published;
		const days = pub ? this.#intervalDays?.(pub.snapshot.node, pub.snapshot.kind) : undefined;
		if (!base?.verified || !pub || days === undefined) return base;
		return { ...base, reviewDue: reviewDueAfter(base.verified.time, pub.snapshot.kind, days) };
	});
	/** The current published revision and its content, or null for an article never published. */
	readonly published = $derived.by(() => {
		const r = this.revisions[0];
		const snapshot = r ? decodeSnapshot(r.snapshot) : undefined;
		return r && snapshot ? { record: r, snapshot } : null;
	});
	/** Whether the draft differs from the published revision (always, before a first publication). */
	readonly draftDiffers = $derived.by(() => {
		if (!this.meta) return false;
		if (!this.published) return true;
		const draft = encodeSnapshot(snapshotOf(this.meta, this.body));
		const pub = this.published.record.snapshot;
		return draft.length !== pub.length || draft.some((b, i) => b !== pub[i]);
	});

	readonly docId: string;
	readonly #editing: Editing | undefined;
	readonly #repo: Repo;
	readonly #intervalDays: IntervalDays | undefined;
	#doc: Y.Doc | undefined;
	#off: (() => void) | undefined;
	#destroyed = false;

	constructor(repo: Repo, docId: string, editing?: Editing, intervalDays?: IntervalDays) {
		this.#repo = repo;
		this.#intervalDays = intervalDays;
		this.docId = docId;
		this.#editing = editing;
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
			(doc) => this.#attach(doc)
		);
		if (off) {
			const offDoc = this.#offDoc;
			this.#off = () => {
				off();
				offDoc?.();
			};
		} else this.#offDoc?.();
	}

	#offDoc: (() => void) | undefined;

	/** Follows the revisions and the draft's editors; marks this agent's own draft edits. */
	#attach(doc: Y.Doc): void {
		this.#doc = doc;
		const read = () => {
			const records = readRevisions(doc);
			this.revisions = byRecency(records);
			this.draftEditors = readDraftEditors(doc);
			try {
				this.#lifecycle = lifecycleOf(doc, readArticleMeta(doc), records);
			} catch {
				this.#lifecycle = null; // not (yet) a readable article: the page says so
			}
		};
		const mark = (tr: Y.Transaction) => {
			if (!tr.local || !this.#editing || !changesDraft(doc, tr)) return;
			markDraftEditor(doc, this.#editing.agentId, this.#editing.name);
		};
		doc.on('update', read);
		doc.on('afterTransaction', mark);
		read();
		this.#offDoc = () => {
			doc.off('update', read);
			doc.off('afterTransaction', mark);
		};
	}

	/** Publishes the draft as the next revision, signed by this device; the catalog line then
	 *  shows it published. */
	async publish(
		identity: AgentIdentity,
		note: string,
		publisherName: string
	): Promise<StoredRevision | undefined> {
		const doc = this.#doc;
		if (!doc) return undefined;
		const record = await publishDraft(doc, this.docId.slice(this.docId.indexOf('/') + 1), identity, {
			note,
			publisherName
		});
		clearDraftEditors(doc);
		putCatalogEntry(await this.#repo.open(makeDocId('space', KB_SPACE)), articleEntry(this.docId, doc));
		return record;
	}

	/** The content of a revision, or of the draft. */
	snapshotOf(version: Version): RevisionSnapshot | undefined {
		if (version === 'draft') return this.meta ? snapshotOf(this.meta, this.body) : undefined;
		const r = this.revisions.find((x) => x.id === version);
		return r ? decodeSnapshot(r.snapshot) : undefined;
	}

	/** What changed from one version to another. */
	compare(from: Version, to: Version): RevisionDiff | undefined {
		const a = this.snapshotOf(from);
		const b = this.snapshotOf(to);
		return a && b ? diffSnapshots(a, b) : undefined;
	}

	/** Makes a revision's content the new draft (to be published like any other). */
	async restoreRevision(id: string): Promise<void> {
		const snapshot = this.snapshotOf(id);
		if (!this.#doc || !snapshot) return;
		restoreSnapshot(this.#doc, snapshot);
		putCatalogEntry(await this.#repo.open(makeDocId('space', KB_SPACE)), articleEntry(this.docId, this.#doc));
	}

	/** Renames the article, and its line in the knowledge base's catalog. Throws ValidationError
	 *  for an empty or overlong title. */
	async rename(title: string): Promise<void> {
		await this.update({ title });
	}

	/** Changes details (title, kind, topic, language, tags, owner, floor, tone) after
	 *  validating them all; throws ValidationError naming the field at fault. */
	async update(patch: Partial<ArticleMeta>): Promise<ArticleMeta | undefined> {
		if (!this.#doc) return undefined;
		const meta = updateArticleMeta(this.#doc, patch);
		putCatalogEntry(await this.#repo.open(makeDocId('space', KB_SPACE)), articleEntry(this.docId, this.#doc));
		return meta;
	}

	/** Records a lifecycle transition (ask for a review, verify without changes, archive, delete,
	 *  and their undoing), signed by this device; the catalog line follows. Peers refuse it if this
	 *  agent may not make it. */
	async transition(
		identity: AgentIdentity,
		action: LifecycleAction,
		actorName: string,
		note = ''
	): Promise<void> {
		const doc = this.#doc;
		if (!doc) return;
		await recordTransition(doc, this.docId.slice(this.docId.indexOf('/') + 1), identity, {
			action,
			actorName,
			note
		});
		putCatalogEntry(await this.#repo.open(makeDocId('space', KB_SPACE)), articleEntry(this.docId, doc));
	}

	/** Archives or deletes the article (it leaves lists, counts and search); returns the undo. */
	async retire(
		identity: AgentIdentity,
		action: 'archive' | 'delete',
		actorName: string
	): Promise<() => Promise<void>> {
		await this.transition(identity, action, actorName);
		return () => this.transition(identity, action === 'archive' ? 'unarchive' : 'undelete', actorName);
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

	/** Brings a deleted article back (archived still, if it was), or an archived one. */
	async restore(identity: AgentIdentity, actorName: string): Promise<void> {
		const status = this.lifecycle?.status;
		if (status === 'deleted') await this.transition(identity, 'undelete', actorName);
		else if (status === 'archived') await this.transition(identity, 'unarchive', actorName);
	}

	destroy(): void {
		this.#destroyed = true;
		this.#off?.();
		this.#off = undefined;
	}
}
