// Where an article's lifecycle records live (domain/lifecycle.ts): a `lifecycle` Y.Map in the
// article's own document, beside `revisions`, record id → the record's bytes. Like revisions, they
// are only ever added (receivers refuse an update that changes or removes one). This file also
// holds their byte encoding, the article's lifecycle as derived from its document, and the rule
// that freezes the old plain `meta.status` field (peers refuse an update that changes it).
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import {
	deriveLifecycle,
	LIFECYCLE_ACTIONS,
	type Lifecycle,
	type LifecycleAction,
	type LifecycleFields,
	type LifecycleRecord,
	type LifecycleRevision,
	type StoredLifecycle
} from '../domain/lifecycle';
import { byRecency, decodeSnapshot, type RevisionRecord } from '../domain/revision';
import type { ArticleMeta } from '../domain/article';
import { appendOnlyChanges, mapEntries, readRecords } from './append-only';
import { decodeEnvelope, encodeEnvelope, encodeTaggedFields } from './signed-envelope';

const TAG = 'plateau/lifecycle/v1';
const MAP = 'lifecycle';

/** The canonical encoding of a record's signed fields: a tag, then the fields in a fixed order. */
export function encodeLifecycleFields(f: LifecycleFields): Uint8Array {
	return encodeTaggedFields(TAG, (enc) => {
		encoding.writeVarString(enc, f.articleId);
		encoding.writeVarString(enc, f.action);
		encoding.writeVarString(enc, f.revision);
		encoding.writeVarString(enc, f.topic);
		encoding.writeVarString(enc, f.note);
		encoding.writeVarString(enc, f.actor);
		encoding.writeVarString(enc, f.actorName);
		encoding.writeFloat64(enc, f.time);
	});
}

export function encodeLifecycle(r: LifecycleRecord): Uint8Array {
	return encodeEnvelope(encodeLifecycleFields(r), r.chain, r.signature);
}

/** A record back from its bytes; undefined when they are not one. */
export function decodeLifecycle(bytes: Uint8Array): LifecycleRecord | undefined {
	const e = decodeEnvelope(bytes, TAG, (f): LifecycleFields | undefined => {
		const articleId = decoding.readVarString(f);
		const action = decoding.readVarString(f);
		if (!(LIFECYCLE_ACTIONS as readonly string[]).includes(action)) return undefined;
		return {
			articleId,
			action: action as LifecycleAction,
			revision: decoding.readVarString(f),
			topic: decoding.readVarString(f),
			note: decoding.readVarString(f),
			actor: decoding.readVarString(f),
			actorName: decoding.readVarString(f),
			time: decoding.readFloat64(f)
		};
	});
	return e && { ...e.fields, chain: e.chain, signature: e.signature };
}

/** Stores a record (already signed) under its id. */
export function addLifecycleRecord(doc: Y.Doc, id: string, record: LifecycleRecord): void {
	doc.getMap(MAP).set(id, encodeLifecycle(record));
}

/** The article's lifecycle records, in no order; a value that is not one is skipped (receivers
 *  refuse them, so only a device's own storage could hold one). */
export function readLifecycleRecords(doc: Y.Doc): (StoredLifecycle & LifecycleRecord)[] {
	return readRecords(doc, MAP, decodeLifecycle);
}

/** The stored lifecycle records, id → bytes as found (not decoded, not verified). */
export function lifecycleEntries(doc: Y.Doc): Map<string, unknown> {
	return mapEntries(doc, MAP);
}

/** What an update would do to the lifecycle map (schema/append-only.ts). */
export function lifecycleChanges(
	doc: Y.Doc,
	update: Uint8Array,
	copy: (doc: Y.Doc) => Y.Doc
): { added: Map<string, unknown>; altered: boolean } {
	return appendOnlyChanges(doc, MAP, update, copy);
}

/** The article's lifecycle, derived from its revisions (already read) and lifecycle records. */
export function lifecycleOf(
	doc: Y.Doc,
	meta: ArticleMeta,
	revisions: readonly (RevisionRecord & { id: string })[]
): Lifecycle {
	const ordered: LifecycleRevision[] = [];
	for (const r of byRecency(revisions)) {
		const snapshot = decodeSnapshot(r.snapshot);
		if (snapshot) ordered.push({ ...r, kind: snapshot.kind });
	}
	return deriveLifecycle({
		revisions: ordered,
		records: readLifecycleRecords(doc),
		draftTopic: meta.node,
		legacyStatus: meta.status,
		legacyBefore: meta.statusBefore
	});
}

/** The old plain status fields: set once when the article is made, frozen since. */
const FROZEN = ['status', 'statusBefore'];

/** Why a peer's update must be refused for changing the article's old `meta.status` (or
 *  `statusBefore`) once set — the status comes from signed records now — or undefined. Setting
 *  them on a new article is accepted. A look at the update's structs; a copy only when the
 *  document holds pending structs the update may complete. */
export function frozenStatusProblem(
	doc: Y.Doc,
	update: Uint8Array,
	copy: (doc: Y.Doc) => Y.Doc
): string | undefined {
	const meta = doc.getMap('meta');
	if (doc.store.pendingStructs || doc.store.pendingDs) {
		const ids = (d: Y.Doc) => FROZEN.map((k) => idOf(d.getMap('meta')._map.get(k))).join('|');
		const before = ids(doc);
		const trial = copy(doc);
		Y.applyUpdate(trial, update);
		const after = ids(trial);
		trial.destroy();
		return before.split('|').some((b, i) => b !== '' && b !== after.split('|')[i])
			? 'changes the article status outside a signed lifecycle record'
			: undefined;
	}
	const chains: Y.Item[] = [];
	const present = new Set<string>();
	for (const key of FROZEN) {
		const item = meta._map.get(key);
		if (item) present.add(key);
		for (let i: Y.Item | null | undefined = item; i; i = i.left) chains.push(i);
	}
	if (!present.size) return undefined;
	const inChain = (id: Y.ID | null | undefined) =>
		!!id &&
		chains.some(
			(it) => it.id.client === id.client && id.clock >= it.id.clock && id.clock < it.id.clock + it.length
		);
	const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
	const { structs, ds } = Y.decodeUpdate(update);
	for (const s of structs) {
		if (!(s instanceof Y.Item)) continue;
		if (s.id.clock + s.length <= (sv.get(s.id.client) ?? 0)) continue; // already held
		const sets =
			(s.parent as unknown) === 'meta' && typeof s.parentSub === 'string' && present.has(s.parentSub);
		if (sets || inChain(s.origin) || inChain(s.rightOrigin))
			return 'changes the article status outside a signed lifecycle record';
	}
	if (chains.some((it) => !it.deleted && Y.isDeleted(ds, it.id)))
		return 'removes the article status outside a signed lifecycle record';
	return undefined;
}

function idOf(item: Y.Item | undefined): string {
	return item ? `${item.id.client}:${item.id.clock}` : '';
}
