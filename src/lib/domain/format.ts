// Sizes for people: "3,2 Mo" / "3.2 MB". Binary multiples (1 MB = 1024 × 1024 bytes), as the file
// managers agents use show them, so "1.5 MB" is exactly the 1,572,864-byte image limit.
import type { Locale } from './locale';

const UNITS: Record<Locale, readonly string[]> = {
	fr: ['o', 'Ko', 'Mo', 'Go'],
	en: ['B', 'KB', 'MB', 'GB']
};

export function formatBytes(n: number, locale: Locale): string {
	const units = UNITS[locale];
	let value = Math.max(0, n);
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	const number = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
		maximumFractionDigits: unit === 0 ? 0 : 1
	}).format(value);
	// A no-break space keeps the number and its unit on one line.
	return `${number}\u00a0${units[unit]}`;
}

/** Case- and accent-insensitive form of a text, for filtering lists by what the agent types. */
export function fold(text: string): string {
	return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
