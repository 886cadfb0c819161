export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
	return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Text given in every UI locale (floor names, taxonomy labels). */
export type Localized = Record<Locale, string>;

export function localized(text: Localized, locale: Locale): string {
	return text[locale] || text.fr || text.en;
}
