// Devices: the languages set in the system settings, in order (expo-localization).
import type { Language } from '@arvlite/contract';
import { getLocales } from 'expo-localization';

export function deviceLanguages(): string[] {
  return getLocales().map((l) => l.languageTag);
}

export function showLanguage(_language: Language): void {}
