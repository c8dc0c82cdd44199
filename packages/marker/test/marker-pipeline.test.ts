import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADVICE,
  compileMindTarget,
  compileMindTargetInThread,
  loadMindFile,
  MarkerError,
  normalizeMarker,
  scoreMarker,
  type CompiledMindTarget,
  type MarkerErrorCode,
  type NormalizedMarker,
} from '../src/index.ts';
import { loadMindAr } from '../src/mind-ar.ts';
import { generateMarkerImage } from '../src/testing.ts';

async function expectMarkerError(promise: Promise<unknown>, code: MarkerErrorCode, message?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MarkerError);
  expect((error as MarkerError).code).toBe(code);
  if (message) expect((error as MarkerError).message).toMatch(message);
}

describe('normalizeMarker', () => {
  it('writes an sRGB JPEG, a WebP and a thumbnail, at most 1024 px', async () => {
    const upload = await generateMarkerImage('low', 2000, 1500);
    const normalized = await normalizeMarker(upload);
    expect([normalized.width, normalized.height]).toEqual([1024, 768]);
    expect(normalized.source).toEqual({ format: 'png', width: 2000, height: 1500 });

    const jpeg = await sharp(normalized.jpeg).metadata();
    expect([jpeg.format, jpeg.width, jpeg.height, jpeg.space, jpeg.channels]).toEqual(['jpeg', 1024, 768, 'srgb', 3]);
    const webp = await sharp(normalized.webp).metadata();
    expect([webp.format, webp.width, webp.height]).toEqual(['webp', 1024, 768]);
    const thumbnail = await sharp(normalized.thumbnail).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(['jpeg', 256, 192]);
    expect([normalized.thumbnailWidth, normalized.thumbnailHeight]).toEqual([256, 192]);
  });

  it('keeps a small-enough image at its size and turns grey or transparent input into opaque sRGB', async () => {
    const greyWithAlpha = await sharp({
      create: { width: 600, height: 500, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .greyscale()
      .png()
      .toBuffer();
    const normalized = await normalizeMarker(greyWithAlpha);
    const { data, info } = await sharp(normalized.jpeg).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([600, 500, 3]);
    // Transparent becomes white, as on paper.
    expect(Math.min(...data.subarray(0, 30))).toBeGreaterThan(250);
  });

  it('applies the EXIF orientation so the marker is upright', async () => {
    // Stored 480×640 with red on top; orientation 6 means "rotate 90° clockwise to display", so red ends up on the right.
    const half = (colour: { r: number; g: number; b: number }) =>
      sharp({ create: { width: 480, height: 320, channels: 3, background: colour } })
        .png()
        .toBuffer();
    const stored = await sharp({
      create: { width: 480, height: 640, channels: 3, background: '#000' },
    })
      .composite([
        { input: await half({ r: 220, g: 20, b: 20 }), top: 0, left: 0 },
        { input: await half({ r: 20, g: 20, b: 220 }), top: 320, left: 0 },
      ])
      .jpeg()
      .toBuffer();
    const rotated = await sharp(stored).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect((await sharp(rotated).metadata()).orientation).toBe(6);

    const normalized = await normalizeMarker(rotated);
    expect([normalized.width, normalized.height]).toEqual([640, 480]);
    const { data, info } = await sharp(normalized.jpeg).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const [rightR, , rightB] = pixel(600, 240);
    const [leftR, , leftB] = pixel(40, 240);
    expect(rightR).toBeGreaterThan(180);
    expect(rightB).toBeLessThan(80);
    expect(leftB).toBeGreaterThan(180);
    expect(leftR).toBeLessThan(80);
    expect((await sharp(normalized.jpeg).metadata()).orientation).toBeUndefined();
  });

  it('rejects an image under 480 px on its short side', async () => {
    await expectMarkerError(
      normalizeMarker(await generateMarkerImage('busy', 800, 479)),
      'IMAGE_TOO_SMALL',
      /800×479 px.*480 px/,
    );
  });

  it('rejects a file that is not an image', async () => {
    await expectMarkerError(
      normalizeMarker(Buffer.from('hello, this is a text file\n')),
      'UNSUPPORTED_IMAGE',
      /JPEG, PNG or WebP/,
    );
  });

  it('rejects an image format other than JPEG, PNG or WebP', async () => {
    const gif = await sharp({
      create: { width: 600, height: 600, channels: 3, background: '#888' },
    })
      .gif()
      .toBuffer();
    await expectMarkerError(normalizeMarker(gif), 'UNSUPPORTED_IMAGE', /^GIF images are not supported/);
  });
});

describe('marker pipeline on generated images', () => {
  const normalized = {} as Record<'busy' | 'low' | 'flat', NormalizedMarker>;
  let compiled: CompiledMindTarget;

  beforeAll(async () => {
    for (const kind of ['busy', 'low', 'flat'] as const) {
      normalized[kind] = await normalizeMarker(await generateMarkerImage(kind, 640, 480, 'jpeg'));
    }
  });

  it('scores busy > low texture > flat, with advice', async () => {
    const processHandlers = () => [
      process.listenerCount('uncaughtException'),
      process.listenerCount('unhandledRejection'),
    ];
    const handlersBefore = processHandlers();
    const busy = await scoreMarker(normalized.busy.jpeg);
    // Loading OpenCV.js must not leave its process-wide exception handlers behind.
    expect(processHandlers()).toEqual(handlersBefore);
    const low = await scoreMarker(normalized.low.jpeg);
    const flat = await scoreMarker(normalized.flat.jpeg);

    expect(busy.score).toBeGreaterThan(low.score);
    expect(low.score).toBeGreaterThan(flat.score);
    expect(busy).toMatchObject({ rating: 'good', advice: [] });
    expect(busy.score).toBeGreaterThanOrEqual(70);
    expect(low.rating).toBe('poor');
    expect(low.advice).toContain(ADVICE.lowTexture);
    expect(low.advice).toContain(ADVICE.concentrated);
    expect(flat).toMatchObject({
      score: 0,
      rating: 'unusable',
      featureCount: 0,
      advice: [ADVICE.noFeatures],
    });

    expect(busy.keypoints.length).toBeGreaterThan(100);
    for (const { x, y } of busy.keypoints) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(1);
    }
    // Spread over the whole image, so the UI overlay covers it.
    expect(Math.min(...busy.keypoints.map((p) => p.x))).toBeLessThan(0.2);
    expect(Math.max(...busy.keypoints.map((p) => p.x))).toBeGreaterThan(0.8);
  });

  it('rejects the flat image with NO_FEATURES before compiling', async () => {
    // Before compiling: the compile reports progress from its first feature pass (the busy image's compile below
    // ends at 100), and this one reports none.
    const progress: number[] = [];
    await expectMarkerError(
      compileMindTarget(normalized.flat.jpeg, { onProgress: (percent) => progress.push(percent) }),
      'NO_FEATURES',
      /no detail/,
    );
    expect(progress).toEqual([]);
  });

  it('compiles a .mind file that loads back with matching and tracking points', { timeout: 120_000 }, async () => {
    const progress: number[] = [];
    compiled = await compileMindTarget(normalized.busy.jpeg, {
      onProgress: (percent) => progress.push(percent),
    });
    expect(compiled.matchingPoints).toBeGreaterThan(100);
    expect(compiled.trackingPoints).toBeGreaterThan(10);
    expect([compiled.width, compiled.height]).toEqual([640, 480]);
    expect(progress.at(-1)).toBe(100);

    const loaded = await loadMindFile(compiled.mind);
    expect(loaded.version).toBe(2);
    expect(loaded.targets).toHaveLength(1);
    expect(loaded.targets[0]).toMatchObject({
      width: 640,
      height: 480,
      matchingPoints: compiled.matchingPoints,
      trackingPoints: compiled.trackingPoints,
      trackingLevels: 2,
    });

    // mind-ar's detector keeps tensors between calls; the compiler must release them.
    const { tf } = await loadMindAr();
    expect(tf.memory().numTensors).toBe(0);
  });

  it(
    'compiles the same bytes in a worker thread, without holding the event loop, and passes errors and aborts on',
    { timeout: 120_000 },
    async () => {
      // The longest gap between 10 ms ticks while the thread compiles: inline, the same compile holds the loop for
      // seconds at a stretch (a pyramid level, the tracking step).
      let last = performance.now();
      let longestGapMs = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        longestGapMs = Math.max(longestGapMs, now - last);
        last = now;
      }, 10);
      const progress: number[] = [];
      let threaded: CompiledMindTarget;
      try {
        threaded = await compileMindTargetInThread(normalized.busy.jpeg, {
          onProgress: (percent) => progress.push(percent),
        });
      } finally {
        clearInterval(tick);
      }
      expect(Buffer.compare(threaded.mind, compiled.mind)).toBe(0);
      expect([threaded.matchingPoints, threaded.trackingPoints]).toEqual([
        compiled.matchingPoints,
        compiled.trackingPoints,
      ]);
      expect(progress.at(-1)).toBe(100);
      expect(longestGapMs).toBeLessThan(1_500);

      await expectMarkerError(compileMindTargetInThread(normalized.flat.jpeg), 'NO_FEATURES', /no detail/);
      const abort = new AbortController();
      const aborted = compileMindTargetInThread(normalized.busy.jpeg, { signal: abort.signal });
      setTimeout(() => abort.abort(new Error('shutting down')), 200);
      await expect(aborted).rejects.toThrow('shutting down');
    },
  );

  it('the compiled target is recognised by mind-ar’s matcher in a camera frame', { timeout: 60_000 }, async () => {
    expect(compiled).toBeDefined();
    const { tf, CompilerBase, Detector } = await loadMindAr();
    const { Matcher } = await import('mind-ar/src/image-target/matching/matcher.js');
    const [target] = new CompilerBase().importData(compiled.mind) as {
      matchingData: unknown[];
    }[];

    // The marker at 60 % scale, offset, on a grey background: what a phone camera might see.
    const scale = 0.6;
    const [left, top] = [130, 100];
    const rgb = await sharp({
      create: { width: 640, height: 480, channels: 3, background: '#777' },
    })
      .composite([
        {
          input: await sharp(normalized.busy.jpeg)
            .resize(Math.round(640 * scale))
            .toBuffer(),
          left,
          top,
        },
      ])
      .removeAlpha()
      .raw()
      .toBuffer();
    // Grey as mind-ar's camera input loader makes it (luma), not as its compiler does (mean of RGB).
    const frame = new Float32Array(640 * 480);
    for (let i = 0; i < frame.length; i++)
      frame[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
    const detector = new Detector(640, 480);
    let featurePoints: unknown[] = [];
    tf.tidy(() => {
      featurePoints = detector.detect(tf.tensor(frame, [480, 640], 'float32')).featurePoints;
    });
    const result = new Matcher(640, 480).matchDetection(target!.matchingData, featurePoints);

    expect(result.keyframeIndex).toBeGreaterThanOrEqual(0);
    const errors = result.screenCoords!.map((screen, i) => {
      const world = result.worldCoords![i]!;
      return Math.hypot(left + world.x * scale - screen.x, top + world.y * scale - screen.y);
    });
    expect(errors.length).toBeGreaterThan(20);
    expect(errors.toSorted((a, b) => a - b)[Math.floor(errors.length / 2)]).toBeLessThan(4);
  });

  it('refuses an image that was not normalized', async () => {
    await expectMarkerError(
      compileMindTarget(await generateMarkerImage('flat', 1200, 900)),
      'COMPILE_FAILED',
      /1024 px/,
    );
  });

  it('loadMindFile rejects garbage and truncated files', async () => {
    await expectMarkerError(loadMindFile(Buffer.from('not a mind file')), 'COMPILE_FAILED');
    expect(compiled).toBeDefined();
    await expectMarkerError(loadMindFile(compiled.mind.subarray(0, compiled.mind.length - 1000)), 'COMPILE_FAILED');
  });
});
