import { describe, expect, it } from 'vitest';
import { commonEn, commonRu, createI18n, detectLanguage, formatBytes, missingKeys } from './index.ts';

describe('language layer', () => {
  it('has every common key in both languages, with every plural form Russian needs', () => {
    expect(missingKeys({ en: commonEn, ru: commonRu })).toEqual([]);
  });

  it('finds a missing key and a missing plural form', () => {
    expect(missingKeys({ en: { a: 'x', b: 'y' }, ru: { a: 'x' } })).toEqual(['ru: missing b']);
    expect(missingKeys({ en: { n_one: 'x', n_other: 'y' }, ru: { n_one: 'x', n_other: 'y' } })).toEqual([
      'ru: missing plural form n_few',
      'ru: missing plural form n_many',
    ]);
  });

  it('uses Russian plural forms', () => {
    const t = createI18n({ language: 'ru' }).t;
    expect([1, 2, 5, 21, 22, 25].map((count) => t('count.files', { count }))).toEqual([
      '1 файл',
      '2 файла',
      '5 файлов',
      '21 файл',
      '22 файла',
      '25 файлов',
    ]);
    expect([1, 2, 5].map((count) => t('count.videos', { count }))).toEqual(['1 видео', '2 видео', '5 видео']);
    expect(createI18n({ language: 'en' }).t('count.files', { count: 2 })).toBe('2 files');
  });

  it('picks the language from preferences, by primary subtag', () => {
    expect(detectLanguage(['ru-RU', 'en'])).toBe('ru');
    expect(detectLanguage(['de-DE', 'en-US'])).toBe('en');
    expect(detectLanguage([undefined, 'fr'])).toBe('en');
  });

  it('formats byte sizes per locale', () => {
    expect(formatBytes(1536, 'en')).toBe('1.5 kB');
    expect(formatBytes(1536, 'ru')).toMatch(/^1,5\skБ$|^1,5\sКБ$/i);
    expect(formatBytes(10 * 1024 ** 3, 'ru')).toMatch(/^10\sГБ$/);
  });
});
