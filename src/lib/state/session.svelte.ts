import type * as Y from 'yjs';
import { validateAgentProfile, type AgentProfile, type Availability } from '../domain/centre';
import { newId } from '../domain/ids';
import { putAgent, readFloors } from '../schema/index';

/** The agent using this device: their profile, kept on the device and in the centre's directory. */
export class Session {
	profile = $state<AgentProfile | null>(null);
	/** This agent's id, fixed before the profile exists: peers know the device by it from the start. */
	readonly agentId: string;
	readonly #key: string;
	readonly #storage: Storage | undefined;
	readonly #centre: Y.Doc;
	readonly #listeners = new Set<(p: AgentProfile | null) => void>();

	constructor(centreId: string, centre: Y.Doc, storage: Storage | undefined = globalThis.localStorage) {
		this.#key = `plateau:${centreId}:profile`;
		this.#storage = storage;
		this.#centre = centre;
		const idKey = `plateau:${centreId}:agent-id`;
		let agentId = storage?.getItem(idKey) ?? '';
		if (!/^agent-[a-z0-9]{6,40}$/.test(agentId)) {
			agentId = newId('agent-');
			storage?.setItem(idKey, agentId);
		}
		this.agentId = agentId;
		const saved = storage?.getItem(this.#key);
		if (saved) {
			try {
				this.profile = validateAgentProfile(JSON.parse(saved));
			} catch {
				// A damaged profile means the agent introduces themselves again; nothing else depends on it.
				this.profile = null;
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
