// Videos with transparency through the real pipeline (upload, worker, ffmpeg): a ProRes 4444 .mov and a VP9-with-alpha
// .webm get a stacked-alpha rendition (colour | matte side by side, H.264), read back frame by frame; a VP9 file whose
// alpha stream is damaged ends FAILED with a reason, while its colour alone would have decoded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

/** The parts of the row's JSON columns read here (packages/contract video-outputs.ts). */
interface StackedAlphaRendition {
  layout: string;
  mp4: string;
  width: number;
  height: number;
  sizeBytes: number;
}
type VideoOutputs = { alpha?: StackedAlphaRendition };
type MediaInfo = { hasAlpha?: boolean };

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let projectId: string;
let work: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: { MEDIA_X264_PRESET: 'ultrafast', MEDIA_ENCODE_CONCURRENCY: '1' },
  });
  owner = await registerUser(platform.client);
  const companyId = (await owner.client.company.create.mutate({ name: 'Alpha Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Cut-outs' })).id;
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-alpha-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
}, 120_000);

/** A red disc (radius 70 of 320×240), opaque, on a transparent background; the colour is red everywhere. */
const DISC =
  "color=c=0xE01010:s=320x240:r=15:d=2,format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(hypot(X-160,Y-120),70),255,0)'";

function make(file: string, codec: string[]): string {
  const out = path.join(work, file);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', DISC, ...codec, out]);
  return out;
}

async function processed(file: string, contentType: 'video/quicktime' | 'video/webm') {
  const bytes = new Uint8Array(readFileSync(file));
  const created = await owner.client.video.createUpload.mutate({
    projectId,
    fileName: path.basename(file),
    contentType,
    size: bytes.length,
  });
  if (created.kind !== 'single') throw new Error('expected a single upload');
  expect((await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers })).ok).toBe(true);
  await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
  const until = Date.now() + 150_000;
  for (;;) {
    const v = await owner.client.video.byId.query({ id: created.videoId });
    if (v.status === 'READY' || v.status === 'FAILED') return v;
    if (Date.now() > until) throw new Error(`timed out: ${JSON.stringify(v.steps)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** What processing recorded on the row (the API shows neither the probe's hasAlpha nor the outputs' file names). */
async function row(id: string) {
  const [r] = await platform.deps.orm
    .fork()
    .execute<{ media: MediaInfo | null; outputs: VideoOutputs | null; output_id: string }[]>(
      'select media, outputs, output_id from video where id = ?',
      [id],
    );
  return r!;
}

/** The first frame of a stored output as RGB bytes. */
async function firstFrame(outputId: string, file: string, width: number, height: number) {
  const url = await platform.deps.storage.presignGet(`pub/${outputId}/${file}`, 300);
  const rgb = execFileSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    url,
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-',
  ]);
  expect(rgb.length).toBe(width * height * 3);
  return (x: number, y: number): [number, number, number] => {
    const i = (y * width + x) * 3;
    return [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
  };
}

describe('videos with an alpha channel', () => {
  for (const source of [
    {
      name: 'ProRes 4444 (.mov, yuva444p10le)',
      file: 'disc.mov',
      contentType: 'video/quicktime' as const,
      codec: ['-c:v', 'prores_ks', '-profile:v', '4444', '-pix_fmt', 'yuva444p10le'],
    },
    {
      // ffprobe says yuv420p here: only the alpha_mode tag tells, and only libvpx decodes the alpha.
      name: 'VP9 with alpha (.webm, alpha_mode)',
      file: 'disc.webm',
      contentType: 'video/webm' as const,
      codec: ['-c:v', 'libvpx-vp9', '-pix_fmt', 'yuva420p', '-b:v', '800k'],
    },
  ]) {
    it(
      `${source.name}: READY with a stacked-alpha H.264 rendition, colour left and matte right`,
      {
        timeout: 200_000,
      },
      async () => {
        const v = await processed(make(source.file, source.codec), source.contentType);
        expect(v.status, JSON.stringify(v.failure)).toBe('READY');
        const { media, outputs, output_id } = await row(v.id);
        expect(media?.hasAlpha).toBe(true);
        const alpha = outputs?.alpha as StackedAlphaRendition;
        expect(alpha).toMatchObject({ layout: 'side-by-side', mp4: 'alpha.mp4', width: 320, height: 240 });
        expect(alpha.sizeBytes).toBeGreaterThan(0);
        // The ordinary renditions are made as for any video.
        expect(v.playback?.mp4Url).toBeTruthy();

        const probe = JSON.parse(
          execFileSync('ffprobe', [
            '-v',
            'error',
            '-show_streams',
            '-of',
            'json',
            await platform.deps.storage.presignGet(`pub/${output_id}/alpha.mp4`, 300),
          ]).toString(),
        ) as { streams: { codec_type: string; codec_name: string; width: number; height: number; pix_fmt: string }[] };
        expect(probe.streams.map((s) => s.codec_type)).toEqual(['video']);
        expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 640, height: 240, pix_fmt: 'yuv420p' });

        const px = await firstFrame(output_id, 'alpha.mp4', 640, 240);
        const [r, g, b] = px(160, 120); // the colour half's middle: the red disc
        expect(r).toBeGreaterThan(180);
        expect(g + b).toBeLessThan(90);
        for (const [x, y] of [
          [320 + 160, 120], // matte, middle: opaque
          [320 + 175, 110],
        ] as const)
          expect(px(x, y)[1], `matte at ${x},${y}`).toBeGreaterThan(225);
        for (const [x, y] of [
          [320 + 8, 8], // matte, corners: transparent
          [639 - 8, 8],
          [320 + 8, 231],
          [639 - 8, 231],
        ] as const)
          expect(px(x, y)[1], `matte at ${x},${y}`).toBeLessThan(30);
      },
    );
  }

  it(
    'a VP9 file whose alpha stream is damaged ends FAILED with INVALID_MEDIA and a reason',
    { timeout: 200_000 },
    async () => {
      const good = make('damaged.webm', ['-c:v', 'libvpx-vp9', '-pix_fmt', 'yuva420p', '-b:v', '800k']);
      // Scrambles the start of every alpha payload (Matroska BlockAdditional, ID 0xA5, in BlockMore with BlockAddID 1):
      // the colour frames stay intact, so ffmpeg's own VP9 decoder still plays the file.
      const bytes = readFileSync(good);
      let patched = 0;
      for (let i = 0; i + 4 < bytes.length; i++) {
        if (bytes[i] === 0xee && bytes[i + 1] === 0x81 && bytes[i + 2] === 0x01 && bytes[i + 3] === 0xa5) {
          // The payload's size (an EBML varint of one or two bytes); the Matroska structure around it stays valid.
          const oneByte = bytes[i + 4]! >= 0x80;
          const size = oneByte ? bytes[i + 4]! & 0x7f : ((bytes[i + 4]! & 0x3f) << 8) | bytes[i + 5]!;
          const start = i + (oneByte ? 5 : 6);
          for (let j = start + 4; j < start + size; j++) bytes[j] = (bytes[j]! * 7 + 13) & 255;
          patched++;
        }
      }
      expect(patched).toBeGreaterThan(10);
      const damaged = path.join(work, 'damaged-alpha.webm');
      writeFileSync(damaged, bytes);
      // The colour alone decodes (ffmpeg's own VP9 decoder ignores the alpha stream) …
      execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', damaged, '-f', 'null', '-']);

      const v = await processed(damaged, 'video/webm');
      expect(v.status).toBe('FAILED');
      expect(v.failure).toMatchObject({ code: 'INVALID_MEDIA' });
      expect(v.failure!.message).toMatch(/transparency \(alpha\) channel that could not be decoded/);
      // Nothing of the failed step is left in storage.
      const { output_id } = await row(v.id);
      expect(await platform.deps.storage.listKeys(`pub/${output_id}/`)).toEqual([]);
    },
  );
});
