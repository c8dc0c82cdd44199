// The viewer's language layer: its own i18next instance with the shared `common` and the small `viewer` catalog (the
// dashboard's catalog never reaches a scanned code's page). The language: the visitor's stored choice, else the
// company's language from the manifest (once it arrives), else the browser's.
import { LANGUAGES, type Language } from '@arvlite/contract';
import { createI18n } from '@arvlite/i18n';
import { browserLanguages, chooseLanguage, markDocumentLanguage, storedLanguage, storeLanguage } from './language.ts';
import { viewer as en } from './viewer/en.ts';
import { viewer as ru } from './viewer/ru.ts';

export const viewerCatalogs = { en, ru } as const;

export const viewerI18n = createI18n({
  language: chooseLanguage({ stored: storedLanguage(), browser: browserLanguages() }),
  resources: { en: { viewer: en }, ru: { viewer: ru } },
  defaultNS: 'viewer',
});
markDocumentLanguage(viewerI18n.language as Language);
viewerI18n.on('languageChanged', (lng) => markDocumentLanguage(lng as Language));

export function viewerLanguage(): Language {
  return (LANGUAGES as readonly string[]).includes(viewerI18n.language) ? (viewerI18n.language as Language) : 'en';
}

/** The company's language, from a manifest: used unless the visitor chose one on this browser. */
export function followCompanyLanguage(company: Language | undefined): void {
  const lng = chooseLanguage({ stored: storedLanguage(), company, browser: browserLanguages() });
  if (lng !== viewerI18n.language) void viewerI18n.changeLanguage(lng);
}

/** The visitor's own choice: applies at once and wins over the company's language from now on. */
export function chooseViewerLanguage(lng: Language): void {
  storeLanguage(lng);
  void viewerI18n.changeLanguage(lng);
}
