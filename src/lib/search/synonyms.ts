// Customers and agents use words the articles do not ("DAB", "carte avalée", "mdp"): a small domain
// table, applied to queries only (the index stays as written). Each group lists phrases meaning the
// same thing; a query containing one phrase also searches the others.
import { words } from './tokenizer';

export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
	['dab', 'distributeur', 'guichet automatique', 'atm', 'cash machine'],
	['carte avalée', 'carte capturée', 'carte retenue', 'card swallowed', 'card retained'],
	['mdp', 'mot de passe', 'password'],
	['rib', 'relevé d identité bancaire', 'coordonnées bancaires', 'iban', 'bank details'],
	['2fa', 'double authentification', 'authentification forte', 'two-factor authentication', 'mfa'],
	['appli', 'application mobile', 'app'],
	['pea', 'plan d épargne en actions'],
	['ifu', 'imprimé fiscal unique', 'tax statement'],
	['srd', 'service de règlement différé', 'deferred settlement'],
	['hameçonnage', 'phishing', 'mail frauduleux', 'arnaque'],
	['bloqué', 'verrouillé', 'locked'],
	['clôturer', 'résilier', 'fermer', 'close'],
	['décès', 'décédé', 'défunt', 'death', 'deceased', 'passed away'],
	['réclamation', 'mécontent', 'pas content', 'insatisfait', 'plainte', 'complaint'],
	['plantage', 'plante', 'crash', 'se ferme']
];

type Groups = readonly (readonly string[])[];
type Folded = string[][][];

/** A synonym group as folded word lists, matched against the query's folded words. */
const fold = (groups: Groups): Folded => groups.map((g) => g.map((phrase) => words(phrase)));
const BUILT_IN = fold(SYNONYM_GROUPS);
/** The centre's own groups, folded once per list (the list is replaced, never changed in place). */
const folded = new WeakMap<Groups, Folded>();

function groupsWith(centre: Groups): Folded {
	if (!centre.length) return BUILT_IN;
	let f = folded.get(centre);
	if (!f) folded.set(centre, (f = [...BUILT_IN, ...fold(centre)]));
	return f;
}

function indexOf(haystack: readonly string[], needle: readonly string[]): number {
	outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
		for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
		return i;
	}
	return -1;
}

/** Another reading of a query: the query with one synonym phrase in place of another, and that
 *  phrase (a document must hold all of its words for the reading to count). */
export interface Reading {
	query: string;
	phrase: string;
}

/** Other readings of a query: for every synonym phrase it contains (of the built-in table, and of
 *  the centre's own groups), the query with that phrase replaced by each other phrase of its group. */
export function synonymReadings(query: string, centre: Groups = []): Reading[] {
	const q = words(query);
	const out = new Map<string, Reading>();
	for (const group of groupsWith(centre)) {
		const found = group.find((phrase) => indexOf(q, phrase) >= 0);
		if (!found) continue;
		const at = indexOf(q, found);
		for (const phrase of group) {
			if (phrase === found) continue;
			const text = [...q.slice(0, at), ...phrase, ...q.slice(at + found.length)].join(' ');
			out.set(text, { query: text, phrase: phrase.join(' ') });
		}
	}
	return [...out.values()];
}
