// Who holds which role, computed from signed role records alone (domain/role-record.ts): the
// records are replayed in time order, and each takes effect only if its grantor is an
// administrator at that point. The root of trust is the founder's genesis record (the founder
// grants itself administrator; its id is written in the centre's info at creation). Revocation
// wins over an earlier grant (and over a grant of the same time); a later grant gives the role back.
// A record that may not take effect is ignored and listed with why, never trusted.
//
// Roles: every agent is an agent; an expert of a topic may publish and archive it and its
// sub-topics; a knowledge manager of a floor the topics that floor owns, of the centre every topic;
// an administrator grants and revokes roles and changes the centre's fields. In a demo centre
// (`demo`), any agent may also grant itself any role ("try a demo role"): such roles count for
// what the agent sees and may do in the knowledge base, never for changing the centre's fields.
import type { TaxonomyNode } from './taxonomy';

export type RoleName = 'agent' | 'expert' | 'knowledge-manager' | 'administrator';
/** The roles a record grants (everyone is an agent). */
export type GrantedRole = Exclude<RoleName, 'agent'>;
export const GRANTED_ROLES: readonly GrantedRole[] = ['expert', 'knowledge-manager', 'administrator'];

export type RoleScope =
	{ kind: 'centre' } | { kind: 'floor'; floor: string } | { kind: 'topic'; topic: string };

/** One role an agent holds, and the record that gave it. */
export interface RoleAssignment {
	agentId: string;
	role: GrantedRole;
	scope: RoleScope;
	grantor: string;
	time: number;
	recordId: string;
	/** Granted by the demo centre's self-service, not by an administrator's chain from the founder. */
	demo: boolean;
}

/** A record left out, and why. */
export interface RoleFinding {
	recordId: string;
	reason: string;
}

export interface EffectiveRoles {
	isAdministrator(agentId: string): boolean;
	/** Expert of the topic or of an ancestor, or knowledge manager of the centre or of a floor
	 *  owning the topic (or an ancestor). */
	mayPublish(agentId: string, topicId: string): boolean;
	/** Archive and delete: as publish (experts of the topic and knowledge managers). */
	mayArchive(agentId: string, topicId: string): boolean;
	/** The roles the agent holds by record (every agent is also an `agent`). */
	rolesOf(agentId: string): RoleAssignment[];
	/** The role names the agent holds, `agent` first. */
	roleNamesOf(agentId: string): RoleName[];
	/** May grant and revoke roles (an administrator; in the demo, a self-granted one too). */
	mayGrant(agentId: string): boolean;
	/** May change the centre's fields: an administrator by the founder's chain of grants. */
	administersCentre(agentId: string): boolean;
	/** Every role held, by agent. */
	all(): RoleAssignment[];
	/** Records left out, with why. */
	readonly ignored: readonly RoleFinding[];
}

/** What the records are judged against: the centre document's info, taxonomy and floors. */
export interface RoleContext {
	centre: string;
	founder?: string;
	/** A demo centre: agents may grant themselves roles. */
	demo?: boolean;
	taxonomy: readonly Pick<TaxonomyNode, 'id' | 'parent'>[];
	/** Each floor's topics (taxonomy node ids it owns, their sub-topics included). */
	floors: readonly { id: string; topics?: readonly string[] }[];
}

/** A record as the replay needs it: verified (signature and chain hold) by the caller. */
export interface VerifiedRoleRecord {
	/** The record's id (random, 16 bytes as hex): its key in the centre document. */
	id: string;
	/** The centre it belongs to: a record cannot be replayed into another centre. */
	centre: string;
	/** The agent granting or revoking. */
	grantor: string;
	grantee: string;
	role: GrantedRole;
	scope: RoleScope;
	action: 'grant' | 'revoke';
	/** When it was signed (ms): records take effect in this order. */
	time: number;
	/** The grantor's count of records so far, plus one (an order among its records of one time). */
	seq: number;
}

export function scopeKey(scope: RoleScope): string {
	return scope.kind === 'centre'
		? 'centre'
		: scope.kind === 'floor'
			? `floor:${scope.floor}`
			: `topic:${scope.topic}`;
}

function assignmentKey(agentId: string, role: GrantedRole, scope: RoleScope): string {
	return `${agentId}|${role}|${scopeKey(scope)}`;
}

/** Whether the record is the founder's genesis: the founder makes itself administrator. */
export function isGenesis(r: VerifiedRoleRecord, founder: string | undefined): boolean {
	return (
		!!founder &&
		r.grantor === founder &&
		r.grantee === founder &&
		r.role === 'administrator' &&
		r.action === 'grant'
	);
}

function order(a: VerifiedRoleRecord, b: VerifiedRoleRecord): number {
	return (
		a.time - b.time ||
		(a.action === b.action ? 0 : a.action === 'grant' ? -1 : 1) ||
		(a.grantor < b.grantor ? -1 : a.grantor > b.grantor ? 1 : 0) ||
		a.seq - b.seq ||
		(a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
	);
}

/** The roles that hold after replaying the verified records; `rejected` (records that failed
 *  verification upstream) are listed as ignored too. */
export function computeEffectiveRoles(
	records: readonly VerifiedRoleRecord[],
	ctx: RoleContext,
	rejected: readonly RoleFinding[] = []
): EffectiveRoles {
	const held = new Map<string, RoleAssignment>();
	const ignored: RoleFinding[] = [...rejected];
	const adminBy = (agentId: string, trustedOnly: boolean) => {
		const a = held.get(assignmentKey(agentId, 'administrator', { kind: 'centre' }));
		return !!a && (!trustedOnly || !a.demo);
	};
	for (const r of [...records].sort(order)) {
		const why = (reason: string) => ignored.push({ recordId: r.id, reason });
		if (r.centre !== ctx.centre) {
			why(`belongs to another centre (${r.centre})`);
			continue;
		}
		const key = assignmentKey(r.grantee, r.role, r.scope);
		const current = held.get(key);
		let demo: boolean;
		if (isGenesis(r, ctx.founder) || adminBy(r.grantor, true)) demo = false;
		else if (ctx.demo && (r.grantor === r.grantee || adminBy(r.grantor, false))) demo = true;
		else {
			why(`its grantor ${r.grantor} is not an administrator`);
			continue;
		}
		if (r.action === 'revoke') {
			if (r.grantee === ctx.founder && r.role === 'administrator') {
				why('the founder stays an administrator (the root of trust)');
				continue;
			}
			if (demo && current && !current.demo) {
				why('a demo role cannot revoke a role an administrator granted');
				continue;
			}
			held.delete(key);
			continue;
		}
		if (current && !current.demo && demo) {
			// Already held by an administrator's grant: the demo record adds nothing.
			continue;
		}
		held.set(key, {
			agentId: r.grantee,
			role: r.role,
			scope: r.scope,
			grantor: r.grantor,
			time: r.time,
			recordId: r.id,
			demo
		});
	}
	return new Roles([...held.values()], ctx, ignored);
}

class Roles implements EffectiveRoles {
	readonly ignored: readonly RoleFinding[];
	readonly #byAgent = new Map<string, RoleAssignment[]>();
	readonly #parents: Map<string, string | undefined>;
	readonly #floorTopics: Map<string, readonly string[]>;

	constructor(assignments: RoleAssignment[], ctx: RoleContext, ignored: RoleFinding[]) {
		this.ignored = ignored;
		for (const a of assignments) {
			const list = this.#byAgent.get(a.agentId) ?? [];
			list.push(a);
			this.#byAgent.set(a.agentId, list);
		}
		this.#parents = new Map(ctx.taxonomy.map((n) => [n.id, n.parent]));
		this.#floorTopics = new Map(ctx.floors.map((f) => [f.id, f.topics ?? []]));
	}

	rolesOf(agentId: string): RoleAssignment[] {
		return [...(this.#byAgent.get(agentId) ?? [])];
	}

	roleNamesOf(agentId: string): RoleName[] {
		const names = new Set<RoleName>(['agent']);
		for (const a of this.rolesOf(agentId)) names.add(a.role);
		return [...names];
	}

	all(): RoleAssignment[] {
		return [...this.#byAgent.values()].flat();
	}

	isAdministrator(agentId: string): boolean {
		return this.rolesOf(agentId).some((a) => a.role === 'administrator');
	}

	mayGrant(agentId: string): boolean {
		return this.isAdministrator(agentId);
	}

	administersCentre(agentId: string): boolean {
		return this.rolesOf(agentId).some((a) => a.role === 'administrator' && !a.demo);
	}

	mayPublish(agentId: string, topicId: string): boolean {
		const roles = this.rolesOf(agentId);
		if (roles.length === 0) return false;
		const line = this.#lineage(topicId);
		return roles.some((a) => {
			if (a.role === 'expert') return a.scope.kind === 'topic' && line.has(a.scope.topic);
			if (a.role !== 'knowledge-manager') return false;
			if (a.scope.kind === 'centre') return true;
			if (a.scope.kind !== 'floor') return false;
			return (this.#floorTopics.get(a.scope.floor) ?? []).some((t) => line.has(t));
		});
	}

	mayArchive(agentId: string, topicId: string): boolean {
		return this.mayPublish(agentId, topicId);
	}

	/** The topic and its ancestors (a cycle from concurrent moves stops the climb). */
	#lineage(topicId: string): Set<string> {
		const out = new Set<string>();
		let at: string | undefined = topicId;
		while (at !== undefined && !out.has(at)) {
			out.add(at);
			at = this.#parents.get(at);
		}
		return out;
	}
}
