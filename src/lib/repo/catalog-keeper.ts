// Keeps the knowledge base's catalog in step with its articles. An article and its catalog line
// live in two documents, so two agents renaming one article at once can see the article and the
// catalog pick different winners. After any change to an article, the keeper re-derives its line
// from the (converged) article and writes it if it differs: every peer then writes the same value.
import { docId as makeDocId, KB_SPACE } from '../domain/ids';
import type { CatalogEntry } from '../domain/catalog';
import { articleEntry, putCatalogEntry, readCatalog } from '../schema/index';
import { STORAGE_ORIGIN, type Repo } from './repo';

export class CatalogKeeper {
	readonly #repo: Repo;
	readonly #spaceId: string;
	readonly #pending = new Set<string>();
	readonly #off: () => void;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#running: Promise<void> = Promise.resolve();

	constructor(repo: Repo, { delayMs = 100, space = KB_SPACE } = {}) {
		this.#repo = repo;
		this.#spaceId = makeDocId('space', space);
		this.#off = repo.onChange((e) => {
			if (!e.docId.startsWith('article/') || e.origin === STORAGE_ORIGIN) return;
			this.#pending.add(e.docId);
			clearTimeout(this.#timer);
			this.#timer = setTimeout(() => (this.#running = this.#running.then(() => this.#check())), delayMs);
		});
	}

	/** Resolves once every scheduled check has run (tests). */
	async idle(): Promise<void> {
		while (this.#timer !== undefined || this.#pending.size) {
			await new Promise((r) => setTimeout(r, 10));
			await this.#running;
		}
	}

	destroy(): void {
		this.#off();
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#pending.clear();
	}

	async #check(): Promise<void> {
		this.#timer = undefined;
		const ids = [...this.#pending];
		this.#pending.clear();
		const space = await this.#repo.open(this.#spaceId);
		const lines = new Map(readCatalog(space).map((e) => [e.docId, e]));
		for (const id of ids) {
			const line = lines.get(id);
			// A line missing here arrives with the space document from the peer that made the article.
			if (!line) continue;
			let summary: CatalogEntry;
			try {
				summary = articleEntry(id, await this.#repo.open(id));
			} catch {
				continue; // not (yet) a readable article
			}
			if (!sameEntry(line, summary)) putCatalogEntry(space, summary);
		}
	}
}

function sameEntry(a: CatalogEntry, b: CatalogEntry): boolean {
	const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof CatalogEntry>;
	for (const k of keys) if (a[k] !== b[k]) return false;
	return true;
}
