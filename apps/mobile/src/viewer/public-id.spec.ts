import { describe, expect, it } from 'vitest';
import { publicIdFrom, viewerLink } from './public-id.ts';

const id = 'Ab3_xY-9kLmNpQ';

describe('publicIdFrom', () => {
  it.each([
    [id, id],
    [`  ${id}\n`, id],
    [`arvlite://v/${id}`, id],
    [`ARVLITE://v/${id}/`, id],
    [`https://arvlite.example.com/v/${id}`, id],
    [`https://arvlite.example.com/v/${id}?utm_source=print#top`, id],
    [`http://192.168.1.20:3000/v/${id}`, id],
    [`/v/${id}`, id],
    [`exp://192.168.1.20:8081/--/v/${id}`, id],
    [viewerLink(id), id],
  ])('reads %s', (text, expected) => {
    expect(publicIdFrom(text)).toBe(expected);
  });

  it.each([
    [''],
    [null],
    ['short'],
    ['https://example.com/'],
    [`https://example.com/x/v/${id}`],
    [`https://example.com/v/${id}/extra`],
    [`arvlite://w/${id}`],
    ['has spaces in the middle of it'],
    [`${id}${'x'.repeat(60)}`],
  ])('rejects %s', (text) => {
    expect(publicIdFrom(text)).toBeNull();
  });
});
