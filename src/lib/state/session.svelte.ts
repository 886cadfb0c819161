import type * as Y from 'yjs';
import { validateAgentProfile, type AgentProfile, type Availability } from '../domain/centre';
import { newId } from '../domain/ids';
import { putAgent, readFloors, removeAgent } from '../schema/index';

/** The agent using this device: their profile, kept on the device and in the centre's directory. */
export class Session {
	profile = $state<AgentProfile | null>(null);
	/** This agent's id, fixed before the profile exists: peers know the device by it from the start. */
	readonly agentId: string;
	readonly #key: string;
	readonly #storage: Storage | undefined;
	readonly #centre: Y.Doc;
	readonly #listeners = new Set<(p: AgentProfile | null) => void>();

	/** `agentId`: this device's proven identity (identity-store.ts); `formerId`: the id its profile
	 *  was saved under before the device had a key, moved to the new id. */
	constructor(
		centreId: string,
		centre: Y.Doc,
		storage: Storage | undefined = globalThis.localStorage,
		agentId?: string,
		formerId?: string
	) {
		this.#key = `plateau:${centreId}:profile`;
		this.#storage = storage;
		this.#centre = centre;
		this.agentId = agentId ?? legacyAgentId(centreId, storage);
		const saved = storage?.getItem(this.#key);
		if (saved) {
			try {
				this.profile = validateAgentProfile(JSON.parse(saved));
			} catch {
				// A damaged profile means the agent introduces themselves again; nothing else depends on it.
				this.profile = null;
			}
		}
		if (this.profile && this.profile.id !== this.agentId) {
			const former = formerId ?? this.profile.id;
			try {
				this.save(this.profile);
				removeAgent(centre, former);
			} catch {
				// The centre's floors have not arrived yet (a joined centre): move the profile on the
				// device; the directory follows on the next save.
				this.profile = { ...this.profile, id: this.agentId };
				storage?.setItem(this.#key, JSON.stringify(this.profile));
			}
		}
	}

	get isFirstRun(): boolean {
		return this.profile === null;
	}

	/** Validates and saves the profile (throws ValidationError with the field at fault). */
	save(input: Omit<AgentProfile, 'id' | 'skills' | 'availability'> & Partial<AgentProfile>): AgentProfile {
		const profile = validateAgentProfile(
			{
				skills: [],
				availability: 'available',
				...this.profile,
				...input,
				id: this.agentId
			},
			readFloors(this.#centre)
		);
		this.#storage?.setItem(this.#key, JSON.stringify(profile));
		putAgent(this.#centre, profile);
		this.profile = profile;
		for (const listener of this.#listeners) listener(profile);
		return profile;
	}

	/** Listens to profile changes; returns the unsubscribe function. */
	onChange(listener: (p: AgentProfile | null) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	setAvailability(availability: Availability): void {
		if (this.profile) this.save({ ...this.profile, availability });
	}

	/** Forgets the profile on this device (used when the demo is reset). */
	forget(): void {
		this.#storage?.removeItem(this.#key);
		this.profile = null;
		for (const listener of this.#listeners) listener(null);
	}
}

/** Keeps a profile on the device for the next start (a paired device receives its agent's). */
export function storeProfile(storage: Storage | undefined, centreId: string, profile: AgentProfile): void {
	storage?.setItem(`plateau:${centreId}:profile`, JSON.stringify(profile));
}

/** A self-chosen id, for a Session built without an identity (tests, tools). */
function legacyAgentId(centreId: string, storage: Storage | undefined): string {
	const idKey = `plateau:${centreId}:agent-id`;
	let agentId = storage?.getItem(idKey) ?? '';
	if (!/^agent-[a-z0-9]{6,40}$/.test(agentId)) {
		agentId = newId('agent-');
		storage?.setItem(idKey, agentId);
	}
	return agentId;
}
