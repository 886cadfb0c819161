// The centre's synonym groups as Settings edits them: read from the centre document (and kept in
// step with it), written through the schema. Peers accept the change from an administrator only
// (the centre's fields are theirs); the page offers editing to them.
import type * as Y from 'yjs';
import {
	observeCentre,
	putSynonymGroup,
	readSynonyms,
	removeSynonymGroup,
	type SynonymGroup
} from '../schema/index';

/** Phrases as typed in one field: separated by commas or semicolons. */
export function splitPhrases(text: string): string[] {
	return text
		.split(/[,;]/)
		.map((p) => p.trim())
		.filter(Boolean);
}

export class SynonymsState {
	groups = $state.raw<SynonymGroup[]>([]);
	readonly #centre: Y.Doc;
	readonly #off: () => void;

	constructor(centre: Y.Doc) {
		this.#centre = centre;
		this.groups = readSynonyms(centre);
		this.#off = observeCentre(centre, () => (this.groups = readSynonyms(centre)));
	}

	/** Saves a group (a new one without `id`); throws, changing nothing, if the phrases are not a
	 *  valid group. Returns its id. */
	save(id: string | undefined, phrases: readonly string[]): string {
		const key = id ?? `syn-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
		this.#centre.transact(() => putSynonymGroup(this.#centre, key, phrases));
		return key;
	}

	remove(id: string): void {
		this.#centre.transact(() => removeSynonymGroup(this.#centre, id));
	}

	destroy(): void {
		this.#off();
	}
}
