// Transparent video on the printed photo, end to end: generated clips go through the real pipeline (upload, worker,
// ffmpeg), the web viewer tracks the photo on Chromium's fake camera, and the composited page (camera feed + WebGL
// canvas) is sampled where the video plane lies over the photo: where the clip is transparent, the photo must show,
// not the clip's background, black or white.
// - a green-screen clip (a red subject on #00FF00) with the video's chroma key set by its editor;
// - (the same page without the key is the control: the corners are then green, so the check can fail);
// - ProRes 4444 and VP9-with-alpha clips, played through their stacked-alpha rendition.
// And the playback rules (playback.ts) on a feed that shows the photo, then the bare table, then the photo again.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArvliteNodeClient, type ArvliteClient } from '@arvlite/client/node';
import { busyImage, registerUser, type TestUser } from '@arvlite/integration-tests';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort, waitUntil, type TestDeps } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import { startWorker } from '@arvlite/worker';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOLD_MS } from '../src/viewer/pose-filter.ts';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');
const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
/** The fake camera's frame and the page's viewport: the same size, so feed pixels are page pixels. */
const FEED = { width: 640, height: 480 };
/** Where the printed photo lies in the feed (on a grey table). */
const PHOTO = { x: 64, y: 48, width: 512, height: 384 };

let baseUrl: string;
let deps: TestDeps;
let owner: TestUser;
let work: string;
let projectId: string;
let markerPng: string;
let camera: BrowserContext;

const poll = { timeout: 120_000 };

function ffmpeg(args: string[]) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
}

/** Uploads a file as a video of the project and waits for the pipeline to finish it. */
async function uploadVideo(file: string, contentType: 'video/mp4' | 'video/webm' | 'video/quicktime') {
  const bytes = new Uint8Array(readFileSync(file));
  const upload = await owner.client.video.createUpload.mutate({
    projectId,
    fileName: path.basename(file),
    contentType,
    size: bytes.length,
  });
  if (upload.kind !== 'single') throw new Error('expected a single upload');
  expect((await fetch(upload.url, { method: 'PUT', body: bytes, headers: upload.headers })).ok).toBe(true);
  await owner.client.video.completeUpload.mutate({ videoId: upload.videoId });
  return waitUntil(
    `${path.basename(file)} processed`,
    () => owner.client.video.byId.query({ id: upload.videoId }),
    (v) => v.status === 'READY' || v.status === 'FAILED',
    poll,
  );
}

/** A published item with the printed photo as its marker and `videoId` as what it plays. */
async function itemPlaying(videoId: string, title: string) {
  const created = await owner.client.arContent.create.mutate({ projectId, title, widthMm: 150 });
  const png = readFileSync(markerPng);
  const up = await owner.client.arContent.createMarkerUpload.mutate({
    id: created.id,
    contentType: 'image/png',
    size: png.length,
  });
  expect((await fetch(up.url, { method: 'PUT', body: new Uint8Array(png), headers: up.headers })).ok).toBe(true);
  await owner.client.arContent.completeMarkerUpload.mutate({ id: created.id });
  const compiled = await waitUntil(
    'marker compiled',
    () => owner.client.arContent.byId.query({ id: created.id }),
    (c) => c.status !== 'MARKER_PROCESSING',
    poll,
  );
  expect(compiled.status).toBe('READY');
  await owner.client.playlist.set.mutate({ id: created.id, videoIds: [videoId], defaultVideoId: videoId });
  return created;
}

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(shots, `${name}.png`) });

type Rgb = [number, number, number];

/** Decodes a PNG in a blank page of the browser (no CSP there) and averages 9×9 patches around the points. */
async function patches(png: Buffer, points: { x: number; y: number }[]): Promise<Rgb[]> {
  const page = await camera.newPage();
  try {
    return await page.evaluate(
      async ({ b64, points }) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = new OffscreenCanvas(img.width, img.height);
        const g = canvas.getContext('2d')!;
        g.drawImage(img, 0, 0);
        return points.map(({ x, y }) => {
          const d = g.getImageData(Math.round(x) - 4, Math.round(y) - 4, 9, 9).data;
          const sum = [0, 0, 0];
          for (let i = 0; i < d.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += d[i + c]!;
          return sum.map((s) => Math.round(s / 81)) as [number, number, number];
        });
      },
      { b64: png.toString('base64'), points },
    );
  } finally {
    await page.close();
  }
}

const distance = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const greenish = ([r, g, b]: Rgb) => g > 150 && g > r + 60 && g > b + 60;

/** Points of the photo as fractions of it → page pixels (feed and viewport are the same size, 1 CSS px = 1 px). */
const onPhoto = (fx: number, fy: number) => ({ x: PHOTO.x + fx * PHOTO.width, y: PHOTO.y + fy * PHOTO.height });
/** Inside each corner of the plane (inset, as tracking is not pixel exact), and its middle. */
const CORNERS = [onPhoto(0.12, 0.14), onPhoto(0.88, 0.14), onPhoto(0.12, 0.86), onPhoto(0.88, 0.86)];
const MIDDLE = onPhoto(0.5, 0.5);

/**
 * Opens the item on the fake camera, waits until the video plays on the photo, and samples the page composited (the
 * WebGL canvas over the camera) and the camera alone (the canvas hidden).
 */
/**
 * Opens the camera view and screenshots it, the photo tracked: with the video playing on the photo, or (`plane`
 * 'poster' or 'none') with every video request refused, so the plane shows what it shows before the first frame: the
 * poster, or nothing (the photo).
 */
async function sample(publicId: string, name: string, plane: 'video' | 'poster' | 'none' = 'video') {
  const page: Page = await camera.newPage();
  page.setDefaultTimeout(20_000);
  try {
    // The manifest is cacheable for up to a minute; this page must see the key as it is now.
    await (await camera.newCDPSession(page)).send('Network.clearBrowserCache');
    const videoRequests: string[] = [];
    if (plane !== 'video')
      await page.route(/\.(mp4|m3u8|ts)(\?|$)/, (route) => {
        videoRequests.push(route.request().url());
        return route.abort();
      });
    await page.goto(`${baseUrl}/v/${publicId}`);
    const stage = () => page.getByTestId('ar-stage').getAttribute('data-stage');
    const shows = () => page.getByTestId('ar-stage').getAttribute('data-plane');
    await expect.poll(stage, { timeout: 120_000, interval: 200 }).toBe('tracking');
    if (plane === 'video')
      await waitUntil(
        'the video to play on the photo',
        () => page.getByTestId('ar-video').evaluate((v: HTMLVideoElement) => ({ t: v.currentTime, paused: v.paused })),
        (v) => v.t > 0.5 && !v.paused,
        { timeout: 30_000 },
      );
    else expect(videoRequests.length, 'the video was asked for, and refused').toBeGreaterThan(0);
    // (The poster loads after the photo may have been found: its texture shows on the next frame.)
    await expect.poll(shows, { timeout: 15_000, interval: 100 }).toBe(plane);
    // Still tracking, and still showing it, at the moment of the shot (else the check proves nothing).
    const composited = await page.screenshot({ path: path.join(shots, `${name}.png`) });
    expect([await stage(), await shows()]).toEqual(['tracking', plane]);
    await page.addStyleTag({ content: '.arv-canvas { visibility: hidden !important; }' });
    const cameraOnly = await page.screenshot({ path: path.join(shots, `${name}-camera.png`) });
    const points = [...CORNERS, MIDDLE];
    return { composited: await patches(composited, points), camera: await patches(cameraOnly, points) };
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-keying-e2e-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });
  const reserved = await reservePort();
  baseUrl = `http://127.0.0.1:${reserved.port}`;
  deps = await createTestDeps({
    PORT: String(reserved.port),
    PUBLIC_URL: baseUrl,
    WORKER_POLL_INTERVAL_MS: '200',
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_ENCODE_CONCURRENCY: '1',
  });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(deps, { concurrency: 2 });
  mkdirSync(shots, { recursive: true });
  afterAll(async () => {
    await worker.stop();
    await app.close();
    rmSync(work, { recursive: true, force: true });
  });

  const client = (getAccessToken?: () => string | null): ArvliteClient =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken });
  owner = await registerUser(client, 'Keying E2E');
  const companyId = (await owner.client.company.create.mutate({ name: 'Green Screen Prints' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Cut-outs' })).id;

  markerPng = path.join(work, 'marker.png');
  writeFileSync(markerPng, await busyImage(640, 480, 11));
  // The fake camera films the photo lying still on a grey table, filling the middle of the frame.
  const feed = path.join(work, 'camera.y4m');
  ffmpeg([
    '-loop',
    '1',
    '-t',
    '4',
    '-i',
    markerPng,
    '-vf',
    `scale=${PHOTO.width}:${PHOTO.height},pad=${FEED.width}:${FEED.height}:${PHOTO.x}:${PHOTO.y}:color=0x808080,fps=15,format=yuv420p,setsar=1`,
    feed,
  ]);
  camera = await launchChromium(path.join(work, 'camera'), {
    viewport: FEED,
    deviceScaleFactor: 1,
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${feed}`,
      ...WEBGL_ARGS,
    ],
  });
  await camera.grantPermissions(['camera'], { origin: baseUrl });
  afterAll(() => camera.close());
}, 300_000);

/** The video's play() calls on a page (an init script records them): whether the photo was detected by then, and where. */
interface PlayLog {
  plays: { afterDetection: boolean; t: number }[];
}

describe('a green-screen video with a chroma key', () => {
  it(
    'shows the photo around the subject: corners keyed out, the subject drawn; without the key, the screen shows',
    { timeout: 420_000 },
    async () => {
      // A red subject on an evenly lit #00FF00 screen, the photo's aspect (4:3), 4 s.
      const clip = path.join(work, 'green-screen.mp4');
      ffmpeg([
        '-f',
        'lavfi',
        '-i',
        'color=c=0x00FF00:s=320x240:r=15:d=4,drawbox=x=112:y=84:w=96:h=72:color=0xE01010:t=fill',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        clip,
      ]);
      const video = await uploadVideo(clip, 'video/mp4');
      expect(video.status).toBe('READY');
      const key = { color: '#00FF00', tolerance: 0.3, softness: 0.1 };
      expect((await owner.client.video.update.mutate({ id: video.id, chromaKey: key })).chromaKey).toEqual(key);
      // Bad keys are refused by the contract and change nothing.
      for (const bad of [
        { color: 'lime', tolerance: 0.3 },
        { color: '#00FF00', tolerance: 2 },
        { ...key, x: 1 },
      ])
        await expect(owner.client.video.update.mutate({ id: video.id, chromaKey: bad as never })).rejects.toThrow();
      expect((await owner.client.video.byId.query({ id: video.id })).chromaKey).toEqual(key);

      const item = await itemPlaying(video.id, 'Cut-out on the photo');
      const manifest = await owner.client.viewer.manifest.query({ publicId: item.publicId });
      expect(manifest.ok && manifest.video.chromaKey).toEqual(key);

      // The video, and the poster placed on the photo before the video's first frame (a frame of the green screen too),
      // are keyed alike.
      for (const plane of ['video', 'poster'] as const) {
        const keyed = await sample(item.publicId, `viewer-keying-01-chroma-${plane}`, plane);
        console.info(`chroma key (${plane}): composited`, keyed.composited, 'camera', keyed.camera);
        keyed.composited.slice(0, 4).forEach((px, i) => {
          const photo = keyed.camera[i]!;
          expect(greenish(px), `${plane}: corner ${i} ${px} is the green screen`).toBe(false);
          // The photo there, as the camera shows it: neither black nor white, nor another colour.
          expect(distance(px, photo), `${plane}: corner ${i} ${px} vs photo ${photo}`).toBeLessThan(40);
          expect(distance(px, [0, 0, 0])).toBeGreaterThan(40);
          expect(distance(px, [255, 255, 255])).toBeGreaterThan(40);
        });
        // The subject is drawn over the photo.
        const [r, g, b] = keyed.composited[4]!;
        expect(r, `${plane}: middle ${keyed.composited[4]}`).toBeGreaterThan(150);
        expect(g).toBeLessThan(90);
        expect(b).toBeLessThan(90);
      }

      // Control: the same clip without the key covers the photo with its green screen.
      await owner.client.video.update.mutate({ id: video.id, chromaKey: null });
      const plain = await sample(item.publicId, 'viewer-keying-02-no-key');
      console.info('no key: composited', plain.composited);
      for (const px of plain.composited.slice(0, 4)) expect(greenish(px), `${px}`).toBe(true);
    },
  );
});

describe('a video with an alpha channel (stacked-alpha rendition)', () => {
  for (const source of [
    {
      name: 'ProRes 4444 .mov',
      file: 'disc.mov',
      contentType: 'video/quicktime' as const,
      codec: ['-c:v', 'prores_ks', '-profile:v', '4444', '-pix_fmt', 'yuva444p10le'],
    },
    {
      name: 'VP9 with alpha .webm',
      file: 'disc.webm',
      contentType: 'video/webm' as const,
      codec: ['-c:v', 'libvpx-vp9', '-pix_fmt', 'yuva420p', '-b:v', '800k'],
    },
  ]) {
    it(
      `${source.name}: the pipeline stacks colour and matte in H.264, and the viewer shows the photo in the transparent corners`,
      { timeout: 420_000 },
      async () => {
        // A red disc, opaque, on a fully transparent background (whose colour is red too: only the matte hides it).
        const clip = path.join(work, source.file);
        ffmpeg([
          '-f',
          'lavfi',
          '-i',
          "color=c=0xE01010:s=320x240:r=15:d=3,format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(hypot(X-160,Y-120),70),255,0)'",
          ...source.codec,
          clip,
        ]);
        const video = await uploadVideo(clip, source.contentType);
        expect(video.status, JSON.stringify(video.failure)).toBe('READY');
        const item = await itemPlaying(video.id, `Disc (${source.name})`);
        const manifest = await owner.client.viewer.manifest.query({ publicId: item.publicId });
        expect(manifest.ok && manifest.video.alpha).toMatchObject({ layout: 'side-by-side' });

        const shown = await sample(item.publicId, `viewer-keying-03-alpha-${source.file.replace('.', '-')}`);
        console.info(`${source.name}: composited`, shown.composited, 'camera', shown.camera);
        shown.composited.slice(0, 4).forEach((px, i) => {
          const photo = shown.camera[i]!;
          expect(distance(px, photo), `corner ${i} ${px} vs photo ${photo}`).toBeLessThan(40);
          expect(distance(px, [0, 0, 0])).toBeGreaterThan(40);
          expect(distance(px, [255, 255, 255])).toBeGreaterThan(40);
        });
        const [r, g, b] = shown.composited[4]!;
        expect(r, `middle ${shown.composited[4]}`).toBeGreaterThan(150);
        expect(g).toBeLessThan(90);
        expect(b).toBeLessThan(90);

        // Before the first frame: no poster on the photo (the poster is a frame without its matte, and would cover the
        // photo where the video is transparent), so the photo shows, corners and middle alike.
        const before = await sample(
          item.publicId,
          `viewer-keying-04-alpha-${source.file.replace('.', '-')}-none`,
          'none',
        );
        before.composited.forEach((px, i) => {
          const photo = before.camera[i]!;
          expect(distance(px, photo), `before the first frame: point ${i} ${px} vs photo ${photo}`).toBeLessThan(40);
        });
      },
    );
  }
});

describe('playback rules on the fake camera (playback.ts)', () => {
  it(
    'paused and silent before the photo is found, playing (muted) once found, paused when lost, and on from where it paused when found again',
    { timeout: 420_000 },
    async () => {
      // A clip with sound; the item asks for sound, so the muted start offers the sound button. 30 s, longer than the
      // photo is in view, so no loop brings the position back to 0 before a loss: with a 3 s clip, a CI run under load
      // lost the photo just as the loop restarted, and the pause at 0 could not show a resume from where it paused.
      const clip = path.join(work, 'tone.mp4');
      ffmpeg([
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=15',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440',
        '-t',
        '30',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-shortest',
        clip,
      ]);
      const video = await uploadVideo(clip, 'video/mp4');
      expect(video.status).toBe('READY');
      const item = await itemPlaying(video.id, 'Harbour with sound');
      await owner.client.arContent.update.mutate({ id: item.id, playback: { muted: false } });

      // The camera films the photo for 6 s, then the bare table for 4 s, looping: found, lost, found again.
      const feed = path.join(work, 'found-lost.y4m');
      ffmpeg([
        '-loop',
        '1',
        '-t',
        '6',
        '-i',
        markerPng,
        '-f',
        'lavfi',
        '-t',
        '4',
        '-i',
        `color=c=0x808080:s=${FEED.width}x${FEED.height}:r=15`,
        '-filter_complex',
        `[0:v]scale=${PHOTO.width}:${PHOTO.height},pad=${FEED.width}:${FEED.height}:${PHOTO.x}:${PHOTO.y}:color=0x808080,fps=15,format=yuv420p,setsar=1[photo];[1:v]format=yuv420p,setsar=1[table];[photo][table]concat=n=2:v=1[out]`,
        '-map',
        '[out]',
        feed,
      ]);
      const context = await launchChromium(path.join(work, 'found-lost'), {
        viewport: FEED,
        deviceScaleFactor: 1,
        args: [
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
          `--use-file-for-fake-video-capture=${feed}`,
          '--autoplay-policy=user-gesture-required',
          ...WEBGL_ARGS,
        ],
      });
      try {
        await context.grantPermissions(['camera'], { origin: baseUrl });
        const page = context.pages()[0] ?? (await context.newPage());
        page.setDefaultTimeout(20_000);
        // Every play() of the video from each page's first script on: whether the photo had been detected by then (the
        // engine's arv:detected mark), and where. Reading the element once the page has loaded races the detection
        // (ci54, and a run here with two e2e files at once, found it already playing).
        await page.addInitScript(() => {
          const w = window as unknown as PlayLog;
          w.plays = [];
          const play = HTMLMediaElement.prototype.play;
          HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
            if (this.dataset.testid === 'ar-video')
              w.plays.push({
                afterDetection: performance.getEntriesByName('arv:detected').length > 0,
                t: this.currentTime,
              });
            return play.call(this);
          };
        });
        const playedOnlyAfterDetection = async (when: string) => {
          const plays = await waitUntil(
            `the video played ${when}`,
            () => page.evaluate(() => (window as unknown as PlayLog).plays),
            (p) => p.length > 0,
            { timeout: 30_000 },
          );
          expect(
            plays.every((p) => p.afterDetection),
            JSON.stringify(plays),
          ).toBe(true);
          expect(plays[0]!.t).toBe(0);
        };
        await page.goto(`${baseUrl}/v/${item.publicId}`);
        const stage = () => page.getByTestId('ar-stage').getAttribute('data-stage');
        const el = page.getByTestId('ar-video');
        // Every play and pause of the video, with whether the photo had been detected by then (the engine's
        // arv:detected mark, set before it reports the photo found) and the element's position and sound.
        await el.evaluate((v: HTMLVideoElement) => {
          const starts: { afterDetection: boolean; t: number; muted: boolean }[] = [];
          const pauses: number[] = [];
          Object.assign(v, { starts, pauses });
          v.addEventListener('play', () =>
            starts.push({
              afterDetection: performance.getEntriesByName('arv:detected').length > 0,
              t: v.currentTime,
              muted: v.muted,
            }),
          );
          v.addEventListener('pause', () => pauses.push(v.currentTime));
          // The position at each call of play() and pause() by the viewer, read synchronously in the call: the events
          // above are handled late on a page busy tracking (by then the video has moved on a few tenths of a second).
          const calls: { op: 'play' | 'pause'; t: number; at: number }[] = [];
          const play = v.play.bind(v);
          const pause = v.pause.bind(v);
          Object.assign(v, {
            calls,
            play: () => {
              calls.push({ op: 'play', t: v.currentTime, at: performance.now() });
              return play();
            },
            pause: () => {
              calls.push({ op: 'pause', t: v.currentTime, at: performance.now() });
              pause();
            },
          });
        });
        // When the camera's frames turn from the photo to the bare table (page time): a 16x16 patch in the photo's
        // middle, read from each camera frame, is the table when all of it is the table's grey. And when the tracker
        // reports a pose (its frame rate).
        await page.evaluate(
          async ({ x, y }) => {
            const w = window as unknown as { tableAt: number[]; poseAt: number[] };
            w.tableAt = [];
            w.poseAt = [];
            document.addEventListener('arv:pose', () => w.poseAt.push(performance.now()), { capture: true });
            let cam: HTMLVideoElement | undefined;
            while (!(cam = [...document.querySelectorAll('video')].find((v) => v.srcObject)))
              await new Promise((r) => setTimeout(r, 50));
            const g = new OffscreenCanvas(16, 16).getContext('2d', { willReadFrequently: true })!;
            let wasTable = false;
            const onFrame = () => {
              g.drawImage(cam, x - 8, y - 8, 16, 16, 0, 0, 16, 16);
              const d = g.getImageData(0, 0, 16, 16).data;
              let table = true;
              for (let i = 0; i < d.length && table; i += 4)
                for (let c = 0; c < 3; c++) if (Math.abs(d[i + c]! - 128) > 12) table = false;
              if (table && !wasTable) w.tableAt.push(performance.now());
              wasTable = table;
              cam.requestVideoFrameCallback(onFrame);
            };
            cam.requestVideoFrameCallback(onFrame);
          },
          { x: PHOTO.x + PHOTO.width / 2, y: PHOTO.y + PHOTO.height / 2 },
        );
        const log = () =>
          el.evaluate((v) => {
            const l = v as unknown as {
              starts: { afterDetection: boolean; t: number; muted: boolean }[];
              pauses: number[];
            };
            return {
              starts: [...l.starts],
              pauses: [...l.pauses],
              calls: [...(v as unknown as { calls: { op: 'play' | 'pause'; t: number; at: number }[] }).calls],
              paused: (v as HTMLVideoElement).paused,
              t: (v as HTMLVideoElement).currentTime,
            };
          });
        // Attached and muted, with the playsinline attributes iOS needs; paused at 0 if the photo is not found yet.
        const first = await el.evaluate((v: HTMLVideoElement) => ({
          muted: v.muted,
          still: performance.getEntriesByName('arv:detected').length > 0 || (v.paused && v.currentTime === 0),
        }));
        expect(first).toEqual({ muted: true, still: true });
        expect(await el.getAttribute('playsinline')).not.toBeNull();
        expect(await el.getAttribute('webkit-playsinline')).toBe('true');

        await expect.poll(stage, { timeout: 120_000, interval: 100 }).toBe('tracking');
        await waitUntil('playing on the photo', log, (l) => !l.paused && l.t > 0.3, { timeout: 30_000 });
        await playedOnlyAfterDetection('on the first visit');
        // Muted autoplay: the item wants sound, so the sound button is offered.
        const soundOn = page.getByRole('button', { name: 'Turn sound on' });
        await soundOn.waitFor();
        // Lost (the bare table): paused.
        await expect.poll(stage, { timeout: 30_000, interval: 100 }).toBe('scanning');
        await waitUntil('paused when lost', log, (l) => l.paused && l.pauses.length >= 1, { timeout: 15_000 });
        // Found again: on from where it paused.
        await waitUntil('playing again', log, (l) => l.starts.length >= 2 && !l.paused, { timeout: 60_000 });
        const l = await log();
        console.info('playback rules:', JSON.stringify(l));
        expect(l.starts.filter((s) => !s.afterDetection || !s.muted)).toEqual([]);
        // Positions are read when the events are handled, which a page busy tracking does late (tenths of a second).
        expect(l.starts[0]!.t).toBeLessThan(1);
        // The pause at the loss came after it had played a while. Not necessarily the first pause: a tracking drop past
        // the pose's grace period pauses it too, and a CI run under load paused it at 0.19 s, before the photo left.
        expect(Math.max(...l.pauses)).toBeGreaterThan(0.3);
        // Each play() after a pause() starts at the position the pause left, not the beginning (positions read in the
        // calls themselves; a paused element's position does not move, so they agree to within a frame).
        const resumes = l.calls.flatMap((c, i) => {
          const before = l.calls[i - 1];
          return c.op === 'play' && before?.op === 'pause' && before.t > 0.3 ? [{ from: before.t, at: c.t }] : [];
        });
        expect(resumes.length, JSON.stringify(l)).toBeGreaterThanOrEqual(1);
        for (const r of resumes) expect(Math.abs(r.at - r.from), JSON.stringify(l)).toBeLessThan(0.05);
        // Video only while the photo is in sight: each time the camera turned to the bare table with the video playing,
        // it was paused within the grace (HOLD_MS) and four of the tracker's frames (the table's first frame reaching
        // the tracker, the loss reported, the grace's end noticed, and one for a busy page), plus 150 ms. MindAR's own
        // grace counted 5 frames more, which at the 2 frames a second of a loaded machine kept it playing through the
        // 4 s of table (ci56: never paused in 30 s). Here: 614 ms at 113 ms a frame; with MindAR's grace, 1,446 ms at
        // 161 ms a frame.
        const seen = await page.evaluate(() => {
          const w = window as unknown as { tableAt: number[]; poseAt: number[] };
          return { tableAt: w.tableAt, poseAt: w.poseAt };
        });
        const gaps = seen.poseAt.slice(1).map((t, i) => t - seen.poseAt[i]!);
        const frameMs = gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
        const lags = seen.tableAt.flatMap((at) => {
          const before = l.calls.filter((c) => c.at <= at).at(-1);
          const pause = l.calls.find((c) => c.at > at && c.op === 'pause');
          return before?.op === 'play' && pause ? [Math.round(pause.at - at)] : [];
        });
        const lagInfo = JSON.stringify({ lags, frameMs, tableAt: seen.tableAt, calls: l.calls });
        console.info('paused after the photo left:', lagInfo);
        expect(lags.length, lagInfo).toBeGreaterThanOrEqual(1);
        for (const lag of lags) expect(lag, lagInfo).toBeLessThan(HOLD_MS + 4 * frameMs + 150);

        // One tap for sound (a real input event): unmuted, and remembered for the session.
        await waitUntil('tracking, for the tap', stage, (s) => s === 'tracking', { timeout: 60_000 });
        await soundOn.click();
        await waitUntil(
          'sound on',
          () => el.evaluate((v: HTMLVideoElement) => v.muted),
          (m) => !m,
          { timeout: 10_000 },
        );
        expect(await page.evaluate(() => sessionStorage.getItem('arvlite:viewer:sound'))).toBe('on');
        // A new page of the same session starts silent and paused again until the photo is found: no play() of the
        // video before detection, and the first from the start.
        await page.reload();
        await waitUntil('tracking after the reload', stage, (s) => s === 'tracking', { timeout: 60_000 });
        await playedOnlyAfterDetection('after the reload');
        await shot(page, 'viewer-keying-04-playback');
      } finally {
        await context.close();
      }
    },
  );
});
