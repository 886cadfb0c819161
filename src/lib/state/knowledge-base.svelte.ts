import type * as Y from 'yjs';
import { isRetired, type ArticleKind } from '../domain/article';
import type { CatalogEntry } from '../domain/catalog';
import { countArticles, countByKind, countByNode, isUnpublished, translationGroup } from '../domain/catalog';
import type { AgentProfile, CentreInfo, Floor } from '../domain/centre';
import { fold } from '../domain/format';
import type { Locale } from '../domain/locale';
import type { TaxonomyNode, TaxonomyTreeNode } from '../domain/taxonomy';
import { buildTaxonomyTree, descendantIds, taxonomyPath } from '../domain/taxonomy';
import {
	observeCatalog,
	observeCentre,
	readAgents,
	readCatalog,
	readCentreInfo,
	readFloors,
	readTaxonomy
} from '../schema/index';

export interface KbFilter {
	node?: string;
	kind?: ArticleKind;
	query?: string;
}

/** The centre's knowledge base as the UI lists it: catalog, taxonomy tree with counts, directory.
 *  Reads only the space and centre documents; article documents open on demand. */
export class KnowledgeBase {
	entries = $state.raw<CatalogEntry[]>([]);
	taxonomy = $state.raw<TaxonomyNode[]>([]);
	floors = $state.raw<Floor[]>([]);
	agents = $state.raw<AgentProfile[]>([]);
	centre = $state.raw<CentreInfo | undefined>(undefined);
	invalidEntries = $state(0);

	readonly nodes = $derived(new Map(this.taxonomy.map((n) => [n.id, n])));
	readonly visible = $derived(this.entries.filter((e) => !isRetired(e.status)));
	readonly tree: TaxonomyTreeNode[] = $derived(buildTaxonomyTree(this.taxonomy, countByNode(this.visible)));
	readonly kindCounts = $derived(countByKind(this.visible));
	readonly articleCount = $derived(countArticles(this.visible));

	readonly #unsubscribe: (() => void)[] = [];
	readonly #space: Y.Doc;
	readonly #centreDoc: Y.Doc;

	constructor(space: Y.Doc, centre: Y.Doc) {
		this.#space = space;
		this.#centreDoc = centre;
		this.#readCatalog();
		this.#readCentre();
		this.#unsubscribe.push(observeCatalog(space, () => this.#readCatalog()));
		this.#unsubscribe.push(observeCentre(centre, () => this.#readCentre()));
	}

	/**
	 * Articles matching the filter, most recently updated first, one line per article: of an
	 * article and its translations, the version in `locale` is listed (else the original), and the
	 * others are reached from it. A title filter matches any language version.
	 */
	list(filter: KbFilter, locale: Locale): CatalogEntry[] {
		const nodes = filter.node ? descendantIds(this.taxonomy, filter.node) : undefined;
		const query = filter.query ? fold(filter.query) : '';
		const matching = this.visible.filter(
			(e) =>
				(!nodes || nodes.has(e.node)) &&
				(!filter.kind || e.kind === filter.kind) &&
				(!query || fold(e.title).includes(query))
		);
		const best = new Map<string, CatalogEntry>();
		for (const e of matching) {
			const group = translationGroup(e);
			const held = best.get(group);
			if (!held || rank(e, locale) < rank(held, locale)) best.set(group, e);
		}
		// Published content first; unpublished drafts after it.
		return [...best.values()].sort(
			(a, b) =>
				Number(isUnpublished(a)) - Number(isUnpublished(b)) ||
				b.updatedAt - a.updatedAt ||
				a.title.localeCompare(b.title)
		);
	}

	/** Every taxonomy node as a choice for a form: its full path, sorted. */
	topicChoices(locale: Locale): { id: string; label: string }[] {
		return this.taxonomy
			.map((n) => ({ id: n.id, label: this.path(n.id, locale).join(' › ') }))
			.sort((a, b) => a.label.localeCompare(b.label));
	}

	path(nodeId: string, locale: Locale): string[] {
		return taxonomyPath(this.nodes, nodeId, locale);
	}

	/** The other language versions of an article (original and translations). */
	translations(entry: CatalogEntry): CatalogEntry[] {
		const group = translationGroup(entry);
		return this.entries.filter((e) => e.docId !== entry.docId && translationGroup(e) === group);
	}

	entry(docId: string): CatalogEntry | undefined {
		return this.entries.find((e) => e.docId === docId);
	}

	agent(id: string | undefined): AgentProfile | undefined {
		return id ? this.agents.find((a) => a.id === id) : undefined;
	}

	floor(id: string | undefined): Floor | undefined {
		return id ? this.floors.find((f) => f.id === id) : undefined;
	}

	destroy(): void {
		for (const off of this.#unsubscribe.splice(0)) off();
	}

	#readCatalog(): void {
		let invalid = 0;
		this.entries = readCatalog(this.#space, () => invalid++);
		this.invalidEntries = invalid;
	}

	#readCentre(): void {
		this.taxonomy = readTaxonomy(this.#centreDoc);
		this.floors = readFloors(this.#centreDoc);
		this.agents = readAgents(this.#centreDoc);
		this.centre = readCentreInfo(this.#centreDoc);
	}
}

/** 0: in the wanted language; 1: the original; 2: another translation. */
function rank(e: CatalogEntry, locale: Locale): number {
	return e.locale === locale ? 0 : e.translationOf ? 2 : 1;
}
