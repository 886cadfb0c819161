// Where a created centre's taxonomy and suggested floors come from: a template (customer service of a
// bank, a telecom operator, an online shop; data files beside this one), the demo centre's own, or
// nothing. A created centre holds no article: only the creator writes its first state, so there is
// no seed to share byte for byte (DESIGN.md › Documents concerns content every device seeds).
import * as Y from 'yjs';
import type { Localized } from '../domain/locale';
import type { TaxonomyNode } from '../domain/taxonomy';
import { taxonomyFromEntries, type CentreTemplate, type TemplateEntry } from '../domain/centre-setup';
import { readFloors, readTaxonomy } from '../schema/index';
import { loadDemoSeed, type SeedFile } from './seed';

export interface CentreTemplateData {
	/** Floors the form suggests (the creator edits them). */
	floors: Localized[];
	taxonomy: TaxonomyNode[];
}

interface TemplateFile {
	floors: Localized[];
	taxonomy: TemplateEntry[];
}

const FILES: Record<'bank' | 'telecom' | 'shop', () => Promise<{ default: unknown }>> = {
	bank: () => import('./templates/bank.json'),
	telecom: () => import('./templates/telecom.json'),
	shop: () => import('./templates/shop.json')
};

/** The template's suggested floors and taxonomy. `loadSeed` gives the demo seed (tests pass theirs). */
export async function loadCentreTemplate(
	template: CentreTemplate,
	loadSeed: () => Promise<SeedFile> = loadDemoSeed
): Promise<CentreTemplateData> {
	if (template === 'empty') return { floors: [], taxonomy: [] };
	if (template === 'demo') return demoTemplate(await loadSeed());
	const file = (await FILES[template]()).default as TemplateFile;
	return { floors: file.floors, taxonomy: taxonomyFromEntries(file.taxonomy) };
}

/** The demo centre's floors and taxonomy, read from its seeded centre document. */
function demoTemplate(seed: SeedFile): CentreTemplateData {
	const text = seed.docs[`centre/${seed.centreId}`];
	if (!text) return { floors: [], taxonomy: [] };
	const doc = new Y.Doc();
	try {
		Y.applyUpdate(
			doc,
			Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
		);
		return { floors: readFloors(doc).map((f) => f.name), taxonomy: readTaxonomy(doc) };
	} finally {
		doc.destroy();
	}
}
