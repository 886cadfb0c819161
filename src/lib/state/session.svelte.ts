import type * as Y from 'yjs';
import { validateAgentProfile, type AgentProfile, type Availability } from '../domain/centre';
import { newId } from '../domain/ids';
import { putAgent, readFloors } from '../schema/index';

/** The agent using this device: their profile, kept on the device and in the centre's directory. */
export class Session {
	profile = $state<AgentProfile | null>(null);
	readonly #key: string;
	readonly #storage: Storage | undefined;
	readonly #centre: Y.Doc;

	constructor(centreId: string, centre: Y.Doc, storage: Storage | undefined = globalThis.localStorage) {
		this.#key = `plateau:${centreId}:profile`;
		this.#storage = storage;
		this.#centre = centre;
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
				id: this.profile?.id ?? newId('agent-')
			},
			readFloors(this.#centre)
		);
		this.#storage?.setItem(this.#key, JSON.stringify(profile));
		putAgent(this.#centre, profile);
		this.profile = profile;
		return profile;
	}

	setAvailability(availability: Availability): void {
		if (this.profile) this.save({ ...this.profile, availability });
	}

	/** Forgets the profile on this device (used when the demo is reset). */
	forget(): void {
		this.#storage?.removeItem(this.#key);
		this.profile = null;
	}
}
