// Web: the browser's languages, in the person's order of preference; the page's lang attribute follows the app.
import type { Language } from '@arvlite/contract';

export function deviceLanguages(): string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? [...navigator.languages] : [navigator.language];
}

export function showLanguage(language: Language): void {
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}
