// Which revision of each article this agent last read: what "updated since your last read" and
// "see what changed" compare with. Kept on the device only (state/reading.svelte.ts), never in a
// document. An article with no mark has nothing to compare with: a brand-new device shows no
// article as updated, rather than every one.
import type { CatalogEntry } from './catalog';
import { currentRevision, type RevisionFields } from './revision';

export interface ReadMark {
	/** The number of the revision read. */
	revision: number;
	/** The first REVISION_ID_KEPT characters of its record id (two partitioned publications may
	 *  share a number; a prefix tells an article's few records apart at a quarter of the bytes). */
	revisionId: string;
	/** When it was last shown in the reading view. */
	at: number;
}

/** Article document id → mark, least recently read first (a Map keeps insertion order). */
export type ReadMarks = ReadonlyMap<string, ReadMark>;

/** Marks kept at most: the least recently read go first. An agent reading 50 articles a day
 *  keeps about two months of reading (docs/decisions.md has the record's size). */
export const MAX_READ_MARKS = 2000;
export const REVISION_ID_KEPT = 16;

/** The marks with this article's revision read now (moved to the most recent end), pruned to `max`.
 *  The same object when nothing changes, so a re-render does not write again. */
export function markRead(
	marks: ReadMarks,
	docId: string,
	revision: number,
	revisionId: string,
	now: number,
	max = MAX_READ_MARKS
): ReadMarks {
	revisionId = revisionId.slice(0, REVISION_ID_KEPT);
	const held = marks.get(docId);
	// Reading an older revision (a late peer's concurrent one) never moves the mark back.
	if (held && (held.revision > revision || (held.revision === revision && held.revisionId === revisionId)))
		return marks;
	const out = new Map(marks);
	out.delete(docId);
	out.set(docId, { revision, revisionId, at: now });
	for (const key of out.keys()) {
		if (out.size <= max) break;
		out.delete(key);
	}
	return out;
}

/** Whether a newer revision was published since the agent last read the article. No mark, or an
 *  article never published: nothing to compare, so not updated. */
export function updatedSinceRead(entry: Pick<CatalogEntry, 'revision'>, mark: ReadMark | undefined): boolean {
	return !!mark && entry.revision !== undefined && entry.revision > mark.revision;
}

/** How marks are stored in the device store: a version and rows, oldest first. */
export function encodeReadMarks(marks: ReadMarks): { v: 1; rows: [string, number, string, number][] } {
	return { v: 1, rows: [...marks].map(([id, m]) => [id, m.revision, m.revisionId, m.at]) };
}

/** Marks back from the device store; rows that are not marks are dropped (another version's, a
 *  damaged record), the rest kept. */
export function decodeReadMarks(value: unknown, max = MAX_READ_MARKS): ReadMarks {
	const out = new Map<string, ReadMark>();
	const rows = (value as { rows?: unknown } | null | undefined)?.rows;
	if (!Array.isArray(rows)) return out;
	for (const row of rows) {
		if (!Array.isArray(row) || row.length !== 4) continue;
		const [id, revision, revisionId, at] = row as unknown[];
		if (typeof id !== 'string' || typeof revisionId !== 'string') continue;
		if (!Number.isSafeInteger(revision) || (revision as number) < 1 || !Number.isFinite(at)) continue;
		out.delete(id);
		out.set(id, {
			revision: revision as number,
			revisionId: revisionId.slice(0, REVISION_ID_KEPT),
			at: at as number
		});
	}
	while (out.size > max) out.delete(out.keys().next().value!);
	return out;
}

/** The revision a visit compares the current one with: the one last read (by its id, else the
 *  current one of its number), when the current revision is newer. Undefined without a mark: no
 *  mark, nothing to compare. */
export function revisionReadBefore<T extends RevisionFields & { id: string }>(
	records: readonly T[],
	mark: ReadMark | undefined
): T | undefined {
	const current = currentRevision(records);
	if (!mark || !current || current.number <= mark.revision) return undefined;
	return (
		(mark.revisionId &&
			records.find((r) => r.number === mark.revision && r.id.startsWith(mark.revisionId))) ||
		currentRevision(records.filter((r) => r.number === mark.revision))
	);
}

/** The revision the current one replaced (what the change feed's item changed), if held. */
export function revisionReplaced<T extends RevisionFields & { id: string }>(
	records: readonly T[]
): T | undefined {
	const current = currentRevision(records);
	if (!current || current.previous < 1) return undefined;
	return currentRevision(records.filter((r) => r.number === current.previous));
}
