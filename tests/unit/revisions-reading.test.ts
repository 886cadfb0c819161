// What lists and search read once articles have published revisions (schema/revisions.ts
// articleEntry, search/readers.ts, state lists): the published title and text, not the draft's;
// an article never published is marked and ranked below published content.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ArticleMeta } from '../../src/lib/domain/article';
import { isUnpublished } from '../../src/lib/domain/catalog';
import { generateIdentity } from '../../src/lib/repo/identity';
import { publishDraft } from '../../src/lib/repo/revisions';
import { articleEntry, initArticle, restoreSnapshot, updateArticleMeta } from '../../src/lib/schema/index';
import { decodeSnapshot } from '../../src/lib/domain/revision';
import { runQuery } from '../../src/lib/search/query';
import { READERS } from '../../src/lib/search/readers';
import { SearchIndex } from '../../src/lib/search/search-index';
import { readArticleMeta, readRevisions, readArticleBody } from '../../src/lib/schema/index';

function article(title: string, text: string): Y.Doc {
	const meta: ArticleMeta = {
		kind: 'faq',
		title,
		node: 'compte',
		locale: 'fr',
		tags: [],
		status: 'draft',
		createdAt: 1,
		updatedAt: 1
	};
	const doc = new Y.Doc();
	initArticle(doc, meta, [{ type: 'paragraph', content: [{ type: 'text', text }] }]);
	return doc;
}

describe('reading published revisions', () => {
	it('lists and search show the published title and text; drafts are marked and ranked below', async () => {
		const identity = await generateIdentity();
		const published = article('Plafond de retrait', 'Le plafond de retrait se change dans l’application.');
		await publishDraft(published, 'p', identity, { note: 'v1', publisherName: 'Eve' });
		updateArticleMeta(published, { status: 'published' });
		// The draft moves on: a new title and words nobody published yet.
		updateArticleMeta(published, { title: 'Plafond (brouillon en cours)' });
		const draft = article('Plafond de retrait inédit', 'Le plafond de retrait, brouillon jamais publié.');

		const entry = articleEntry('article/p', published);
		expect(entry.title).toBe('Plafond de retrait');
		expect(entry.revision).toBe(1);
		expect(isUnpublished(entry)).toBe(false);
		expect(isUnpublished(articleEntry('article/d', draft))).toBe(true);

		const index = new SearchIndex();
		index.put(READERS.article!('article/d', draft)!, '');
		index.put(READERS.article!('article/p', published)!, '');
		const hits = runQuery(index, { query: 'plafond retrait', locale: 'fr' }).hits;
		expect(hits.map((h) => h.docId)).toEqual(['article/p', 'article/d']);
		expect(hits[0]!.title).toBe('Plafond de retrait');
		expect(
			runQuery(index, { query: 'brouillon en cours', locale: 'fr' }).hits.map((h) => h.docId)
		).not.toContain('article/p');
	});

	it('restoring a revision makes its content the draft again', async () => {
		const identity = await generateIdentity();
		const doc = article('Carte bloquée', 'Débloquer la carte depuis l’espace client.');
		const first = await publishDraft(doc, 'c', identity, { note: 'v1', publisherName: 'Eve' });
		updateArticleMeta(doc, { title: 'Carte capturée' });
		await publishDraft(doc, 'c', identity, { note: 'v2', publisherName: 'Eve' });
		restoreSnapshot(doc, decodeSnapshot(first.snapshot)!);
		expect(readArticleMeta(doc).title).toBe('Carte bloquée');
		expect(readArticleBody(doc)).toEqual(decodeSnapshot(first.snapshot)!.body);
		expect(readRevisions(doc)).toHaveLength(2);
	});
});
