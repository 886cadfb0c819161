// The languages a centre serves its customers in, kept in the centre document's `info` map beside
// its name (written by the creator with the rest of the centre's first state). Absent in centres
// created before it existed: every language is then offered.
import type * as Y from 'yjs';
import { LOCALES, type Locale } from '../domain/locale';

export function setCentreLanguages(doc: Y.Doc, languages: readonly Locale[]): void {
	doc.getMap('info').set(
		'languages',
		LOCALES.filter((l) => languages.includes(l))
	);
}

/** The centre's languages, or every language when the document does not say. */
export function readCentreLanguages(doc: Y.Doc): Locale[] {
	const value = doc.getMap('info').get('languages');
	const listed = Array.isArray(value) ? LOCALES.filter((l) => value.includes(l)) : [];
	return listed.length ? listed : [...LOCALES];
}
