// The notes this device holds, as the lists show them: the agent's own, and colleagues' notes
// shared with the agent's floor or the whole centre. Re-read when a note changes, dropped the
// moment one is removed (a withdrawn note). Creating a note starts it private.
import { fold } from '../domain/format';
import { mayReadNote, newNoteId, validateNoteMeta, type NoteMeta, type NoteReader } from '../domain/note';
import type { Repo } from '../repo/repo';
import { initNote, readNoteMeta } from '../schema/index';

export interface NoteLine extends NoteMeta {
	docId: string;
}

export interface NotesAgent extends NoteReader {
	name: string;
}

export class Notes {
	lines = $state.raw<NoteLine[]>([]);
	readonly #repo: Repo;
	readonly #me: () => NotesAgent;
	readonly #off: (() => void)[] = [];
	readonly #byId = new Map<string, NoteLine>();

	constructor(repo: Repo, me: () => NotesAgent) {
		this.#repo = repo;
		this.#me = me;
		this.#off.push(
			repo.onChange((e) => {
				if (e.docId.startsWith('note/')) this.#read(e.docId);
			}),
			repo.onRemove((id) => {
				if (this.#byId.delete(id)) this.#publish();
			})
		);
	}

	/** Reads every note in storage (once, at start). */
	async load(): Promise<void> {
		for (const id of await this.#repo.list()) {
			if (!id.startsWith('note/')) continue;
			await this.#repo.open(id);
			this.#read(id, false);
		}
		this.#publish();
	}

	/** Notes this agent may read, matching `query` (title or author, case and accents ignored),
	 *  most recently updated first, in three groups. */
	groups(query = ''): { mine: NoteLine[]; floor: NoteLine[]; centre: NoteLine[] } {
		const me = this.#me();
		const q = fold(query.trim());
		const shown = this.lines.filter(
			(n) => mayReadNote(n, me) && (!q || fold(`${n.title} ${n.authorName}`).includes(q))
		);
		return {
			mine: shown.filter((n) => n.author === me.id),
			floor: shown.filter((n) => n.author !== me.id && n.visibility === 'floor'),
			centre: shown.filter((n) => n.author !== me.id && n.visibility === 'centre')
		};
	}

	/** Notes listed for this agent (theirs and those shared with them). */
	get count(): number {
		const g = this.groups();
		return g.mine.length + g.floor.length + g.centre.length;
	}

	line(docId: string): NoteLine | undefined {
		return this.lines.find((n) => n.docId === docId);
	}

	/** Creates a private note; returns its document id. Throws ValidationError for a bad title. */
	async create(title: string, now = Date.now()): Promise<string> {
		const me = this.#me();
		const docId = `note/${newNoteId(me.id)}`;
		// Validated before anything is opened: a bad title leaves nothing behind.
		const meta = validateNoteMeta({
			title,
			author: me.id,
			authorName: me.name,
			visibility: 'private',
			floor: me.floor,
			colleaguesMayEdit: false,
			createdAt: now,
			updatedAt: now
		});
		// One empty paragraph: the editor then has nothing to add when a reader opens it.
		initNote(await this.#repo.open(docId), meta, [{ type: 'paragraph' }]);
		return docId;
	}

	destroy(): void {
		for (const off of this.#off.splice(0)) off();
	}

	#read(docId: string, publish = true): void {
		const doc = this.#repo.opened(docId);
		if (!doc) return;
		try {
			this.#byId.set(docId, { docId, ...readNoteMeta(doc) });
		} catch {
			this.#byId.delete(docId); // not (yet) a readable note
		}
		if (publish) this.#publish();
	}

	#publish(): void {
		this.lines = [...this.#byId.values()].sort(
			(a, b) => b.updatedAt - a.updatedAt || a.title.localeCompare(b.title)
		);
	}
}
