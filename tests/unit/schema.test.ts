// The Y.Doc shapes: bodies in y-prosemirror's encoding, article metadata, space catalogs, and the
// schema version with its migrations.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ArticleMeta } from '../../src/lib/domain/article';
import type { BodyMark, BodyNode } from '../../src/lib/domain/body';
import type { CatalogEntry } from '../../src/lib/domain/catalog';
import { ValidationError } from '../../src/lib/domain/validation';
import {
	articleSummary,
	bodyFragment,
	docType,
	docVersion,
	header,
	initArticle,
	initSpace,
	migrate,
	MIGRATION_ORIGIN,
	MIGRATIONS,
	putCatalogEntries,
	putCatalogEntry,
	readArticleBody,
	readArticleMeta,
	readBody,
	readCatalog,
	removeCatalogEntry,
	SCHEMA_VERSION,
	SchemaError,
	updateArticleMeta,
	writeBody
} from '../../src/lib/schema/index';

const text = (value: string, ...marks: BodyMark[]): BodyNode =>
	marks.length ? { type: 'text', text: value, marks } : { type: 'text', text: value };
const p = (...content: BodyNode[]): BodyNode => ({ type: 'paragraph', content });
const li = (...content: BodyNode[]): BodyNode => ({ type: 'listItem', content });

/** Marks carry no order in the editor's model; compare them sorted by type. */
function normalise(nodes: BodyNode[]): BodyNode[] {
	return nodes.map((n) => {
		const out: BodyNode = { ...n };
		if (n.marks) out.marks = [...n.marks].sort((a, b) => a.type.localeCompare(b.type));
		if (n.content) out.content = normalise(n.content);
		return out;
	});
}

/** Writes `nodes` into a fresh document, then reads them back from a second document that received
 *  only the encoded update, as a peer or a reload would. */
function roundTrip(nodes: BodyNode[]): BodyNode[] {
	const doc = new Y.Doc();
	writeBody(bodyFragment(doc), nodes);
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	const local = readBody(bodyFragment(doc));
	const remote = readBody(bodyFragment(copy));
	expect(remote).toEqual(local);
	return remote;
}

describe('article body', () => {
	it('keeps headings with their level and paragraphs', () => {
		const body = [
			{ type: 'heading', attrs: { level: 2 }, content: [text('Étapes')] },
			p(text('Vérifier l’identité du client.')),
			{ type: 'heading', attrs: { level: 3 }, content: [text('À savoir')] }
		];
		const back = roundTrip(body);
		expect(back).toEqual(body);
		expect(back[0]!.attrs!.level).toBe(2); // a number, not the string "2"
	});

	it('keeps ordered lists with their start, and nested lists', () => {
		const body: BodyNode[] = [
			{
				type: 'orderedList',
				attrs: { start: 3 },
				content: [
					li(p(text('Ouvrir la fiche client'))),
					li(p(text('Vérifier le blocage')), {
						type: 'bulletList',
						content: [li(p(text('trop d’essais'))), li(p(text('suspicion de fraude')))]
					})
				]
			}
		];
		const back = roundTrip(body);
		expect(back).toEqual(body);
		expect(back[0]!.attrs!.start).toBe(3);
	});

	it('keeps marks, combined marks and link targets on runs of text', () => {
		const body: BodyNode[] = [
			p(
				text('Voir '),
				text(
					'la grille',
					{ type: 'bold' },
					{ type: 'italic' },
					{ type: 'link', attrs: { href: 'https://example.org/frais' } }
				),
				text(' ou '),
				text('le code', { type: 'code' }),
				text(' puis '),
				text('important', { type: 'bold' }),
				text('.')
			)
		];
		expect(normalise(roundTrip(body))).toEqual(normalise(body));
	});

	it('keeps callouts with their type, and tables', () => {
		const cell = (type: 'tableHeader' | 'tableCell', value: string): BodyNode => ({
			type,
			content: [p(text(value))]
		});
		const body: BodyNode[] = [
			{ type: 'callout', attrs: { type: 'warning' }, content: [p(text('Ne jamais demander le code 2FA.'))] },
			{
				type: 'table',
				content: [
					{ type: 'tableRow', content: [cell('tableHeader', 'Ordre'), cell('tableHeader', 'Frais')] },
					{ type: 'tableRow', content: [cell('tableCell', 'Au marché'), cell('tableCell', '0,5 %')] }
				]
			},
			{ type: 'horizontalRule' },
			p(text('Ligne 1'), { type: 'hardBreak' }, text('Ligne 2'))
		];
		expect(roundTrip(body)).toEqual(body);
	});

	it('replaces the previous body when written again', () => {
		const doc = new Y.Doc();
		writeBody(bodyFragment(doc), [p(text('ancien')), p(text('texte'))]);
		writeBody(bodyFragment(doc), [p(text('nouveau'))]);
		expect(readBody(bodyFragment(doc))).toEqual([p(text('nouveau'))]);
	});
});

const meta = (over: Partial<ArticleMeta> = {}): ArticleMeta => ({
	kind: 'procedure',
	title: 'Débloquer un compte',
	node: 'compte.acces.blocage',
	locale: 'fr',
	tags: ['blocage'],
	status: 'published',
	owner: 'agent-julien-moreau',
	createdAt: 1000,
	updatedAt: 1000,
	...over
});

describe('article documents', () => {
	it('writes metadata, body and header, and reads them back on another replica', () => {
		const doc = new Y.Doc();
		const body = [p(text('Étape 1'))];
		initArticle(doc, meta(), body);
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		expect(readArticleMeta(copy)).toEqual(meta());
		expect(readArticleBody(copy)).toEqual(body);
		expect(docVersion(copy)).toBe(SCHEMA_VERSION);
		expect(docType(copy)).toBe('article');
	});

	it('refuses invalid metadata without writing anything', () => {
		const doc = new Y.Doc();
		let updates = 0;
		doc.on('update', () => updates++);
		expect(() => initArticle(doc, meta({ node: 'Not an id' }))).toThrow(ValidationError);
		expect(updates).toBe(0);
		expect(docVersion(doc)).toBe(0);
	});

	it('writes an initial article in one transaction', () => {
		const doc = new Y.Doc();
		let updates = 0;
		doc.on('update', () => updates++);
		initArticle(doc, meta(), [p(text('a')), p(text('b'))]);
		expect(updates).toBe(1);
	});

	it('updates metadata: patched fields change, updatedAt moves, others stay', () => {
		const doc = new Y.Doc();
		initArticle(doc, meta());
		const next = updateArticleMeta(doc, { title: '  Compte bloqué  ', tags: ['blocage', 'fraude'] }, 5000);
		expect(next.title).toBe('Compte bloqué');
		const read = readArticleMeta(doc);
		expect(read).toEqual(next);
		expect(read).toEqual({ ...meta(), title: 'Compte bloqué', tags: ['blocage', 'fraude'], updatedAt: 5000 });
	});

	it('removes an optional field patched to undefined', () => {
		const doc = new Y.Doc();
		initArticle(doc, meta());
		updateArticleMeta(doc, { owner: undefined }, 2000);
		expect(readArticleMeta(doc)).not.toHaveProperty('owner');
	});

	it('rejects an invalid patch and leaves the document as it was', () => {
		const doc = new Y.Doc();
		initArticle(doc, meta());
		const before = Y.encodeStateVector(doc);
		expect(() => updateArticleMeta(doc, { status: 'gone' as never }, 2000)).toThrow(ValidationError);
		expect(Y.encodeStateVector(doc)).toEqual(before);
		expect(readArticleMeta(doc)).toEqual(meta());
	});

	it('reports a document with broken metadata as a ValidationError naming the field', () => {
		const doc = new Y.Doc();
		initArticle(doc, meta());
		// What an old or foreign peer might have written.
		doc.getMap('meta').set('locale', 'klingon');
		expect(() => readArticleMeta(doc)).toThrow(
			expect.objectContaining({ name: 'ValidationError', field: 'locale' })
		);
	});
});

describe('space catalog', () => {
	const entry = (id: string, over: Partial<CatalogEntry> = {}): CatalogEntry =>
		articleSummary(`article/${id}`, meta({ title: `Titre ${id}`, ...over }));

	it('lists entries written by articleSummary, with optional fields only when set', () => {
		const doc = new Y.Doc();
		initSpace(doc, { id: 'kb', kind: 'knowledge-base', name: { fr: 'Base', en: 'Base' } });
		putCatalogEntries(doc, [
			entry('a'),
			entry('b-en', { locale: 'en', translationOf: 'b', owner: undefined, floor: 'bourse' })
		]);
		const list = readCatalog(doc).sort((x, y) => x.docId.localeCompare(y.docId));
		expect(list).toEqual([
			{
				docId: 'article/a',
				kind: 'procedure',
				title: 'Titre a',
				node: 'compte.acces.blocage',
				locale: 'fr',
				status: 'published',
				owner: 'agent-julien-moreau',
				updatedAt: 1000
			},
			{
				docId: 'article/b-en',
				kind: 'procedure',
				title: 'Titre b-en',
				node: 'compte.acces.blocage',
				locale: 'en',
				status: 'published',
				translationOf: 'b',
				floor: 'bourse',
				updatedAt: 1000
			}
		]);
		removeCatalogEntry(doc, 'article/a');
		expect(readCatalog(doc).map((e) => e.docId)).toEqual(['article/b-en']);
	});

	it('skips malformed entries, reports each through onInvalid, and returns the rest', () => {
		const doc = new Y.Doc();
		putCatalogEntry(doc, entry('good-1'));
		putCatalogEntry(doc, { ...entry('bad-kind'), kind: 'blog' } as unknown as CatalogEntry);
		putCatalogEntry(doc, { ...entry('bad-time'), updatedAt: '2026-01-01' } as unknown as CatalogEntry);
		putCatalogEntry(doc, { ...entry('bad-locale'), locale: 'de' } as unknown as CatalogEntry);
		putCatalogEntry(doc, entry('good-2'));
		// An entry stored under a key that is not its own document id.
		doc.transact(() => {
			const wrong = entry('elsewhere');
			putCatalogEntry(doc, wrong);
			const map = doc.getMap('catalog');
			map.set('article/mismatch', map.get('article/elsewhere'));
			map.delete('article/elsewhere');
			map.set('article/not-an-object', 'oops');
		});
		const invalid: string[] = [];
		const list = readCatalog(doc, (id) => invalid.push(id));
		expect(list.map((e) => e.docId).sort()).toEqual(['article/good-1', 'article/good-2']);
		expect(invalid.sort()).toEqual([
			'article/bad-kind',
			'article/bad-locale',
			'article/bad-time',
			'article/mismatch',
			'article/not-an-object'
		]);
		// Without a callback the bad entries are still skipped.
		expect(readCatalog(doc)).toHaveLength(2);
	});
});

describe('schema version and migrations', () => {
	/** An article as a Plateau without schema versions wrote it: no header, no tags, no status. */
	function v0Article(clientID = 7): Y.Doc {
		const doc = new Y.Doc();
		doc.clientID = clientID;
		const m = doc.getMap('meta');
		doc.transact(() => {
			m.set('kind', 'faq');
			m.set('title', 'Combien coûte un virement ?');
			m.set('node', 'versements');
			m.set('locale', 'fr');
			m.set('createdAt', 100);
			m.set('updatedAt', 200);
			writeBody(bodyFragment(doc), [p(text('Gratuit.'))]);
		});
		return doc;
	}

	it('brings a v0 article to the current schema with the v1 defaults', () => {
		const doc = v0Article();
		expect(docVersion(doc)).toBe(0);
		expect(() => readArticleMeta(doc)).toThrow(ValidationError);
		expect(migrate(doc, 'article/faq-virement', 'article', MIGRATIONS)).toBe(true);
		const read = readArticleMeta(doc);
		expect(read.tags).toEqual([]);
		expect(read.status).toBe('published');
		expect(read.title).toBe('Combien coûte un virement ?');
		expect(read.createdAt).toBe(100);
		expect(read.updatedAt).toBe(200);
		expect(readArticleBody(doc)).toEqual([p(text('Gratuit.'))]);
		expect(docVersion(doc)).toBe(1);
		expect(header(doc).get('schema')).toBe(1);
		expect(docType(doc)).toBe('article');
	});

	it('keeps values a v0 article already had', () => {
		const doc = v0Article();
		doc.getMap('meta').set('tags', ['frais']);
		doc.getMap('meta').set('status', 'draft');
		migrate(doc, 'article/x', 'article', MIGRATIONS);
		expect(readArticleMeta(doc)).toMatchObject({ tags: ['frais'], status: 'draft' });
	});

	it('migrates in one transaction marked with the migration origin', () => {
		const doc = v0Article();
		const origins: unknown[] = [];
		doc.on('update', (_u: Uint8Array, origin: unknown) => origins.push(origin));
		migrate(doc, 'article/x', 'article', MIGRATIONS);
		expect(origins).toEqual([MIGRATION_ORIGIN]);
	});

	it('does nothing the second time', () => {
		const doc = v0Article();
		expect(migrate(doc, 'article/x', 'article', MIGRATIONS)).toBe(true);
		const sv = Y.encodeStateVector(doc);
		let updates = 0;
		doc.on('update', () => updates++);
		expect(migrate(doc, 'article/x', 'article', MIGRATIONS)).toBe(false);
		expect(updates).toBe(0);
		expect(Y.encodeStateVector(doc)).toEqual(sv);
	});

	it('leaves an empty document (waiting for a peer) alone', () => {
		const doc = new Y.Doc();
		doc.getMap('meta'); // a type defined but holding nothing
		expect(migrate(doc, 'article/x', 'article', MIGRATIONS)).toBe(false);
		expect(docVersion(doc)).toBe(0);
		expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(new Y.Doc()));
	});

	it('refuses a document from a newer Plateau and does not touch it', () => {
		const doc = v0Article();
		header(doc).set('schema', 99);
		const sv = Y.encodeStateVector(doc);
		let error: unknown;
		try {
			migrate(doc, 'article/future', 'article', MIGRATIONS);
		} catch (err) {
			error = err;
		}
		expect(error).toBeInstanceOf(SchemaError);
		expect((error as SchemaError).message).toMatch(/newer/);
		expect((error as SchemaError).docId).toBe('article/future');
		expect(Y.encodeStateVector(doc)).toEqual(sv);
		expect(docVersion(doc)).toBe(99);
	});

	it('converges when two replicas migrate the same v0 document concurrently', () => {
		const original = v0Article(7);
		const v0 = Y.encodeStateAsUpdate(original);
		const a = new Y.Doc();
		a.clientID = 1001;
		const b = new Y.Doc();
		b.clientID = 2002;
		Y.applyUpdate(a, v0);
		Y.applyUpdate(b, v0);
		expect(migrate(a, 'article/x', 'article', MIGRATIONS)).toBe(true);
		expect(migrate(b, 'article/x', 'article', MIGRATIONS)).toBe(true);
		// Exchange what each lacks, both ways.
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));

		expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b));
		expect(a.getMap('meta').toJSON()).toEqual(b.getMap('meta').toJSON());
		expect(header(a).toJSON()).toEqual(header(b).toJSON());
		for (const doc of [a, b]) {
			const read = readArticleMeta(doc);
			expect(read.tags).toEqual([]);
			expect(read.status).toBe('published');
			expect(docVersion(doc)).toBe(SCHEMA_VERSION);
			expect(readArticleBody(doc)).toEqual([p(text('Gratuit.'))]);
			// Merged, the document is current: nobody migrates it again.
			expect(migrate(doc, 'article/x', 'article', MIGRATIONS)).toBe(false);
		}
	});
});
