// The processing pipeline end to end: real uploads, real worker, real ffmpeg; outputs checked by ffprobing them.
import { readFileSync, statSync } from 'node:fs';
import { TRPCClientError, type RouterOutputs } from '@arvlite/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { clips, ffprobe, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

type Detail = RouterOutputs['video']['byId'];
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let projectId: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: { MEDIA_X264_PRESET: 'ultrafast', MEDIA_ENCODE_CONCURRENCY: '1', WORKER_CONCURRENCY: '3' },
  });
  owner = await registerUser(platform.client);
  const companyId = (await owner.client.company.create.mutate({ name: 'Pipeline Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Clips' })).id;
});

const CONTENT_TYPES = { mp4: 'video/mp4', webm: 'video/webm', png: 'video/mp4' } as const;

async function upload(path: string): Promise<string> {
  const bytes = new Uint8Array(readFileSync(path));
  const ext = path.split('.').pop() as keyof typeof CONTENT_TYPES;
  const created = await owner.client.video.createUpload.mutate({
    projectId,
    fileName: path.split('/').pop()!.replace('.png', '.mp4'),
    contentType: CONTENT_TYPES[ext],
    size: bytes.length,
  });
  if (created.kind !== 'single') throw new Error('expected single');
  await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers });
  try {
    await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
  } catch (e) {
    // Rejected at the sniff: expected only when the video is FAILED already; anything else is the test's failure.
    const after = await owner.client.video.byId.query({ id: created.videoId });
    if (!(e instanceof TRPCClientError) || after.status !== 'FAILED') throw e;
  }
  return created.videoId;
}

/** Follows video.onStatus until READY or FAILED; returns every snapshot seen. */
function follow(videoId: string) {
  return new Promise<
    RouterOutputs['video']['byId']['steps'][] extends never
      ? never
      : { status: string; progress: number; steps: { name: string; status: string; progress: number }[] }[]
  >((resolve, reject) => {
    const seen: { status: string; progress: number; steps: { name: string; status: string; progress: number }[] }[] =
      [];
    const timer = setTimeout(() => reject(new Error(`timed out; last: ${JSON.stringify(seen.at(-1))}`)), 150_000);
    const sub = owner.client.video.onStatus.subscribe(
      { id: videoId },
      {
        onData(s) {
          seen.push(s);
          if (s.status === 'READY' || s.status === 'FAILED') {
            clearTimeout(timer);
            sub.unsubscribe();
            resolve(seen);
          }
        },
        onError(e) {
          clearTimeout(timer);
          reject(e);
        },
      },
    );
  });
}

async function processed(path: string): Promise<Detail> {
  const id = await upload(path);
  const v0 = await owner.client.video.byId.query({ id });
  if (v0.status !== 'FAILED') await follow(id);
  return owner.client.video.byId.query({ id });
}

function videoStream(p: Awaited<ReturnType<typeof ffprobe>>) {
  return p.streams.find((s) => s.codec_type === 'video')!;
}

async function expectRenditions(v: Detail, sourceDurationS: number, expectAudio: boolean) {
  expect(v.status).toBe('READY');
  expect(v.playback?.mp4Url).toBeTruthy();
  for (const r of v.renditions) {
    expect(r.durationS).toBeGreaterThan(sourceDurationS - 0.1);
    expect(r.durationS).toBeLessThan(sourceDurationS + 0.1);
    expect(r.hasAudio).toBe(expectAudio);
  }
  const mp4 = await ffprobe(v.playback!.mp4Url!);
  expect(Math.abs(mp4.durationS - sourceDurationS)).toBeLessThanOrEqual(0.1);
  expect(mp4.streams.some((s) => s.codec_type === 'audio')).toBe(expectAudio);
  return mp4;
}

describe('processing pipeline', () => {
  it('landscape 720p H.264/AAC: playable by remux, full ladder, poster, storyboard, analysis; live progress then READY', async () => {
    const id = await upload(clips.landscape720(2));
    const seen = await follow(id);
    expect(seen.at(-1)!.status).toBe('READY');
    expect(seen.some((s) => s.status === 'PROCESSING' && s.progress > 0 && s.progress < 100)).toBe(true);
    const v = await owner.client.video.byId.query({ id });
    expect(v.media).toMatchObject({ width: 1280, height: 720, hasAudio: true, isStandard: true });
    expect(v.playableAt).toBeInstanceOf(Date);
    expect(v.playableAt!.getTime()).toBeLessThanOrEqual(v.readyAt!.getTime());
    expect(v.renditions.map((r) => r.name).sort()).toEqual(['360p', '480p', '720p']);
    expect(v.steps.length).toBeGreaterThan(0);
    expect(v.steps.filter((s) => s.status !== 'done')).toEqual([]);
    const mp4 = await expectRenditions(v, 2, true);
    expect(videoStream(mp4)).toMatchObject({ width: 1280, height: 720 });
    // HLS plays through the signed URLs in a real player (ffmpeg's HLS demuxer), variant and segments included.
    const hls = await ffprobe(v.playback!.hlsUrl);
    expect(Math.abs(hls.durationS - 2)).toBeLessThanOrEqual(0.2);
    const master = await (await fetch(v.playback!.hlsUrl)).text();
    expect(master).toMatch(
      /#EXT-X-STREAM-INF:BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=1280x720,FRAME-RATE=30\.000,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/,
    );
    // Tampering with the signature is refused.
    expect((await fetch(v.playback!.hlsUrl.replace(/sig=[^&]+/, 'sig=' + 'x'.repeat(43)))).status).toBe(404);
    const poster = await fetch(v.playback!.posterUrl!);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    const vtt = await (await fetch(v.playback!.storyboardVttUrl!)).text();
    expect(vtt).toMatch(/^WEBVTT/);
    expect(vtt).toMatch(/https?:\/\/\S+#xywh=\d+,\d+,\d+,\d+/);
    expect(v.analysis).toMatchObject({ scenes: { ok: true }, loudness: { ok: true }, 'silence-black': { ok: true } });
    expect(v.storedBytes).toBeGreaterThan(v.sizeBytes);
  }, 180_000);

  it('portrait with rotate metadata comes out upright', async () => {
    const v = await processed(clips.portraitRotated());
    expect(v.media).toMatchObject({ width: 360, height: 640 });
    expect([90, 270]).toContain(v.media?.rotation);
    const mp4 = await expectRenditions(v, 2, true);
    const s = videoStream(mp4);
    expect(s.height!).toBeGreaterThan(s.width!);
    expect(s.side_data_list?.some((d) => d.rotation)).toBeFalsy();
  }, 180_000);

  it('no audio: outputs have no audio track, never a fake silent one', async () => {
    const v = await processed(clips.noAudio());
    await expectRenditions(v, 2, false);
  }, 180_000);

  it('variable frame rate: detected, output constant', async () => {
    const v = await processed(clips.vfr());
    expect(v.media?.isVfr).toBe(true);
    const mp4 = await expectRenditions(v, 2, true);
    const s = videoStream(mp4);
    expect(s.r_frame_rate).toBe(s.avg_frame_rate);
  }, 180_000);

  it('VP9/Opus WebM is encoded (not remuxed) to H.264/AAC', async () => {
    const v = await processed(clips.webm());
    expect(v.media).toMatchObject({ videoCodec: 'vp9', isStandard: false });
    await expectRenditions(v, 2, true);
  }, 180_000);

  it('a 1-second clip', async () => {
    const v = await processed(clips.oneSecond());
    await expectRenditions(v, 1, true);
  }, 180_000);

  it('a truncated file ends FAILED with INVALID_MEDIA and a human message', async () => {
    const v = await processed(clips.truncated());
    expect(v.status).toBe('FAILED');
    expect(v.failure?.code).toBe('INVALID_MEDIA');
    expect(v.failure?.message).toMatch(/truncat|incomplete|cut off/i);
    expect(v.steps.find((s) => s.name === 'probe')?.status).toBe('failed');
  }, 180_000);

  it('an audio-only file ends FAILED with INVALID_MEDIA', async () => {
    const v = await processed(clips.audioOnly());
    expect(v.status).toBe('FAILED');
    expect(v.failure?.code).toBe('INVALID_MEDIA');
    expect(v.failure?.message).toMatch(/video/i);
  }, 180_000);

  it('a PNG renamed .mp4 ends FAILED with a reason, never stuck', async () => {
    const v = await processed(clips.png());
    expect(v.status).toBe('FAILED');
    expect(['UNSUPPORTED_MEDIA', 'INVALID_MEDIA']).toContain(v.failure?.code);
  }, 60_000);

  it('reprocesses a READY video from its original', async () => {
    const v = await processed(clips.oneSecond());
    expect(v.status).toBe('READY');
    await owner.client.video.reprocess.mutate({ id: v.id });
    // The job flips it to PROCESSING first; only then does following it mean anything.
    for (let i = 0; i < 300 && (await owner.client.video.byId.query({ id: v.id })).status === 'READY'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await follow(v.id);
    const again = await owner.client.video.byId.query({ id: v.id });
    expect(again.status).toBe('READY');
    expect(again.readyAt!.getTime()).toBeGreaterThan(v.readyAt!.getTime());
    expect(again.storedBytes).toBeLessThan(v.storedBytes * 1.5);
    expect(statSync(clips.oneSecond()).size).toBeGreaterThan(0);
  }, 180_000);
});
