import { markerContentTypeOf } from '@arvlite/client';
import { describe, expect, it } from 'vitest';
import type { ArContentDetail } from './ar-status.tsx';
import { detailsValues, toUpdateInput } from './details-form.ts';
import { checkMarkerFile } from './marker-upload.ts';

const ID = '00000000-0000-4000-8000-000000000001';

const item = {
  id: ID,
  title: 'Poster 42',
  description: null,
  activeFrom: new Date('2026-07-01T07:00:00Z'),
  expiresAt: null,
  customer: { name: 'Grace', email: 'grace@example.com', phone: null, orderRef: 'A-17' },
  playback: { autoplay: true, loop: false, muted: true },
  marker: { widthMm: 210 },
} as unknown as ArContentDetail;

describe('AR content details form', () => {
  it('shows times as wall clock in the company’s zone and maps them back to the same instants', () => {
    const v = detailsValues(item, 'Europe/Berlin');
    expect(v).toMatchObject({
      activeFrom: '2026-07-01 09:00:00',
      expiresAt: null,
      description: '',
      customerPhone: '',
      widthMm: 210,
    });
    const { input, errors } = toUpdateInput(ID, v, 'Europe/Berlin');
    expect(errors).toEqual({});
    expect(input).toEqual({
      id: ID,
      title: 'Poster 42',
      description: null,
      activeFrom: new Date('2026-07-01T07:00:00Z'),
      expiresAt: null,
      customer: { name: 'Grace', email: 'grace@example.com', phone: null, orderRef: 'A-17' },
      playback: { autoplay: true, loop: false, muted: true },
      widthMm: 210,
    });
  });

  it('clears what was emptied and trims the rest', () => {
    const v = {
      ...detailsValues(item, 'UTC'),
      title: '  New title ',
      customerName: '  ',
      orderRef: '',
      widthMm: '' as const,
      activeFrom: null,
    };
    const { input } = toUpdateInput(ID, v, 'UTC');
    expect(input).toMatchObject({
      title: 'New title',
      activeFrom: null,
      widthMm: null,
      customer: { name: null, orderRef: null },
    });
  });

  it('names each field the server would refuse', () => {
    const v = {
      ...detailsValues(item, 'UTC'),
      title: ' ',
      activeFrom: '2026-07-02 10:00',
      expiresAt: '2026-07-01 10:00',
      customerEmail: 'grace-at-example',
      customerPhone: 'call me',
      widthMm: 5,
    };
    expect(Object.keys(toUpdateInput(ID, v, 'UTC').errors).sort()).toEqual([
      'customerEmail',
      'customerPhone',
      'expiresAt',
      'title',
      'widthMm',
    ]);
  });
});

describe('marker files', () => {
  it('takes JPEG, PNG and WebP by type or extension', () => {
    expect(markerContentTypeOf({ name: 'a.bin', type: 'image/png' })).toBe('image/png');
    expect(markerContentTypeOf({ name: 'Poster.JPG', type: '' })).toBe('image/jpeg');
    expect(markerContentTypeOf({ name: 'poster.webp', type: 'application/octet-stream' })).toBe('image/webp');
    expect(markerContentTypeOf({ name: 'poster.gif', type: 'image/gif' })).toBeNull();
  });

  it('refuses empty, oversized and other files before sending anything', () => {
    expect(checkMarkerFile({ name: 'a.png', type: 'image/png', size: 1000 })).toBeNull();
    expect(checkMarkerFile({ name: 'a.png', type: 'image/png', size: 0 })).toMatch(/empty/);
    expect(checkMarkerFile({ name: 'a.png', type: 'image/png', size: 21 * 1024 * 1024 })).toMatch(/20 MiB/);
    expect(checkMarkerFile({ name: 'a.pdf', type: 'application/pdf', size: 10 })).toMatch(/JPEG, PNG or WebP/);
  });
});
