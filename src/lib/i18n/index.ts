import type { Locale } from '../domain/locale';
import { en } from './en';
import { fr, type MessageKey } from './fr';

export type { MessageKey };
export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { fr, en };

export type MessageParams = Record<string, string | number>;

/** The message for `key` in `locale`, with `{param}` replaced. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
	const text = MESSAGES[locale][key] ?? MESSAGES.fr[key] ?? key;
	if (!params) return text;
	return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Dates in the agent's language: "14 oct. 2026" / "Oct 14, 2026". */
export function formatDate(locale: Locale, time: number): string {
	return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium' }).format(time);
}
