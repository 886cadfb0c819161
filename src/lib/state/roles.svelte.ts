// The centre's roles as the UI sees them: effective roles recomputed from the centre document's
// signed records whenever it changes (records verified once each, schema/roles.ts), and the
// actions of the Settings › People page: an administrator grants and revokes; in the demo centre,
// this device's agent takes or gives up any demo role. Every record is signed with this device's
// key; peers check it on receipt whatever this device believed.
import type * as Y from 'yjs';
import type { EffectiveRoles, GrantedRole, RoleAssignment, RoleScope } from '../domain/roles';
import type { AgentIdentity } from '../repo/identity';
import {
	effectiveRolesNow,
	grantGenesisAdministrator,
	readAdmins,
	isDemoRolesCentre,
	observeCentre,
	readCentreFounder,
	readEffectiveRoles,
	writeRoleRecord
} from '../schema/index';
import { Reread } from './reread';

export class RolesState {
	/** The roles that hold now (recomputed after each change of the centre document). */
	roles = $state.raw<EffectiveRoles>();
	/** The centre lets agents take demo roles (the demo centre). */
	demo = $state(false);
	founder = $state<string | undefined>();

	readonly agentId: string;
	readonly #centre: Y.Doc;
	readonly #identity: AgentIdentity | undefined;
	readonly #off: () => void;
	#destroyed = false;
	readonly #reread = new Reread(
		() => this.#read(),
		() => this.#destroyed
	);
	/** Ignored records already logged (each once). */
	readonly #logged = new Set<string>();
	#genesisTried = false;

	constructor(centre: Y.Doc, agentId: string, identity: AgentIdentity | undefined) {
		this.#centre = centre;
		this.agentId = agentId;
		this.#identity = identity;
		this.roles = effectiveRolesNow(centre);
		this.#off = observeCentre(centre, () => void this.refresh());
		void this.refresh();
	}

	/** This agent may grant and revoke roles. */
	get mayGrant(): boolean {
		return !!this.#identity && !!this.roles?.mayGrant(this.agentId);
	}

	/** This device can sign records (it has a key). */
	get maySign(): boolean {
		return !!this.#identity;
	}

	/** Resolves once the roles reflect the document as it is now. */
	refresh(): Promise<void> {
		return this.#reread.refresh();
	}

	/** One read of the roles; true when it wrote to the document (read again). */
	async #read(): Promise<boolean> {
		const roles = await readEffectiveRoles(this.#centre);
		if (this.#destroyed) return false;
		this.roles = roles;
		this.demo = isDemoRolesCentre(this.#centre);
		this.founder = readCentreFounder(this.#centre);
		let again = false;
		if (this.#owesGenesis(roles)) {
			await grantGenesisAdministrator(this.#centre, this.#identity!);
			again = true;
		}
		for (const f of roles.ignored) {
			if (f.reason === 'not verified yet' || this.#logged.has(f.recordId)) continue;
			this.#logged.add(f.recordId);
			console.warn(`Plateau roles: ignored role record ${f.recordId}: ${f.reason}`);
		}
		return again;
	}

	/** An administrator grants `role` over `scope` to an agent. */
	async grant(grantee: string, role: GrantedRole, scope: RoleScope): Promise<void> {
		await this.#write(grantee, role, scope, 'grant');
	}

	/** An administrator revokes one role an agent holds (in the demo, this agent its own). */
	async revoke(a: RoleAssignment): Promise<void> {
		await this.#write(a.agentId, a.role, a.scope, 'revoke');
	}

	/** In the demo centre: this agent takes a role, to try the views that come with it. */
	async tryDemoRole(role: GrantedRole, scope: RoleScope): Promise<void> {
		if (!this.demo) throw new Error('Demo roles exist only in the demo centre.');
		await this.#write(this.agentId, role, scope, 'grant');
	}

	/** This device is the founder's, listed as administrator at creation, and the genesis record is
	 *  missing (a creation flow that did not sign it): it signs it now. */
	#owesGenesis(roles: EffectiveRoles): boolean {
		const id = this.#identity;
		if (!id || this.#genesisTried || this.founder !== id.agentId || roles.isAdministrator(id.agentId))
			return false;
		this.#genesisTried = true;
		return readAdmins(this.#centre).has(id.agentId);
	}

	destroy(): void {
		this.#destroyed = true;
		this.#off();
	}

	async #write(
		grantee: string,
		role: GrantedRole,
		scope: RoleScope,
		action: 'grant' | 'revoke'
	): Promise<void> {
		if (!this.#identity) throw new Error('This device has no key to sign with.');
		await writeRoleRecord(this.#centre, this.#identity, { grantee, role, scope, action });
		await this.refresh();
	}
}
