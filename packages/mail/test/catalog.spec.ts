import { missingKeys } from '@arvlite/i18n';
import { describe, expect, it } from 'vitest';
import { mailEn, mailRu, renderMail } from '../src/index.ts';

describe('mail catalogs and templates', () => {
  it('have every key in English and Russian, with the Russian plural forms', () => {
    expect(missingKeys({ en: mailEn, ru: mailRu })).toEqual([]);
  });

  it('render both parts, escape what they interpolate and need no image', () => {
    const mail = renderMail(
      'password-reset',
      { requestId: crypto.randomUUID(), userName: '<b>Ann</b>', validMinutes: 30 },
      { language: 'ru', companyName: null, links: { action: 'https://arv.example/reset-password#t"x' } },
    );
    expect(mail.subject).toBe('Сброс пароля ARVlite');
    expect(mail.text).toContain('30 минут');
    expect(mail.text).toContain('https://arv.example/reset-password#t"x');
    expect(mail.html).toContain('&lt;b&gt;Ann&lt;/b&gt;');
    expect(mail.html).toContain('href="https://arv.example/reset-password#t&quot;x"');
    expect(mail.html).not.toMatch(/<img|<script/i);
  });
});
