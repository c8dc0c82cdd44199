import { describe, expect, it } from 'vitest';
import type { Manifest, PlayableManifest } from './api.ts';
import { afterRefresh, manifestIdentity, refreshDelayMs } from './manifest-refresh.ts';

const NOW = Date.parse('2026-11-22T10:00:00Z');

function manifest(
  over: {
    video?: string;
    version?: number;
    sig?: string;
    validUntil?: Date | null;
    loop?: boolean;
  } = {},
): PlayableManifest {
  const sig = `?X-Amz-Signature=${over.sig ?? 'a'}`;
  const video = over.video ?? 'v1';
  return {
    ok: true,
    version: over.version ?? 1,
    language: 'en',
    content: { title: 'Card' },
    marker: { imageUrl: `http://s3/m.jpg${sig}`, mindUrl: `http://s3/m.mind${sig}`, widthMm: 100 },
    video: {
      hlsUrl: `http://app/media/${video}/master.m3u8?exp=1&sig=${over.sig ?? 'a'}`,
      mp4Url: `http://s3/${video}.mp4${sig}`,
      posterUrl: null,
      durationS: 5,
      chromaKey: null,
      alpha: null,
    },
    selection: {
      rule: 'window',
      validUntil: over.validUntil === undefined ? new Date(NOW + 60_000) : over.validUntil,
    },
    playback: { autoplay: true, loop: over.loop ?? true, muted: false },
  };
}

describe('manifest refresh', () => {
  it('waits until a second after the choice can change, at least a second, at most what setTimeout takes', () => {
    expect(refreshDelayMs(null, NOW)).toBeNull();
    expect(refreshDelayMs(new Date(NOW + 60_000), NOW)).toBe(61_000);
    expect(refreshDelayMs(new Date(NOW - 5_000), NOW)).toBe(1000);
    expect(refreshDelayMs(new Date(NOW + 90 * 86_400_000), NOW)).toBe(2 ** 31 - 1);
  });

  it('identifies what plays, not how it is signed', () => {
    expect(manifestIdentity(manifest({ sig: 'a' }))).toBe(manifestIdentity(manifest({ sig: 'b' })));
    expect(manifestIdentity(manifest({ video: 'v1' }))).not.toBe(manifestIdentity(manifest({ video: 'v2' })));
    expect(manifestIdentity(manifest({ version: 1 }))).not.toBe(manifestIdentity(manifest({ version: 2 })));
    expect(manifestIdentity(manifest({ loop: true }))).not.toBe(manifestIdentity(manifest({ loop: false })));
  });

  it('keeps the playing objects when the same video stays, switches when another is chosen, stops when gone', () => {
    const current = manifest({ video: 'v1', sig: 'a' });
    const later = new Date(NOW + 3_600_000);

    const same = afterRefresh(current, manifest({ video: 'v1', sig: 'b', validUntil: later }));
    expect(same.kind).toBe('same');
    if (same.kind !== 'same') throw new Error('unreachable');
    // The player and tracker depend on these objects: unchanged, nothing restarts.
    expect(same.manifest.video).toBe(current.video);
    expect(same.manifest.marker).toBe(current.marker);
    expect(same.manifest.playback).toBe(current.playback);
    expect(same.manifest.selection.validUntil).toEqual(later);

    const changed = afterRefresh(current, manifest({ video: 'v2' }));
    expect(changed).toMatchObject({
      kind: 'changed',
      manifest: { video: { mp4Url: expect.stringContaining('/v2.mp4') } },
    });

    const expired: Manifest = { ok: false, reason: 'EXPIRED' };
    expect(afterRefresh(current, expired)).toEqual({ kind: 'gone', reason: 'EXPIRED' });
  });
});
