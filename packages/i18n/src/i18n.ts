import { DEFAULT_LANGUAGE, LANGUAGES, isLanguage, type Language } from '@arvlite/contract';
import i18next, { type i18n as I18n, type Resource } from 'i18next';
import { common as commonEn } from './locales/en.ts';
import { common as commonRu } from './locales/ru.ts';

export type { I18n };
/** Catalogs by language, then namespace (an app adds its own namespaces beside `common`). */
export type Resources = Record<Language, Record<string, object>>;

/**
 * The language to use from a list of preferences (navigator.languages, the device's locales, a stored choice first):
 * the first whose primary subtag we have ('ru-RU' → 'ru'); else English.
 */
export function detectLanguage(preferences: readonly (string | null | undefined)[]): Language {
  for (const tag of preferences) {
    const primary = tag?.toLowerCase().split(/[-_]/)[0];
    if (isLanguage(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
}

/**
 * A fresh i18next instance (never the global one, so tests and two roots cannot disturb each other) with the shared
 * `common` namespace and the app's own. Initialised synchronously: the catalogs are bundled, nothing loads later.
 */
export function createI18n(opts: { language: Language; resources?: Partial<Resources>; defaultNS?: string }): I18n {
  const resources: Resource = {};
  for (const lng of LANGUAGES) {
    resources[lng] = {
      common: lng === 'ru' ? commonRu : commonEn,
      ...(opts.resources?.[lng] ?? {}),
    } as Resource[string];
  }
  const instance = i18next.createInstance();
  void instance.init({
    lng: opts.language,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    resources,
    ns: Object.keys(resources[opts.language] ?? {}),
    defaultNS: opts.defaultNS ?? 'common',
    fallbackNS: 'common',
    initAsync: false,
    // React escapes what it renders; escaping here too would show &amp; on screen.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}
