// Upload: one large file through our presigned multipart flow against @aws-sdk/lib-storage straight to the same
// s3rver bucket, same part size and concurrency. Each side's client is a child process of its own (upload-child.ts).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig, processEnv } from '@arvlite/config';
import { ObjectStorage } from '@arvlite/storage';
import { startServer } from '../apps.ts';
import { interleave, median, medianPairRatio, round, row, type Benchmark } from '../harness.ts';
import { readCpuMs } from '../processes.ts';
import { startRpcChild, type RpcChild } from '../rpc.ts';
import { signUpTenant } from '../tenant.ts';
import type { UploadChildInit, UploadResult } from '../upload/upload-child.ts';

const CHILD = fileURLToPath(new URL('../upload/upload-child.ts', import.meta.url));
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const upload: Benchmark = {
  name: 'Upload',
  feature: 'presigned multipart uploads (packages/api video.service, packages/client uploadVideo)',
  ours: '`uploadVideo` from @arvlite/client/node (presigned PUTs through node:http; browsers send them with fetch) against apps/server: createUpload, signUploadParts (up to 100 parts per call), presigned PUTs in parallel, completeUpload (ListParts, CompleteMultipartUpload, sniff, quota, job)',
  baseline: '`@aws-sdk/lib-storage` `Upload` straight to the same s3rver bucket, same bytes, part size and concurrency',
  async run(ctx) {
    const size = ctx.quick ? 128 * MiB : GiB;
    const pairs = ctx.quick ? 2 : 3;
    const config = loadConfig({ ...processEnv(), S3_ENDPOINT: ctx.services.s3Endpoint });
    const partSize = config.uploads.partSizeBytes;
    const concurrency = 4; // uploadVideo's default
    const headerFile = path.join(ctx.services.dataDir, 'upload-header.mp4');
    // prettier-ignore
    await promisify(execFile)('ffmpeg', [
      '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=10', '-t', '1',
      '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart', headerFile,
    ]);

    const databaseUrl = await ctx.services.createDatabase('bench_upload');
    const server = await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint, {
      nodeArgs: ctx.nodeArgs('upload-server'),
      env: {
        UPLOAD_MAX_BYTES: String(4 * GiB),
        COMPANY_DEFAULT_QUOTA_BYTES: String(1024 * GiB),
        AUTH_ACCESS_TOKEN_TTL_S: '3600',
      },
    });
    const s3Endpoint = ctx.services.s3Endpoint;
    const storage = new ObjectStorage({
      ...config.s3,
      endpoint: s3Endpoint,
      publicEndpoint: s3Endpoint,
    });
    const children: RpcChild[] = [];
    try {
      const tenant = await signUpTenant(server.baseUrl);
      const base: Omit<UploadChildInit, 'side'> = {
        size,
        headerFile,
        partSize,
        concurrency,
        s3Endpoint: ctx.services.s3Endpoint,
      };
      const start = (init: UploadChildInit) =>
        startRpcChild(ctx.processes, `upload-${init.side}`, CHILD, [JSON.stringify(init)], {
          nodeArgs: ctx.nodeArgs(`upload-${init.side}`),
        });
      const ours = await start({
        ...base,
        side: 'ours',
        trpcUrl: `${server.baseUrl}/trpc`,
        accessToken: tenant.accessToken,
        projectId: tenant.projectId,
      });
      children.push(ours);
      const baseline = await start({ ...base, side: 'baseline' });
      children.push(baseline);

      const keyOf = (r: UploadResult) =>
        r.key ?? `${tenant.companyId}/${tenant.projectId}/videos/${r.videoId}/original`;
      type Measured = UploadResult & {
        clientCpuMs: number;
        serverCpuMs: number;
        storageCpuMs: number;
        etag: string;
      };
      // Per round: wall time, both processes' CPU, and what landed in the bucket (removed again to spare the disk).
      const measure = async (side: RpcChild, i: number): Promise<Measured> => {
        const cpu = () =>
          Promise.all([readCpuMs(side.child.pid), readCpuMs(server.child.pid), ctx.services.storageCpuMs()]);
        const [c0, s0, st0] = await cpu();
        const r = await side.call<UploadResult>('upload', { round: i });
        const [c1, s1, st1] = await cpu();
        const head = await storage.head(keyOf(r));
        if (!head || head.size !== size)
          throw new Error(`${keyOf(r)} holds ${head?.size ?? 'nothing'}, expected ${size} bytes`);
        await storage.delete(keyOf(r));
        return {
          ...r,
          clientCpuMs: c1 - c0,
          serverCpuMs: s1 - s0,
          storageCpuMs: st1 - st0,
          etag: head.etag ?? '',
        };
      };
      const rounds = await interleave({
        pairs,
        warmup: 1,
        signal: ctx.signal,
        a: (i) => measure(ours, i),
        b: (i) => measure(baseline, i),
        onRound: (i, side, r) =>
          i >= 0 &&
          ctx.log(
            `  round ${i + 1} ${side === 'a' ? 'ours' : 'baseline'}: ${Math.round(size / MiB / (r.ms / 1000))} MiB/s`,
          ),
      });
      // Same bytes, same part size: the multipart ETag (MD5 of the parts' MD5s, "-<parts>") must be the same.
      const etags = new Set([...rounds.a, ...rounds.b].map((r) => r.etag));
      if (etags.size !== 1) throw new Error(`the two sides stored different objects: ETags ${[...etags].join(', ')}`);
      const mibps = (r: UploadResult) => size / MiB / (r.ms / 1000);
      const [oursRate, baseRate] = [rounds.a.map(mibps), rounds.b.map(mibps)];
      const ratio = medianPairRatio(oursRate, baseRate);
      const parts = Math.ceil(size / partSize);
      const signCalls = median(rounds.a.map((r) => r.phases!.signCalls));
      const cpuPerGiB = (ms: number) => round((ms / size) * GiB, 0);
      return [
        row({
          benchmark: this.name,
          metric: `${size / MiB} MiB, ${parts} × ${partSize / MiB} MiB parts, ${concurrency} in parallel`,
          unit: 'MiB/s',
          ours: round(median(oursRate), 1),
          baseline: round(median(baseRate), 1),
          ratio: round(ratio, 3),
          target: '≥ 0.95×',
          pass: ratio >= 0.95,
          details: {
            pairs,
            oursMs: rounds.a.map((r) => Math.round(r.ms)),
            baselineMs: rounds.b.map((r) => Math.round(r.ms)),
            etag: [...etags][0],
            oursApiCalls: `${signCalls + 2} (createUpload, ${signCalls} × signUploadParts, completeUpload)`,
            oursClientCpuMsPerGiB: cpuPerGiB(median(rounds.a.map((r) => r.clientCpuMs))),
            baselineClientCpuMsPerGiB: cpuPerGiB(median(rounds.b.map((r) => r.clientCpuMs))),
            oursServerCpuMsPerGiB: cpuPerGiB(median(rounds.a.map((r) => r.serverCpuMs))),
            oursS3rverCpuMsPerGiB: cpuPerGiB(median(rounds.a.map((r) => r.storageCpuMs))),
            baselineS3rverCpuMsPerGiB: cpuPerGiB(median(rounds.b.map((r) => r.storageCpuMs))),
            // Medians over the rounds of where ours spent its wall time, seen from the client.
            oursBeforeFirstPutMs: median(rounds.a.map((r) => r.phases!.beforeFirstPut)),
            oursPutPhaseMs: median(rounds.a.map((r) => r.phases!.putPhase)),
            oursCompleteUploadMs: median(rounds.a.map((r) => r.phases!.complete)),
            oursSignUploadPartsMsMedian: median(rounds.a.map((r) => r.phases!.signMsMedian)),
            // The same phases of lib-storage, from its S3 calls: CreateMultipartUpload, the UploadParts, and
            // CompleteMultipartUpload (ours' completeUpload pays that too, then copies the object to its final key).
            baselineBeforeFirstPutMs: median(rounds.b.map((r) => r.phases!.beforeFirstPut)),
            baselinePutPhaseMs: median(rounds.b.map((r) => r.phases!.putPhase)),
            baselineCompleteMultipartUploadMs: median(rounds.b.map((r) => r.phases!.complete)),
            storage: 's3rver (dev-services), same bucket for both',
          },
        }),
      ];
    } finally {
      await Promise.all(children.map((c) => c.stop()));
      await server.child.stop();
      storage.destroy();
    }
  },
};
