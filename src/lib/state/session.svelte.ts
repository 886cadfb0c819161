// The agent using this device: their profile, kept in the device store (durably: the welcome page
// moves on only once it is on disk) and in the centre's directory.
import type * as Y from 'yjs';
import { validateAgentProfile, type AgentProfile, type Availability } from '../domain/centre';
import { Emitter } from '../domain/emitter';
import { putAgent, readFloors, removeAgent } from '../schema/index';

export interface SessionOptions {
	/** This device's agent id (its proven identity, identity-store.ts), fixed before the profile
	 *  exists: peers know the device by it from the start. */
	agentId: string;
	/** The profile as the device kept it; validated here (a damaged one means the agent
	 *  introduces themselves again; nothing else depends on it). */
	saved?: unknown;
	/** The id the profile was saved under before the device had a key; moved to `agentId`. */
	formerId?: string;
	/** Keeps the profile for the next start (null forgets it); resolves once durable. */
	persist?: (profile: AgentProfile | null) => Promise<void>;
}

export class Session {
	profile = $state<AgentProfile | null>(null);
	readonly agentId: string;
	readonly #centre: Y.Doc;
	readonly #persist: (profile: AgentProfile | null) => Promise<void>;
	readonly #events = new Emitter<{ change: (p: AgentProfile | null) => void }>();
	/** The writes issued so far, in order: the last one issued is the one that stays. */
	#writes: Promise<void> = Promise.resolve();

	constructor(centre: Y.Doc, options: SessionOptions) {
		this.#centre = centre;
		this.agentId = options.agentId;
		this.#persist = options.persist ?? (async () => {});
		if (options.saved) {
			try {
				this.profile = validateAgentProfile(options.saved);
			} catch {
				this.profile = null;
			}
		}
		if (this.profile && this.profile.id !== this.agentId) {
			const former = options.formerId ?? this.profile.id;
			try {
				void this.save(this.profile);
				removeAgent(centre, former);
			} catch {
				// The centre's floors have not arrived yet (a joined centre): move the profile on the
				// device; the directory follows on the next save.
				this.profile = { ...this.profile, id: this.agentId };
				void this.#write(this.profile);
			}
		}
	}

	get isFirstRun(): boolean {
		return this.profile === null;
	}

	/**
	 * Validates and saves the profile: the session and the centre's directory change at once (throws
	 * ValidationError with the field at fault, synchronously); the returned promise resolves once
	 * the profile is durably kept on the device — wait for it before telling the agent it is saved.
	 */
	save(
		input: Omit<AgentProfile, 'id' | 'skills' | 'availability'> & Partial<AgentProfile>
	): Promise<AgentProfile> {
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
		putAgent(this.#centre, profile);
		this.profile = profile;
		this.#events.emit('change', profile);
		return this.#write(profile).then(() => profile);
	}

	/** Resolves once every profile write issued so far is durable. */
	saved(): Promise<void> {
		return this.#writes;
	}

	/** Listens to profile changes; returns the unsubscribe function. */
	onChange(listener: (p: AgentProfile | null) => void): () => void {
		return this.#events.on('change', listener);
	}

	setAvailability(availability: Availability): void {
		if (this.profile) void this.save({ ...this.profile, availability });
	}

	/** Forgets the profile on this device. */
	forget(): Promise<void> {
		this.profile = null;
		this.#events.emit('change', null);
		return this.#write(null);
	}

	destroy(): void {
		this.#events.clear();
	}

	#write(profile: AgentProfile | null): Promise<void> {
		const write = this.#writes.catch(() => {}).then(() => this.#persist(profile));
		this.#writes = write;
		return write;
	}
}
