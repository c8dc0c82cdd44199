// Which language a page speaks: the person's own choice (remembered in this browser) first, then, on viewer pages, the
// company's language for its viewer pages, then the browser's languages. Shared by the dashboard and the viewer.
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '@arvlite/contract';
import { detectLanguage } from '@arvlite/i18n';

export const LANGUAGE_KEY = 'arvlite.language';

/** The language this browser's person chose with a language menu, if any. */
export function storedLanguage(): Language | null {
  try {
    const v = globalThis.localStorage?.getItem(LANGUAGE_KEY);
    return isLanguage(v) ? v : null;
  } catch {
    return null;
  }
}

export function storeLanguage(lng: Language): void {
  try {
    globalThis.localStorage?.setItem(LANGUAGE_KEY, lng);
  } catch {
    // Private mode or storage full: the choice lasts for this page only.
  }
}

export function browserLanguages(): readonly string[] {
  const nav = globalThis.navigator as Navigator | undefined;
  return nav?.languages?.length ? nav.languages : nav?.language ? [nav.language] : [];
}

/**
 * The order: a stored choice wins; then the company's language (viewer pages, once the manifest names it); then the
 * first browser language we have; else English.
 */
export function chooseLanguage(opts: {
  stored: Language | null;
  company?: Language | null;
  browser: readonly string[];
}): Language {
  if (opts.stored) return opts.stored;
  if (opts.company) return opts.company;
  return opts.browser.length ? detectLanguage(opts.browser) : DEFAULT_LANGUAGE;
}

/** Keeps the page's `lang` attribute true to its language (screen readers pick their voice from it). */
export function markDocumentLanguage(lng: Language): void {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
}
