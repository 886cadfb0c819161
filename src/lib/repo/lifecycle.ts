// Lifecycle records (domain/lifecycle.ts): the actor's signature, and the check every receiver runs
// on its own, whoever sent the record — the same scheme as publication records (repo/revisions.ts):
// a domain tag and the fields in a fixed order, lib0-encoded, then the SHA-256 of the signer's key
// chain; the id is the SHA-256 of the fields without the chain (signatures are malleable).
//
// A record is refused, with the reason, when: it does not decode; its fields are inconsistent; it
// is for another article; it is stored under another id; its key chain does not prove the actor
// (unknown signer); its signature does not verify; the actor may not take the action on the
// record's topic (verify, archive, delete and their undoing: PublishRights).
import type * as Y from 'yjs';
import {
	AGENT_ACTIONS,
	lifecycleFieldsProblem,
	MAX_LIFECYCLE_NOTE,
	type LifecycleAction,
	type LifecycleFields,
	type LifecycleRecord,
	type StoredLifecycle
} from '../domain/lifecycle';
import { currentRevision, type PublishRights } from '../domain/revision';
import {
	addLifecycleRecord,
	decodeLifecycle,
	encodeLifecycleFields,
	lifecycleChanges,
	lifecycleEntries,
	readArticleMeta,
	readRevisions
} from '../schema/index';
import type { AgentIdentity } from './identity';
import { recordChangesProblem, recordId, recordSignatureProblem, signRecordFields } from './signed-record';
import { trialCopy } from './trial';

/** The record's id: hex of the first 16 bytes of the SHA-256 of its fields. */
export async function lifecycleId(f: LifecycleFields): Promise<string> {
	return recordId(encodeLifecycleFields(f));
}

/** Signs a transition with this device's key: the record, ready to store. */
export async function signLifecycle(
	identity: AgentIdentity,
	f: Omit<LifecycleFields, 'actor'>
): Promise<LifecycleRecord> {
	const fields: LifecycleFields = { ...f, actor: identity.agentId };
	const signature = await signRecordFields(identity, encodeLifecycleFields(fields));
	return { ...fields, chain: identity.publicKey, signature };
}

/** Why a stored or received lifecycle record must be refused for this article, or undefined. */
export async function lifecycleProblem(
	bytes: unknown,
	articleId: string,
	rights: PublishRights,
	id?: string
): Promise<string | undefined> {
	if (!(bytes instanceof Uint8Array)) return 'it is not a lifecycle record';
	const r = decodeLifecycle(bytes);
	if (!r) return 'it is not a lifecycle record';
	const fields = lifecycleFieldsProblem(r);
	if (fields) return fields;
	if (r.articleId !== articleId) return `it is a record of another article (${r.articleId})`;
	if (id !== undefined && id !== (await lifecycleId(r))) return 'it is stored under another id';
	const signature = await recordSignatureProblem(r.actor, encodeLifecycleFields(r), r.chain, r.signature);
	if (signature) return signature;
	if (!AGENT_ACTIONS.includes(r.action) && !(await rights(r.actor, r.topic)))
		return `${r.actor} may not ${r.action} articles of topic ${r.topic}`;
	return undefined;
}

const NOUNS = { added: 'a lifecycle record', altered: 'a lifecycle record' };

/** Why a peer's update to an article must be refused for what it does to the lifecycle records,
 *  or undefined: it changes or removes one, or adds one that does not hold. An update that leaves
 *  them alone costs a glance at its structs, and no promise. */
export function lifecycleUpdateProblem(
	doc: Y.Doc,
	articleId: string,
	update: Uint8Array,
	rights: PublishRights
): Promise<string | undefined> | undefined {
	return recordChangesProblem(lifecycleChanges(doc, update, trialCopy), NOUNS, (value, id) =>
		lifecycleProblem(value, articleId, rights, id)
	);
}

/** The same for a document built whole from a peer's update (every record in it is new here). */
export function builtLifecycleProblem(
	doc: Y.Doc,
	articleId: string,
	rights: PublishRights
): Promise<string | undefined> | undefined {
	return recordChangesProblem({ added: lifecycleEntries(doc), altered: false }, NOUNS, (value, id) =>
		lifecycleProblem(value, articleId, rights, id)
	);
}

/** Records a transition of the article, signed by this device, about its current revision (or
 *  its draft before any publication): the record is stored in the article's document, and peers
 *  verify it on receipt. Returns it. */
export async function recordTransition(
	doc: Y.Doc,
	articleId: string,
	identity: AgentIdentity,
	p: { action: LifecycleAction; actorName: string; note?: string; time?: number }
): Promise<StoredLifecycle & LifecycleRecord> {
	const current = currentRevision(readRevisions(doc));
	const topic = current ? current.topic : readArticleMeta(doc).node;
	const record = await signLifecycle(identity, {
		articleId,
		action: p.action,
		revision: current?.id ?? '',
		topic,
		note: (p.note ?? '').trim().slice(0, MAX_LIFECYCLE_NOTE),
		actorName: p.actorName.slice(0, 200),
		time: p.time ?? Date.now()
	});
	const id = await lifecycleId(record);
	addLifecycleRecord(doc, id, record);
	return { ...record, id };
}
