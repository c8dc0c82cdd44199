import { missingKeys } from '@arvlite/i18n';
import { describe, expect, it } from 'vitest';
import { answerError, offlineError } from '../../test/support/trpc-errors.ts';
import { errorText } from '../lib/api-errors.ts';
import { memoryStore } from '../lib/key-value-store.ts';
import { UserError } from '../lib/user-error.ts';
import { catalogs, createAppI18n, readChosenLanguage, resolveLanguage, saveChosenLanguage } from './index.ts';

const ru = createAppI18n('ru').t;
const en = createAppI18n('en').t;

describe('mobile catalogs', () => {
  it('have every key in English and Russian, with every plural form Russian needs', () => {
    expect(missingKeys(catalogs)).toEqual([]);
  });

  it('count in Russian plural forms', () => {
    expect([1, 2, 5, 21].map((count) => ru('home.reportsPending', { count }))).toEqual([
      '1 отчёт о просмотре будет отправлен, когда появится связь.',
      '2 отчёта о просмотрах будут отправлены, когда появится связь.',
      '5 отчётов о просмотрах будут отправлены, когда появится связь.',
      '21 отчёт о просмотре будет отправлен, когда появится связь.',
    ]);
    expect(en('home.reportsFailed', { count: 1 })).toBe(
      '1 view report was refused by the server and is kept on this device.',
    );
  });

  it('reach the shared common catalog', () => {
    expect(ru('common:language.label')).toBe('Язык');
  });
});

describe('language choice', () => {
  it("prefers the person's choice, then the content's language, then the device's, then English", () => {
    expect(resolveLanguage({ chosen: 'en', content: 'ru', device: ['ru-RU'] })).toBe('en');
    expect(resolveLanguage({ chosen: null, content: 'ru', device: ['en-US'] })).toBe('ru');
    expect(resolveLanguage({ chosen: null, content: null, device: ['de-DE', 'ru-RU'] })).toBe('ru');
    expect(resolveLanguage({ chosen: null, device: ['de-DE'] })).toBe('en');
  });

  it('remembers the choice, and ignores what it cannot read', async () => {
    const store = memoryStore();
    expect(await readChosenLanguage(store)).toBeNull();
    await saveChosenLanguage(store, 'ru');
    expect(await readChosenLanguage(store)).toBe('ru');
    expect(await readChosenLanguage(memoryStore({ 'settings.language': 'klingon' }))).toBeNull();
  });
});

describe('errorText', () => {
  it('says what went wrong in the reader’s language, from the error code and never the server’s message', () => {
    expect(errorText(offlineError(), ru)).toBe(
      'Не удалось связаться с сервером. Проверьте подключение и попробуйте снова.',
    );
    expect(errorText(answerError('FORBIDDEN', 403), ru)).toBe('У вас нет прав на это действие.');
    expect(errorText(answerError('FORBIDDEN', 403), en)).toBe('You do not have permission to do this.');
    expect(errorText(answerError('I_AM_NEW', 418), ru)).toBe('Что-то пошло не так.');
    expect(errorText(answerError('UNAUTHORIZED', 401), ru, { UNAUTHORIZED: 'signIn.wrongCredentials' })).toBe(
      'Неверная почта или пароль.',
    );
  });

  it('uses the details a code carries: a reason, a wait, a field', () => {
    const quota = answerError('PAYLOAD_TOO_LARGE', 413, { details: { reason: 'QUOTA_EXCEEDED' } });
    expect(errorText(quota, ru)).toBe('Хранилище компании заполнено.');
    const busy = answerError('TOO_MANY_REQUESTS', 429, { details: { retryAfterS: 5 } });
    expect(errorText(busy, ru)).toBe('Слишком много попыток. Повторите через 5 секунд.');
    expect(errorText(busy, en)).toBe('Too many attempts. Try again in 5 seconds.');
    const reprocess = answerError('TOO_MANY_REQUESTS', 429, {
      details: { reason: 'REPROCESS_LIMIT', retryAfterS: 60 },
    });
    expect(errorText(reprocess, en)).toMatch(/reprocessed too many videos/);
    expect(errorText(reprocess, ru)).toMatch(/повторно обработала/);
    const companies = answerError('FORBIDDEN', 403, { details: { reason: 'COMPANY_LIMIT' } });
    expect(errorText(companies, en)).toMatch(/as many companies as allowed/);
    expect(errorText(companies, ru)).toMatch(/столько компаний/);
    const field = answerError('BAD_REQUEST', 400, { fieldErrors: { email: ['Invalid email'] } });
    expect(errorText(field, ru)).toBe('Проверьте поле «Эл. почта».');
  });

  it("translates the app's own errors, and keeps an English message for logs", () => {
    const err = new UserError('notAVideo', { name: 'clip.avi' });
    expect(err.message).toBe('clip.avi is not an MP4, MOV, WebM or MKV video.');
    expect(errorText(err, ru)).toBe('clip.avi — не видео в формате MP4, MOV, WebM или MKV.');
  });
});
