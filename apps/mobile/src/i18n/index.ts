// The app's language layer: its catalog (namespace `mobile`) beside the shared `common` one from @arvlite/i18n, which
// language to show, and the person's remembered choice. Screens translate with react-i18next's useTranslation; plain
// TypeScript modules hand catalog keys up (UserError) instead of writing texts.
import { isLanguage, type Language } from '@arvlite/contract';
import { createI18n, detectLanguage, type commonEn, type I18n } from '@arvlite/i18n';
import type { TFunction } from 'i18next';
import type { KeyValueStore } from '../lib/key-value-store.ts';
import { mobile as en } from './locales/en.ts';
import { mobile as ru } from './locales/ru.ts';

export const catalogs = { en, ru };

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'mobile';
    resources: { mobile: typeof en; common: typeof commonEn };
  }
}

/** A fresh i18next instance for one language (bundled catalogs: ready at once). */
export function createAppI18n(language: Language): I18n {
  return createI18n({ language, resources: { en: { mobile: en }, ru: { mobile: ru } }, defaultNS: 'mobile' });
}

/**
 * The language to show: the person's own choice in this app, else (on a viewer screen) the default language of the
 * company whose code was scanned, else the first of the device's languages we have, else English.
 */
export function resolveLanguage(p: {
  chosen: Language | null;
  content?: Language | null;
  device: readonly (string | null | undefined)[];
}): Language {
  return p.chosen ?? p.content ?? detectLanguage(p.device);
}

const KEY = 'settings.language';

export async function readChosenLanguage(store: KeyValueStore): Promise<Language | null> {
  const value = await store.get(KEY).catch(() => null);
  return isLanguage(value) ? value : null;
}

export function saveChosenLanguage(store: KeyValueStore, language: Language): Promise<void> {
  return store.set(KEY, language);
}

/** t for a key built at run time (a status, a reason, an error code), which i18next's typed keys cannot follow. */
export function tDynamic(t: TFunction, key: string | string[], options?: Record<string, unknown>): string {
  return (t as unknown as (k: string | string[], o?: Record<string, unknown>) => string)(key, options);
}
