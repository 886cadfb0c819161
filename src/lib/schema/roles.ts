// Role records in the centre document: the `roles` map, record id → the record's signed JSON text
// (domain/role-record.ts), and the centre's founder and demo flag in its `info` map. Effective roles
// are computed from the records whose signature verifies (domain/roles.ts replays them); a record
// that does not verify or may not take effect is ignored and listed, never trusted. Verification is
// WebCrypto, so asynchronous: results are cached by record text (a record's validity depends on its
// text alone), and the sync layer verifies an update's records before it vets the update
// (share-policy.ts), so the vetting itself stays synchronous.
import * as Y from 'yjs';
import type { SignedRoleRecord, RoleSigner, RoleRecord } from '../domain/role-record';
import {
	encodeRoleRecord,
	parseRoleRecord,
	roleSignatureProblem,
	signRoleRecord
} from '../domain/role-record';
import {
	computeEffectiveRoles,
	isGenesis,
	type EffectiveRoles,
	type RoleFinding,
	type VerifiedRoleRecord
} from '../domain/roles';
import { isCentreAdmin, readFloors, readTaxonomy } from './centre';

export const ROLES_ROOT = 'roles';
const rolesMap = (doc: Y.Doc) => doc.getMap<unknown>(ROLES_ROOT);
const infoMap = (doc: Y.Doc) => doc.getMap<unknown>('info');

/** The agent who created the centre (its genesis record makes it the first administrator). */
export function readCentreFounder(doc: Y.Doc): string | undefined {
	const f = infoMap(doc).get('founder');
	return typeof f === 'string' ? f : undefined;
}

/** Whether the centre is a demo, where agents may grant themselves roles to try every view. */
export function isDemoRolesCentre(doc: Y.Doc): boolean {
	return infoMap(doc).get('demoRoles') === true;
}

/** Marks a centre as a demo (the seed only: the field is the founder's to change). */
export function markDemoRoles(doc: Y.Doc): void {
	infoMap(doc).set('demoRoles', true);
}

/** The records' texts by key, as the document holds them (anything not text shows as ''). */
export function roleRecordTexts(doc: Y.Doc): Map<string, string> {
	const out = new Map<string, string>();
	rolesMap(doc).forEach((value, key) => out.set(key, typeof value === 'string' ? value : ''));
	return out;
}

export function putRoleRecord(doc: Y.Doc, record: SignedRoleRecord): void {
	rolesMap(doc).set(record.id, encodeRoleRecord(record));
}

/** Verification results by record text: undefined = not checked yet, null = holds, else why not. */
export class RoleVerifications {
	readonly #results = new Map<string, string | null>();
	readonly #max: number;
	/** Grows with every result added: effective roles computed before are out of date. */
	generation = 0;

	constructor(max = 20_000) {
		this.#max = max;
	}

	get(text: string): string | null | undefined {
		return this.#results.get(text);
	}

	/** Verifies the texts not checked yet. */
	async verify(texts: Iterable<string>): Promise<void> {
		for (const text of new Set(texts)) {
			if (this.#results.has(text)) continue;
			let problem: string | null;
			try {
				problem = (await roleSignatureProblem(parseRoleRecord(text))) ?? null;
			} catch (err) {
				problem = err instanceof Error ? err.message : String(err);
			}
			this.#results.set(text, problem);
			this.generation += 1;
			if (this.#results.size > this.#max) this.#results.delete(this.#results.keys().next().value!);
		}
	}
}

/** The default cache: a result depends on the text alone, so every reader may share it. */
export const roleVerifications = new RoleVerifications();

/** Per document, its transaction count (a change of any field may change roles: taxonomy, floors,
 *  founder), and the roles last computed for it. */
const versions = new WeakMap<Y.Doc, number>();
const computed = new WeakMap<
	Y.Doc,
	{ version: number; cache: RoleVerifications; generation: number; roles: EffectiveRoles }
>();

function versionOf(doc: Y.Doc): number {
	const v = versions.get(doc);
	if (v !== undefined) return v;
	versions.set(doc, 0);
	// Not an 'update' listener (the app counts those it must release): this one lives as long as
	// the document and goes with it.
	doc.on('afterTransaction', () => versions.set(doc, (versions.get(doc) ?? 0) + 1));
	return 0;
}

/** The effective roles from the records verified so far (a record not verified yet is ignored
 *  until it is: call verify first, or use readEffectiveRoles). Computed once per change of the
 *  document or of the verifications: every peer's vetting of a centre entry asks. */
export function effectiveRolesNow(doc: Y.Doc, cache: RoleVerifications = roleVerifications): EffectiveRoles {
	const version = versionOf(doc);
	const last = computed.get(doc);
	if (last && last.version === version && last.cache === cache && last.generation === cache.generation)
		return last.roles;
	const roles = computeRoles(doc, cache);
	computed.set(doc, { version, cache, generation: cache.generation, roles });
	return roles;
}

function computeRoles(doc: Y.Doc, cache: RoleVerifications): EffectiveRoles {
	const records: VerifiedRoleRecord[] = [];
	const rejected: RoleFinding[] = [];
	for (const [key, text] of roleRecordTexts(doc)) {
		const result = cache.get(text);
		if (result === undefined) {
			rejected.push({ recordId: key, reason: 'not verified yet' });
			continue;
		}
		if (result !== null) {
			rejected.push({ recordId: key, reason: result });
			continue;
		}
		const record = parseRoleRecord(text);
		if (record.id !== key)
			rejected.push({ recordId: key, reason: `is record ${record.id}, kept under another key` });
		else records.push(record);
	}
	return computeEffectiveRoles(
		records,
		{
			centre: typeof infoMap(doc).get('id') === 'string' ? (infoMap(doc).get('id') as string) : '',
			founder: readCentreFounder(doc),
			demo: isDemoRolesCentre(doc),
			taxonomy: readTaxonomy(doc),
			floors: readFloors(doc)
		},
		rejected
	);
}

/** The centre's effective roles, every record verified (cached by text). */
export async function readEffectiveRoles(
	doc: Y.Doc,
	options: { cache?: RoleVerifications } = {}
): Promise<EffectiveRoles> {
	const cache = options.cache ?? roleVerifications;
	await cache.verify(roleRecordTexts(doc).values());
	return effectiveRolesNow(doc, cache);
}

/** The texts an update carries that may be role records (values set in a map), to verify before
 *  the update is vetted. Reading an update never applies it. */
export function roleTextsInUpdate(update: Uint8Array): string[] {
	const out: string[] = [];
	try {
		for (const s of Y.decodeUpdate(update).structs) {
			if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentAny)) continue;
			for (const v of s.content.arr) if (typeof v === 'string' && v.startsWith('{"v":1')) out.push(v);
		}
	} catch {
		/* a malformed update is refused by the sync layer's own checks */
	}
	return out;
}

/** Why the change of the `roles` map from `before` (texts by key) to `after` may not be made by
 *  `writer`, or undefined: every record added or changed must verify, be kept under its id and take
 *  effect, its grantor still an administrator (a revoked one cannot slip in a record dated before its
 *  revocation, where the revocation is known); a writer that does not administer the centre adds
 *  only records it signed itself, in a demo centre; records are removed only by those who administer
 *  the centre (in the demo, one's own). */
export function rolesWriteProblem(
	before: ReadonlyMap<string, string>,
	after: Y.Doc,
	writer: { agentId: string; administersCentre: boolean },
	cache: RoleVerifications = roleVerifications
): string | undefined {
	const texts = roleRecordTexts(after);
	const changed = [...texts].filter(([key, text]) => before.get(key) !== text);
	const removed = [...before.keys()].filter((key) => !texts.has(key));
	if (!changed.length && !removed.length) return undefined;
	const demo = isDemoRolesCentre(after);
	const founder = readCentreFounder(after);
	const roles = effectiveRolesNow(after, cache);
	const ignored = new Map(roles.ignored.map((f) => [f.recordId, f.reason]));
	for (const [key, text] of changed) {
		let record: SignedRoleRecord;
		try {
			record = parseRoleRecord(text);
		} catch (err) {
			return `writes a malformed role record (${key}): ${err instanceof Error ? err.message : String(err)}`;
		}
		const verified = cache.get(text);
		if (verified === undefined) return `writes role record ${key}, not verified`;
		if (verified !== null) return `writes role record ${key}, refused: ${verified}`;
		const reason = ignored.get(key);
		if (reason) return `writes role record ${key}, refused: ${reason}`;
		const own = record.grantor === writer.agentId;
		if (!writer.administersCentre && !(demo && own))
			return `writes role record ${key} by ${record.grantor}, which only an administrator may`;
		const self = demo && record.grantor === record.grantee;
		if (!isGenesis(record, founder) && !self && !roles.mayGrant(record.grantor))
			return `writes role record ${key}, refused: its grantor ${record.grantor} is no longer an administrator`;
	}
	for (const key of removed) {
		if (writer.administersCentre) continue;
		let grantor = '';
		try {
			grantor = parseRoleRecord(before.get(key)).grantor;
		} catch {
			/* a malformed record: only an administrator removes it */
		}
		if (!(demo && grantor === writer.agentId))
			return `removes role record ${key}, which only an administrator may`;
	}
	return undefined;
}

/** Signs a grant or revocation and writes it into the centre document (the signer's own record is
 *  verified into the cache at once, so this device sees its effect). */
export async function writeRoleRecord(
	doc: Y.Doc,
	signer: RoleSigner,
	fields: Omit<RoleRecord, 'v' | 'grantor' | 'chain' | 'id' | 'centre' | 'seq' | 'time'> & { time?: number },
	cache: RoleVerifications = roleVerifications
): Promise<SignedRoleRecord> {
	const centre = infoMap(doc).get('id');
	if (typeof centre !== 'string') throw new Error('The centre document has no id yet.');
	let seq = 1;
	for (const text of roleRecordTexts(doc).values()) {
		try {
			const r = parseRoleRecord(text);
			if (r.grantor === signer.agentId) seq = Math.max(seq, r.seq + 1);
		} catch {
			/* not a record */
		}
	}
	const record = await signRoleRecord(signer, { ...fields, centre, seq, time: fields.time ?? Date.now() });
	await cache.verify([encodeRoleRecord(record)]);
	putRoleRecord(doc, record);
	return record;
}

/** The founder's genesis record: the centre's creator (initCentre's first administrator, recorded
 *  as its founder) makes itself administrator. Call once, right after initCentre, on the creator's
 *  device. */
export async function grantGenesisAdministrator(
	doc: Y.Doc,
	founder: RoleSigner,
	cache: RoleVerifications = roleVerifications
): Promise<SignedRoleRecord> {
	if (readCentreFounder(doc) !== founder.agentId)
		throw new Error('Only the centre’s founder signs its genesis record.');
	return writeRoleRecord(
		doc,
		founder,
		{ grantee: founder.agentId, role: 'administrator', scope: { kind: 'centre' }, action: 'grant' },
		cache
	);
}

/** The demo centre's roles, as the seed writes them: its founder (a key made once and thrown away,
 *  so nobody can change the demo's fields), the demo flag, and the founder's signed records. */
export function putDemoRoles(doc: Y.Doc, founder: string, records: readonly string[]): void {
	doc.transact(() => {
		infoMap(doc).set('founder', founder);
		markDemoRoles(doc);
		for (const text of records) rolesMap(doc).set(parseRoleRecord(text).id, text);
	});
}

/** Whether an agent (proving `key`) may change the centre's fields: an administrator by signed role
 *  record, or one listed when the centre was created (before role records). */
export function mayAdministerCentre(
	doc: Y.Doc,
	roles: EffectiveRoles | undefined,
	agentId: string,
	key: string | undefined
): boolean {
	return isCentreAdmin(doc, agentId, key) || !!roles?.administersCentre(agentId);
}
