// Camera views of a printed marker, as a phone held in front of it sees them: a pinhole camera of the size and field
// of view below, the print at a distance, tilted and turned, on a cluttered table, with optional blur, noise, dim
// light or a glare spot. Everything is drawn from a seed, so the same view renders the same grey pixels every time.
import sharp from 'sharp';
import type { MarkerDegradation } from '@arvlite/contract';

export interface CameraModel {
  widthPx: number;
  heightPx: number;
  horizontalFovDeg: number;
}

/**
 * The camera the web viewer feeds MindAR: it asks getUserMedia for `{ facingMode: 'environment' }` with no size,
 * which Chrome (Android) and Safari (iOS) answer with 640×480 video frames, landscape in MindAR's input. A phone's
 * main camera (≈26 mm equivalent focal length) sees about 65° across the 4:3 frame.
 */
export const PHONE_CAMERA: CameraModel = { widthPx: 640, heightPx: 480, horizontalFovDeg: 65 };

export interface ViewPose {
  /** Camera to the print's centre, in cm. */
  distanceCm: number;
  /** The print turned away from the camera about its horizontal (or vertical) axis, degrees. */
  tiltDeg: number;
  /** The print turned in its own plane, degrees. */
  rotationDeg: number;
}

export interface ViewSpec extends ViewPose {
  degradation?: MarkerDegradation;
  seed: number;
}

/** A grey marker image (0–255, one byte a pixel) with its levels of detail, halved down to ~32 px. */
export interface MarkerPyramid {
  widthMm: number;
  heightMm: number;
  levels: { data: Uint8Array; width: number; height: number }[];
}

export interface RenderedView {
  /** Grey frame, camera.widthPx × camera.heightPx, row by row. */
  frame: Uint8Array;
  /** Frame coordinates of a marker pixel (x, y) given in `width` × `height` target pixels. */
  project(x: number, y: number, width: number, height: number): { x: number; y: number };
}

/** Luma, as MindAR's viewer input (0.299 R + 0.587 G + 0.114 B), at most 2048 px: the print as the camera sees it. */
export async function markerPyramid(pixels: Buffer, widthMm: number): Promise<MarkerPyramid> {
  const base = await sharp(pixels)
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .resize({ width: 2048, height: 2048, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = base.info;
  const grey = new Uint8Array(width * height);
  for (let i = 0; i < grey.length; i++) {
    const o = i * channels;
    grey[i] = Math.round(0.299 * base.data[o]! + 0.587 * base.data[o + 1]! + 0.114 * base.data[o + 2]!);
  }
  const levels = [{ data: grey, width, height }];
  while (Math.min(levels.at(-1)!.width, levels.at(-1)!.height) >= 64) {
    const prev = levels.at(-1)!;
    const w = Math.max(1, Math.round(prev.width / 2));
    const h = Math.max(1, Math.round(prev.height / 2));
    // sharp's area-averaging shrink: what a sensor pixel covering more of the print records.
    const data = await sharp(prev.data, { raw: { width: prev.width, height: prev.height, channels: 1 } })
      .resize(w, h, { kernel: 'mitchell' })
      .extractChannel(0)
      .raw()
      .toBuffer();
    levels.push({ data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: w, height: h });
  }
  return { widthMm, heightMm: (widthMm * height) / width, levels };
}

type Mat3 = [number, number, number, number, number, number, number, number, number];

/** Camera focal length in pixels. */
export function focalPx(camera: CameraModel): number {
  return camera.widthPx / 2 / Math.tan((camera.horizontalFovDeg * Math.PI) / 360);
}

/** Width of the print on the frame, head-on, in pixels. */
export function projectedWidthPx(camera: CameraModel, widthMm: number, distanceCm: number): number {
  return (focalPx(camera) * widthMm) / (distanceCm * 10);
}

export function renderView(camera: CameraModel, marker: MarkerPyramid, spec: ViewSpec): RenderedView {
  const random = mulberry32(spec.seed);
  const { widthPx: W, heightPx: H } = camera;
  const f = focalPx(camera);
  const distanceMm = spec.distanceCm * 10;

  // Pose: in-plane rotation, then the tilt about the camera's horizontal or vertical axis (drawn), then the print's
  // centre placed on a ray up to 8% of the frame off centre (hands do not aim exactly).
  const rot = (spec.rotationDeg * Math.PI) / 180;
  const tilt = ((random() < 0.5 ? -1 : 1) * spec.tiltDeg * Math.PI) / 180;
  const aboutVertical = random() < 0.5;
  const rz: Mat3 = [Math.cos(rot), -Math.sin(rot), 0, Math.sin(rot), Math.cos(rot), 0, 0, 0, 1];
  const rt: Mat3 = aboutVertical
    ? [Math.cos(tilt), 0, Math.sin(tilt), 0, 1, 0, -Math.sin(tilt), 0, Math.cos(tilt)]
    : [1, 0, 0, 0, Math.cos(tilt), -Math.sin(tilt), 0, Math.sin(tilt), Math.cos(tilt)];
  const R = mul(rt, rz);
  const ox = (random() - 0.5) * 0.16 * W;
  const oy = (random() - 0.5) * 0.16 * H;
  const ray = [ox / f, oy / f, 1];
  const rayLength = Math.hypot(ray[0]!, ray[1]!, 1);
  const C = ray.map((c) => (c * distanceMm) / rayLength) as [number, number, number];

  // Marker plane (u, v in mm, centred) → frame: K · [r1 r2 C].
  const K: Mat3 = [f, 0, W / 2, 0, f, H / 2, 0, 0, 1];
  const plane: Mat3 = [R[0], R[1], C[0], R[3], R[4], C[1], R[6], R[7], C[2]];
  const toFrame = mul(K, plane);
  const { widthMm, heightMm } = marker;
  const fromPixels = (width: number, height: number): Mat3 => [
    widthMm / width,
    0,
    -widthMm / 2,
    0,
    heightMm / height,
    -heightMm / 2,
    0,
    0,
    1,
  ];

  // The level of detail no larger than needed: at most ~1.5 source pixels a frame pixel where the print is nearest.
  const nearestMm = Math.max(1, distanceMm - (Math.max(widthMm, heightMm) / 2) * Math.abs(Math.sin(tilt)));
  const neededWidth = ((f * widthMm) / nearestMm) * 1.5;
  let level = marker.levels[0]!;
  for (const candidate of marker.levels) if (candidate.width >= neededWidth) level = candidate;
  const levelToFrame = mul(toFrame, fromPixels(level.width, level.height));
  const frameToLevel = invert(levelToFrame);
  // Depth of a marker point, to skip rays that meet the print's plane behind the camera.
  const depthRow = [plane[6], plane[7], plane[8]];

  const background = table(W, H, random);
  const out = new Float32Array(W * H);
  // Paper under room light: white prints at ~225, black at ~20.
  const gain = spec.degradation === 'dim' ? 0.28 : 0.8;
  const offset = spec.degradation === 'dim' ? 5 : 20;
  const glare =
    spec.degradation === 'glare'
      ? { x: 0.3 + random() * 0.4, y: 0.3 + random() * 0.4, r: 0.22 + random() * 0.08 }
      : undefined;
  const { data, width: lw, height: lh } = level;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const c = frameToLevel[6] * x + frameToLevel[7] * y + frameToLevel[8];
      const mx = (frameToLevel[0] * x + frameToLevel[1] * y + frameToLevel[2]) / c;
      const my = (frameToLevel[3] * x + frameToLevel[4] * y + frameToLevel[5]) / c;
      const inside = mx >= 0 && my >= 0 && mx <= lw - 1 && my <= lh - 1;
      const u = (mx / lw - 0.5) * widthMm;
      const v = (my / lh - 0.5) * heightMm;
      if (!inside || depthRow[0]! * u + depthRow[1]! * v + depthRow[2]! <= 1) {
        out[i] = background[i]! * (spec.degradation === 'dim' ? 0.35 : 1);
        continue;
      }
      let value = offset + gain * bilinear(data, lw, mx, my);
      if (glare) {
        const d = Math.hypot(mx / lw - glare.x, (my / lh - glare.y) * (lh / lw)) / glare.r;
        // A specular spot: washed out to white in its core, fading over its radius.
        if (d < 1) value += 255 * (1 - d * d) * 1.6;
      }
      out[i] = value;
    }
  }

  // The lens and sensor: a little optical blur always; more when out of focus or moving; sensor noise always, more
  // in the dark (the camera raises its gain) or with the noise condition.
  const sigma = spec.degradation === 'blur' ? 2.2 : 0.6;
  const blurred = gaussianBlur(out, W, H, sigma);
  const noise = spec.degradation === 'noise' ? 12 : spec.degradation === 'dim' ? 5 : 2;
  const frame = new Uint8Array(W * H);
  for (let i = 0; i < frame.length; i++) {
    frame[i] = clamp(Math.round(blurred[i]! + noise * gaussian(random)));
  }

  return {
    frame,
    project(x, y, width, height) {
      const m = mul(toFrame, fromPixels(width, height));
      const c = m[6] * x + m[7] * y + m[8];
      return { x: (m[0] * x + m[1] * y + m[2]) / c, y: (m[3] * x + m[4] * y + m[5]) / c };
    },
  };
}

/** A table under the print: smooth wood-like shading with a few objects' hard edges (they make features too). */
function table(W: number, H: number, random: () => number): Float32Array {
  const grid = 9;
  const knots = Array.from({ length: (grid + 1) * (grid + 1) }, () => 70 + random() * 90);
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const gx = (x / W) * grid;
      const gy = (y / H) * grid;
      const x0 = Math.floor(gx);
      const y0 = Math.floor(gy);
      const tx = gx - x0;
      const ty = gy - y0;
      const k = (cx: number, cy: number) => knots[Math.min(grid, cy) * (grid + 1) + Math.min(grid, cx)]!;
      const top = k(x0, y0) * (1 - tx) + k(x0 + 1, y0) * tx;
      const bottom = k(x0, y0 + 1) * (1 - tx) + k(x0 + 1, y0 + 1) * tx;
      out[y * W + x] = top * (1 - ty) + bottom * ty + 4 * Math.sin((y + 9 * Math.sin(x / 50)) / 5);
    }
  }
  for (let n = 0; n < 5; n++) {
    const w = 30 + random() * 120;
    const h = 20 + random() * 90;
    const x0 = Math.floor(random() * W);
    const y0 = Math.floor(random() * H);
    const shade = 30 + random() * 190;
    for (let y = y0; y < Math.min(H, y0 + h); y++)
      for (let x = x0; x < Math.min(W, x0 + w); x++) out[y * W + x] = shade;
  }
  return out;
}

function bilinear(data: Uint8Array, w: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(w - 1, x0 + 1);
  const y1 = y0 + 1 < data.length / w ? y0 + 1 : y0;
  const tx = x - x0;
  const ty = y - y0;
  const a = data[y0 * w + x0]!;
  const b = data[y0 * w + x1]!;
  const c = data[y1 * w + x0]!;
  const d = data[y1 * w + x1]!;
  return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
}

function gaussianBlur(src: Float32Array, W: number, H: number, sigma: number): Float32Array {
  const radius = Math.ceil(sigma * 3);
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = kernel.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  const tmp = new Float32Array(W * H);
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++)
        acc += kernel[k + radius]! * src[y * W + Math.min(W - 1, Math.max(0, x + k))]!;
      tmp[y * W + x] = acc;
    }
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++)
        acc += kernel[k + radius]! * tmp[Math.min(H - 1, Math.max(0, y + k)) * W + x]!;
      out[y * W + x] = acc;
    }
  }
  return out;
}

function mul(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9) as Mat3;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++)
      out[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
  return out;
}

function invert(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

function clamp(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

function gaussian(random: () => number): number {
  const u = Math.max(1e-9, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
