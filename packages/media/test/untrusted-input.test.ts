// User files are untrusted: ffmpeg and ffprobe never guess their format, never open anything but local files,
// run under a wall-clock limit, and production never falls back to the npm-shipped ffmpeg 4.1.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInAnalyzers, runAnalyzers } from '../src/analyzers/index.ts';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/ffmpeg-binary.ts';
import { generatePoster, generateStoryboard } from '../src/images.ts';
import { FfmpegNotFoundError, InvalidMediaError, MediaTimeoutError } from '../src/media-errors.ts';
import { probe } from '../src/probe.ts';
import { inputArgs } from '../src/input-format.ts';
import { describeSegments, encodeRendition, planLadder, remuxFast, remuxProgressive } from '../src/renditions.ts';
import { clips, ffmpeg, makeTempDir } from './fixtures.ts';

let bin: FfmpegBinaries;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let server: Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  bin = await resolveFfmpeg();
  tmp = await makeTempDir('untrusted');
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await tmp.cleanup();
});

const playlists = {
  hls: () => `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${base}/hls/seg0.ts\n#EXT-X-ENDLIST\n`,
  ffconcat: () => `ffconcat version 1.0\nfile '${base}/concat/a.mp4'\nfile '${base}/concat/b.mp4'\n`,
  // A text whose lines are URLs: what the image2/`-f concat` guessers and HLS-without-header once took.
  urls: () => `${base}/list/a.mp4\n${base}/list/b.mp4\n`,
};

/** An HLS playlist over a local media file: ffmpeg's defaults allow the file protocol inside a local playlist. */
function localFilePlaylist(target: string, durationS: number) {
  return `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:${Math.ceil(durationS)}\n#EXTINF:${durationS.toFixed(3)},\n${target}\n#EXT-X-ENDLIST\n`;
}

describe('untrusted input files', () => {
  for (const [kind, text] of Object.entries(playlists)) {
    it(`a ${kind} playlist uploaded as a video is refused without a single request to the URLs inside`, async () => {
      const file = join(tmp.dir, `${kind}-original`);
      await writeFile(file, text());
      requests.length = 0;
      const err = await probe(bin, file, { container: 'mp4' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InvalidMediaError);
      // Give a straggling connection time to arrive before saying none did.
      await new Promise((r) => setTimeout(r, 200));
      expect(requests).toEqual([]);
    });
  }

  it("an HLS playlist naming a local media file (another job's output) is refused, not read", async () => {
    const secret = join(tmp.dir, 'other-tenant.ts');
    await ffmpeg(['-i', await clips.oneSecond(tmp.dir), '-c', 'copy', '-f', 'mpegts', secret]);
    const file = join(tmp.dir, 'lfi-original');
    await writeFile(file, localFilePlaylist(secret, 1));
    const err = await probe(bin, file, { container: 'mp4' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidMediaError);
  });

  it('a file of another container than the accepted type is refused before ffprobe reads it', async () => {
    const webm = await clips.vp9Opus(tmp.dir);
    const err = await probe(bin, webm, { container: 'mp4' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidMediaError);
    expect((await probe(bin, webm, { container: 'webm' })).container).toContain('matroska');
  });

  it('every ffmpeg and ffprobe run names its demuxer and allows only the file protocol', async () => {
    // A wrapper that records each command line, then runs the real binary.
    const log = join(tmp.dir, 'argv.log');
    const wrap = async (name: string, real: string) => {
      const path = join(tmp.dir, `${name}-recorder.sh`);
      await writeFile(
        path,
        `#!/bin/sh\nprintf '%s\\037' "$@" >> '${log}'\nprintf '\\n' >> '${log}'\nexec '${real}' "$@"\n`,
      );
      await chmod(path, 0o755);
      return path;
    };
    const recorded: FfmpegBinaries = {
      ...bin,
      ffmpeg: await wrap('ffmpeg', bin.ffmpeg),
      ffprobe: await wrap('ffprobe', bin.ffprobe),
    };
    const input = await clips.landscape720(tmp.dir);
    const info = await probe(recorded, input, { container: 'mp4' });
    const out = join(tmp.dir, 'out');
    await remuxFast(recorded, input, info, out, { name: 'source' });
    await remuxProgressive(recorded, input, info, join(tmp.dir, 'progressive'), {
      onSegments: async (dir, segments) => {
        await describeSegments(recorded, dir, 'source', segments, info);
        return true;
      },
    });
    await encodeRendition(recorded, input, info, planLadder(info).at(-1)!, out, { preset: 'ultrafast' });
    await generatePoster(recorded, input, info, out);
    await generateStoryboard(recorded, input, info, out);
    await runAnalyzers(builtInAnalyzers(recorded), input, info);

    const runs = (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\x1f').filter(Boolean))
      .filter((argv) => !argv.includes('-version'));
    expect(runs.length).toBeGreaterThan(8);
    for (const argv of runs) {
      const inputs = argv.flatMap((a, i) => (a === '-i' ? [i] : []));
      expect(inputs.length, argv.join(' ')).toBeGreaterThan(0);
      for (const i of inputs) {
        const before = argv.slice(0, i);
        const f = before.lastIndexOf('-f');
        const wl = before.lastIndexOf('-protocol_whitelist');
        expect(f, `no -f before ${argv[i + 1]} in: ${argv.join(' ')}`).toBeGreaterThanOrEqual(0);
        expect(['mov', 'matroska', 'image2', 'mpegts']).toContain(argv[f + 1]);
        expect(wl, `no -protocol_whitelist before ${argv[i + 1]} in: ${argv.join(' ')}`).toBeGreaterThanOrEqual(0);
        expect(argv[wl + 1]).toBe('file');
        // Both belong to this input: no other -i between them and it.
        expect(before.slice(Math.min(f, wl)).includes('-i')).toBe(false);
      }
    }
  }, 120_000);

  it("over HTTP only the worker's own loopback reader is read: 127.0.0.1, a long random path, http and tcp alone", () => {
    const head = new Uint8Array(12);
    const path = 'a'.repeat(43);
    expect(inputArgs({ url: `http://127.0.0.1:4567/${path}`, size: 1, head }, 'mov')).toEqual([
      '-f',
      'mov',
      '-protocol_whitelist',
      'http,tcp',
      '-i',
      `http://127.0.0.1:4567/${path}`,
    ]);
    for (const url of [
      `http://10.0.0.1:4567/${path}`,
      `http://localhost:4567/${path}`,
      `https://127.0.0.1:4567/${path}`,
      'http://127.0.0.1:4567/short',
      `http://127.0.0.1:4567/${path}?x=1`,
      `http://127.0.0.1:4567/${path}/../other`,
      `http://169.254.169.254/${path}`,
    ])
      expect(() => inputArgs({ url, size: 1, head }, 'mov'), url).toThrow(/loopback/);
  });

  it('ffmpeg runs under a wall-clock limit: a run past it is killed and reported as a timeout', async () => {
    const limited = await resolveFfmpeg({ timeoutMs: 300 });
    const input = await clips.long(tmp.dir);
    const info = await probe(bin, input, { container: 'mp4' });
    const err = await encodeRendition(limited, input, info, planLadder(info).at(-1)!, join(tmp.dir, 'slow'), {
      preset: 'slow',
    }).then(
      () => null,
      (e: unknown) => e,
    );
    // The MediaTimeoutError is the limit at work: a 'slow' encode of the long clip would otherwise finish, not fail.
    expect(err).toBeInstanceOf(MediaTimeoutError);
  }, 60_000);

  it('production refuses the npm-shipped ffmpeg 4.1 with a message that says what to install', async () => {
    const err = await resolveFfmpeg({ skipPath: true, production: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FfmpegNotFoundError);
    expect((err as Error).message).toMatch(/ffmpeg ≥ 5.*FFMPEG_PATH/);
    // Outside production the fallback still works (with its warning).
    expect((await resolveFfmpeg({ skipPath: true })).source.ffmpeg).toBe('installer');
  });
});
