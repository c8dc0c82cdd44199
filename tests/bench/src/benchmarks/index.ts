// The suite, in table order. An entry with `benchmark` runs (one `<name>.bench.ts` file here each); an entry with
// `notLanded` prints "not landed yet" ("not measured yet" once `landedIn` is set), never a guess.
import type { Benchmark } from '../harness.ts';
import { footprint } from './footprint.bench.ts';
import { httpCalibration } from './http-calibration.bench.ts';
import { queueLatency } from './queue-latency.bench.ts';
import { queueThroughput } from './queue-throughput.bench.ts';
import { scaleOut } from './scale-out.bench.ts';

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
  {
    id: 'api-read',
    notLanded: {
      name: 'API read',
      ours: 'authenticated `video.byId` through tRPC over HTTP, MikroORM, tenant check',
      baseline:
        'bare Fastify route, raw `pg` prepared query, same row, same JSON bytes (src/baseline-server.ts)',
      target: 'throughput ≥ 0.7×, p99 at fixed rate ≤ 1.5×',
      landedIn:
        '`video.byId` landed in c3d3579; the row needs api-read.bench.ts (compareHttp + baseline routes)',
    },
  },
  {
    id: 'viewer-manifest',
    notLanded: {
      name: 'Viewer manifest',
      ours: '`viewer.manifest`',
      baseline: 'bare Fastify + pg equivalent (src/baseline-server.ts)',
      target: '≥ 0.7×, p99 ≤ 20 ms at 50 connections',
    },
  },
  { id: 'queue-latency', benchmark: queueLatency },
  { id: 'queue-throughput', benchmark: queueThroughput },
  {
    id: 'pipeline',
    notLanded: {
      name: 'Pipeline',
      ours: 'full processing of a 30 s 720p clip',
      baseline: 'the same ffmpeg commands run directly',
      target: '≤ 1.10×',
    },
  },
  {
    id: 'time-to-playable',
    notLanded: {
      name: 'Time-to-playable',
      ours: '`completeUpload` → `playableAt` for a standard clip',
      baseline: '(absolute)',
      target: '≤ 2 s',
    },
  },
  {
    id: 'upload',
    notLanded: {
      name: 'Upload',
      ours: '1 GiB via presigned multipart',
      baseline: '`@aws-sdk/lib-storage` direct',
      target: '≥ 0.9×',
      landedIn: 'presigned multipart uploads landed in c3d3579; the row needs upload.bench.ts',
    },
  },
  {
    id: 'marker-compile',
    notLanded: {
      name: 'Marker compile',
      ours: '1024 px image',
      baseline: "(absolute; MindAR's own compiler as reference if practical)",
      target: '≤ 10 s CPU',
    },
  },
  { id: 'footprint', benchmark: footprint },
  { id: 'scale-out', benchmark: scaleOut },
];
