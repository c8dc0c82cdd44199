// Graceful shutdown, measured on real processes: SIGTERM to a server with an open SSE stream and a request still
// arriving, and SIGTERM to a worker in the middle of an encode. The durations are printed, not asserted.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processEnv } from '@arvlite/config';
import { Video, VideoStep } from '@arvlite/db';
import { spawnListening, waitFor } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clips, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let projectId: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ worker: false, env: { MEDIA_X264_PRESET: 'ultrafast' } });
  owner = await registerUser(platform.client);
  const companyId = (await owner.client.company.create.mutate({ name: 'Shutdown Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Clips' })).id;
});
afterAll(async () => {
  for (const c of cleanups) await c();
});

function serviceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const config = platform.deps.config;
  return {
    ...processEnv(),
    NODE_ENV: 'test',
    DATABASE_URL: config.database.url,
    S3_ENDPOINT: config.s3.endpoint,
    S3_BUCKET: config.s3.bucket,
    AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
    ...extra,
  };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('graceful shutdown', () => {
  it('the server stops accepting, ends SSE streams with a retry hint and answers the request in flight', async () => {
    // A child must be given its port: a fresh one per try until the server itself says it listens (spawnListening).
    const started = await spawnListening(
      (port) =>
        spawn(process.execPath, [join(import.meta.dirname, '../../../apps/server/src/main.ts')], {
          env: serviceEnv({
            LOG_LEVEL: 'info',
            HOST: '127.0.0.1',
            PORT: String(port),
            PUBLIC_URL: `http://127.0.0.1:${port}`,
          }),
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      { listening: /"msg":"server listening"/ },
    );
    const server = started.child;
    const base = `http://127.0.0.1:${started.port}`;
    cleanups.push(() => {
      if (server.exitCode === null) server.kill('SIGKILL');
    });

    // An SSE subscription (health.watch is public), read as a browser's EventSource would.
    const input = encodeURIComponent(JSON.stringify({ json: { intervalMs: 5000 } }));
    const sse = await fetch(`${base}/trpc/health.watch?input=${input}`, { headers: { accept: 'text/event-stream' } });
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let sseText = '';
    const sseEnded = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of sse.body!) sseText += decoder.decode(chunk, { stream: true });
      return performance.now();
    })();
    await waitFor('the first SSE event', async () => sseText.includes('data:'), { timeout: 10_000, retry: false });

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ json: { email: 'nobody@example.com', password: 'not-the-password-123' } });
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${base}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 1500);
    });
    await new Promise((r) => setTimeout(r, 300));

    const signalled = performance.now();
    server.kill('SIGTERM');
    const endedAt = await sseEnded;
    // The stream ended cleanly (the loop above would have thrown on a reset) after telling the client when to return.
    expect(sseText).toMatch(/\nretry: 1000\n\n|^retry: 1000\n\n/m);
    await waitFor(
      'new connections to be refused',
      () =>
        fetch(`${base}/healthz`).then(
          () => false,
          () => true,
        ),
      { timeout: 10_000, retry: false },
    );
    const answered = await inFlight;
    // Answered by the procedure (wrong password), not cut off and not refused with 503.
    expect(answered.status).toBe(401);
    expect(answered.text).toContain('UNAUTHORIZED');
    const exit = await exited(server);
    const exitedAt = performance.now();
    expect(exit).toEqual({ code: 0, signal: null });
    // All of its output read (the exit can come before the last of it).
    if (!server.stdout!.closed) await new Promise((r) => server.stdout!.once('close', r));
    const logs = started.output();
    expect(logs).toMatch(/"msg":"drained"/);
    const drained = JSON.parse(logs.split('\n').find((l) => l.includes('"msg":"drained"'))!) as { streams: number };
    expect(drained.streams).toBe(1);
    console.log(
      `server shutdown: SSE ended ${Math.round(endedAt - signalled)} ms after SIGTERM, ` +
        `process exited after ${Math.round(exitedAt - signalled)} ms (request in flight answered ${answered.status})`,
    );
  }, 90_000);

  it('the worker finishes its running job on SIGTERM and leaves the rest queued for another worker', async () => {
    const worker = spawn(process.execPath, [join(import.meta.dirname, '../../../apps/worker/src/main.ts')], {
      env: serviceEnv({
        LOG_LEVEL: 'warn',
        WORKER_POLL_INTERVAL_MS: '200',
        WORKER_HEARTBEAT_INTERVAL_MS: '1000',
        MEDIA_X264_PRESET: 'ultrafast',
      }),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    cleanups.push(() => {
      if (worker.exitCode === null) worker.kill('SIGKILL');
    });
    const bytes = new Uint8Array(readFileSync(clips.oneSecond()));
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'one-second.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'single') throw new Error('expected a single upload');
    await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers });
    await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
    const em = () => platform.deps.orm.fork();
    const locked = async () =>
      (await em().execute<{ id: string; identifier: string }[]>(
        `select j.id, t.identifier from graphile_worker._private_jobs j
           join graphile_worker._private_tasks t on t.id = j.task_id where j.locked_by is not null`,
      )) as { id: string; identifier: string }[];
    await waitFor(
      'the video being processed in the worker',
      async () => (await locked()).some((j) => j.identifier === 'video:process'),
      { timeout: 60_000, retry: false },
    );
    const running = await locked();

    const signalled = performance.now();
    worker.kill('SIGTERM');
    const exit = await exited(worker);
    const exitedAt = performance.now();
    expect(exit).toEqual({ code: 0, signal: null });
    // Nothing is left locked by the stopped worker, and nothing it ran was failed by the stop.
    expect(await locked()).toEqual([]);
    const failed = await em().execute(
      `select id, last_error from graphile_worker._private_jobs where last_error is not null or attempts > 1`,
    );
    expect(failed).toEqual([]);
    const steps = await em().find(VideoStep, { video: created.videoId, status: 'failed' });
    expect(steps).toEqual([]);

    // Another worker picks up what was left and the video becomes READY.
    const next = await startWorker(platform.deps, { concurrency: 2 });
    cleanups.push(() => next.stop());
    await waitFor('READY', async () => (await em().findOne(Video, { id: created.videoId }))?.status === 'READY', {
      timeout: 150_000,
      retry: false,
    }).catch(async (e: Error) => {
      const jobs = await em().execute(
        `select j.id, t.identifier, j.attempts, j.locked_by, j.run_at, j.last_error from graphile_worker._private_jobs j
           join graphile_worker._private_tasks t on t.id = j.task_id`,
      );
      const steps = await em().find(VideoStep, { video: created.videoId });
      const video = await em().findOne(Video, { id: created.videoId });
      const state = { status: video?.status, jobs, steps: steps.map((s) => [s.name, s.status, s.errorMessage]) };
      throw new Error(`${e.message}\n${JSON.stringify(state)}`);
    });
    console.log(
      `worker shutdown: exited ${Math.round(exitedAt - signalled)} ms after SIGTERM while running ` +
        running.map((j) => j.identifier).join(', '),
    );
  }, 200_000);
});
