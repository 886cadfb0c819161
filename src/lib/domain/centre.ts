import type { Locale, Localized } from './locale';
import { LOCALES } from './locale';
import { requireId, requireOneOf, requireString, requireStringList, ValidationError } from './validation';

export interface Floor {
	id: string;
	name: Localized;
	/** Taxonomy topics the floor owns (their sub-topics included): what its knowledge managers
	 *  publish (domain/roles.ts). */
	topics?: string[];
}

export const AVAILABILITIES = ['available', 'busy', 'away'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export interface AgentProfile {
	id: string;
	name: string;
	floor: string;
	languages: Locale[];
	/** Taxonomy node ids the agent knows well. */
	skills: string[];
	availability: Availability;
}

export interface CentreInfo {
	id: string;
	name: Localized;
}

export function validateLocalized(value: unknown, field: string): Localized {
	if (typeof value !== 'object' || value === null)
		throw new ValidationError(field, 'must give a text per language');
	const v = value as Record<string, unknown>;
	return {
		fr: requireString(v.fr, `${field}.fr`, { max: 200 }),
		en: requireString(v.en ?? v.fr, `${field}.en`, { max: 200 })
	};
}

export function validateFloor(input: unknown): Floor {
	if (typeof input !== 'object' || input === null) throw new ValidationError('floor', 'must be an object');
	const f = input as Record<string, unknown>;
	const floor: Floor = { id: requireId(f.id, 'floor.id'), name: validateLocalized(f.name, 'floor.name') };
	if (f.topics !== undefined)
		floor.topics = requireStringList(f.topics, 'floor.topics', { max: 200 }).map((t, i) =>
			requireId(t, `floor.topics[${i}]`)
		);
	return floor;
}

export function validateAgentProfile(input: unknown, floors?: readonly Floor[]): AgentProfile {
	if (typeof input !== 'object' || input === null) throw new ValidationError('agent', 'must be an object');
	const a = input as Record<string, unknown>;
	const floor = requireId(a.floor, 'floor');
	if (floors && !floors.some((f) => f.id === floor))
		throw new ValidationError('floor', 'is not a floor of this centre');
	const languages = requireStringList(a.languages, 'languages', { max: LOCALES.length }).map((l, i) =>
		requireOneOf(l, LOCALES, `languages[${i}]`)
	);
	if (languages.length === 0) throw new ValidationError('languages', 'pick at least one language');
	return {
		id: requireId(a.id, 'id'),
		name: requireString(a.name, 'name', { min: 2, max: 80 }),
		floor,
		languages: [...new Set(languages)],
		skills: requireStringList(a.skills, 'skills', { max: 100 }).map((s, i) => requireId(s, `skills[${i}]`)),
		availability:
			a.availability === undefined
				? 'available'
				: requireOneOf(a.availability, AVAILABILITIES, 'availability')
	};
}
