// French and English text → index tokens, and queries → the forms to look up. The index holds each
// content word once, folded (lower case, no accents), with the stop words of the document's own
// language removed: Orama passes that language on insert and remove. Stemming happens on the query
// side: each query word is looked up as typed and as its French and English stems, all as prefixes
// (Orama matches prefixes), so "refusées" finds "refusé" and "refus" and "oublié" finds "oublie".
// Stems in the index instead were measured to double its size and build time (both forms needed for
// typo tolerance: "virment" is one edit from "virement", four from its stem "vir").
import type { Tokenizer } from '@orama/orama';
import { stemmer as englishStemmer } from '@orama/stemmers/english';
import { stemmer as frenchStemmer } from '@orama/stemmers/french';
import { stopwords as englishStopwords } from '@orama/stopwords/english';
import { stopwords as frenchStopwords } from '@orama/stopwords/french';
import type { Locale } from '../domain/locale';

/** Orama's language names for Plateau's locales. */
export const ORAMA_LANGUAGE: Record<Locale, 'french' | 'english'> = { fr: 'french', en: 'english' };

/** Lower case, accents removed, ligatures opened: the form every comparison uses. */
export function fold(text: string): string {
	return text
		.toLowerCase()
		.replace(/œ/g, 'oe')
		.replace(/æ/g, 'ae')
		.normalize('NFD')
		.replace(/\p{M}/gu, '');
}

const STOP: Record<Locale, Set<string>> = {
	fr: new Set(frenchStopwords.map(fold)),
	en: new Set(englishStopwords.map(fold))
};
const STEM: Record<Locale, (word: string) => string> = { fr: frenchStemmer, en: englishStemmer };

/** Words of a text, folded, in order (apostrophes and punctuation split words; 1-letter words dropped). */
export function words(text: string): string[] {
	return fold(text)
		.split(/[^\p{L}\p{N}]+/u)
		.filter((w) => w.length > 1 || /\d/.test(w));
}

export function isStopWord(word: string, locale: Locale): boolean {
	return STOP[locale].has(word);
}

const stems: Record<Locale, Map<string, string>> = { fr: new Map(), en: new Map() };

export function stem(word: string, locale: Locale): string {
	// Stemmers mangle codes and numbers ("2fa", "3d"): keep those as they are.
	if (/\d/.test(word)) return word;
	const cache = stems[locale];
	let s = cache.get(word);
	if (s === undefined) {
		s = STEM[locale](word);
		if (cache.size > 50_000) cache.clear(); // vocabulary of a large base fits; bound it anyway
		cache.set(word, s);
	}
	return s;
}

/** Index tokens of a text in a language: its content words, folded. */
export function indexTokens(text: string, locale: Locale): string[] {
	const out = new Set<string>();
	for (const w of words(text)) if (!isStopWord(w, locale)) out.add(w);
	return [...out];
}

/** One word of a query and the tokens that may stand for it in the index. */
export interface QueryWord {
	word: string;
	/** Folded word, its French and English stems. */
	forms: string[];
}

/** The content words of a query. The query's language is not known for sure (an agent types in
 *  either), so both stemmers contribute; stop words are those of the UI language, and a query made
 *  only of stop words keeps them. */
export function queryWords(query: string, locale: Locale): QueryWord[] {
	const all = query
		.toLowerCase()
		.split(/[^\p{L}\p{N}]+/u)
		.map((raw) => ({ raw, word: fold(raw) }))
		.filter(({ word }) => word.length > 1 || /\d/.test(word));
	const content = all.filter(({ word }) => !isStopWord(word, locale));
	return (content.length ? content : all).map(({ raw, word }) => ({
		word,
		// The French stemmer reads accents ("refusées" → "refus", "refusees" → "refuse"): stem both
		// spellings. A stem shorter than 3 letters as a prefix would match half the vocabulary.
		forms: [...new Set([word, fold(stem(raw, 'fr')), stem(word, 'fr'), stem(word, 'en')])].filter((f) => f === word || f.length > 2)
	}));
}

function localeOf(language: string | undefined): Locale {
	return language === 'english' || language === 'en' ? 'en' : 'fr';
}

/** The Orama tokenizer. With a property (insert, remove) it tokenizes in the document's language;
 *  without one (a search term) the term is already a list of query forms, separated by spaces. */
export function createSearchTokenizer(): Tokenizer {
	return {
		language: 'french',
		normalizationCache: new Map(),
		tokenize(raw: string, language?: string, prop?: string): string[] {
			if (typeof raw !== 'string') return [raw];
			if (prop === undefined) return [...new Set(raw.split(/\s+/).filter(Boolean))];
			return indexTokens(raw, localeOf(language));
		}
	};
}
