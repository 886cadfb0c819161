// Publication records (domain/revision.ts): their byte encoding, the publisher's signature, and the
// check every receiver runs on its own, whoever sent the record. What is signed: a domain tag and
// the record's fields in a fixed order (article, number, previous, topic, digest, note, publisher,
// publisher's name, time), lib0-encoded — one encoding, so a signature cannot be moved to other
// fields — then the SHA-256 of the signer's key chain. The record's id (its key in the article's
// document) is the SHA-256 of the same fields without the chain: ECDSA signatures are malleable, so
// the id never covers the signature.
//
// A record is refused, with the reason, when: it does not decode; its fields contradict themselves
// (a number that does not go above the revision it replaces); it is for another article; its
// digest is not its snapshot's, or the snapshot is not one, or is filed under another topic; its key
// chain does not prove the publisher (unknown signer); its signature does not verify; the
// publisher may not publish the topic (PublishRights).
import { toHexString as hex } from 'lib0/buffer';
import { sha256 } from '../domain/subtle';
import {
	chainHash,
	idOfHash,
	recordChangesProblem,
	recordId,
	signedBytes,
	signRecordFields
} from './signed-record';
import {
	currentRevision,
	decodeSnapshot,
	encodeSnapshot,
	MAX_CHANGE_NOTE,
	nextRevisionNumber,
	revisionFieldsProblem,
	snapshotOf,
	type PublishRights,
	type RevisionFields,
	type RevisionRecord,
	type RevisionSnapshot
} from '../domain/revision';
import type * as Y from 'yjs';
import {
	addRevision,
	decodeRevision,
	encodeFields,
	readArticleBody,
	readArticleMeta,
	readRevisions,
	revisionChanges,
	revisionEntries,
	type StoredRevision
} from '../schema/index';
import { trialCopy } from './trial';
import { provingKeyOf, verifySignature, type AgentIdentity } from './identity';

/** Hex SHA-256 of a snapshot's bytes. */
export async function snapshotDigest(snapshot: Uint8Array): Promise<string> {
	return hex(await sha256(snapshot));
}

/** The record's id: hex of the first 16 bytes of the SHA-256 of its fields. */
export async function revisionId(f: RevisionFields): Promise<string> {
	return recordId(encodeFields(f));
}

export interface Publication {
	articleId: string;
	snapshot: RevisionSnapshot;
	number: number;
	previous: number;
	note: string;
	publisherName: string;
	time: number;
}

/** Signs a publication with this device's key: the record, ready to store. */
export async function signRevision(identity: AgentIdentity, p: Publication): Promise<RevisionRecord> {
	const snapshot = encodeSnapshot(p.snapshot);
	const fields: RevisionFields = {
		articleId: p.articleId,
		number: p.number,
		previous: p.previous,
		topic: p.snapshot.node,
		digest: await snapshotDigest(snapshot),
		note: p.note,
		publisher: identity.agentId,
		publisherName: p.publisherName,
		time: p.time
	};
	const signature = await signRecordFields(identity, encodeFields(fields));
	return { ...fields, snapshot, chain: identity.publicKey, signature };
}

/** Why a stored or received record must be refused for this article, or undefined when it holds:
 *  every check of the top of this file. `id` is the key it was stored under. */
export async function revisionProblem(
	bytes: unknown,
	articleId: string,
	rights: PublishRights,
	id?: string
): Promise<string | undefined> {
	if (!(bytes instanceof Uint8Array)) return 'it is not a publication record';
	const r = decodeRevision(bytes);
	if (!r) return 'it is not a publication record';
	const contradiction = revisionFieldsProblem(r);
	if (contradiction) return contradiction;
	if (r.articleId !== articleId) return `it is a publication of another article (${r.articleId})`;
	// The digests at once (each is a wait for WebCrypto), then checked in the order above.
	const fields = encodeFields(r);
	const [fieldsHash, digest, chain, key] = await Promise.all([
		sha256(fields),
		snapshotDigest(r.snapshot),
		chainHash(r.chain),
		provingKeyOf(r.publisher, r.chain)
	]);
	if (id !== undefined && id !== idOfHash(fieldsHash)) return 'it is stored under another id';
	if (digest !== r.digest) return 'its digest does not match its content';
	const snapshot = decodeSnapshot(r.snapshot);
	if (!snapshot) return 'its content is not an article';
	if (snapshot.node !== r.topic) return 'its content is filed under another topic than the one signed';
	if (!key) return `its signer is unknown (the key chain does not prove ${r.publisher})`;
	if (!(await verifySignature(key, signedBytes(fields, chain), r.signature)))
		return 'its signature does not verify';
	if (!(await rights(r.publisher, r.topic))) return `${r.publisher} may not publish topic ${r.topic}`;
	return undefined;
}

const NOUNS = { added: 'a publication', altered: 'a published revision' };

/** Why a peer's update to an article must be refused for what it does to the published revisions,
 *  or undefined: it changes or removes one, or adds one that does not hold (revisionProblem). An
 *  update that leaves the revisions alone costs a glance at its structs, and no promise. */
export function revisionUpdateProblem(
	doc: Y.Doc,
	articleId: string,
	update: Uint8Array,
	rights: PublishRights
): Promise<string | undefined> | undefined {
	return recordChangesProblem(revisionChanges(doc, update, trialCopy), NOUNS, (value, id) =>
		revisionProblem(value, articleId, rights, id)
	);
}

/** Why a document built whole from a peer's update (a fresh device's fill) must be refused for its
 *  publication records, or undefined: every record it holds is new here, so each must hold. The
 *  document is already built: no copy, no second apply. */
export function builtRevisionsProblem(
	doc: Y.Doc,
	articleId: string,
	rights: PublishRights
): Promise<string | undefined> | undefined {
	return recordChangesProblem({ added: revisionEntries(doc), altered: false }, NOUNS, (value, id) =>
		revisionProblem(value, articleId, rights, id)
	);
}

/** Publishes the article's draft as its next revision: signs its snapshot with this device's key
 *  and stores the record in the article's document (peers verify it on receipt). Returns it. */
export async function publishDraft(
	doc: Y.Doc,
	articleId: string,
	identity: AgentIdentity,
	p: { note: string; publisherName: string; time?: number }
): Promise<StoredRevision> {
	const records = readRevisions(doc);
	const previous = currentRevision(records)?.number ?? 0;
	const record = await signRevision(identity, {
		articleId,
		snapshot: snapshotOf(readArticleMeta(doc), readArticleBody(doc)),
		number: nextRevisionNumber(records),
		previous,
		note: p.note.trim().slice(0, MAX_CHANGE_NOTE),
		publisherName: p.publisherName,
		time: p.time ?? Date.now()
	});
	const id = await revisionId(record);
	addRevision(doc, id, record);
	return { ...record, id };
}
