import { describe, expect, it } from 'vitest';
import { answerError, offlineError } from '../../test/support/trpc-errors.ts';
import { parseManifestAnswer, reasonFromError, urlIdentity } from './manifest.ts';

// The shape viewer.manifest answers with (packages/api, viewer.service.ts), after superjson.
const serverAnswer = {
  ok: true,
  version: 3,
  content: { title: 'Anna & Ben' },
  marker: {
    imageUrl: 'https://s3/marker.jpg?X-Amz-Signature=a',
    mindUrl: 'https://s3/marker.mind?sig=1',
    widthMm: 180,
  },
  video: {
    hlsUrl: 'https://api/media/v/master.m3u8?exp=1&sig=2',
    mp4Url: 'https://s3/720.mp4?sig=3',
    posterUrl: null,
    durationS: 12.5,
    chromaKey: null,
  },
  selection: { rule: 'default', validUntil: new Date('2030-01-01T00:00:00Z') },
  playback: { autoplay: true, loop: false, muted: false },
};

describe('parseManifestAnswer', () => {
  it('normalizes a manifest', () => {
    expect(parseManifestAnswer(serverAnswer)).toEqual({
      kind: 'manifest',
      manifest: {
        version: '3',
        title: 'Anna & Ben',
        marker: { imageUrl: serverAnswer.marker.imageUrl, mindUrl: serverAnswer.marker.mindUrl, widthMm: 180 },
        video: {
          mp4Url: serverAnswer.video.mp4Url,
          hlsUrl: serverAnswer.video.hlsUrl,
          posterUrl: null,
          durationS: 12.5,
          chromaKey: null,
        },
        selection: { rule: 'default', validUntil: Date.parse('2030-01-01T00:00:00Z') },
        playback: { autoplay: true, loop: false, muted: false },
        language: null,
      },
    });
  });

  it("reads the company's language for its viewer pages, on a manifest and on a reason", () => {
    const withLanguage = parseManifestAnswer({ ...serverAnswer, language: 'ru' });
    expect(withLanguage.kind === 'manifest' && withLanguage.manifest.language).toBe('ru');
    expect(parseManifestAnswer({ ok: false, reason: 'EXPIRED', language: 'ru' })).toEqual({
      kind: 'unavailable',
      reason: 'EXPIRED',
      language: 'ru',
    });
    const unknown = parseManifestAnswer({ ...serverAnswer, language: 'xx' });
    expect(unknown.kind === 'manifest' && unknown.manifest.language).toBeNull();
  });

  it('reads the chroma key, and treats one it cannot read as none', () => {
    const key = { color: '#00FF00', tolerance: 0.3, softness: 0.1 };
    const keyed = parseManifestAnswer({ ...serverAnswer, video: { ...serverAnswer.video, chromaKey: key } });
    expect(keyed.kind === 'manifest' && keyed.manifest.video.chromaKey).toEqual(key);
    for (const odd of [{ color: 'green', tolerance: 0.3 }, { color: '#00FF00', tolerance: 7 }, 'x', undefined]) {
      const parsed = parseManifestAnswer({ ...serverAnswer, video: { ...serverAnswer.video, chromaKey: odd } });
      expect(parsed.kind === 'manifest' && parsed.manifest.video.chromaKey).toBeNull();
    }
  });

  it('reads every typed reason, and an unknown one as UNAVAILABLE', () => {
    for (const reason of ['NOT_FOUND', 'EXPIRED', 'MARKER_PROCESSING', 'NO_PLAYABLE_VIDEO'] as const) {
      expect(parseManifestAnswer({ ok: false, reason })).toEqual({ kind: 'unavailable', reason });
    }
    expect(parseManifestAnswer({ ok: false, reason: 'SOMETHING_NEW' })).toEqual({
      kind: 'unavailable',
      reason: 'UNAVAILABLE',
    });
  });

  it('accepts a cached (JSON round-tripped) manifest and tolerates missing optional parts', () => {
    const roundTripped = JSON.parse(JSON.stringify(serverAnswer)) as unknown;
    const parsed = parseManifestAnswer(roundTripped);
    expect(parsed.kind === 'manifest' && parsed.manifest.selection.validUntil).toBe(Date.parse('2030-01-01T00:00:00Z'));
    const minimal = parseManifestAnswer({ version: 1, video: { hlsUrl: 'https://api/master.m3u8' } });
    expect(minimal).toMatchObject({
      kind: 'manifest',
      manifest: { title: '', marker: { imageUrl: null }, playback: { autoplay: true, loop: true, muted: false } },
    });
  });

  it('refuses answers nothing can be played from', () => {
    expect(parseManifestAnswer(null)).toEqual({ kind: 'unavailable', reason: 'UNAVAILABLE' });
    expect(parseManifestAnswer({ version: 1, video: {} })).toEqual({ kind: 'unavailable', reason: 'UNAVAILABLE' });
    expect(parseManifestAnswer({ video: { mp4Url: 'https://x/y.mp4' } })).toEqual({
      kind: 'unavailable',
      reason: 'UNAVAILABLE',
    });
  });
});

describe('reasonFromError', () => {
  it('maps NOT_FOUND answers and reasons carried in error data; not network failures', () => {
    expect(reasonFromError(answerError('NOT_FOUND', 404))).toBe('NOT_FOUND');
    expect(reasonFromError(answerError('CONFLICT', 409, { reason: 'EXPIRED' }))).toBe('EXPIRED');
    expect(reasonFromError(answerError('BAD_REQUEST', 400))).toBeNull();
    expect(reasonFromError(offlineError())).toBeNull();
    expect(reasonFromError(new Error('x'))).toBeNull();
  });
});

it('urlIdentity drops the signature', () => {
  expect(urlIdentity('https://s3/a/720.mp4?X-Amz-Signature=abc')).toBe('https://s3/a/720.mp4');
  expect(urlIdentity('https://s3/a/720.mp4')).toBe('https://s3/a/720.mp4');
});
