// A role record: one grant or revocation of a role, signed by the granting agent's device key, so any
// peer can check it by itself — whatever path it took, and after the centre document's signed log
// was compacted (a snapshot keeps the records, not who wrote each change). What is signed: a domain
// tag and the record's fields in a fixed order, the grantor's key chain (domain/key-chain.ts)
// included, so a signature cannot be moved to another record, chain or centre. Kept in the centre
// document as its JSON text (schema/roles.ts); who may grant what is domain/roles.ts.
import { toHexString } from 'lib0/buffer';
import { fromBase64, toBase64 } from './base64';
import { provingKeyOfBytes, signWith, verifySignature } from './key-chain';
import type { GrantedRole, RoleScope, VerifiedRoleRecord } from './roles';
import { GRANTED_ROLES } from './roles';
import { requireId, requireOneOf, requireTimestamp, ValidationError } from './validation';

const TAG = 'plateau/role-record/v1';
/** A record's JSON text is at most this long (a chain of six endorsements is 1,120 characters). */
export const MAX_ROLE_RECORD_TEXT = 2_048;

export interface RoleRecord extends VerifiedRoleRecord {
	v: 1;
	/** The grantor's key chain (base64) whose last key signed. */
	chain: string;
}

export interface SignedRoleRecord extends RoleRecord {
	/** ECDSA P-256 signature (base64) by the chain's last key over signedData(). */
	signature: string;
}

/** The signer of a record: an agent identity (repo/identity.ts's AgentIdentity fits). */
export interface RoleSigner {
	agentId: string;
	/** The key chain, its last key this device's. */
	publicKey: Uint8Array;
	privateKey: CryptoKey;
}

const encoder = new TextEncoder();

/** The scope a role takes: an expert of a topic, a knowledge manager of a floor or the centre, an
 *  administrator of the centre. */
export function scopeProblem(role: GrantedRole, scope: RoleScope): string | undefined {
	if (role === 'expert' && scope.kind !== 'topic') return 'an expert is granted a topic';
	if (role === 'knowledge-manager' && scope.kind === 'topic')
		return 'a knowledge manager is granted a floor or the centre';
	if (role === 'administrator' && scope.kind !== 'centre') return 'an administrator is granted the centre';
	return undefined;
}

function validateScope(value: unknown): RoleScope {
	const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
	const kind = requireOneOf(v.kind, ['centre', 'floor', 'topic'] as const, 'scope.kind');
	if (kind === 'floor') return { kind, floor: requireId(v.floor, 'scope.floor') };
	if (kind === 'topic') return { kind, topic: requireId(v.topic, 'scope.topic') };
	return { kind };
}

/** The fields in their signed order (the text stored is exactly this with the signature). */
function content(r: RoleRecord): RoleRecord {
	const scope: RoleScope =
		r.scope.kind === 'floor'
			? { kind: 'floor', floor: r.scope.floor }
			: r.scope.kind === 'topic'
				? { kind: 'topic', topic: r.scope.topic }
				: { kind: 'centre' };
	return {
		v: 1,
		id: r.id,
		centre: r.centre,
		grantor: r.grantor,
		chain: r.chain,
		grantee: r.grantee,
		role: r.role,
		scope,
		action: r.action,
		time: r.time,
		seq: r.seq
	};
}

function signedData(r: RoleRecord): Uint8Array {
	return encoder.encode(`${TAG}\n${JSON.stringify(content(r))}`);
}

/** A record's text, as the centre document keeps it. */
export function encodeRoleRecord(r: SignedRoleRecord): string {
	return JSON.stringify({ ...content(r), signature: r.signature });
}

/** A record back from its text; throws ValidationError naming what is wrong. */
export function parseRoleRecord(text: unknown): SignedRoleRecord {
	if (typeof text !== 'string') throw new ValidationError('record', 'must be text');
	if (text.length > MAX_ROLE_RECORD_TEXT) throw new ValidationError('record', 'is too long');
	let v: Record<string, unknown>;
	try {
		v = JSON.parse(text) as Record<string, unknown>;
	} catch {
		throw new ValidationError('record', 'is not JSON');
	}
	if (typeof v !== 'object' || v === null || v.v !== 1)
		throw new ValidationError('record', 'is not a role record');
	const role = requireOneOf(v.role, GRANTED_ROLES, 'role');
	const scope = validateScope(v.scope);
	const problem = scopeProblem(role, scope);
	if (problem) throw new ValidationError('scope', problem);
	if (typeof v.chain !== 'string' || !fromBase64(v.chain))
		throw new ValidationError('chain', 'must be base64');
	if (typeof v.signature !== 'string' || !fromBase64(v.signature))
		throw new ValidationError('signature', 'must be base64');
	if (typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq) || v.seq < 1)
		throw new ValidationError('seq', 'must be a positive whole number');
	return {
		v: 1,
		id: requireId(v.id, 'id'),
		centre: requireId(v.centre, 'centre'),
		grantor: requireId(v.grantor, 'grantor'),
		chain: v.chain,
		grantee: requireId(v.grantee, 'grantee'),
		role,
		scope,
		action: requireOneOf(v.action, ['grant', 'revoke'] as const, 'action'),
		time: requireTimestamp(v.time, 'time'),
		seq: v.seq,
		signature: v.signature
	};
}

/** Why a record's signature does not hold (its chain does not prove the grantor, or the chain's
 *  last key did not sign these fields), or undefined if it does. */
export async function roleSignatureProblem(r: SignedRoleRecord): Promise<string | undefined> {
	const key = await provingKeyOfBytes(r.grantor, fromBase64(r.chain) ?? new Uint8Array());
	if (!key) return `its key chain does not prove ${r.grantor}`;
	const signature = fromBase64(r.signature) ?? new Uint8Array();
	if (!(await verifySignature(key, signedData(r), signature))) return 'its signature does not verify';
	return undefined;
}

/** A new record's random id. */
export function newRoleRecordId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return toHexString(bytes);
}

/** Signs a grant or revocation with the signer's device key (grantor and chain are the signer's). */
export async function signRoleRecord(
	signer: RoleSigner,
	fields: Omit<RoleRecord, 'v' | 'grantor' | 'chain' | 'id'> & { id?: string }
): Promise<SignedRoleRecord> {
	const problem = scopeProblem(fields.role, fields.scope);
	if (problem) throw new ValidationError('scope', problem);
	const record = content({
		...fields,
		v: 1,
		id: fields.id ?? newRoleRecordId(),
		grantor: signer.agentId,
		chain: toBase64(signer.publicKey)
	});
	const signature = await signWith(signer.privateKey, signedData(record));
	return { ...record, signature: toBase64(signature) };
}
