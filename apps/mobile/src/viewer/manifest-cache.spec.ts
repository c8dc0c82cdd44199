import { beforeEach, describe, expect, it } from 'vitest';
import { answerError, offlineError } from '../../test/support/trpc-errors.ts';
import { memoryStore } from '../lib/key-value-store.ts';
import { ManifestCache, type MediaFiles } from './manifest-cache.ts';

const ID = 'Ab3_xY-9kLmNpQ';
const HOUR = 3_600_000;

/** A device's file system as far as the cache sees it: named files holding the URL they came from. */
function deviceFiles() {
  const files = new Map<string, string>();
  const downloads: string[] = [];
  let failNext = false;
  const api: MediaFiles = {
    save: async (name, url) => {
      downloads.push(url);
      if (failNext) {
        failNext = false;
        throw new Error('connection reset');
      }
      files.set(`file:///cache/${name}`, url);
      return `file:///cache/${name}`;
    },
    exists: async (uri) => files.has(uri),
    remove: async (uri) => {
      files.delete(uri);
    },
  };
  return { api, files, downloads, failNextDownload: () => (failNext = true) };
}

function manifest(version: number, opts: { validUntil?: Date | null; video?: string; sig?: string } = {}) {
  const sig = opts.sig ?? 'a';
  return {
    ok: true,
    version,
    content: { title: 'Anna & Ben' },
    marker: {
      imageUrl: `https://s3.test/m/${version}/marker.jpg?sig=${sig}`,
      mindUrl: `https://s3.test/m/${version}/marker.mind?sig=${sig}`,
      widthMm: 150,
    },
    video: {
      hlsUrl: `https://api.test/media/master.m3u8?sig=${sig}`,
      mp4Url: `https://s3.test/v/${opts.video ?? 'one'}/720.mp4?sig=${sig}`,
      posterUrl: null,
      durationS: 10,
    },
    selection: { rule: 'default', validUntil: opts.validUntil === undefined ? null : opts.validUntil },
    playback: { autoplay: true, loop: true, muted: false },
  };
}

let now: number;
let server: () => Promise<unknown>;
let fs: ReturnType<typeof deviceFiles>;
let store: ReturnType<typeof memoryStore>;
const cache = () => new ManifestCache({ store, files: fs.api, fetchManifest: () => server(), now: () => now });
const offline = () => {
  server = async () => {
    throw offlineError();
  };
};

beforeEach(() => {
  now = Date.parse('2030-06-01T12:00:00Z');
  fs = deviceFiles();
  store = memoryStore();
});

describe('ManifestCache', () => {
  it('keeps manifest, marker and MP4, so a second scan plays offline from local files', async () => {
    server = async () => manifest(1);
    const first = await cache().load(ID);
    expect(first).toMatchObject({
      kind: 'ready',
      from: 'network',
      markerUri: expect.stringMatching(/^file:\/\//),
      videoUri: expect.stringMatching(/\.mp4$/),
    });
    expect(fs.downloads).toEqual([manifest(1).marker.imageUrl, manifest(1).video.mp4Url]);

    offline();
    const second = await cache().load(ID); // a new instance: the app was restarted
    expect(second).toEqual({ ...first, from: 'cache' });
    expect(fs.downloads).toHaveLength(2);
  });

  it('reuses files for the same version when only the signatures changed', async () => {
    server = async () => manifest(1, { sig: 'a' });
    await cache().load(ID);
    server = async () => manifest(1, { sig: 'b' });
    const again = await cache().load(ID);
    expect(fs.downloads).toHaveLength(2);
    expect(again).toMatchObject({ kind: 'ready', from: 'network', videoUri: expect.stringMatching(/^file:\/\//) });
  });

  it('downloads again for a new version and deletes the old files', async () => {
    server = async () => manifest(1);
    const v1 = await cache().load(ID);
    server = async () => manifest(2, { video: 'two' });
    const v2 = await cache().load(ID);
    if (v1.kind !== 'ready' || v2.kind !== 'ready') throw new Error('expected ready');
    expect(v2.videoUri).not.toBe(v1.videoUri);
    expect(fs.files.get(v2.videoUri)).toBe(manifest(2, { video: 'two' }).video.mp4Url);
    expect([...fs.files.keys()].sort()).toEqual([v2.markerUri, v2.videoUri].sort());
  });

  it('plays offline only until selection.validUntil; after that it says the copy is stale', async () => {
    server = async () => manifest(1, { validUntil: new Date(now + HOUR) });
    await cache().load(ID);
    offline();
    now += HOUR - 1;
    expect(await cache().load(ID)).toMatchObject({ kind: 'ready', from: 'cache' });
    now += 1;
    expect(await cache().load(ID)).toEqual({ kind: 'offline', stale: true });
  });

  it('keeps a manifest without validUntil usable offline', async () => {
    server = async () => manifest(1, { validUntil: null });
    await cache().load(ID);
    offline();
    now += 365 * 24 * HOUR;
    expect(await cache().load(ID)).toMatchObject({ kind: 'ready', from: 'cache' });
  });

  it('forgets an item the server says is expired or gone, files included', async () => {
    server = async () => manifest(1);
    await cache().load(ID);
    server = async () => ({ ok: false, reason: 'EXPIRED' });
    expect(await cache().load(ID)).toEqual({ kind: 'unavailable', reason: 'EXPIRED' });
    expect(fs.files.size).toBe(0);
    offline();
    expect(await cache().load(ID)).toEqual({ kind: 'offline', stale: false });

    server = async () => {
      throw answerError('NOT_FOUND', 404);
    };
    expect(await cache().load(ID)).toEqual({ kind: 'unavailable', reason: 'NOT_FOUND' });
  });

  it("passes on the company's language with a reason, and with an offline copy that is out of date", async () => {
    server = async () => ({ ok: false, reason: 'EXPIRED', language: 'ru' });
    expect(await cache().load(ID)).toEqual({ kind: 'unavailable', reason: 'EXPIRED', language: 'ru' });
    server = async () => ({ ...manifest(1, { validUntil: new Date(now + HOUR) }), language: 'ru' });
    expect(await cache().load(ID)).toMatchObject({ kind: 'ready', manifest: { language: 'ru' } });
    offline();
    now += 2 * HOUR;
    expect(await cache().load(ID)).toEqual({ kind: 'offline', stale: true, language: 'ru' });
  });

  it('streams when the download fails, and then has nothing to play offline', async () => {
    server = async () => manifest(1);
    fs.failNextDownload(); // the marker fails; the video is kept
    const loaded = await cache().load(ID);
    expect(loaded).toMatchObject({
      kind: 'ready',
      markerUri: manifest(1).marker.imageUrl,
      videoUri: expect.stringMatching(/^file:\/\//),
    });

    const web = new ManifestCache({
      store: memoryStore(),
      files: { save: async () => null, exists: async () => false, remove: async () => undefined },
      fetchManifest: () => server(),
    });
    expect(await web.load(ID)).toMatchObject({ kind: 'ready', videoUri: manifest(1).video.mp4Url });
    offline();
    expect(await web.load(ID)).toEqual({ kind: 'offline', stale: false });
  });

  it('passes on errors that are neither network failures nor reasons', async () => {
    server = async () => {
      throw answerError('BAD_REQUEST', 400);
    };
    await expect(cache().load(ID)).rejects.toThrow('BAD_REQUEST');
  });

  it('downloads once when the same code is opened twice at the same time', async () => {
    server = async () => manifest(1);
    const c = cache();
    const [a, b] = await Promise.all([c.load(ID), c.load(ID)]);
    expect(a).toEqual(b);
    expect(fs.downloads).toHaveLength(2);
  });
});
