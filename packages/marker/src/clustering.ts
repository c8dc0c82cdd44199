// mind-ar 1.2.5's matching/hierarchical-clustering.js `build`, the same algorithm with the same answer, faster: it was
// the largest single cost of a compile after the shader emulator (k-medoids over FREAK descriptors: 128 random
// hypotheses × every point × 8 centres × a Hamming distance through an options object each time).
//
// What is kept exactly, so the .mind is byte-identical (fast-shader.test.ts compares whole compiles): mind-ar's own
// seeded randomizer, called in the same order; strict `<` comparisons (the first best wins); clusters gathered in an
// object whose keys Object.keys returns in ascending order, and those string keys as `centerPointIndex`. What changes:
// descriptors are read once into a Uint32Array, the distance counts bits with a 16-bit table, only the best assignment is kept, and a
// hypothesis stops as soon as its running sum can no longer beat the best (sums only grow; the randomizer has already
// been advanced for it at that point, as in the original). MindAR is © HiuKim Yuen, MIT licence.
import { createRandomizer } from 'mind-ar/src/image-target/utils/randomizer.js';

const MIN_FEATURE_PER_NODE = 16;
const NUM_ASSIGNMENT_HYPOTHESES = 128;
const NUM_CENTERS = 8;

interface Randomizer {
  arrayShuffle(options: { arr: number[]; sampleSize: number }): void;
}

export type ClusterNode =
  | { centerPointIndex: string | null; leaf: true; pointIndexes: number[] }
  | { centerPointIndex: string | null; leaf: false; children: ClusterNode[] };

interface Descriptors {
  words: Uint32Array;
  /** Words per descriptor. */
  length: number;
}

export function build({ points }: { points: { descriptors: ArrayLike<number> }[] }): { rootNode: ClusterNode } {
  const length = points[0]?.descriptors.length ?? 0;
  const words = new Uint32Array(points.length * length);
  points.forEach((point, i) => {
    if (point.descriptors.length !== length) throw new Error('clustering: descriptors of different lengths');
    for (let w = 0; w < length; w++) words[i * length + w] = point.descriptors[w]! >>> 0;
  });
  const pointIndexes = points.map((_, i) => i);
  const randomizer = createRandomizer() as Randomizer;
  return { rootNode: buildNode({ words, length }, pointIndexes, null, randomizer) };
}

/** Set bits per 16-bit value: two lookups per word instead of hamming-distance.js's five mask-and-shift steps. */
const POPCOUNT16 = (() => {
  const table = new Uint8Array(65536);
  for (let i = 1; i < table.length; i++) table[i] = (i & 1) + table[i >> 1]!;
  return table;
})();

function hamming(words: Uint32Array, a: number, b: number, length: number): number {
  let d = 0;
  for (let w = 0; w < length; w++) {
    const c = words[a + w]! ^ words[b + w]!;
    d += POPCOUNT16[c & 0xffff]! + POPCOUNT16[c >>> 16]!;
  }
  return d;
}

function computeKMedoids(descriptors: Descriptors, pointIndexes: number[], randomizer: Randomizer): number[] {
  const { words, length } = descriptors;
  const n = pointIndexes.length;
  const randomPointIndexes = pointIndexes.map((_, i) => i);
  const offsets = pointIndexes.map((p) => p * length);
  const centerOffsets = new Array<number>(NUM_CENTERS);

  let bestSumD = Number.MAX_SAFE_INTEGER;
  let best: number[] = [];
  const assignment = new Array<number>(n);
  for (let h = 0; h < NUM_ASSIGNMENT_HYPOTHESES; h++) {
    randomizer.arrayShuffle({ arr: randomPointIndexes, sampleSize: NUM_CENTERS });
    for (let k = 0; k < NUM_CENTERS; k++) centerOffsets[k] = offsets[randomPointIndexes[k]!]!;

    let sumD = 0;
    let j = 0;
    for (; j < n && sumD < bestSumD; j++) {
      let bestD = Number.MAX_SAFE_INTEGER;
      const offset = offsets[j]!;
      for (let k = 0; k < NUM_CENTERS; k++) {
        const d = hamming(words, offset, centerOffsets[k]!, length);
        if (d < bestD) {
          assignment[j] = randomPointIndexes[k]!;
          bestD = d;
        }
      }
      sumD += bestD;
    }
    if (j === n && sumD < bestSumD) {
      bestSumD = sumD;
      best = assignment.slice();
    }
  }
  return best;
}

function buildNode(
  descriptors: Descriptors,
  pointIndexes: number[],
  centerPointIndex: string | null,
  randomizer: Randomizer,
): ClusterNode {
  let isLeaf = pointIndexes.length <= NUM_CENTERS || pointIndexes.length <= MIN_FEATURE_PER_NODE;

  const clusters: Record<number, number[]> = {};
  if (!isLeaf) {
    const assignment = computeKMedoids(descriptors, pointIndexes, randomizer);
    for (let i = 0; i < assignment.length; i++) {
      (clusters[pointIndexes[assignment[i]!]!] ??= []).push(pointIndexes[i]!);
    }
  }
  if (Object.keys(clusters).length === 1) isLeaf = true;
  if (isLeaf) return { centerPointIndex, leaf: true, pointIndexes: pointIndexes.slice() };
  return {
    centerPointIndex,
    leaf: false,
    children: Object.keys(clusters).map((centerIndex) =>
      buildNode(descriptors, clusters[Number(centerIndex)]!, centerIndex, randomizer),
    ),
  };
}
