import type { Locale, Localized } from './locale';
import { localized } from './locale';

export interface TaxonomyNode {
	id: string;
	/** Parent node id; absent for a root. */
	parent?: string;
	label: Localized;
	/** Position among siblings. */
	order: number;
}

export interface TaxonomyTreeNode {
	node: TaxonomyNode;
	children: TaxonomyTreeNode[];
	/** Articles attached to this node or any descendant. */
	count: number;
	depth: number;
}

/**
 * Builds the tree from a flat node list. A node whose parent is missing (deleted on another device,
 * not synced yet) is shown as a root rather than hidden, so no article becomes unreachable.
 */
export function buildTaxonomyTree(
	nodes: readonly TaxonomyNode[],
	directCounts: ReadonlyMap<string, number> = new Map()
): TaxonomyTreeNode[] {
	const byId = new Map(nodes.map((n) => [n.id, n]));
	const children = new Map<string | undefined, TaxonomyNode[]>();
	for (const n of nodes) {
		const parent = n.parent && byId.has(n.parent) && n.parent !== n.id ? n.parent : undefined;
		const list = children.get(parent) ?? [];
		list.push(n);
		children.set(parent, list);
	}
	const visiting = new Set<string>();
	const build = (node: TaxonomyNode, depth: number): TaxonomyTreeNode => {
		visiting.add(node.id);
		const kids = (children.get(node.id) ?? [])
			.filter((k) => !visiting.has(k.id)) // a cycle from concurrent moves must not recurse forever
			.sort(compareNodes)
			.map((k) => build(k, depth + 1));
		visiting.delete(node.id);
		const count = (directCounts.get(node.id) ?? 0) + kids.reduce((sum, k) => sum + k.count, 0);
		return { node, children: kids, count, depth };
	};
	const roots = (children.get(undefined) ?? []).sort(compareNodes).map((n) => build(n, 0));
	// Nodes on a parent cycle (a → b → a, from concurrent moves) hang from no root: show each
	// cycle from its first node so no node, and no article, becomes unreachable.
	const placed = new Set<string>();
	const mark = (t: TaxonomyTreeNode): void => {
		placed.add(t.node.id);
		t.children.forEach(mark);
	};
	roots.forEach(mark);
	for (const n of [...nodes].sort(compareNodes)) {
		if (placed.has(n.id)) continue;
		// Climb to the cycle itself, so the cycle (not a descendant of it) becomes the root.
		const seen = new Set<string>();
		let start = n;
		while (!seen.has(start.id) && start.parent && byId.has(start.parent)) {
			seen.add(start.id);
			start = byId.get(start.parent)!;
		}
		const tree = build(start, 0);
		mark(tree);
		roots.push(tree);
	}
	return roots;
}

function compareNodes(a: TaxonomyNode, b: TaxonomyNode): number {
	return a.order - b.order || a.id.localeCompare(b.id);
}

/** The labels from the root down to the node: "Compte > Accès et connexion > Mot de passe oublié". */
export function taxonomyPath(nodes: ReadonlyMap<string, TaxonomyNode>, id: string, locale: Locale): string[] {
	const path: string[] = [];
	const seen = new Set<string>();
	let current = nodes.get(id);
	while (current && !seen.has(current.id)) {
		seen.add(current.id);
		path.unshift(localized(current.label, locale));
		current = current.parent ? nodes.get(current.parent) : undefined;
	}
	return path;
}

/** The node and all its descendants' ids. */
export function descendantIds(nodes: readonly TaxonomyNode[], id: string): Set<string> {
	const out = new Set([id]);
	let grew = true;
	while (grew) {
		grew = false;
		for (const n of nodes) {
			if (n.parent && out.has(n.parent) && !out.has(n.id)) {
				out.add(n.id);
				grew = true;
			}
		}
	}
	return out;
}
