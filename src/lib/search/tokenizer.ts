// French and English text → index words, and queries → the forms to look up. The index holds the
// content words of a document folded (lower case, no accents), without the stop words of the
// document's own language. Stemming happens on the query side: each query word is looked up as typed
// and as its French and English stems, all as prefixes, so "refusées" finds "refusé" and "refus"
// and "oublié" finds "oublie". Stems in the index instead would double it, and typo tolerance needs
// the words anyway ("virment" is one edit from "virement", four from its stem "vir").
import { stemmer as englishStemmer } from '@orama/stemmers/english';
import { stemmer as frenchStemmer } from '@orama/stemmers/french';
import { stopwords as englishStopwords } from '@orama/stopwords/english';
import { stopwords as frenchStopwords } from '@orama/stopwords/french';
import type { Locale } from '../domain/locale';

/** Lower case, accents removed, ligatures opened: the form every comparison uses. */
export function fold(text: string): string {
	return text.toLowerCase().replace(/œ/g, 'oe').replace(/æ/g, 'ae').normalize('NFD').replace(/\p{M}/gu, '');
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

/** The content words of a text in a language, folded, in order, repeats kept (the index counts them). */
export function contentWords(text: string, locale: Locale): string[] {
	return words(text).filter((w) => !isStopWord(w, locale));
}

/** Each content word of a text once (MiniSearch's terms in the benchmark). */
export function indexTokens(text: string, locale: Locale): string[] {
	return [...new Set(contentWords(text, locale))];
}

/** The more likely language of a text: the one more of its words are stop words of (French when
 *  neither or both tie — most of a French centre's writing). */
export function guessLocale(text: string): Locale {
	let fr = 0;
	let en = 0;
	for (const w of words(text).slice(0, 400)) {
		if (STOP.fr.has(w)) fr++;
		if (STOP.en.has(w)) en++;
	}
	return en > fr ? 'en' : 'fr';
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
		forms: [...new Set([word, fold(stem(raw, 'fr')), stem(word, 'fr'), stem(word, 'en')])].filter(
			(f) => f === word || f.length > 2
		)
	}));
}
