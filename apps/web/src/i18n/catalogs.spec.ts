// The catalogs are complete: every key in both languages (with the plural forms Russian needs), and every key the code
// names literally exists, so a typo cannot reach the screen as a raw key.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { commonEn, createI18n, missingKeys } from '@arvlite/i18n';
import { describe, expect, it } from 'vitest';
import { dashboardCatalogs } from './dashboard.ts';
import { chooseLanguage } from './language.ts';
import { viewerCatalogs } from './viewer.ts';

const src = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'i18n' ? [] : sourceFiles(file);
    return /\.tsx?$/.test(name) && !/\.spec\.tsx?$/.test(name) ? [file] : [];
  });
}

describe('web catalogs', () => {
  it('have every dashboard key in English and Russian, with every Russian plural form', () => {
    expect(missingKeys(dashboardCatalogs)).toEqual([]);
  });

  it('have every viewer key in English and Russian', () => {
    expect(missingKeys(viewerCatalogs)).toEqual([]);
  });

  it('find a key missing from one language (the check can fail)', () => {
    const { en } = dashboardCatalogs;
    const ru = { ...dashboardCatalogs.ru, shell: { ...dashboardCatalogs.ru.shell, signOut: undefined } };
    delete (ru.shell as { signOut?: string }).signOut;
    expect(missingKeys({ en, ru })).toEqual(['ru: missing shell.signOut']);
  });

  it('hold every key the code names', () => {
    const i18n = createI18n({
      language: 'en',
      resources: { en: { dashboard: dashboardCatalogs.en, viewer: viewerCatalogs.en } },
      defaultNS: 'dashboard',
    });
    const missing: string[] = [];
    for (const file of sourceFiles(src)) {
      const ns = file.includes(`${path.sep}viewer${path.sep}`) ? 'viewer' : 'dashboard';
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/\b(?:t|translate)\(\s*'([^']+)'|i18nKey="([^"]+)"/g)) {
        const key = m[1] ?? m[2]!;
        const full = key.includes(':') ? key : `${ns}:${key}`;
        const plural = `${full}_one`;
        if (!i18n.exists(full) && !i18n.exists(plural)) missing.push(`${path.relative(src, file)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('say the same in Russian with Russian plurals', () => {
    const i18n = createI18n({
      language: 'ru',
      resources: { ru: { dashboard: dashboardCatalogs.ru } },
      defaultNS: 'dashboard',
    });
    expect([1, 2, 5, 21].map((count) => i18n.t('marker.compileSoFar', { count }))).toEqual([
      'Компиляция идёт 1 секунду',
      'Компиляция идёт 2 секунды',
      'Компиляция идёт 5 секунд',
      'Компиляция идёт 21 секунду',
    ]);
    expect(i18n.t('common:count.videos', { count: 2 })).toBe('2 видео');
    expect(commonEn.language.ru).toBe('Русский');
  });
});

describe('language choice', () => {
  it('takes the stored choice, then the company’s language, then the browser’s, then English', () => {
    expect(chooseLanguage({ stored: 'en', company: 'ru', browser: ['ru-RU'] })).toBe('en');
    expect(chooseLanguage({ stored: null, company: 'ru', browser: ['en-US'] })).toBe('ru');
    expect(chooseLanguage({ stored: null, company: null, browser: ['de-DE', 'ru'] })).toBe('ru');
    expect(chooseLanguage({ stored: null, browser: [] })).toBe('en');
  });
});
