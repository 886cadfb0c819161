// Maps of signed records inside a document (an article's `revisions` and `lifecycle`, the centre's
// `reviewIntervals`), id → the record's bytes: records are only ever added. What a peer's update does to such a map is found on a copy, after a cheap look
// at the update's structs tells whether it can touch the map at all (typing in the draft never pays
// for a copy).
import * as Y from 'yjs';

/** The map's entries, key → value as found (not decoded, not verified). */
export function mapEntries(doc: Y.Doc, name: string): Map<string, unknown> {
	const out = new Map<string, unknown>();
	doc.getMap(name).forEach((value, key) => out.set(key, value));
	return out;
}

/** The map's records, decoded, with their id, in no order; a value that is not one is skipped
 *  (receivers refuse them, so only a device's own storage could hold one). */
export function readRecords<R>(
	doc: Y.Doc,
	name: string,
	decode: (bytes: Uint8Array) => R | undefined
): (R & { id: string })[] {
	const out: (R & { id: string })[] = [];
	doc.getMap(name).forEach((value, id) => {
		const r = value instanceof Uint8Array ? decode(value) : undefined;
		if (r) out.push({ ...r, id });
	});
	return out;
}

/** What changed from the map's entries `before` to `after`: the entries added (key → value), and
 *  whether one already there was changed or removed. */
export function entryChanges(
	before: ReadonlyMap<string, unknown>,
	after: ReadonlyMap<string, unknown>
): { added: Map<string, unknown>; altered: boolean } {
	let altered = false;
	for (const [key, value] of before) {
		const now = after.get(key);
		if (!(now instanceof Uint8Array) || !(value instanceof Uint8Array) || !sameBytes(now, value))
			altered = true;
	}
	const added = new Map<string, unknown>();
	for (const [key, value] of after) if (!before.has(key)) added.set(key, value);
	return { added, altered };
}

/** Whether an update may touch the map at all: it adds under the map, refers to one of the map's
 *  items (an overwrite names the old value as its origin), deletes one, or the document holds
 *  pending structs the update may complete. */
function mayTouch(doc: Y.Doc, name: string, update: Uint8Array): boolean {
	if (doc.store.pendingStructs || doc.store.pendingDs) return true;
	const map = doc.getMap(name);
	const items: Y.Item[] = [];
	for (const item of map._map.values()) for (let i: Y.Item | null = item; i; i = i.left) items.push(i);
	const inMap = (id: Y.ID | null | undefined) =>
		!!id &&
		items.some(
			(it) => it.id.client === id.client && id.clock >= it.id.clock && id.clock < it.id.clock + it.length
		);
	const { structs, ds } = Y.decodeUpdate(update);
	for (const s of structs) {
		if (!(s instanceof Y.Item)) continue;
		const parent = s.parent as unknown;
		if (parent === name || (parent instanceof Y.ID && inMap(parent))) return true;
		if (inMap(s.origin) || inMap(s.rightOrigin)) return true;
	}
	return items.some((it) => !it.deleted && Y.isDeleted(ds, it.id));
}

/** What an update would do to the map, tried on a copy (`copy` makes it) only when the update can
 *  touch the map: the entries it adds (key → value), and whether it changes or removes one. */
export function appendOnlyChanges(
	doc: Y.Doc,
	name: string,
	update: Uint8Array,
	copy: (doc: Y.Doc) => Y.Doc
): { added: Map<string, unknown>; altered: boolean } {
	if (!mayTouch(doc, name, update)) return { added: new Map(), altered: false };
	const before = mapEntries(doc, name);
	const trial = copy(doc);
	Y.applyUpdate(trial, update);
	const after = mapEntries(trial, name);
	trial.destroy();
	return entryChanges(before, after);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}
