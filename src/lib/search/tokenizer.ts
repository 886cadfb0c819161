// French and English text → index tokens. One tokenizer serves every document: Orama passes the
// document's language on insert and remove, so each text is stemmed in its own language. Accents are
// folded *before* stemming, so "oublié" in a title and "oublie" typed without accents stem alike.
// Each word is indexed twice — folded surface form and stem — so typo tolerance can reach the surface
// form ("virment" → "virement") when the stem is too short to be within reach ("vir").
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

/** Index tokens of a text in a language: each content word and its stem. */
export function indexTokens(text: string, locale: Locale): string[] {
	const out = new Set<string>();
	for (const w of words(text)) {
		if (isStopWord(w, locale)) continue;
		out.add(w);
		const s = stem(w, locale);
		if (s.length > 1) out.add(s);
	}
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
	const all = words(query);
	const content = all.filter((w) => !isStopWord(w, locale));
	return (content.length ? content : all).map((word) => ({
		word,
		forms: [...new Set([word, stem(word, 'fr'), stem(word, 'en')])].filter((f) => f.length > 1 || /\d/.test(f))
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
