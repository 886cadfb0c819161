// The demo centre's roles (centre.yaml `roles:`) as records signed by the demo founder's key: made
// once by `npm run seed` (a fresh key, thrown away after signing, so nobody can later act as the
// demo's administrator) and kept in demo/roles.signed.json, so the seed encodes the same bytes every
// time. Signed again only when centre.yaml's roles no longer match the file.
import { encodeRoleRecord, parseRoleRecord, signRoleRecord } from '../../domain/role-record';
import type { GrantedRole, RoleScope } from '../../domain/roles';
import { GRANTED_ROLES, scopeKey } from '../../domain/roles';
import { requireId, requireOneOf, requireStringList } from '../../domain/validation';
import { generateIdentity } from '../../repo/identity';

export interface DemoRoleGrant {
	agent: string;
	role: GrantedRole;
	scope: RoleScope;
}

export interface SignedDemoRoles {
	founder: string;
	records: string[];
}

/** When the demo's records were signed: fixed, in order (genesis first). */
const SIGNED_AT = Date.parse('2026-09-01T08:00:00Z');

/** centre.yaml's `roles:` entries, one grant per topic. */
export function readDemoRoleGrants(
	input: unknown,
	agents: ReadonlySet<string>,
	floors: ReadonlySet<string>,
	topics: ReadonlySet<string>
): DemoRoleGrant[] {
	const out: DemoRoleGrant[] = [];
	for (const entry of (input ?? []) as Record<string, unknown>[]) {
		const agent = requireId(entry.agent, 'roles.agent');
		if (!agents.has(agent)) throw new Error(`roles: unknown agent ${agent}`);
		const role = requireOneOf(entry.role, GRANTED_ROLES, 'roles.role');
		if (role === 'expert') {
			for (const topic of requireStringList(entry.topics, 'roles.topics')) {
				if (!topics.has(topic)) throw new Error(`roles: unknown topic ${topic}`);
				out.push({ agent, role, scope: { kind: 'topic', topic } });
			}
		} else if (role === 'knowledge-manager' && entry.floor !== undefined) {
			const floor = requireId(entry.floor, 'roles.floor');
			if (!floors.has(floor)) throw new Error(`roles: unknown floor ${floor}`);
			out.push({ agent, role, scope: { kind: 'floor', floor } });
		} else out.push({ agent, role, scope: { kind: 'centre' } });
	}
	return out;
}

function grantKey(g: { agent: string; role: string; scope: RoleScope }): string {
	return `${g.agent}|${g.role}|${scopeKey(g.scope)}`;
}

/** Whether the signed file holds exactly these grants (and the founder's genesis) for the centre. */
export function demoRolesMatch(
	signed: SignedDemoRoles | undefined,
	centre: string,
	grants: DemoRoleGrant[]
): boolean {
	if (!signed) return false;
	try {
		const records = signed.records.map(parseRoleRecord);
		if (records.some((r) => r.grantor !== signed.founder || r.centre !== centre || r.action !== 'grant'))
			return false;
		const have = records
			.filter((r) => r.grantee !== signed.founder)
			.map((r) => grantKey({ ...r, agent: r.grantee }));
		const want = grants.map(grantKey);
		return have.length === want.length && [...have].sort().join('\n') === [...want].sort().join('\n');
	} catch {
		return false;
	}
}

/** Signs the genesis record and every grant with a fresh founder key (then forgotten). */
export async function signDemoRoles(centre: string, grants: DemoRoleGrant[]): Promise<SignedDemoRoles> {
	const founder = await generateIdentity();
	const records: string[] = [];
	const all = [
		{ agent: founder.agentId, role: 'administrator', scope: { kind: 'centre' } } as DemoRoleGrant,
		...grants
	];
	for (const [i, g] of all.entries()) {
		const r = await signRoleRecord(founder, {
			centre,
			grantee: g.agent,
			role: g.role,
			scope: g.scope,
			action: 'grant',
			time: SIGNED_AT + i,
			seq: i + 1
		});
		records.push(encodeRoleRecord(r));
	}
	return { founder: founder.agentId, records };
}
