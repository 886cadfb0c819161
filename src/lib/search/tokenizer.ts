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

/** French elisions ("l'", "d'", "qu'", "jusqu'"…) before a word: the article or pronoun goes, the
 *  word stays whole ("l'application" → "application", "n'arrive" → "arrive"). */
const ELISION = /(?<![\p{L}\p{N}])(?:qu|jusqu|lorsqu|puisqu|quoiqu|[cdjlmnst])['’](?=\p{L})/gu;
/** Thousands separators and decimal marks inside a number: "150 000" and "7,90" stay one token. */
const NUMBER_JOINS = /(?<=\d)(?:[\s\u00a0\u202f](?=\d{3}(?!\d))|[,.](?=\d))/gu;
/** A token, hyphenated parts included ("3-D", "e-CB", "PEA-PME", "BLQ-SEC", "compte-titres"). */
const TOKEN = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu;

/** Whether a hyphenated token is a code or an abbreviation to keep whole as well ("3-D", "e-CB",
 *  "PEA-PME", "W-8BEN"): a part holds a digit, or a short part is not a stop word. Ordinary
 *  compounds ("compte-titres", "a-t-il", "est-ce") are only their parts. */
function isCode(parts: readonly string[]): boolean {
	return parts.some(
		(p) => /\d/.test(p) || (p.length > 1 && p.length <= 3 && !STOP.fr.has(p) && !STOP.en.has(p))
	);
}

/** A folded text's tokens: each word, and a code's parts joined ("pea-pme" → "peapme", "pea",
 *  "pme"), its one-letter parts dropped ("3-d" → "3d"). */
function tokens(folded: string): { token: string; parts: string[] }[] {
	const out: { token: string; parts: string[] }[] = [];
	// The replacements only where they can apply: most of the indexing time is spent here.
	let text = /['’]/.test(folded) ? folded.replace(ELISION, '') : folded;
	if (/\d[\s\u00a0\u202f,.]\d/.test(text)) text = text.replace(NUMBER_JOINS, '');
	for (const [m] of text.matchAll(TOKEN)) {
		if (!m.includes('-')) {
			out.push({ token: m, parts: [] });
			continue;
		}
		const parts = m.split('-');
		const kept = parts.filter((p) => p.length > 1);
		if (isCode(parts)) out.push({ token: parts.join(''), parts: kept });
		for (const p of kept) out.push({ token: p, parts: [] });
	}
	return out;
}

/** Words of a text, folded, in order: elisions removed, a code kept whole and as its parts,
 *  1-letter words dropped. */
export function words(text: string): string[] {
	return tokens(fold(text))
		.map((t) => t.token)
		.filter((w) => w.length > 1 || /\d/.test(w));
}

/** The words of a text that stand for a code's parts: a code found ("peapme") marks "pea" and "pme". */
export function codeParts(text: string): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const t of tokens(fold(text))) if (t.parts.length) out.set(t.token, t.parts);
	return out;
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

/** Words of a question that say nothing of its topic ("pourquoi", "comment", "how", "vs"): dropped
 *  from a query like stop words, as long as something else remains. */
const QUESTION_WORDS = new Set(
	(
		'pourquoi comment quoi quand combien est ce ca cela faire fait faut peut peux puis dois doit veux ' +
		'voudrais souhaite sert svp merci bonjour why how what when where which who need want please hello ' +
		'hi thanks vs versus'
	).split(' ')
);

export function isQuestionWord(word: string): boolean {
	return QUESTION_WORDS.has(word);
}

/** One word of a query and the tokens that may stand for it in the index. */
export interface QueryWord {
	word: string;
	/** Its French stems (the accented word's and the folded word's) and its English stem: an index
	 *  word stands for the query word if it has the same stem in the same language. */
	fr: string[];
	en: string;
	/** A code's parts ("pea-pme" → pea, pme): searched instead if the index lacks the code whole. */
	parts?: string[];
}

/** The stems of a folded word in both languages (an index word matches a query word by stem when
 *  they share one). */
export function stemsOf(word: string): [string, string] {
	return [stem(word, 'fr'), stem(word, 'en')];
}

/** A folded query word with its stems (`accented`: the French stem of the word as typed). */
export function queryWord(word: string, accented = stem(word, 'fr')): QueryWord {
	const [fr, en] = stemsOf(word);
	return { word, fr: [...new Set([accented, fr])], en };
}

/** The content words of a query. The query's language is not known for sure (an agent types in
 *  either), so both stemmers contribute; stop words are those of the UI language, and question words
 *  go too; a query made only of those keeps them. */
export function queryWords(query: string, locale: Locale): QueryWord[] {
	const raw = query.toLowerCase().replace(ELISION, '').replace(NUMBER_JOINS, '');
	const all: QueryWord[] = [];
	for (const [m] of raw.matchAll(TOKEN)) {
		const folded = fold(m);
		const parts = folded.split('-');
		if (parts.length > 1 && isCode(parts)) {
			const word = parts.join('');
			all.push({ word, fr: [word], en: word, parts: parts.filter((p) => p.length > 1) });
			continue;
		}
		for (const [i, part] of m.split('-').entries()) {
			const word = parts[i]!;
			if (word.length < 2 && !/\d/.test(word)) continue;
			// The French stemmer reads accents ("refusées" → "refus", "refusees" → "refuse"): stem both.
			all.push(queryWord(word, fold(stem(part, 'fr'))));
		}
	}
	const content = all.filter(({ word }) => !isStopWord(word, locale) && !QUESTION_WORDS.has(word));
	if (content.length) return content;
	const notStop = all.filter(({ word }) => !isStopWord(word, locale));
	return notStop.length ? notStop : all;
}
