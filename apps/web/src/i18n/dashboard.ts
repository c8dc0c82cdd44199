// The dashboard's language layer: one i18next instance (shared `common` + `dashboard` catalogs), the language it
// starts in (stored choice, else the browser's), switching and remembering it, and the formats that follow it.
// Non-React modules call `t` directly; components use `useTranslation()` so they re-render on a switch.
import 'dayjs/locale/ru';
import { LANGUAGES, type Language } from '@arvlite/contract';
import { createI18n } from '@arvlite/i18n';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { dashboard as en } from './dashboard/en.ts';
import { dashboard as ru } from './dashboard/ru.ts';
import { formatsFor, type Formats } from './format.ts';
import { browserLanguages, chooseLanguage, markDocumentLanguage, storedLanguage, storeLanguage } from './language.ts';

export const dashboardCatalogs = { en, ru } as const;

export const i18n = createI18n({
  language: chooseLanguage({ stored: storedLanguage(), browser: browserLanguages() }),
  resources: { en: { dashboard: en }, ru: { dashboard: ru } },
  defaultNS: 'dashboard',
});

function follow(lng: string) {
  const language = currentLanguage(lng);
  markDocumentLanguage(language);
  dayjs.locale(language);
}
follow(i18n.language);
i18n.on('languageChanged', follow);

function currentLanguage(lng = i18n.language): Language {
  return (LANGUAGES as readonly string[]).includes(lng) ? (lng as Language) : 'en';
}

/** A text of the dashboard catalog (or `common:…`) in the current language, for code outside components. */
export function t(key: string, options?: Record<string, unknown>): string {
  return i18n.t(key, options as never) as unknown as string;
}

/** Switches every mounted component to `lng` and remembers the choice in this browser. */
export function setLanguage(lng: Language): void {
  storeLanguage(lng);
  void i18n.changeLanguage(lng);
}

export function language(): Language {
  return currentLanguage();
}

/** Formats for the current language, outside components. */
export function formats(): Formats {
  return formatsFor(currentLanguage());
}

/** Formats for the current language; the component re-renders when it changes. */
export function useFormat(): Formats {
  const { i18n: instance } = useTranslation();
  return formatsFor(currentLanguage(instance.language));
}
