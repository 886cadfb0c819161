// Where an article's published revisions live: a `revisions` Y.Map in the article's own document,
// record id → the record's bytes (domain/revision.ts for what a record is, repo/revisions.ts for
// its signature). Records are only ever added: a receiver refuses an update that changes or removes
// one (revisionChanges below finds what an update does to the map, on a copy) and checks every
// record it adds. This file also holds the records' byte encoding.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { ArticleMeta } from '../domain/article';
import { NOTE_IN_CATALOG, type CatalogEntry } from '../domain/catalog';
import {
	currentRevision,
	decodeSnapshot,
	type RevisionFields,
	type RevisionRecord,
	type RevisionSnapshot
} from '../domain/revision';
import { articleSummary, readArticleMeta, updateArticleMeta } from './article';
import { appendOnlyChanges, mapEntries, readRecords } from './append-only';
import { decodeEnvelope, encodeEnvelope, encodeTaggedFields } from './signed-envelope';
import { lifecycleOf } from './lifecycle';
import { bodyFragment, writeBody } from './body';

const TAG = 'plateau/revision/v1';
const MAP = 'revisions';

/** The canonical encoding of a record's signed fields: a tag, then the fields in a fixed order. */
export function encodeFields(f: RevisionFields): Uint8Array {
	return encodeTaggedFields(TAG, (enc) => {
		encoding.writeVarString(enc, f.articleId);
		encoding.writeVarUint(enc, f.number);
		encoding.writeVarUint(enc, f.previous);
		encoding.writeVarString(enc, f.topic);
		encoding.writeVarString(enc, f.digest);
		encoding.writeVarString(enc, f.note);
		encoding.writeVarString(enc, f.publisher);
		encoding.writeVarString(enc, f.publisherName);
		encoding.writeFloat64(enc, f.time);
	});
}

export function encodeRevision(r: RevisionRecord): Uint8Array {
	return encodeEnvelope(encodeFields(r), r.chain, r.signature, [r.snapshot]);
}

/** A record back from its bytes; undefined when they are not one. */
export function decodeRevision(bytes: Uint8Array): RevisionRecord | undefined {
	const e = decodeEnvelope(
		bytes,
		TAG,
		(f): RevisionFields => ({
			articleId: decoding.readVarString(f),
			number: decoding.readVarUint(f),
			previous: decoding.readVarUint(f),
			topic: decoding.readVarString(f),
			digest: decoding.readVarString(f),
			note: decoding.readVarString(f),
			publisher: decoding.readVarString(f),
			publisherName: decoding.readVarString(f),
			time: decoding.readFloat64(f)
		}),
		1
	);
	return e && { ...e.fields, snapshot: e.extras[0]!, chain: e.chain, signature: e.signature };
}

function revisionsMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap(MAP);
}

/** Stores a record (already signed) under its id. */
export function addRevision(doc: Y.Doc, id: string, record: RevisionRecord): void {
	revisionsMap(doc).set(id, encodeRevision(record));
}

export interface StoredRevision extends RevisionRecord {
	id: string;
}

/** The article's published revisions, in no order; a value that is not a record is skipped
 *  (receivers refuse them, so only a device's own storage could hold one). */
export function readRevisions(doc: Y.Doc): StoredRevision[] {
	return readRecords(doc, MAP, decodeRevision);
}

/** Observes the revisions map; returns the unsubscribe. */
export function observeRevisions(doc: Y.Doc, onChange: () => void): () => void {
	const map = revisionsMap(doc);
	const handler = () => onChange();
	map.observe(handler);
	return () => map.unobserve(handler);
}

/** The stored publication records, id → bytes as found (not decoded, not verified). */
export function revisionEntries(doc: Y.Doc): Map<string, unknown> {
	return mapEntries(doc, MAP);
}

/** What an update would do to the revisions map, tried on a copy (`copy` makes it) only when the
 *  update can touch the map (schema/append-only.ts): the records it adds (id → value), and whether
 *  it changes or removes one already there. */
export function revisionChanges(
	doc: Y.Doc,
	update: Uint8Array,
	copy: (doc: Y.Doc) => Y.Doc
): { added: Map<string, unknown>; altered: boolean } {
	return appendOnlyChanges(doc, MAP, update, copy);
}

/** Who changed the draft since its last publication (agent id → name): "Modifications en cours
 *  par X, Y". A hint any member writes, never verified; publishing clears it. */
function draftByMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap('draftBy');
}

export function markDraftEditor(doc: Y.Doc, agentId: string, name: string): void {
	const m = draftByMap(doc);
	if (m.get(agentId) !== name) m.set(agentId, name.slice(0, 80));
}

export function readDraftEditors(doc: Y.Doc): string[] {
	const out: string[] = [];
	draftByMap(doc).forEach((name) => {
		if (typeof name === 'string') out.push(name);
	});
	return out.sort();
}

export function clearDraftEditors(doc: Y.Doc): void {
	const m = draftByMap(doc);
	doc.transact(() => {
		for (const key of [...m.keys()]) m.delete(key);
	});
}

/** Whether a transaction changed the draft's content (details or body), not its bookkeeping. */
export function changesDraft(doc: Y.Doc, tr: Y.Transaction): boolean {
	const roots: unknown[] = [doc.getMap('meta'), doc.getXmlFragment('body')];
	for (const type of tr.changedParentTypes.keys()) if (roots.includes(type)) return true;
	for (const type of tr.changed.keys()) if (roots.includes(type)) return true;
	return false;
}

/** Makes a revision's content the draft again (restore): its details and body, in one change. */
export function restoreSnapshot(doc: Y.Doc, snapshot: RevisionSnapshot, now = Date.now()): void {
	doc.transact(() => {
		const patch: Partial<ArticleMeta> = {
			kind: snapshot.kind,
			title: snapshot.title,
			node: snapshot.node,
			locale: snapshot.locale,
			tags: snapshot.tags,
			tone: snapshot.tone
		};
		updateArticleMeta(doc, patch, now);
		writeBody(bodyFragment(doc), snapshot.body);
	});
}

/** The article's catalog line: its published revision's title, kind, topic and language when it
 *  has one (what lists show by default), with the revision's number, time, publisher and change
 *  note (the change feed's); the draft's before a first
 *  publication (no `revision`: lists mark it a draft). Its status, review request and last
 *  verification come from the signed records (schema/lifecycle.ts). Derived from the converged document, so
 *  every peer writes the same line (repo/catalog-keeper.ts). */
export function articleEntry(docId: string, doc: Y.Doc): CatalogEntry {
	const meta = readArticleMeta(doc);
	const records = readRevisions(doc);
	const life = lifecycleOf(doc, meta, records);
	const entry = { ...articleSummary(docId, meta), status: life.status };
	if (life.review) entry.inReview = true;
	// The last verification, not the due date: the due date depends on the centre's intervals
	// (domain/review-interval.ts), which change without the article changing.
	if (life.verified && life.reviewDue !== undefined) entry.verifiedAt = life.verified.time;
	const current = currentRevision(records);
	const snapshot = current ? decodeSnapshot(current.snapshot) : undefined;
	if (!current || !snapshot) return entry;
	return {
		...entry,
		title: snapshot.title,
		kind: snapshot.kind,
		node: snapshot.node,
		locale: snapshot.locale,
		revision: current.number,
		publishedAt: current.time,
		publishedBy: current.publisherName,
		changeNote: current.note.slice(0, NOTE_IN_CATALOG)
	};
}
