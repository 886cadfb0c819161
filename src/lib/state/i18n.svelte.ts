import { isLocale, type Locale } from '../domain/locale';
import { formatDate, translate, type MessageKey, type MessageParams } from '../i18n/index';

const KEY = 'plateau:locale';

/** The UI language: remembered on the device, French unless the browser prefers English. */
export class I18n {
	locale = $state<Locale>('fr');
	#storage: Storage | undefined;

	constructor(
		storage: Storage | undefined = globalThis.localStorage,
		preferred: readonly string[] = globalThis.navigator?.languages ?? []
	) {
		this.#storage = storage;
		const saved = storage?.getItem(KEY);
		if (isLocale(saved)) this.locale = saved;
		else if (preferred[0]?.toLowerCase().startsWith('en')) this.locale = 'en';
		if (typeof document !== 'undefined') document.documentElement.lang = this.locale;
	}

	set(locale: Locale): void {
		this.locale = locale;
		this.#storage?.setItem(KEY, locale);
		if (typeof document !== 'undefined') document.documentElement.lang = locale;
	}

	t = (key: MessageKey, params?: MessageParams): string => translate(this.locale, key, params);

	date = (time: number): string => formatDate(this.locale, time);
}
