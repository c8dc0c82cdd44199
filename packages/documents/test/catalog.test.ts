import { missingKeys } from '@arvlite/i18n';
import { expect, it } from 'vitest';
import { documentsEn, documentsRu } from '../src/index.ts';

it('has every document text in English and Russian', () => {
  expect(missingKeys({ en: documentsEn, ru: documentsRu })).toEqual([]);
});
