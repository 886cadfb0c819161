// What a person types to create a centre (name, floors, languages, a taxonomy template), checked
// and turned into the centre's first state: its id (readable, with a random tail so two centres
// named alike never meet), its floors with ids, and a taxonomy from a template's compact entries.
// Pure TypeScript: the state layer writes the result into the centre document.
import type { CentreInfo, Floor } from './centre';
import { randomCrockford } from './codes';
import { fold } from './format';
import { LOCALES, type Locale } from './locale';
import type { TaxonomyNode } from './taxonomy';
import { ValidationError } from './validation';

/** Where a new centre's taxonomy starts. */
export const CENTRE_TEMPLATES = ['bank', 'telecom', 'shop', 'demo', 'empty'] as const;
export type CentreTemplate = (typeof CENTRE_TEMPLATES)[number];

export const MAX_FLOORS = 30;

export interface NewCentreInput {
	name: string;
	/** One name per floor, in the order typed. */
	floors: readonly string[];
	languages: readonly string[];
	template: string;
}

export interface NewCentre {
	name: string;
	floorNames: string[];
	languages: Locale[];
	template: CentreTemplate;
}

/** A template's node as its data file writes it: the parent is the id before the last dot. */
export interface TemplateEntry {
	id: string;
	fr: string;
	en: string;
}

/** Checks a centre creation form; throws ValidationError naming the field at fault. */
export function validateNewCentre(input: NewCentreInput): NewCentre {
	const name = String(input.name ?? '').trim();
	if (name.length < 2 || name.length > 80) throw new ValidationError('name', 'must be 2 to 80 characters');
	const floorNames: string[] = [];
	for (const raw of input.floors ?? []) {
		const floor = String(raw).trim();
		if (!floor) continue;
		if (floor.length > 60) throw new ValidationError('floors', 'a floor name is at most 60 characters');
		if (!floorNames.some((f) => fold(f) === fold(floor))) floorNames.push(floor);
	}
	if (floorNames.length === 0) throw new ValidationError('floors', 'name at least one floor');
	if (floorNames.length > MAX_FLOORS) throw new ValidationError('floors', `at most ${MAX_FLOORS} floors`);
	const languages = LOCALES.filter((l) => (input.languages ?? []).includes(l));
	if (languages.length === 0) throw new ValidationError('languages', 'pick at least one language');
	const template = (CENTRE_TEMPLATES as readonly string[]).includes(input.template)
		? (input.template as CentreTemplate)
		: undefined;
	if (!template) throw new ValidationError('template', 'is not a known template');
	return { name, floorNames, languages, template };
}

/** Lowercase ASCII letters, digits and dashes from a name ("Crédit Mutuel — Lyon" → "credit-mutuel-lyon"). */
export function slug(text: string, max = 40): string {
	return fold(text)
		.replace(/[^a-z0-9]+/g, '-')
		.slice(0, max)
		.replace(/^-+|-+$/g, '');
}

/** A new centre's id: its name's slug and six random characters (30 bits), e.g. `banque-lyon-k3f9qz`. */
export function newCentreId(name: string): string {
	return `${slug(name, 40) || 'centre'}-${randomCrockford(6)}`;
}

/** Floors with ids from their names (unique, in the order given); one name serves both languages. */
export function floorsFromNames(names: readonly string[]): Floor[] {
	const used = new Set<string>();
	return names.map((name, i) => {
		const base = slug(name, 40) || `plateau-${i + 1}`;
		let id = base;
		for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
		used.add(id);
		return { id, name: { fr: name, en: name } };
	});
}

/** Taxonomy nodes from a template's entries: parent from the id, order as listed among siblings. */
export function taxonomyFromEntries(entries: readonly TemplateEntry[]): TaxonomyNode[] {
	const ids = new Set(entries.map((e) => e.id));
	const order = new Map<string, number>();
	return entries.map((e) => {
		const dot = e.id.lastIndexOf('.');
		const parent = dot > 0 && ids.has(e.id.slice(0, dot)) ? e.id.slice(0, dot) : undefined;
		const position = order.get(parent ?? '') ?? 0;
		order.set(parent ?? '', position + 1);
		return { id: e.id, ...(parent ? { parent } : {}), label: { fr: e.fr, en: e.en }, order: position };
	});
}

/** The centre's info from its id and name (the same name in both languages until someone translates it). */
export function centreInfo(id: string, name: string): CentreInfo {
	return { id, name: { fr: name, en: name } };
}
