// The suite, in table order. An entry with `benchmark` runs (one `<name>.bench.ts` file here each); an entry with
// `notLanded` prints "not landed yet" ("not measured yet" once `landedIn` is set), never a guess.
import { existsSync } from 'node:fs';
import type { Benchmark } from '../harness.ts';
import { repoRoot } from '../services.ts';
import { apiRead } from './api-read.bench.ts';
import { httpScale } from './api-read-scale.bench.ts';
import { footprint } from './footprint.bench.ts';
import { httpCalibration } from './http-calibration.bench.ts';
import { longClipPlayable } from './long-clip-playable.bench.ts';
import { ladderAnchor } from './ladder-anchor.bench.ts';
import { markerCompile, markerPublish } from './marker-compile.bench.ts';
import { memory } from './memory.bench.ts';
import { pipeline, timeToPlayable } from './pipeline.bench.ts';
import { queueLatency } from './queue-latency.bench.ts';
import { queueThroughput } from './queue-throughput.bench.ts';
import { scaleOut } from './scale-out.bench.ts';
import { upload } from './upload.bench.ts';
import { viewerCamera } from './viewer-camera.bench.ts';
import { viewerManifest } from './viewer-manifest.bench.ts';

export interface NotLanded {
  name: string;
  ours: string;
  baseline: string;
  target: string;
  /** Set once the feature is in the code: the row then reads "not measured yet" and names where it landed. */
  landedIn?: string;
}

export interface Entry {
  /** Name for --only, e.g. "queue-latency". */
  id: string;
  /** Left out of --quick (still in the full run). */
  fullOnly?: boolean;
  benchmark?: Benchmark;
  notLanded?: NotLanded;
}

export const suite: Entry[] = [
  { id: 'http-calibration', benchmark: httpCalibration, fullOnly: true },
  { id: 'api-read', benchmark: apiRead },
  { id: 'viewer-manifest', benchmark: viewerManifest },
  { id: 'http-scale', benchmark: httpScale },
  { id: 'queue-latency', benchmark: queueLatency },
  { id: 'queue-throughput', benchmark: queueThroughput },
  { id: 'pipeline', benchmark: pipeline },
  // Measured on the Pipeline videos: with both ids selected, the videos are processed once.
  { id: 'time-to-playable', benchmark: timeToPlayable },
  // A 10-minute 1080p phone clip (1 minute in --quick): playable within 3 s whatever the length (decision 9 of #22).
  { id: 'long-clip-playable', benchmark: longClipPlayable },
  // Our encodes against one hand-written ffmpeg command making the same files (decision 5 of #22).
  { id: 'ladder-anchor', benchmark: ladderAnchor },
  { id: 'upload', benchmark: upload },
  // The row runs the marker package's own bench script, which may land after compileMindTarget itself.
  existsSync(`${repoRoot}/packages/marker/bench/compile.bench.ts`)
    ? { id: 'marker-compile', benchmark: markerCompile }
    : {
        id: 'marker-compile',
        notLanded: {
          name: 'Marker compile',
          ours: '1024 px image',
          baseline: "(absolute; MindAR's own compiler as reference if practical)",
          target: '≤ 10 s CPU',
          landedIn:
            '`compileMindTarget` is in packages/marker; the row runs packages/marker/bench/compile.bench.ts, which is not there yet',
        },
      },
  { id: 'marker-publish', benchmark: markerPublish },
  // Chromium on the fake camera against the real server and worker: minutes, so not in --quick.
  { id: 'viewer-camera', benchmark: viewerCamera, fullOnly: true },
  { id: 'footprint', benchmark: footprint },
  { id: 'memory', benchmark: memory },
  { id: 'scale-out', benchmark: scaleOut },
];
