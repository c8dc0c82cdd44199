// How steady the video sits on the photo, from a log of poses: jitter (how far the marker centre wanders while the
// print is still) and lag (frames behind a step move). Not part of the viewer's bundle: the e2e test and the benchmark
// read the camera view's pose log with it.

/** A marker-centre position in millimetres at the printed size. */
export type Point3 = readonly [number, number, number];

/** Standard deviation of positions about their mean, in 3D (the root of the summed per-axis variances). */
export function jitter(points: readonly Point3[]): number {
  if (points.length < 2) return Number.NaN;
  const mean = [0, 1, 2].map((i) => points.reduce((s, p) => s + p[i]!, 0) / points.length);
  const variance = points.reduce((s, p) => s + p.reduce((t, v, i) => t + (v - mean[i]!) ** 2, 0), 0);
  return Math.sqrt(variance / (points.length - 1));
}

const sub = (a: Point3, b: Point3): Point3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Point3, b: Point3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** The still stretches of a feed that is still, then jumps, then still again: split where the raw pose jumps. */
export interface Step {
  /** Index of the first raw frame past half the jump. */
  at: number;
  from: Point3;
  to: Point3;
}

/**
 * Steps in a raw pose log: frames where the centre moves more than `minMm` from the mean of the `window` frames
 * before, settling for the `window` frames after. `from` and `to` are those means.
 */
export function findSteps(raw: readonly Point3[], minMm: number, window = 5): Step[] {
  const steps: Step[] = [];
  const mean = (ps: readonly Point3[]): Point3 =>
    [0, 1, 2].map((i) => ps.reduce((s, p) => s + p[i]!, 0) / ps.length) as unknown as Point3;
  const jumpAt = (i: number) => {
    const before = mean(raw.slice(i - window, i));
    const d = sub(mean(raw.slice(i, i + window)), before);
    return { before, d, size: Math.sqrt(dot(d, d)) };
  };
  for (let i = window; i + window <= raw.length; i++) {
    if (jumpAt(i).size < minMm) continue;
    // The split where the means differ most is the jump itself.
    let best = i;
    for (let j = i + 1; j < i + window && j + window <= raw.length; j++)
      if (jumpAt(j).size > jumpAt(best).size) best = j;
    const { before, d } = jumpAt(best);
    // The first frame past half of it.
    const half = dot(d, d) / 2;
    let at = best - window + 1;
    while (at < best + window && dot(sub(raw[at]!, before), d) < half) at++;
    steps.push({ at, from: before, to: mean(raw.slice(best, best + window)) });
    i = best + 2 * window; // the next step is a still stretch away
  }
  return steps;
}

/**
 * Frames after `step.at` until `filtered` has covered `share` of the jump (0 when it has on the same frame as the raw
 * pose). Undefined when it never does within the log.
 */
export function stepLag(filtered: readonly Point3[], step: Step, share = 0.9): number | undefined {
  const d = sub(step.to, step.from);
  const whole = dot(d, d);
  for (let i = step.at; i < filtered.length; i++) {
    if (dot(sub(filtered[i]!, step.from), d) >= share * whole) return i - step.at;
  }
  return undefined;
}

/** Jitter over the still stretches: the frames between steps, less `settle` frames after each step. */
export function stillJitter(points: readonly Point3[], steps: readonly Step[], settle: number): number[] {
  const bounds = [0, ...steps.map((s) => s.at), points.length];
  const out: number[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const start = k === 0 ? bounds[k]! : bounds[k]! + settle;
    const stretch = points.slice(start, bounds[k + 1]! - 1);
    if (stretch.length >= 10) out.push(jitter(stretch));
  }
  return out;
}
