// The demo centre's history (src/lib/seed/demo/history.yaml, signed in history.signed.json): every
// revision the seed ships is a signed publication that the real verification accepts with the demo's
// signed roles — as a fresh device or the hub judges it — and a tampered one is refused; most
// articles have 2–4 revisions that really differ, some have a draft in progress, some were never
// published; review dates fall before and after the generation date; the signed files still hold
// for the source (re-encoding gives the committed seed).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ArticleKind, ArticleMeta } from '../../src/lib/domain/article';
import { agentIdOf } from '../../src/lib/domain/key-chain';
import { readProcedure } from '../../src/lib/domain/procedure';
import {
	byRecency,
	currentRevision,
	decodeSnapshot,
	encodeSnapshot,
	snapshotOf
} from '../../src/lib/domain/revision';
import { diffSnapshots } from '../../src/lib/domain/revision-diff';
import { docId, parseDocId } from '../../src/lib/domain/ids';
import { builtRevisionsProblem, revisionProblem } from '../../src/lib/repo/revisions';
import { rolePublishRights } from '../../src/lib/schema/publish-rights';
import {
	articleEntry,
	decodeRevision,
	encodeRevision,
	readAgents,
	readArticleBody,
	readArticleMeta,
	readCatalog,
	readDraftEditors,
	readRevisions,
	revisionEntries,
	type StoredRevision
} from '../../src/lib/schema/index';
import { agentIdsOf, signedRecords } from '../../src/lib/seed/encode/demo-history';
import { readDemoSource, type DemoSource } from '../../src/lib/seed/encode/demo-source';
import { loadDemoSeed, type SeedFile } from '../../src/lib/seed/seed';

const root = fileURLToPath(new URL('../..', import.meta.url));
const demoDir = join(root, 'src/lib/seed/demo');
const DAY = 86_400_000;
/** When the seed was generated (history.yaml's dates end before it). */
const GENERATED = Date.parse('2026-11-20T12:00:00Z');
/** Review intervals by kind, from the last publication (issue 14: the defaults). */
const REVIEW_DAYS: Record<ArticleKind, number> = { procedure: 90, reference: 180, response: 180, faq: 365 };

function decode(base64: string): Y.Doc {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, new Uint8Array(Buffer.from(base64, 'base64')));
	return doc;
}

interface Seeded {
	id: string;
	doc: Y.Doc;
	meta: ArticleMeta;
	revisions: StoredRevision[];
	editors: string[];
}

let seed: SeedFile;
let centre: Y.Doc;
let articles: Seeded[];
let source: DemoSource;

beforeAll(async () => {
	source = readDemoSource(demoDir, readdirSync, (p) => readFileSync(p, 'utf8'));
	seed = await loadDemoSeed();
	centre = decode(seed.docs[docId('centre', seed.centreId)]!);
	articles = [];
	for (const [id, base64] of Object.entries(seed.docs)) {
		if (parseDocId(id)?.type !== 'article') continue;
		const doc = decode(base64);
		articles.push({
			id: parseDocId(id)!.id,
			doc,
			meta: readArticleMeta(doc),
			revisions: byRecency(readRevisions(doc)),
			editors: readDraftEditors(doc)
		});
	}
}, 60_000);

const published = () => articles.filter((a) => a.revisions.length > 0);
const draftSnapshot = (a: Seeded) => encodeSnapshot(snapshotOf(a.meta, readArticleBody(a.doc)));
const same = (x: Uint8Array, y: Uint8Array) => Buffer.from(x).equals(Buffer.from(y));

describe('demo revisions, verified as every peer verifies them', () => {
	it(
		'accepts every revision of every article with the demo centre’s signed roles',
		{ timeout: 60_000 },
		async () => {
			const rights = rolePublishRights(() => centre);
			let checked = 0;
			for (const a of published()) {
				for (const [key, bytes] of revisionEntries(a.doc)) {
					expect(await revisionProblem(bytes, a.id, rights, key), `${a.id} ${key}`).toBeUndefined();
					checked++;
				}
				// A fresh device's fill judges the whole document the same way.
				expect(await builtRevisionsProblem(a.doc, a.id, rights), a.id).toBeUndefined();
			}
			expect(checked).toBeGreaterThan(100);
		}
	);

	it(
		'judges a revision that arrives before the centre document once the centre arrives (a fill)',
		{ timeout: 60_000 },
		async () => {
			const a = published()[0]!;
			const [key, bytes] = [...revisionEntries(a.doc)][0]!;
			const r = decodeRevision(bytes as Uint8Array)!;
			const fresh = new Y.Doc();
			let settled = false;
			const judging = Promise.resolve(rolePublishRights(() => fresh)(r.publisher, r.topic));
			void judging.then(() => (settled = true));
			// A judgement on a centre that holds its state runs its whole course meanwhile…
			expect(await rolePublishRights(() => centre)(r.publisher, r.topic)).toBe(true);
			// …while the one on the empty centre waits for it.
			expect(settled).toBe(false);
			Y.applyUpdate(fresh, Y.encodeStateAsUpdate(centre));
			expect(await judging).toBe(true);
			expect(
				await revisionProblem(
					bytes,
					a.id,
					rolePublishRights(() => fresh),
					key
				)
			).toBeUndefined();
			// A centre document that never arrives: refused once the wait is over.
			const never = rolePublishRights(() => new Y.Doc(), { waitMs: 20 });
			expect(await revisionProblem(bytes, a.id, never, key)).toMatch(/may not publish/);
		}
	);

	it('refuses a tampered seed revision: content, note or publisher changed after signing', async () => {
		const rights = rolePublishRights(() => centre);
		const a = published().find((x) => x.meta.kind === 'procedure' && x.revisions.length >= 3)!;
		const r = a.revisions[0]!;
		const snapshot = decodeSnapshot(r.snapshot)!;
		const edited = encodeSnapshot({ ...snapshot, title: `${snapshot.title} (modifié)` });
		const forged = [
			// The content changed under its digest.
			encodeRevision({ ...r, snapshot: edited }),
			// The change note changed: the signature no longer holds.
			encodeRevision({ ...r, note: 'Aucun changement' }),
			// Claimed by another demo agent, with the real publisher's key chain.
			encodeRevision({ ...r, publisher: readAgents(centre).find((x) => x.id !== r.publisher)!.id })
		];
		for (const bytes of forged)
			expect(await revisionProblem(bytes, a.id, rights), a.id).toMatch(
				/digest|signature|signer is unknown|another id/
			);
		// A demo agent signing outside their topics is refused too: the record is real, the right is not.
		const other = articles.find((x) => x.revisions.some((y) => y.publisher !== r.publisher))!;
		const outsider = other.revisions.find((y) => y.publisher !== r.publisher)!;
		expect(
			await revisionProblem(encodeRevision(r), a.id, async (agent, topic) =>
				agent === outsider.publisher ? rights(agent, topic) : false
			)
		).toMatch(/may not publish/);
	});

	it(
		'signs with key-derived agent ids: the directory’s ids are the keys’ own, names kept',
		{ timeout: 60_000 },
		async () => {
			const ids = await agentIdsOf(source.signedHistory!);
			const directory = readAgents(centre);
			expect(directory.map((a) => a.id).sort()).toEqual([...ids.values()].sort());
			for (const profile of source.agents) {
				const id = ids.get(profile.id)!;
				expect(directory.find((d) => d.id === id)?.name, profile.id).toBe(profile.name);
				const chain = Buffer.from(source.signedHistory!.agents[profile.id]!, 'base64');
				expect(await agentIdOf(new Uint8Array(chain))).toBe(id);
			}
			for (const a of published())
				for (const r of a.revisions) {
					expect(directory.find((d) => d.id === r.publisher)?.name, `${a.id} ${r.number}`).toBe(
						r.publisherName
					);
					expect(decodeRevision(encodeRevision(r))).toBeDefined();
				}
		}
	);

	it(
		'keeps signatures that still hold for the source, so the seed is the same bytes every time',
		{ timeout: 60_000 },
		async () => {
			const names = new Map(source.agents.map((a) => [a.id, a.name]));
			const held = await signedRecords(source.plans, source.signedHistory, names);
			expect('problem' in held ? held.problem : '', 'run `npm run seed`').toBe('');
			// Changing one revision's note invalidates its signature: the build would sign again.
			const [id, list] = [...source.plans].find(([, l]) => l.length > 1)!;
			const plans = new Map(source.plans).set(
				id,
				list.map((p, i) => (i === 0 ? { ...p, note: `${p.note}.` } : p))
			);
			const stale = await signedRecords(plans, source.signedHistory, names);
			expect('problem' in stale ? stale.problem : '').toMatch(/signature does not verify/);
		}
	);
});

describe('demo history content', () => {
	it('publishes most articles with 2–4 revisions, in both languages', () => {
		const pub = published();
		expect(pub.length).toBeGreaterThanOrEqual(50);
		const rich = pub.filter((a) => a.revisions.length >= 2 && a.revisions.length <= 4);
		expect(rich.length / pub.length).toBeGreaterThan(0.8);
		expect(pub.every((a) => a.revisions.length <= 4)).toBe(true);
		expect(rich.filter((a) => a.meta.locale === 'en').length).toBeGreaterThanOrEqual(8);
		expect(new Set(rich.map((a) => a.meta.kind)).size).toBe(4);
		for (const a of pub) {
			const numbers = a.revisions.map((r) => r.number).reverse();
			expect(numbers, a.id).toEqual(numbers.map((_, i) => i + 1));
			for (const r of a.revisions) expect(r.previous, a.id).toBe(r.number - 1);
			expect(a.meta.status, a.id).toBe('published');
		}
	});

	it('has realistic change notes in the article’s language, and revisions that really differ', () => {
		let stepChanges = 0;
		for (const a of published()) {
			const oldestFirst = [...a.revisions].reverse();
			for (const r of oldestFirst) {
				expect(r.note.length, `${a.id} ${r.number}`).toBeGreaterThan(10);
				const french = /[éèàùçêô]|\b(de|du|des|la|le|les|un|une|au|aux|et)\b|\b[dl]'/i.test(r.note);
				expect(french, `${a.id} ${r.number}: ${r.note}`).toBe(a.meta.locale === 'fr');
			}
			for (let i = 1; i < oldestFirst.length; i++) {
				const before = decodeSnapshot(oldestFirst[i - 1]!.snapshot)!;
				const after = decodeSnapshot(oldestFirst[i]!.snapshot)!;
				const diff = diffSnapshots(before, after);
				expect(diff.changed, `${a.id} ${i} → ${i + 1}`).toBe(true);
				stepChanges += diff.steps.filter((s) => s.change === 'added').length;
			}
			// Every procedure revision is a whole procedure: steps, decisions resolved, an escalation.
			if (a.meta.kind === 'procedure')
				for (const r of a.revisions) {
					const p = readProcedure(decodeSnapshot(r.snapshot)!.body);
					expect(p.steps.length, `${a.id} ${r.number}`).toBeGreaterThanOrEqual(5);
					expect(p.escalation, `${a.id} ${r.number}`).not.toBeNull();
					for (const s of p.steps)
						if (s.decision)
							expect(s.decision.targetNumber, `${a.id} ${r.number} step ${s.number}`).toBeGreaterThan(0);
				}
		}
		expect(stepChanges, 'steps added in some revision').toBeGreaterThanOrEqual(8);
	});

	it('reads the current revision as the draft where no draft is in progress', () => {
		for (const a of published().filter((x) => !x.editors.length)) {
			expect(same(a.revisions[0]!.snapshot, draftSnapshot(a)), a.id).toBe(true);
			expect(currentRevision(a.revisions)!.id).toBe(a.revisions[0]!.id);
		}
	});

	it('has a few drafts in progress, marked with who edits them, and a couple never published', () => {
		const inProgress = published().filter((a) => a.editors.length);
		expect(inProgress.length).toBeGreaterThanOrEqual(4);
		const names = new Set(readAgents(centre).map((a) => a.name));
		for (const a of inProgress) {
			expect(same(a.revisions[0]!.snapshot, draftSnapshot(a)), a.id).toBe(false);
			for (const n of a.editors) expect(names.has(n), `${a.id}: ${n}`).toBe(true);
			expect(a.meta.updatedAt, a.id).toBeGreaterThan(a.revisions[0]!.time);
		}
		expect(new Set(inProgress.map((a) => a.meta.kind)).size).toBeGreaterThanOrEqual(3);
		const never = articles.filter((a) => !a.revisions.length);
		expect(never.length).toBeGreaterThanOrEqual(2);
		for (const a of never) {
			expect(a.meta.status, a.id).toBe('draft');
			expect(a.editors, a.id).toEqual([]);
		}
	});

	it('lists each article in the catalog as the catalog keeper would derive it (published title, revision)', () => {
		const catalog = readCatalog(decode(seed.docs[docId('space', 'kb')]!));
		for (const a of articles) {
			const line = catalog.find((e) => e.docId === docId('article', a.id));
			expect(line, a.id).toEqual(articleEntry(docId('article', a.id), a.doc));
			expect(line?.revision, a.id).toBe(a.revisions[0]?.number);
		}
	});

	it('spreads publications over the past months: reviews overdue and due soon, now and for months', () => {
		for (const a of published())
			for (const r of a.revisions) {
				expect(r.time, `${a.id} ${r.number}`).toBeLessThan(GENERATED);
				expect(r.time, `${a.id} ${r.number}`).toBeGreaterThan(GENERATED - 550 * DAY);
			}
		const due = published().map((a) => a.revisions[0]!.time + REVIEW_DAYS[a.meta.kind] * DAY);
		// At generation, and each month for the next four: some overdue, some due within 30 days.
		for (let month = 0; month <= 4; month++) {
			const at = GENERATED + month * 30 * DAY;
			expect(due.filter((d) => d < at).length, `month ${month}: overdue`).toBeGreaterThan(0);
			expect(
				due.filter((d) => d >= at && d < at + 30 * DAY).length,
				`month ${month}: due within 30 days`
			).toBeGreaterThan(0);
		}
		// Not everything is late at generation: most reviews are still ahead.
		expect(due.filter((d) => d < GENERATED).length / due.length).toBeLessThan(0.4);
		const first = (a: Seeded) => a.revisions.at(-1)!.time;
		for (const a of published()) expect(a.meta.createdAt, a.id).toBe(first(a));
	});
});
