// Who may read and write each shared note, as its author's access document says (see
// schema/note.ts). The registry reads every access document held on this device and re-reads one
// the moment it changes (synchronously, inside the change: the share policy consults it for the
// very next message), and tells its listeners which notes' access changed.
import { Emitter, type Dispose } from '../domain/emitter';
import { mayReadNote, noteAuthor, type NoteAccess, type NoteReader } from '../domain/note';
import { noteAccessAuthor, readNoteAccess } from '../schema/index';
import type { Repo } from './repo';

export interface NoteAccessLookup {
	/** The access its author recorded for a note, or undefined if none reached this device (a
	 *  private note, or a record still on its way). */
	get(noteDocId: string): NoteAccess | undefined;
	/** Listens to changes of access; returns the unsubscribe function. */
	onChange(listener: (noteDocIds: string[]) => void): () => void;
}

export class NoteAccessRegistry implements NoteAccessLookup {
	readonly #repo: Repo;
	readonly #records = new Map<string, NoteAccess>();
	readonly #events = new Emitter<{ change: (ids: string[]) => void }>();
	readonly #off: () => void;

	constructor(repo: Repo) {
		this.#repo = repo;
		this.#off = repo.onChange((e) => {
			if (noteAccessAuthor(e.docId)) this.#read(e.docId);
		});
	}

	/** Reads every access document in storage (once, at start). */
	async load(): Promise<void> {
		for (const id of await this.#repo.list()) {
			if (!noteAccessAuthor(id)) continue;
			await this.#repo.open(id);
			this.#read(id);
		}
	}

	get(noteDocId: string): NoteAccess | undefined {
		return this.#records.get(noteDocId);
	}

	onChange(listener: (noteDocIds: string[]) => void): Dispose {
		return this.#events.on('change', listener);
	}

	destroy(): void {
		this.#off();
		this.#events.clear();
	}

	#read(accessDocId: string): void {
		const author = noteAccessAuthor(accessDocId)!;
		const doc = this.#repo.opened(accessDocId);
		if (!doc) return;
		const fresh = readNoteAccess(doc, author);
		const changed: string[] = [];
		for (const [id, access] of fresh) {
			if (JSON.stringify(this.#records.get(id)) === JSON.stringify(access)) continue;
			this.#records.set(id, access);
			changed.push(id);
		}
		for (const id of [...this.#records.keys()]) {
			if (noteAuthor(id) !== author || fresh.has(id)) continue;
			this.#records.delete(id);
			changed.push(id);
		}
		if (changed.length) this.#events.emit('change', changed);
	}
}

/**
 * Keeps on this device only the colleagues' notes its agent may read: when a note's access stops
 * including the agent (withdrawn, or narrowed to another floor), the note leaves memory and
 * storage. Checks every held note once at start (a record may have arrived before a crash).
 * Returns the stop function.
 */
export function removeUnreadableNotes(
	repo: Repo,
	access: NoteAccessLookup,
	me: () => NoteReader,
	/** Whether this device may keep a note with this access (default: its agent may read it; a
	 *  hub keeps every note that is not private). */
	mayKeep: (record: NoteAccess) => boolean = (record) => mayReadNote(record, me())
): { ready: Promise<void>; stop: () => void } {
	const check = async (ids: string[]) => {
		const held = new Set(await repo.list());
		for (const id of ids) {
			const record = access.get(id);
			if (!held.has(id) || !record || noteAuthor(id) === me().id || mayKeep(record)) continue;
			await repo.remove(id);
		}
	};
	const off = access.onChange((ids) => void check(ids));
	const ready = repo.list().then((ids) => check(ids.filter((id) => id.startsWith('note/'))));
	return { ready, stop: off };
}
