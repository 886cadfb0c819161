// The centre's synonym groups as Settings shows and edits them: the centre document's signed records
// verified once each, kept when their signer holds a role now, with the administrators' older plain
// groups (repo/synonym-records.ts); a save or a removal is a record signed with this device's key,
// which every peer checks on receipt whatever this device believed. Editing is offered to agents
// with a role (expert, knowledge manager, administrator).
import type * as Y from 'yjs';
import type { EffectiveRoles } from '../domain/roles';
import { mayEditSynonyms, type LiveSynonymGroup } from '../domain/synonym-record';
import { verifiedSynonymGroups, writeSynonymGroup } from '../repo/synonym-records';
import type { AgentIdentity } from '../repo/identity';
import { observeCentre, validateSynonymPhrases } from '../schema/index';
import { Reread } from './reread';

/** Phrases that do not make a group (fewer than 2 different ones, too many, too long). */
export class InvalidSynonymGroup extends Error {}

/** Phrases as typed in one field: separated by commas or semicolons. */
export function splitPhrases(text: string): string[] {
	return text
		.split(/[,;]/)
		.map((p) => p.trim())
		.filter(Boolean);
}

/** Whether this device's agent may edit the groups: a key to sign with, and a role in the centre
 *  (`roles`, reactive) or administration of it (`admin`: also an administrator listed at creation). */
export function mayEditSynonymsHere(
	identity: AgentIdentity | undefined,
	roles: EffectiveRoles | undefined,
	admin: boolean
): boolean {
	return !!identity && (admin || mayEditSynonyms(roles, identity.agentId));
}

export interface SynonymsDeps {
	identity: AgentIdentity | undefined;
	/** The name records carry as their signer's. */
	signerName: () => string;
}

export class SynonymsState {
	groups = $state.raw<LiveSynonymGroup[]>([]);
	readonly #centre: Y.Doc;
	readonly #deps: SynonymsDeps;
	readonly #off: () => void;
	#destroyed = false;
	readonly #reread = new Reread(
		async () => {
			const groups = await verifiedSynonymGroups(this.#centre);
			if (!this.#destroyed) this.groups = groups;
		},
		() => this.#destroyed
	);

	constructor(centre: Y.Doc, deps: SynonymsDeps) {
		this.#centre = centre;
		this.#deps = deps;
		this.#off = observeCentre(centre, () => void this.refresh());
		void this.refresh();
	}

	/** Saves a group (a new one without `id`); throws, changing nothing, if the phrases are not a
	 *  valid group or the centre is full. Returns its id. */
	async save(id: string | undefined, phrases: readonly string[]): Promise<string> {
		try {
			validateSynonymPhrases(phrases);
		} catch (err) {
			throw new InvalidSynonymGroup((err as Error).message);
		}
		const group = id ?? `syn-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
		await writeSynonymGroup(this.#centre, this.#signer(), {
			group,
			phrases,
			signerName: this.#deps.signerName()
		});
		await this.refresh();
		return group;
	}

	/** Retires a group: a signed tombstone in place of its records. */
	async remove(id: string): Promise<void> {
		await writeSynonymGroup(this.#centre, this.#signer(), {
			group: id,
			phrases: [],
			signerName: this.#deps.signerName()
		});
		await this.refresh();
	}

	/** Resolves once `groups` reflects the document as it is now. */
	refresh(): Promise<void> {
		return this.#reread.refresh();
	}

	destroy(): void {
		this.#destroyed = true;
		this.#off();
	}

	#signer(): AgentIdentity {
		if (!this.#deps.identity) throw new Error('This device has no key to sign with.');
		return this.#deps.identity;
	}
}
