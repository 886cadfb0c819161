// The centre's synonyms and abbreviations: groups of phrases meaning the same thing to customers and
// agents ("carte avalée", "carte capturée"). This file holds their validation and limits, and the
// first form they took: plain entries of the centre document's `synonyms` map (group id → phrases),
// which only administrators may write (the centre's fields). Groups are now written as signed
// records by anyone with a role (schema/synonym-records.ts, repo/synonym-records.ts); the plain
// entries are still read, below any record of the same id. Whatever a peer wrote is read
// defensively: a malformed group is skipped, limits cap what one group or the list may hold.
import type * as Y from 'yjs';

export interface SynonymGroup {
	id: string;
	phrases: string[];
}

export const SYNONYM_LIMITS = { groups: 500, phrases: 12, chars: 60 } as const;

function synonymsMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap('synonyms');
}

/** The phrases of a group as typed, trimmed, empty and repeated ones out; a clear error if the
 *  group breaks a limit or holds fewer than two phrases (a group of one means nothing). */
export function validateSynonymPhrases(phrases: readonly string[]): string[] {
	const out: string[] = [];
	for (const raw of phrases) {
		const p = raw.replace(/\s+/g, ' ').trim();
		if (!p || out.some((o) => o.toLowerCase() === p.toLowerCase())) continue;
		if (p.length > SYNONYM_LIMITS.chars)
			throw new Error(`A synonym holds at most ${SYNONYM_LIMITS.chars} characters: "${p.slice(0, 20)}…"`);
		out.push(p);
	}
	if (out.length < 2) throw new Error('A synonym group needs at least two different phrases.');
	if (out.length > SYNONYM_LIMITS.phrases)
		throw new Error(`A synonym group holds at most ${SYNONYM_LIMITS.phrases} phrases.`);
	return out;
}

/** The centre's synonym groups, in id order; malformed entries skipped. */
export function readSynonyms(doc: Y.Doc): SynonymGroup[] {
	const out: SynonymGroup[] = [];
	for (const [id, value] of synonymsMap(doc).entries()) {
		if (out.length === SYNONYM_LIMITS.groups) break;
		if (!Array.isArray(value)) continue;
		try {
			out.push({ id, phrases: validateSynonymPhrases(value.filter((p) => typeof p === 'string')) });
		} catch {
			// a peer's malformed group: left out
		}
	}
	return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Adds or replaces a group (validated first: a bad one changes nothing). */
export function putSynonymGroup(doc: Y.Doc, id: string, phrases: readonly string[]): void {
	const clean = validateSynonymPhrases(phrases);
	const map = synonymsMap(doc);
	if (!map.has(id) && map.size >= SYNONYM_LIMITS.groups)
		throw new Error(`A centre holds at most ${SYNONYM_LIMITS.groups} synonym groups.`);
	map.set(id, clean);
}

export function removeSynonymGroup(doc: Y.Doc, id: string): void {
	synonymsMap(doc).delete(id);
}
