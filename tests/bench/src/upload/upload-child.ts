// Upload client for the Upload benchmark, one process per side so neither shares an event loop with the server or
// the other side. It builds the file in memory once (an MP4 header, then a fixed AES-CTR keystream, so both sides
// send identical bytes and their multipart ETags must match), then uploads it on each `upload` request:
//
//   ours      uploadVideo() from @arvlite/client/node against apps/server: createUpload, signUploadParts (100 parts a call),
//             presigned PUTs in parallel, completeUpload (ListParts, CompleteMultipartUpload, sniff, quota, job)
//   baseline  @aws-sdk/lib-storage Upload straight to the same bucket, same part size and concurrency
//
//   node upload-child.ts '<ChildInit as JSON>'
import { createCipheriv } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createArvliteClient, nodePut, uploadVideo, type PutRequest } from '@arvlite/client/node';
import { loadConfig, processEnv } from '@arvlite/config';
import { createS3Client } from '@arvlite/storage';
import { Upload } from '@aws-sdk/lib-storage';
import { serveRpc } from '../rpc.ts';

export interface UploadChildInit {
  side: 'ours' | 'baseline';
  size: number;
  /** A small real MP4 whose bytes open the file, so completeUpload's sniffing accepts it. */
  headerFile: string;
  partSize: number;
  concurrency: number;
  s3Endpoint: string;
  /** ours */
  trpcUrl?: string;
  accessToken?: string;
  projectId?: string;
}

export interface UploadResult {
  ms: number;
  /** Where the wall time went (ms), from the client's side; for the baseline, `complete` is its CompleteMultipartUpload. */
  phases?: {
    beforeFirstPut: number;
    putPhase: number;
    complete: number;
    signCalls: number;
    signMsMedian: number;
  };
  /** ours: the video created; baseline: the key written. */
  videoId?: string;
  key?: string;
}

const init = JSON.parse(process.argv[2] ?? '{}') as UploadChildInit;
const config = loadConfig({ ...processEnv(), S3_ENDPOINT: init.s3Endpoint, LOG_LEVEL: 'warn' });

async function buildFile(size: number, headerFile: string): Promise<Buffer> {
  const out = Buffer.alloc(size);
  const header = await readFile(headerFile);
  header.copy(out, 0, 0, Math.min(header.length, size));
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0));
  const chunk = 16 * 1024 * 1024;
  const zeros = Buffer.alloc(chunk);
  for (let at = header.length; at < size; at += chunk) {
    const n = Math.min(chunk, size - at);
    cipher.update(zeros.subarray(0, n)).copy(out, at);
  }
  return out;
}

const bytes = await buildFile(init.size, init.headerFile);

type Span = { what: string; start: number; end: number };

/** Times every tRPC call the client makes, by procedure. */
function timedFetch(spans: Span[]): typeof fetch {
  return async (input, reqInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const what = url.pathname.startsWith('/trpc/') ? url.pathname.slice(6) : 'fetch';
    const start = performance.now();
    try {
      return await fetch(input, reqInit);
    } finally {
      spans.push({ what, start, end: performance.now() });
    }
  };
}

/** Times the presigned PUTs, sent the way `@arvlite/client/node` sends them (nodePut). */
function timedPut(spans: Span[]): PutRequest {
  return async (...args) => {
    const start = performance.now();
    try {
      return await nodePut(...args);
    } finally {
      spans.push({ what: 'PUT', start, end: performance.now() });
    }
  };
}

async function uploadOurs(round: number): Promise<UploadResult> {
  const token = init.accessToken!;
  const spans: Span[] = [];
  const f = timedFetch(spans);
  const client = createArvliteClient({ url: init.trpcUrl!, getAccessToken: () => token, fetch: f });
  const t0 = performance.now();
  const video = await uploadVideo(
    client,
    { projectId: init.projectId!, fileName: `bench-${round}.mp4`, contentType: 'video/mp4' },
    { size: bytes.length, slice: (start, end) => bytes.subarray(start, end) },
    { concurrency: init.concurrency, put: timedPut(spans) },
  );
  const end = performance.now();
  if (video.status !== 'UPLOADED') throw new Error(`completeUpload left the video ${video.status}`);
  const puts = spans.filter((s) => s.what === 'PUT');
  const signs = spans.filter((s) => s.what === 'video.signUploadParts').map((s) => s.end - s.start);
  const complete = spans.find((s) => s.what === 'video.completeUpload');
  const firstPut = Math.min(...puts.map((s) => s.start));
  const lastPut = Math.max(...puts.map((s) => s.end));
  signs.sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return {
    ms: end - t0,
    videoId: video.id,
    phases: {
      beforeFirstPut: r(firstPut - t0),
      putPhase: r(lastPut - firstPut),
      complete: r(complete ? complete.end - complete.start : Number.NaN),
      signCalls: signs.length,
      signMsMedian: r(signs[signs.length >> 1] ?? Number.NaN),
    },
  };
}

const s3 = createS3Client({ ...config.s3, endpoint: init.s3Endpoint });
/** The baseline's S3 calls, timed by command (the SDK's middleware stack), for the same phases as ours. */
let baselineSpans: Span[] = [];
s3.middlewareStack.add(
  (next, context) => async (args) => {
    const start = performance.now();
    try {
      return await next(args);
    } finally {
      baselineSpans.push({ what: context.commandName ?? 'unknown', start, end: performance.now() });
    }
  },
  { step: 'initialize', name: 'benchTiming' },
);

async function uploadBaseline(round: number): Promise<UploadResult> {
  const key = `bench-upload/baseline-${round}-${Date.now()}`;
  const spans: Span[] = (baselineSpans = []);
  const t0 = performance.now();
  await new Upload({
    client: s3,
    params: { Bucket: config.s3.bucket, Key: key, Body: bytes, ContentType: 'video/mp4' },
    partSize: init.partSize,
    queueSize: init.concurrency,
    leavePartsOnError: false,
  }).done();
  const end = performance.now();
  const puts = spans.filter((s) => s.what === 'UploadPartCommand');
  const complete = spans.find((s) => s.what === 'CompleteMultipartUploadCommand');
  const firstPut = Math.min(...puts.map((s) => s.start));
  const lastPut = Math.max(...puts.map((s) => s.end));
  const r = (n: number) => Math.round(n * 10) / 10;
  return {
    ms: end - t0,
    key,
    phases: {
      beforeFirstPut: r(firstPut - t0),
      putPhase: r(lastPut - firstPut),
      complete: r(complete ? complete.end - complete.start : Number.NaN),
      signCalls: 0,
      signMsMedian: Number.NaN,
    },
  };
}

serveRpc(
  {
    upload: async ({ round }: { round: number }) => (init.side === 'ours' ? uploadOurs(round) : uploadBaseline(round)),
  },
  async () => s3.destroy(),
);
