import { describe, expect, it } from 'vitest';
import { clipPlanes, coverFov, coverUv, markerPlaneMatrix } from './ar-math.ts';

/** MindAR's projection for an input size: fovY 45°, near 10, far 100000 (controller.js, _glProjectionMatrix). */
function mindArProjection(width: number, height: number, near = 10, far = 100_000): number[] {
  const f = height / 2 / Math.tan((45 * Math.PI) / 180 / 2);
  const rows = [
    [(2 * f) / width, 0, 0, 0],
    [0, (2 * f) / height, 0, 0],
    [0, 0, -(far + near) / (far - near), (-2 * far * near) / (far - near)],
    [0, 0, -1, 0],
  ];
  return [0, 1, 2, 3].flatMap((col) => rows.map((r) => r[col]!));
}

/** Applies a column-major 4×4 matrix to a point. */
function apply(m: number[], [x, y, z]: [number, number, number]): number[] {
  return [0, 1, 2].map((row) => m[row]! * x + m[4 + row]! * y + m[8 + row]! * z + m[12 + row]!);
}

describe('camera geometry', () => {
  const proj = mindArProjection(640, 480);

  it('keeps MindAR’s 45° when the screen has the camera’s shape', () => {
    expect(coverFov(proj, { width: 640, height: 480 }, { width: 1280, height: 960 })).toBeCloseTo(45, 6);
  });

  it('narrows the field of view by the part of the feed a cover-fitted screen shows', () => {
    // A wider screen crops the feed's top and bottom: the screen shows 3/4 of the feed's height.
    const wide = coverFov(proj, { width: 640, height: 480 }, { width: 1280, height: 720 });
    expect(Math.tan((wide * Math.PI) / 360)).toBeCloseTo(Math.tan((45 * Math.PI) / 360) * 0.75, 6);
    // A portrait phone crops the sides only: the whole height is shown, so the vertical field of view stays.
    expect(coverFov(proj, { width: 640, height: 480 }, { width: 390, height: 844 })).toBeCloseTo(45, 6);
  });

  it('reads near and far back from the projection', () => {
    const { near, far } = clipPlanes(proj);
    expect(near).toBeCloseTo(10, 6);
    expect(far).toBeCloseTo(100_000, 0);
  });
});

describe('video on the photo', () => {
  it('crops a wider video at the sides and a taller one at the top and bottom, centred', () => {
    expect(coverUv(16 / 9, 4 / 3)).toEqual({ repeat: [0.75, 1], offset: [0.125, 0] });
    const tall = coverUv(9 / 16, 3 / 4);
    expect(tall.repeat[0]).toBe(1);
    expect(tall.repeat[1]).toBeCloseTo(0.75, 10);
    expect(tall.offset[1]).toBeCloseTo(0.125, 10);
    expect(coverUv(4 / 3, 4 / 3)).toEqual({ repeat: [1, 1], offset: [0, 0] });
  });

  it('shows the whole video while its size is unknown', () => {
    expect(coverUv(Number.NaN, 1.5)).toEqual({ repeat: [1, 1], offset: [0, 0] });
    expect(coverUv(0, 1.5)).toEqual({ repeat: [1, 1], offset: [0, 0] });
  });

  it('lays the unit-wide plane exactly over the photo in MindAR’s pixel coordinates', () => {
    const m = markerPlaneMatrix({ width: 640, height: 480 });
    const halfH = 480 / 640 / 2;
    expect(apply(m, [-0.5, -halfH, 0])).toEqual([0, 0, 0]);
    expect(apply(m, [0.5, halfH, 0])).toEqual([640, 480, 0]);
    expect(apply(m, [0, 0, 0])).toEqual([320, 240, 0]);
  });
});
