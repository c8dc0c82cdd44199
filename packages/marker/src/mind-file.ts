// Loads a .mind file the way the MindAR viewer does (mind-ar's own importData) and checks its structure before it is published.
import { MarkerError } from './marker-error.ts';
import { loadMindAr } from './mind-ar.ts';

/** The format version mind-ar 1.2.5 writes and is the only one its viewer accepts. */
export const MIND_FORMAT_VERSION = 2;
/** FREAK descriptor: 666 pairwise comparisons, 84 bytes, packed into 32-bit words. */
const DESCRIPTOR_LENGTH = Math.ceil(Math.ceil(666 / 8) / 4);

export interface MindTargetSummary {
  width: number;
  height: number;
  matchingPoints: number;
  trackingPoints: number;
  matchingLevels: number;
  trackingLevels: number;
}

export interface MindFileSummary {
  version: number;
  targets: MindTargetSummary[];
}

export async function loadMindFile(buffer: Uint8Array): Promise<MindFileSummary> {
  const { CompilerBase } = await loadMindAr();
  let dataList: unknown[];
  try {
    dataList = new CompilerBase().importData(buffer);
  } catch (cause) {
    throw invalid('it is not a MindAR file', cause);
  }
  // importData answers an unknown version with an empty list rather than an error.
  if (!Array.isArray(dataList) || dataList.length === 0)
    throw invalid(`it is not a MindAR version ${MIND_FORMAT_VERSION} file`);
  return {
    version: MIND_FORMAT_VERSION,
    targets: dataList.map((target, index) => checkTarget(target, index)),
  };
}

function checkTarget(target: unknown, index: number): MindTargetSummary {
  const where = `target ${index}`;
  const { targetImage, matchingData, trackingData } = record(target, where);
  const image = record(targetImage, `${where} image`);
  const width = positiveInteger(image['width'], `${where} width`);
  const height = positiveInteger(image['height'], `${where} height`);

  let matchingPoints = 0;
  const keyframes = nonEmptyArray(matchingData, `${where} matching data`);
  keyframes.forEach((keyframe, level) => {
    const at = `${where} matching level ${level}`;
    const frame = record(keyframe, at);
    positiveInteger(frame['width'], `${at} width`);
    positiveInteger(frame['height'], `${at} height`);
    finiteNumber(frame['scale'], `${at} scale`);
    for (const kind of ['maxima', 'minima'] as const) {
      const points = array(frame[`${kind}Points`], `${at} ${kind} points`);
      for (const point of points) checkMatchingPoint(point, `${at} ${kind} point`);
      const cluster = record(frame[`${kind}PointsCluster`], `${at} ${kind} cluster`);
      record(cluster['rootNode'], `${at} ${kind} cluster root`);
      matchingPoints += points.length;
    }
  });

  let trackingPoints = 0;
  const levels = nonEmptyArray(trackingData, `${where} tracking data`);
  levels.forEach((level, n) => {
    const at = `${where} tracking level ${n}`;
    const set = record(level, at);
    const levelWidth = positiveInteger(set['width'], `${at} width`);
    const levelHeight = positiveInteger(set['height'], `${at} height`);
    finiteNumber(set['scale'], `${at} scale`);
    const pixels = set['data'];
    if (!(pixels instanceof Uint8Array) || pixels.length !== levelWidth * levelHeight) {
      throw invalid(`${at} pixels do not match its size`);
    }
    const points = array(set['points'], `${at} points`);
    for (const point of points) {
      const { x, y } = record(point, `${at} point`);
      const px = finiteNumber(x, `${at} point x`);
      const py = finiteNumber(y, `${at} point y`);
      if (px < 0 || px >= levelWidth || py < 0 || py >= levelHeight)
        throw invalid(`${at} has a point outside the image`);
    }
    trackingPoints += points.length;
  });

  return {
    width,
    height,
    matchingPoints,
    trackingPoints,
    matchingLevels: keyframes.length,
    trackingLevels: levels.length,
  };
}

function checkMatchingPoint(point: unknown, at: string): void {
  const { x, y, scale, angle, descriptors } = record(point, at);
  finiteNumber(x, `${at} x`);
  finiteNumber(y, `${at} y`);
  finiteNumber(scale, `${at} scale`);
  finiteNumber(angle, `${at} angle`);
  const bits = array(descriptors, `${at} descriptors`);
  if (
    bits.length !== DESCRIPTOR_LENGTH ||
    !bits.every((word) => Number.isInteger(word) && (word as number) >= 0 && (word as number) <= 0xffffffff)
  ) {
    throw invalid(`${at} has a malformed descriptor`);
  }
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what} is missing`);
  return value as Record<string, unknown>;
}

function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(`${what} is missing`);
  return value;
}

function nonEmptyArray(value: unknown, what: string): unknown[] {
  const items = array(value, what);
  if (items.length === 0) throw invalid(`${what} is empty`);
  return items;
}

function finiteNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${what} is not a number`);
  return value;
}

function positiveInteger(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) <= 0) throw invalid(`${what} is not a positive integer`);
  return value as number;
}

function invalid(detail: string, cause?: unknown): MarkerError {
  return new MarkerError(
    'COMPILE_FAILED',
    `The compiled AR marker could not be loaded back: ${detail}. Try compiling it again.`,
    {
      cause,
    },
  );
}
