// The taxonomy tree in the left rail, its breadcrumbs, and the article counts it shows.
import { describe, expect, it } from 'vitest';
import {
	countArticles,
	countByKind,
	countByNode,
	translationGroup,
	type CatalogEntry
} from '../../src/lib/domain/catalog';
import {
	buildTaxonomyTree,
	descendantIds,
	taxonomyPath,
	type TaxonomyNode,
	type TaxonomyTreeNode
} from '../../src/lib/domain/taxonomy';

const node = (id: string, order: number, parent?: string, en?: string): TaxonomyNode => ({
	id,
	order,
	label: { fr: `fr:${id}`, en: en ?? `en:${id}` },
	...(parent ? { parent } : {})
});

/** The tree as nested ids, to compare shapes at a glance. */
type Shape = [string, Shape[]];
const shape = (trees: TaxonomyTreeNode[]): Shape[] => trees.map((t) => [t.node.id, shape(t.children)]);

/** Every node of a built tree, depth first. */
function flatten(trees: TaxonomyTreeNode[]): TaxonomyTreeNode[] {
	return trees.flatMap((t) => [t, ...flatten(t.children)]);
}

// A small copy of the demo taxonomy, given out of order on purpose.
const nodes: TaxonomyNode[] = [
	node('compte.acces.blocage', 1, 'compte.acces'),
	node('bourse', 1),
	node('compte.acces', 1, 'compte'),
	node('compte', 0),
	node('compte.ouverture', 0, 'compte'),
	node('compte.acces.mot-de-passe', 0, 'compte.acces'),
	node('bourse.ordres', 0, 'bourse')
];

describe('buildTaxonomyTree', () => {
	it('nests nodes under their parents, sorted by order, with depths', () => {
		const tree = buildTaxonomyTree(nodes);
		expect(shape(tree)).toEqual([
			[
				'compte',
				[
					['compte.ouverture', []],
					[
						'compte.acces',
						[
							['compte.acces.mot-de-passe', []],
							['compte.acces.blocage', []]
						]
					]
				]
			],
			['bourse', [['bourse.ordres', []]]]
		]);
		const depths = Object.fromEntries(flatten(tree).map((t) => [t.node.id, t.depth]));
		expect(depths).toEqual({
			compte: 0,
			'compte.ouverture': 1,
			'compte.acces': 1,
			'compte.acces.mot-de-passe': 2,
			'compte.acces.blocage': 2,
			bourse: 0,
			'bourse.ordres': 1
		});
	});

	it('breaks ties in order by id, so every device shows the same tree', () => {
		const tree = buildTaxonomyTree([node('b', 0), node('c', 0), node('a', 0)]);
		expect(tree.map((t) => t.node.id)).toEqual(['a', 'b', 'c']);
		const reversed = buildTaxonomyTree([node('a', 0), node('c', 0), node('b', 0)]);
		expect(reversed.map((t) => t.node.id)).toEqual(['a', 'b', 'c']);
	});

	it('rolls article counts up to every ancestor', () => {
		const counts = new Map([
			['compte.acces.mot-de-passe', 3],
			['compte.acces.blocage', 2],
			['compte.acces', 1],
			['compte', 4],
			['bourse.ordres', 5]
		]);
		const byId = Object.fromEntries(
			flatten(buildTaxonomyTree(nodes, counts)).map((t) => [t.node.id, t.count])
		);
		expect(byId).toEqual({
			'compte.acces.mot-de-passe': 3,
			'compte.acces.blocage': 2,
			'compte.acces': 3 + 2 + 1,
			'compte.ouverture': 0,
			compte: 3 + 2 + 1 + 4,
			'bourse.ordres': 5,
			bourse: 5
		});
	});

	it('shows a node whose parent is missing as a root, with its subtree', () => {
		const tree = buildTaxonomyTree([
			node('compte', 0),
			node('orphan', 0, 'deleted-parent'),
			node('orphan.child', 0, 'orphan')
		]);
		expect(shape(tree)).toEqual([
			['compte', []],
			['orphan', [['orphan.child', []]]]
		]);
		expect(tree[1]!.depth).toBe(0);
	});

	it('shows a node that names itself as parent as a root', () => {
		const tree = buildTaxonomyTree([node('loop', 0, 'loop'), node('loop.child', 0, 'loop')]);
		expect(shape(tree)).toEqual([['loop', [['loop.child', []]]]]);
	});

	it('shows nodes on a parent cycle once each, with their descendants and counts', () => {
		const tree = buildTaxonomyTree(
			[node('root', 0), node('a', 1, 'b'), node('b', 2, 'a'), node('c', 0, 'a')],
			new Map([
				['c', 3],
				['b', 1]
			])
		);
		const ids = flatten(tree).map((t) => t.node.id);
		expect(ids.sort()).toEqual(['a', 'b', 'c', 'root']);
		const top = tree.find((t) => t.node.id === 'a')!;
		expect(top.count).toBe(4);
	});

	it('gives an empty forest for no nodes', () => {
		expect(buildTaxonomyTree([])).toEqual([]);
	});
});

describe('taxonomyPath', () => {
	const byId = new Map(nodes.map((n) => [n.id, n]));

	it('lists labels from the root down, in the asked language', () => {
		expect(taxonomyPath(byId, 'compte.acces.mot-de-passe', 'fr')).toEqual([
			'fr:compte',
			'fr:compte.acces',
			'fr:compte.acces.mot-de-passe'
		]);
		expect(taxonomyPath(byId, 'bourse.ordres', 'en')).toEqual(['en:bourse', 'en:bourse.ordres']);
	});

	it('falls back to French when a label has no text in the asked language', () => {
		const m = new Map([['x', node('x', 0, undefined, '')]]);
		expect(taxonomyPath(m, 'x', 'en')).toEqual(['fr:x']);
	});

	it('gives nothing for an unknown node and stops at a missing parent', () => {
		expect(taxonomyPath(byId, 'nope', 'fr')).toEqual([]);
		const m = new Map([['orphan', node('orphan', 0, 'deleted')]]);
		expect(taxonomyPath(m, 'orphan', 'fr')).toEqual(['fr:orphan']);
	});

	it('stops on a parent cycle, naming each node once', () => {
		const m = new Map([
			['a', node('a', 0, 'b')],
			['b', node('b', 0, 'a')]
		]);
		expect(taxonomyPath(m, 'a', 'fr')).toEqual(['fr:b', 'fr:a']);
	});
});

describe('descendantIds', () => {
	it('gives the node and every descendant, however deep and in whatever order nodes come', () => {
		expect(descendantIds(nodes, 'compte')).toEqual(
			new Set([
				'compte',
				'compte.ouverture',
				'compte.acces',
				'compte.acces.mot-de-passe',
				'compte.acces.blocage'
			])
		);
		expect(descendantIds(nodes, 'compte.acces')).toEqual(
			new Set(['compte.acces', 'compte.acces.mot-de-passe', 'compte.acces.blocage'])
		);
		expect(descendantIds(nodes, 'bourse.ordres')).toEqual(new Set(['bourse.ordres']));
	});

	it('terminates on a parent cycle and includes each cycle member once', () => {
		const cyclic = [node('a', 0, 'b'), node('b', 0, 'a'), node('c', 0, 'b')];
		expect(descendantIds(cyclic, 'a')).toEqual(new Set(['a', 'b', 'c']));
	});
});

describe('catalog counts', () => {
	const entry = (docId: string, over: Partial<CatalogEntry> = {}): CatalogEntry => ({
		docId,
		kind: 'procedure',
		title: docId,
		node: 'compte.acces',
		locale: 'fr',
		status: 'published',
		updatedAt: 1,
		...over
	});
	const entries: CatalogEntry[] = [
		entry('article/proc-a'),
		entry('article/proc-a-en', { locale: 'en', translationOf: 'proc-a' }),
		entry('article/proc-b'),
		entry('article/rep-c', { kind: 'response', node: 'bourse' }),
		entry('article/rep-c-en', { kind: 'response', node: 'bourse', locale: 'en', translationOf: 'rep-c' }),
		entry('article/faq-d', { kind: 'faq', node: 'bourse', status: 'draft' }),
		entry('article/old', { kind: 'faq', node: 'bourse', status: 'archived' }),
		entry('article/old-en', {
			kind: 'reference',
			node: 'bourse',
			status: 'archived',
			locale: 'en',
			translationOf: 'old'
		})
	];

	it('groups an article with its translations under the original id', () => {
		expect(translationGroup(entry('article/proc-a'))).toBe('proc-a');
		expect(translationGroup(entry('article/proc-a-en', { translationOf: 'proc-a' }))).toBe('proc-a');
	});

	it('counts an article and its translations once per node, leaving archived ones out', () => {
		expect(countByNode(entries)).toEqual(
			new Map([
				['compte.acces', 2],
				['bourse', 2]
			])
		);
	});

	it('counts per kind the same way', () => {
		expect(countByKind(entries)).toEqual(
			new Map([
				['procedure', 2],
				['response', 1],
				['faq', 1]
			])
		);
	});

	it('counts distinct articles in all', () => {
		expect(countArticles(entries)).toBe(4);
		expect(countArticles([])).toBe(0);
		expect(countArticles(entries.filter((e) => e.status === 'archived'))).toBe(0);
	});

	it('still counts a published translation whose original is archived', () => {
		const list = [
			entry('article/x', { status: 'archived' }),
			entry('article/x-en', { locale: 'en', translationOf: 'x' })
		];
		expect(countArticles(list)).toBe(1);
	});
});
