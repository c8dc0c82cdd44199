// The playable remux while reading (remuxProgressive): segments handed over in order as ffmpeg closes them, the
// growing and the final playlists, and no personal metadata in anything it writes.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { metadataTags as tags, PERSONAL } from '@arvlite/test-utils/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/ffmpeg-binary.ts';
import { probe } from '../src/probe.ts';
import {
  describeSegments,
  mediaPlaylist,
  playlistSegments,
  remuxProgressive,
  type HlsSegment,
} from '../src/renditions.ts';
import { clips, decodeErrors, makeTempDir } from './fixtures.ts';

let bin: FfmpegBinaries;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  bin = await resolveFfmpeg();
  tmp = await makeTempDir('progressive');
});
afterAll(() => tmp.cleanup());

describe('remuxProgressive', () => {
  it('hands over every segment in order, then writes a VOD playlist and a faststart MP4 without personal metadata', async () => {
    const input = await clips.phone(tmp.dir, 9);
    expect((await tags(input)).filter((t) => PERSONAL.test(t)).length).toBeGreaterThan(3); // the fixture has them
    const info = await probe(bin, input, { container: 'mov' });
    expect(info.isStandard).toBe(true);

    const out = join(tmp.dir, 'out');
    const handed: HlsSegment[] = [];
    const calls: string[][] = [];
    const r = await remuxProgressive(bin, input, info, out, {
      segmentSeconds: 2,
      onSegments: async (dir, segments) => {
        calls.push(segments.map((s) => s.uri));
        // Each one is complete when handed over: it decodes on its own.
        for (const s of segments) expect(await decodeErrors(join(dir, s.uri))).toBe('');
        handed.push(...segments);
        return true;
      },
    });
    expect(r).not.toBeNull();
    expect(handed.map((s) => s.uri)).toEqual(r!.segments);
    expect(new Set(handed.map((s) => s.uri)).size).toBe(handed.length);
    expect(handed.length).toBeGreaterThanOrEqual(4);
    expect(Math.abs(handed.reduce((t, s) => t + s.durationS, 0) - info.durationS)).toBeLessThan(0.2);

    const playlist = await readFile(join(out, r!.playlist), 'utf8');
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    expect(playlistSegments(playlist)).toEqual(handed);
    expect(await decodeErrors(join(out, r!.playlist))).toBe('');
    expect(await decodeErrors(join(out, r!.mp4))).toBe('');
    // faststart: the index comes before the media data.
    const mp4 = await readFile(join(out, r!.mp4));
    expect(mp4.indexOf('moov')).toBeLessThan(mp4.indexOf('mdat'));

    for (const f of [r!.mp4, ...r!.segments])
      expect(await tags(join(out, f)), f).not.toContainEqual(expect.stringMatching(PERSONAL));
    expect((await readdir(out)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stops when the caller answers false', async () => {
    const input = await clips.phone(tmp.dir, 9);
    const info = await probe(bin, input, { container: 'mov' });
    let calls = 0;
    const r = await remuxProgressive(bin, input, info, join(tmp.dir, 'stopped'), {
      segmentSeconds: 2,
      onSegments: async () => {
        calls++;
        return false;
      },
    });
    expect(r).toBeNull();
    expect(calls).toBe(1);
  });

  it('describes a variant from its first segments and writes the growing playlist players start from the top of', async () => {
    const input = await clips.phone(tmp.dir, 9);
    const info = await probe(bin, input, { container: 'mov' });
    let first: Awaited<ReturnType<typeof describeSegments>> | null = null;
    const done = await remuxProgressive(bin, input, info, join(tmp.dir, 'described'), {
      segmentSeconds: 2,
      onSegments: async (dir, segments) => {
        first ??= await describeSegments(bin, dir, 'source', segments, info);
        return true;
      },
    });
    expect(first!.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    // Read from the segment's own SPS: the same as the finished MP4's avcC says (the remux keeps the bitstream).
    expect(first!.codecs).toBe(done!.codecs);
    expect(first!.bandwidth).toBeGreaterThanOrEqual(first!.averageBandwidth);
    expect(first!.averageBandwidth).toBeGreaterThan(0);
    expect({ w: first!.width, h: first!.height }).toEqual({ w: 1920, h: 1080 });

    const growing = mediaPlaylist([{ uri: 'source_00000.ts', durationS: 2.5 }], 2, false);
    expect(growing).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(growing).toContain('#EXT-X-START:TIME-OFFSET=0');
    expect(growing).toContain('#EXT-X-TARGETDURATION:3');
    expect(growing).not.toContain('#EXT-X-ENDLIST');
  });
});
