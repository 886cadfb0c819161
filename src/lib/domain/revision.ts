// A published revision of an article: an immutable record that says what agents read. It carries
// its content (a snapshot of the article's details and body, as canonical JSON), its number, the
// number of the revision it replaces, a change note, who published it and when, the topic it was
// published under, and the SHA-256 digest of the snapshot. The publisher's device signs a
// canonical encoding of everything but the snapshot itself (the digest stands for it), with the
// key chain that proves the publisher's agent id, so any peer can check a record on its own,
// whatever path it took (repo/revisions.ts signs and verifies; schema/revisions.ts stores).
//
// Which revision is current: the highest number, then the highest publisher id — two experts who
// publish the same article while partitioned both keep their revision, and every peer shows the
// same one as current.
import type { ArticleKind, ArticleMeta, Tone } from './article';
import type { BodyNode } from './body';
import type { Locale } from './locale';

/** The article as published: the details an agent reads, and the body. */
export interface RevisionSnapshot {
	kind: ArticleKind;
	title: string;
	node: string;
	locale: Locale;
	tags: string[];
	tone?: Tone;
	body: BodyNode[];
}

/** The signed part of a record (the snapshot is signed through its digest). */
export interface RevisionFields {
	articleId: string;
	number: number;
	/** The number of the revision this one replaces (0 for the first). */
	previous: number;
	/** The taxonomy node it is published under: whose experts may publish it. */
	topic: string;
	/** Hex SHA-256 of the snapshot's bytes. */
	digest: string;
	note: string;
	publisher: string;
	publisherName: string;
	time: number;
}

export interface RevisionRecord extends RevisionFields {
	/** The snapshot as canonical JSON bytes (what the digest is over). */
	snapshot: Uint8Array;
	/** The publisher's key chain (repo/identity.ts). */
	chain: Uint8Array;
	signature: Uint8Array;
}

/** Who may publish an article of a topic (its experts, knowledge managers): injected wherever
 *  publications are checked. */
export type PublishRights = (agentId: string, topicId: string) => boolean | Promise<boolean>;

export const MAX_CHANGE_NOTE = 500;

/** The snapshot of an article's details and body. */
export function snapshotOf(meta: ArticleMeta, body: BodyNode[]): RevisionSnapshot {
	const s: RevisionSnapshot = {
		kind: meta.kind,
		title: meta.title,
		node: meta.node,
		locale: meta.locale,
		tags: [...meta.tags],
		body
	};
	if (meta.tone) s.tone = meta.tone;
	return s;
}

/** JSON with object keys sorted at every depth and no undefined values: equal content, equal bytes.
 *  One pass into a list of pieces (a 10,000-word body is about 120 KB of it). */
export function canonicalJson(value: unknown): string {
	const out: string[] = [];
	writeCanonical(value, out);
	return out.join('');
}

function writeCanonical(v: unknown, out: string[]): void {
	if (v === null || typeof v !== 'object') {
		out.push(JSON.stringify(v) ?? 'null');
		return;
	}
	if (Array.isArray(v)) {
		out.push('[');
		for (let i = 0; i < v.length; i++) {
			if (i) out.push(',');
			writeCanonical(v[i] === undefined ? null : v[i], out);
		}
		out.push(']');
		return;
	}
	const o = v as Record<string, unknown>;
	const keys = Object.keys(o).sort();
	out.push('{');
	let first = true;
	for (const k of keys) {
		const x = o[k];
		if (x === undefined) continue;
		out.push(first ? '' : ',', JSON.stringify(k), ':');
		first = false;
		writeCanonical(x, out);
	}
	out.push('}');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeSnapshot(snapshot: RevisionSnapshot): Uint8Array {
	return encoder.encode(canonicalJson(snapshot));
}

/** A snapshot back from its bytes; undefined when they are not one. */
export function decodeSnapshot(bytes: Uint8Array): RevisionSnapshot | undefined {
	try {
		const v = JSON.parse(decoder.decode(bytes)) as Partial<RevisionSnapshot>;
		if (
			typeof v !== 'object' ||
			v === null ||
			typeof v.title !== 'string' ||
			typeof v.node !== 'string' ||
			typeof v.kind !== 'string' ||
			typeof v.locale !== 'string' ||
			!Array.isArray(v.tags) ||
			!Array.isArray(v.body)
		)
			return undefined;
		return v as RevisionSnapshot;
	} catch {
		return undefined;
	}
}

/** Whether `a` is shown before `b` as current: higher number, then higher publisher id. */
export function isLater(a: RevisionFields, b: RevisionFields): boolean {
	if (a.number !== b.number) return a.number > b.number;
	if (a.publisher !== b.publisher) return a.publisher > b.publisher;
	return a.time > b.time;
}

/** Revisions newest first (the History panel's order); the first is the current one. */
export function byRecency<T extends RevisionFields>(records: readonly T[]): T[] {
	return [...records].sort((a, b) => (isLater(a, b) ? -1 : isLater(b, a) ? 1 : 0));
}

/** The current revision, or undefined for an article never published. */
export function currentRevision<T extends RevisionFields>(records: readonly T[]): T | undefined {
	let best: T | undefined;
	for (const r of records) if (!best || isLater(r, best)) best = r;
	return best;
}

/** The number a new publication takes: one above the current revision. */
export function nextRevisionNumber(records: readonly RevisionFields[]): number {
	return (currentRevision(records)?.number ?? 0) + 1;
}

/** Why a record's own fields are inconsistent (before any signature is checked), or undefined. */
export function revisionFieldsProblem(f: RevisionFields): string | undefined {
	if (!Number.isSafeInteger(f.number) || f.number < 1) return 'its revision number is not a positive integer';
	if (!Number.isSafeInteger(f.previous) || f.previous < 0) return 'it names no valid previous revision';
	if (f.number <= f.previous) return `its revision number goes backwards (${f.number} after ${f.previous})`;
	if (f.note.length > MAX_CHANGE_NOTE) return 'its change note is too long';
	if (!Number.isFinite(f.time) || f.time <= 0) return 'its time is not valid';
	if (!/^[0-9a-f]{64}$/.test(f.digest)) return 'its digest is malformed';
	if (!f.articleId || !f.topic || !f.publisher) return 'it lacks an article, a topic or a publisher';
	return undefined;
}
