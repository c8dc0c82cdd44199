// Keeps the video steady on the photo. MindAR's own one-euro filter (1.2.5: filterMinCF 0.001 per ms, filterBeta
// 1000) runs on each of the 16 matrix numbers in pixel units and hardly smooths the position at all; the camera view
// passes it through and filters here instead, on the whole pose at once and in millimetres at the printed size. A
// one-euro filter cannot both cut the noise of a still print to a third and follow a jump in the same frame (its speed
// estimate must be smoothed, or noise opens it): this one gates on the noise instead. It learns how far the pose
// wanders while still (an RMS in mm); a change within that is noise and is smoothed hard (a low-pass at a fraction of
// a hertz, after a running mean of the frames since the last move), a change several times larger is a move and is
// followed at once. A short hold bridges a few frames where
// tracking drops, instead of flickering. Pure, so it is tested without a camera.

/** A column-major 4×4 matrix, as MindAR hands it out (its `worldMatrix`). */
export type Pose = readonly number[];

export interface PoseFilterParams {
  /** Cutoff (Hz) of the low-pass while the print is still: the lower, the steadier. */
  stillCutoffHz: number;
  /** A change under this many noise RMS is smoothed as noise; over `followAt`, it is followed at once. */
  gateFrom: number;
  followAt: number;
  /** The noise RMS (mm) assumed before any is seen, and its floor (a perfectly still feed would drive it to zero). */
  initialNoiseMm: number;
  minNoiseMm: number;
  /** Share of each frame's squared change that updates the noise estimate. */
  noiseRate: number;
}

/** MindAR 1.2.5's constructor options that pass its own filter through (cutoff so high every frame is kept as is). */
export const MINDAR_PASS_THROUGH = { filterMinCF: 1e9, filterBeta: 0 } as const;

/** Print size assumed when an item has none: a postcard. */
export const DEFAULT_WIDTH_MM = 150;

/**
 * The filter for a print `widthMm` wide. MindAR's error is a share of the photo as the camera sees it, so in
 * millimetres it grows with the print: the noise it starts from, and the floor under it, are shares of the width.
 * Tuned on Chromium's fake camera (viewer.e2e.test.ts, "steadiness").
 */
export function poseFilterParams(widthMm: number | null | undefined): PoseFilterParams {
  const width = widthMm && widthMm > 0 ? widthMm : DEFAULT_WIDTH_MM;
  return {
    stillCutoffHz: 0.03,
    gateFrom: 4,
    followAt: 8,
    initialNoiseMm: width * 0.0005,
    minNoiseMm: width * 0.0001,
    noiseRate: 0.05,
  };
}

/** Share of the new value an exponential filter with `cutoffHz` keeps after `dtS` seconds. */
export function smoothing(dtS: number, cutoffHz: number): number {
  const r = 2 * Math.PI * cutoffHz * dtS;
  return r / (r + 1);
}

/** The marker centre (in marker pixels) that a pose carries to the camera's space: column-major M × (w/2, h/2, 0, 1). */
export function poseCentre(m: Pose, marker: { width: number; height: number }): [number, number, number] {
  const x = marker.width / 2;
  const y = marker.height / 2;
  return [0, 1, 2].map((r) => m[r]! * x + m[4 + r]! * y + m[12 + r]!) as [number, number, number];
}

function orthonormalize(cols: number[][]): void {
  for (let i = 0; i < 3; i++) {
    const c = cols[i]!;
    for (let j = 0; j < i; j++) {
      const p = cols[j]!;
      const d = c[0]! * p[0]! + c[1]! * p[1]! + c[2]! * p[2]!;
      for (let k = 0; k < 3; k++) c[k] = c[k]! - d * p[k]!;
    }
    const n = Math.hypot(c[0]!, c[1]!, c[2]!) || 1;
    for (let k = 0; k < 3; k++) c[k] = c[k]! / n;
  }
}

/**
 * The noise-gated filter on a whole pose. A frame's change is the farthest a point of the print moved from the shown
 * pose: its centre, or a corner turning about it (mm). The new pose is blended with the shown one by a single share,
 * then the rotation is made a rotation again.
 */
export class PoseFilter {
  private readonly mmPerPx: number;
  private readonly halfDiagMm: number;
  private rotation: number[][] | null = null;
  private centreMm: number[] = [0, 0, 0];
  private noiseMs: number;
  private lastS = 0;
  /** Frames since the pose last jumped (followed at once): until the low-pass takes over, their running mean. */
  private settled = 0;
  /** Frames whose change has updated the noise estimate. */
  private learnt = 0;

  private readonly marker: { width: number; height: number };
  private readonly params: PoseFilterParams;

  constructor(
    marker: { width: number; height: number },
    widthMm: number | null | undefined,
    params: PoseFilterParams = poseFilterParams(widthMm),
  ) {
    this.marker = marker;
    this.params = params;
    const width = widthMm && widthMm > 0 ? widthMm : DEFAULT_WIDTH_MM;
    this.mmPerPx = width / marker.width;
    this.halfDiagMm = (Math.hypot(marker.width, marker.height) / 2) * this.mmPerPx;
    this.noiseMs = params.initialNoiseMm ** 2;
  }

  /** The photo was lost: the next pose starts afresh (the noise learnt so far is kept). */
  reset(): void {
    this.rotation = null;
    this.settled = 0;
  }

  /** The noise RMS learnt so far (mm). */
  get noiseMm(): number {
    return Math.sqrt(this.noiseMs);
  }

  /** Filters `raw` seen at `tMs`; returns the pose to show. */
  filter(tMs: number, raw: Pose): number[] {
    const cols = [0, 1, 2].map((c) => [raw[c * 4]!, raw[c * 4 + 1]!, raw[c * 4 + 2]!]);
    const centre = poseCentre(raw, this.marker).map((v) => v * this.mmPerPx);
    const t = tMs / 1000;
    if (!this.rotation) {
      this.rotation = cols;
      this.centreMm = centre;
    } else {
      const p = this.params;
      // Two frames in the same millisecond (or a clock step back) count as one frame at 60 fps.
      const dt = t > this.lastS ? t - this.lastS : 1 / 60;
      const moved = Math.hypot(...centre.map((v, i) => v - this.centreMm[i]!));
      let turned = 0;
      for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) turned += (cols[c]![r]! - this.rotation[c]![r]!) ** 2;
      const change = Math.max(moved, Math.sqrt(turned) * this.halfDiagMm);
      const noise = this.noiseMm;
      const gate = Math.min(1, Math.max(0, (change / noise - p.gateFrom) / (p.followAt - p.gateFrom)));
      // Right after a jump the tracker is still converging on the new place: the frames since are averaged (a running
      // mean), so the pose settles on where the print is within a few frames instead of creeping from the first one.
      this.settled = gate > 0 ? 0 : this.settled + 1;
      const a = Math.max(smoothing(dt, p.stillCutoffHz), gate, 1 / (this.settled + 1));
      // A change counts as at most `gateFrom` noise RMS: a jump followed at once is no noise. Counted as `followAt`
      // (8) RMS, each jump raised the estimate about 4× in variance; a tracker at 2 frames a second (a loaded CI run,
      // ci56) did not unlearn that before the next jump, and from the second jump on the jumps passed as noise.
      const counted = Math.min(change, p.gateFrom * noise);
      // The first frames' changes are averaged (a running mean of their squares), so the estimate reaches the feed's
      // noise within a few frames, whatever it started from; then each frame moves it by `noiseRate`.
      this.learnt++;
      const rate = Math.max(p.noiseRate, 1 / this.learnt);
      this.noiseMs = Math.max(p.minNoiseMm ** 2, this.noiseMs + rate * (counted ** 2 - this.noiseMs));
      for (let i = 0; i < 3; i++) this.centreMm[i] = this.centreMm[i]! + a * (centre[i]! - this.centreMm[i]!);
      for (let c = 0; c < 3; c++)
        for (let r = 0; r < 3; r++)
          this.rotation[c]![r] = this.rotation[c]![r]! + a * (cols[c]![r]! - this.rotation[c]![r]!);
      orthonormalize(this.rotation);
    }
    this.lastS = t;
    return this.compose();
  }

  private compose(): number[] {
    const [c0, c1, c2] = this.rotation!;
    const cx = this.marker.width / 2;
    const cy = this.marker.height / 2;
    const translation = [0, 1, 2].map((r) => this.centreMm[r]! / this.mmPerPx - c0![r]! * cx - c1![r]! * cy);
    return [...c0!, 0, ...c1!, 0, ...c2!, 0, ...translation, 1];
  }
}

/** How long the last pose stays on the photo after MindAR has lost it, in case it comes back (a hand, a glare). */
export const HOLD_MS = 400;

/**
 * The shown pose, through tracking drops: `lost(t)` starts the grace period, a pose within it carries on as if never
 * lost, and `expired(t)` says (once) that the grace ran out and the photo is gone.
 */
export class PoseHold {
  private lostAt: number | null = null;
  private readonly holdMs: number;
  constructor(holdMs = HOLD_MS) {
    this.holdMs = holdMs;
  }

  lost(tMs: number): void {
    this.lostAt ??= tMs;
  }

  /** A pose arrived: true when it resumes within the grace period (the photo was never gone to the visitor). */
  found(): boolean {
    const held = this.lostAt !== null;
    this.lostAt = null;
    return held;
  }

  get holding(): boolean {
    return this.lostAt !== null;
  }

  /** True once, at the first check after the grace ran out. */
  expired(tMs: number): boolean {
    if (this.lostAt === null || tMs - this.lostAt < this.holdMs) return false;
    this.lostAt = null;
    return true;
  }
}
