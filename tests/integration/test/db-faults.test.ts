// The server when the database goes away (issue 23, scenarios 3-5), on a server whose database connections go through
// a TCP proxy the test can cut (the shared Postgres itself is never stopped):
//  - the database "stopped": tRPC, REST and /readyz answer 503 with `retry-after`, never 500; once it is back the same
//    calls succeed again with no restart;
//  - every application connection terminated at once (pg_terminate_backend): no 500, and the next calls succeed;
//  - the pool held by slow queries: calls waiting for a connection give up after the acquire timeout and the ones
//    stuck in a query after the statement timeout, all with 503 and `retry-after`; none hangs; the pool recovers;
//  - the server's LISTEN connection (live video status and notifications) reconnects after the database was away
//    for longer than one retry, and NOTIFYs reach subscribers again;
//  - a worker on the same proxy reconnects (its pool and graphile-worker's LISTEN) and takes a job added after the
//    outage long before its next poll;
//  - a multipart upload whose completion assembled and copied the file in storage but could not commit (the database
//    timed out at the end) completes when the client retries, and listing its parts answers, instead of a 500 on every
//    retry (storage holds no parts any more); likewise a single-request upload, whose completion had copied it to the
//    original and removed the upload key (NOT_UPLOADED on every retry before);
//  - a status stream (SSE) open while the database goes away ends with SERVICE_UNAVAILABLE, not INTERNAL_SERVER_ERROR;
//  - a worker whose job ends while the database is away (its completion cannot be written) keeps taking jobs once it
//    is back, and that job is not left locked.
import { randomUUID } from 'node:crypto';
import { createArvliteNodeClient, errorCode } from '@arvlite/client/node';
import { buildServer } from '@arvlite/server';
import { changeEvents, closeChangeEvents } from '@arvlite/api';
import { initOrm, type Orm } from '@arvlite/db';
import { VIDEO_CHANNEL } from '@arvlite/jobs';
import { createTestDeps, reservePort, waitFor } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, viaProxy, type FaultProxy } from '../src/fault-proxy.ts';
import { busyImage, paddedMp4, signUp } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let proxy: FaultProxy;
let proxiedUrl: string;
let orm: Orm;
let app: Awaited<ReturnType<typeof buildServer>>;
let baseUrl: string;
let token: string;
const MiB = 1024 * 1024;

beforeAll(async () => {
  deps = await createTestDeps({ COMPANY_MAX_PER_USER: '20' }); // every test makes its own company
  const direct = new URL(deps.config.database.url);
  proxy = await startFaultProxy({ host: direct.hostname, port: Number(direct.port) });
  proxiedUrl = viaProxy(deps.config.database.url, proxy);
  const database = { ...deps.config.database, url: proxiedUrl, acquireTimeoutMs: 1000, statementTimeoutMs: 2000 };
  const uploads = { ...deps.config.uploads, multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB };
  orm = await initOrm({ url: proxiedUrl, poolMax: 3, acquireTimeoutMs: 1000, statementTimeoutMs: 2000 });
  const reserved = await reservePort();
  baseUrl = `http://127.0.0.1:${reserved.port}`;
  app = await buildServer({ ...deps, config: { ...deps.config, database, uploads }, orm });
  await reserved.listen(app);
  token = (await signUp(deps)).accessToken;
});

afterAll(async () => {
  await app?.close();
  await orm?.close();
});

const auth = () => ({ authorization: `Bearer ${token}` });

/** auth.me over tRPC: status, retry-after and the error code (if any). */
async function me() {
  const res = await fetch(`${baseUrl}/trpc/auth.me`, { headers: auth() });
  const body = (await res.json()) as { error?: { json?: { data?: { code?: string } } } };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.error?.json?.data?.code };
}

/** A mutation over tRPC (company.create), which goes through resolveResponse rather than the single-query path. */
async function createCompany() {
  const res = await fetch(`${baseUrl}/trpc/company.create`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: JSON.stringify({ json: { name: 'Harbour prints' } }),
  });
  const body = (await res.json()) as { error?: { json?: { data?: { code?: string } } } };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.error?.json?.data?.code };
}

async function rest() {
  const res = await fetch(`${baseUrl}/api/v1/videos/${randomUUID()}`, { headers: auth() });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.code };
}

/** A tRPC call over HTTP: its status, error code (if any) and data. */
async function trpc<T>(path: string, input: unknown, kind: 'query' | 'mutation') {
  const body = JSON.stringify({ json: input });
  const res =
    kind === 'query'
      ? await fetch(`${baseUrl}/trpc/${path}?input=${encodeURIComponent(body)}`, { headers: auth() })
      : await fetch(`${baseUrl}/trpc/${path}`, {
          method: 'POST',
          headers: { ...auth(), 'content-type': 'application/json' },
          body,
        });
  const json = (await res.json()) as {
    result?: { data?: { json?: T } };
    error?: { json?: { data?: { code?: string } } };
  };
  return { status: res.status, code: json.error?.json?.data?.code, data: json.result?.data?.json as T };
}

const poll = { interval: 200, retry: false };

const unavailable = { status: 503, retryAfter: '5', code: 'SERVICE_UNAVAILABLE' };

/** A company of the test's user (each test makes its own) and a project in it, over tRPC. */
async function newProject(companyName: string, projectName: string) {
  const { data: company } = await trpc<{ id: string }>('company.create', { name: companyName }, 'mutation');
  const { data: project } = await trpc<{ id: string }>(
    'project.create',
    { companyId: company.id, name: projectName },
    'mutation',
  );
  return project;
}

/**
 * Calls `path` while the audit log is locked, so the call's last statement (its audit row) waits past the statement
 * timeout and its transaction rolls back after storage was changed, as a process killed before its commit leaves it.
 * The call answers 503.
 */
async function callCutBeforeCommit(path: string, input: unknown) {
  const locker = new pg.Client({ connectionString: deps.config.database.url });
  await locker.connect();
  try {
    await locker.query('begin');
    await locker.query('lock table audit_log in exclusive mode');
    expect(await trpc(path, input, 'mutation')).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  } finally {
    await locker.query('rollback').catch(() => {});
    await locker.end();
  }
}

describe('the database stopped', () => {
  it('answers 503 with retry-after on tRPC, REST and /readyz meanwhile, and serves again once it is back', async () => {
    expect(await me()).toMatchObject({ status: 200 });
    proxy.down();
    try {
      expect(await me()).toEqual(unavailable);
      expect(await createCompany()).toEqual(unavailable);
      expect(await rest()).toEqual(unavailable);
      const ready = await fetch(`${baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { database: boolean }).database).toBe(false);
    } finally {
      proxy.up();
    }
    await waitFor('auth.me to answer again', async () => (await me()).status === 200, poll);
    expect(await rest()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await createCompany()).toMatchObject({ status: 200 });
  });
});

describe('every application connection terminated at once', () => {
  it('answers no 500 and serves the next calls', async () => {
    // Connections in the pool first, so there is something to terminate.
    await Promise.all([me(), me(), me()]);
    const killed = await deps.orm
      .fork()
      .execute<{ n: number }[]>(
        'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
    expect(killed[0]!.n).toBeGreaterThan(0);
    const statuses = (await Promise.all([me(), me(), me(), me(), rest(), createCompany()])).map((r) => r.status);
    for (const s of statuses) expect([200, 404, 503]).toContain(s);
    await waitFor('auth.me to answer again', async () => (await me()).status === 200, poll);
  });
});

describe('the pool held by slow queries', () => {
  it('times out waiting callers and stuck queries with 503 and retry-after, and recovers', async () => {
    // A lock every auth.me waits on (the user row it reads), held by a connection outside the server's pool.
    const locker = new pg.Client({ connectionString: deps.config.database.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table app_user in access exclusive mode');
      // Three calls take the pool's three connections and wait on the lock (statement timeout, 2 s); the rest wait for
      // a connection (acquire timeout, 1 s). Every one of them must come back.
      const answers = await Promise.all(Array.from({ length: 8 }, () => me()));
      for (const a of answers) expect(a).toEqual(unavailable);
    } finally {
      await locker.query('rollback').catch(() => {});
      await locker.end();
    }
    await waitFor('auth.me to answer again', async () => (await me()).status === 200, poll);
    expect((await Promise.all([me(), me(), me(), me()])).map((a) => a.status)).toEqual([200, 200, 200, 200]);
  });
});

describe("the server's LISTEN connection", () => {
  it(
    'is re-established after the database was away, and NOTIFYs reach subscribers again',
    { timeout: 60_000 },
    async () => {
      const events = changeEvents(proxiedUrl, deps.log);
      const videoId = randomUUID();
      let seen = 0;
      const unsubscribe = events.subscribe('video', videoId, () => seen++);
      try {
        await events.ready();
        const notify = () =>
          deps.orm.fork().execute(`select pg_notify('${VIDEO_CHANNEL}', ?)`, [JSON.stringify({ videoId })]);
        await notify();
        await waitFor('the first notification', async () => seen > 0, poll);
        // Away for longer than one reconnect attempt.
        proxy.down();
        await new Promise((r) => setTimeout(r, 4000));
        proxy.up();
        const before = seen;
        await waitFor(
          'a notification after the database came back',
          async () => {
            await notify();
            return seen > before;
          },
          poll,
        );
      } finally {
        unsubscribe();
        await closeChangeEvents(proxiedUrl);
      }
    },
  );
});

describe('a worker when the database was away', () => {
  it(
    'reconnects and takes a job added afterwards through LISTEN, long before its next poll',
    { timeout: 90_000 },
    async () => {
      const workerOrm = await initOrm({ url: proxiedUrl, poolMax: 3, acquireTimeoutMs: 1000 });
      const config = {
        ...deps.config,
        database: { ...deps.config.database, url: proxiedUrl },
        // Polling a minute apart: a job taken within seconds came by LISTEN/NOTIFY.
        worker: { ...deps.config.worker, pollIntervalMs: 60_000 },
      };
      const worker = await startWorker({ ...deps, config, orm: workerOrm }, { concurrency: 1, tasks: ['system:noop'] });
      const sql = (q: string) => deps.orm.fork().execute<{ n: number }[]>(q);
      const pending = async () =>
        (
          await sql(
            `select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t
               on t.id = j.task_id where t.identifier = 'system:noop'`,
          )
        )[0]!.n;
      const addJob = () => sql(`select graphile_worker.add_job('system:noop', '{"label":"x"}'::json)`);
      try {
        await addJob();
        await waitFor('a job added before the outage to be run', async () => (await pending()) === 0, {
          ...poll,
          timeout: 20_000,
        });
        proxy.down();
        await new Promise((r) => setTimeout(r, 4000));
        proxy.up();
        // graphile-worker's LISTEN client reconnects with its own backoff (0.1, 0.4, 1, 2.7, 7.4 s… after each failure:
        // within about 10 s of a 4 s outage). A job added before it is back is found by polling instead.
        await new Promise((r) => setTimeout(r, 12_000));
        await addJob();
        await waitFor('a job added after the outage to be run', async () => (await pending()) === 0, {
          ...poll,
          timeout: 20_000,
        });
      } finally {
        await worker.stop();
        await workerOrm.close();
      }
    },
  );
});

describe('a worker whose job ends while the database is away', () => {
  it(
    'starts its job queue again once the database is back: the job is not left locked and new jobs run',
    { timeout: 90_000 },
    async () => {
      const workerOrm = await initOrm({ url: proxiedUrl, poolMax: 3, acquireTimeoutMs: 1000 });
      const config = {
        ...deps.config,
        database: { ...deps.config.database, url: proxiedUrl },
        worker: { ...deps.config.worker, pollIntervalMs: 500 },
      };
      // A task that, on its first run, holds until the test lets it end (while the database is away).
      let runs = 0;
      let started!: () => void;
      const isRunning = new Promise<void>((r) => (started = r));
      let finish!: () => void;
      const finished = new Promise<void>((r) => (finish = r));
      const worker = await startWorker(
        { ...deps, config, orm: workerOrm },
        {
          concurrency: 1,
          tasks: ['system:noop'],
          extraTasks: {
            'test:held': async () => {
              if (++runs > 1) return;
              started();
              await finished;
            },
          },
        },
      );
      const sql = (q: string) => deps.orm.fork().execute<{ n: number }[]>(q);
      const left = async (task: string) =>
        (
          await sql(
            `select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t
               on t.id = j.task_id where t.identifier = '${task}'`,
          )
        )[0]!.n;
      try {
        await sql(`select graphile_worker.add_job('test:held', '{}'::json)`);
        await isRunning;
        proxy.down();
        // The job ends now: graphile-worker cannot record its completion, and (0.18.0, graphile/worker#636) stops the
        // whole job queue of this worker.
        finish();
        await new Promise((r) => setTimeout(r, 3000));
        proxy.up();
        await waitFor('the held job to be done (not left locked)', async () => (await left('test:held')) === 0, {
          ...poll,
          timeout: 40_000,
        });
        await sql(`select graphile_worker.add_job('system:noop', '{"label":"after"}'::json)`);
        await waitFor('a job added after the outage to be run', async () => (await left('system:noop')) === 0, {
          ...poll,
          timeout: 20_000,
        });
      } finally {
        await worker.stop();
        await workerOrm.close();
      }
    },
  );
});

describe('a multipart completion that reached storage but not the commit', () => {
  it(
    'completes when the client retries, and its parts still list, instead of answering 500',
    { timeout: 60_000 },
    async () => {
      const project = await newProject('Retry prints', 'Clips');
      const bytes = paddedMp4(12 * MiB);
      const { data: created } = await trpc<{ videoId: string; kind: string; partSize: number }>(
        'video.createUpload',
        { projectId: project.id, fileName: 'clip.mp4', contentType: 'video/mp4', size: bytes.length },
        'mutation',
      );
      expect(created.kind).toBe('multipart');
      const { data: signed } = await trpc<{ parts: { partNumber: number; url: string }[] }>(
        'video.signUploadParts',
        { videoId: created.videoId, partNumbers: [1, 2, 3] },
        'mutation',
      );
      for (const p of signed.parts) {
        const start = (p.partNumber - 1) * created.partSize;
        const put = await fetch(p.url, { method: 'PUT', body: bytes.subarray(start, start + created.partSize) });
        expect(put.ok).toBe(true);
      }
      // The completion's last statement (its audit row, written at commit) waits on a lock past the statement timeout:
      // storage has assembled the parts and copied the file to the original by then, the database records none of it.
      await callCutBeforeCommit('video.completeUpload', { videoId: created.videoId });
      // The client resumes as @arvlite/client does: what does storage hold, then complete.
      const listed = await trpc<{ parts: { partNumber: number }[]; uploadedBytes: number }>(
        'video.listUploadedParts',
        { videoId: created.videoId },
        'query',
      );
      expect(listed.status).toBe(200);
      expect(listed.data.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
      expect(listed.data.uploadedBytes).toBe(bytes.length);
      const again = await trpc<{ status: string }>('video.completeUpload', { videoId: created.videoId }, 'mutation');
      expect(again.status).toBe(200);
      expect(again.data.status).toBe('UPLOADED');
    },
  );
});

describe('a single-request completion that reached storage but not the commit', () => {
  it(
    'completes when the client retries, and storage is said to hold the upload, instead of NOT_UPLOADED',
    { timeout: 60_000 },
    async () => {
      const project = await newProject('Cut prints', 'Clips');
      const bytes = paddedMp4(2 * MiB);
      const { data: created } = await trpc<{
        videoId: string;
        kind: string;
        url: string;
        headers: Record<string, string>;
      }>(
        'video.createUpload',
        { projectId: project.id, fileName: 'clip.mp4', contentType: 'video/mp4', size: bytes.length },
        'mutation',
      );
      expect(created.kind).toBe('single');
      const put = await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers });
      expect(put.ok).toBe(true);
      const etag = put.headers.get('etag');
      // As in the multipart case above (and as a process killed before its commit, chaos scenario 11): the completion
      // has copied the upload to the original and removed the upload key when its last statement times out.
      await callCutBeforeCommit('video.completeUpload', { videoId: created.videoId, etag });
      const listed = await trpc<{ kind: string; uploadedBytes: number }>(
        'video.listUploadedParts',
        { videoId: created.videoId },
        'query',
      );
      expect(listed.status).toBe(200);
      expect(listed.data).toMatchObject({ kind: 'single', uploadedBytes: bytes.length });
      const again = await trpc<{ status: string }>(
        'video.completeUpload',
        { videoId: created.videoId, etag },
        'mutation',
      );
      expect(again).toMatchObject({ status: 200, data: { status: 'UPLOADED', sizeBytes: bytes.length } });
    },
  );
});

describe('a marker completion that reached storage but not the commit', () => {
  it('completes when the client retries, instead of NOT_UPLOADED', { timeout: 60_000 }, async () => {
    const project = await newProject('Cut markers', 'Prints');
    const { data: item } = await trpc<{ id: string }>(
      'arContent.create',
      { projectId: project.id, title: 'Cut marker' },
      'mutation',
    );
    const png = await busyImage(320, 240, 7);
    const { data: created } = await trpc<{ url: string; headers: Record<string, string> }>(
      'arContent.createMarkerUpload',
      { id: item.id, contentType: 'image/png', size: png.length },
      'mutation',
    );
    const put = await fetch(created.url, { method: 'PUT', body: new Uint8Array(png), headers: created.headers });
    expect(put.ok).toBe(true);
    // The completion has copied the upload into its revision and removed the upload key when its last statement
    // (the audit row) times out, as a process killed before its commit would leave it.
    await callCutBeforeCommit('arContent.completeMarkerUpload', { id: item.id });
    const again = await trpc<{ status: string }>('arContent.completeMarkerUpload', { id: item.id }, 'mutation');
    expect(again).toMatchObject({ status: 200, data: { status: 'MARKER_PROCESSING' } });
  });
});

describe('a status stream open while the database goes away', () => {
  it('ends with SERVICE_UNAVAILABLE, not INTERNAL_SERVER_ERROR, and resumes after', { timeout: 60_000 }, async () => {
    const project = await newProject('Stream prints', 'Clips');
    const { data: created } = await trpc<{ videoId: string }>(
      'video.createUpload',
      { projectId: project.id, fileName: 'clip.mp4', contentType: 'video/mp4', size: 1000 },
      'mutation',
    );
    const client = createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken: () => token });
    const seen: string[] = [];
    // tRPC's SSE link subscribes again by itself after a 5xx error event (onError is not called): the error shows in
    // the connection state.
    const errors: unknown[] = [];
    const sub = client.video.onStatus.subscribe(
      { id: created.videoId },
      {
        onData: (s: { status: string }) => seen.push(s.status),
        onConnectionStateChange: (state: { error: unknown }) => {
          if (state.error) errors.push(state.error);
        },
      },
    );
    try {
      await waitFor('the first status', async () => seen.length > 0, poll);
      expect(seen).toEqual(['AWAITING_UPLOAD']);
      // The stream checks the caller's access every 5 s: the next check finds the database away.
      proxy.down();
      try {
        await waitFor('the stream to end with an error', async () => errors.length > 0, { ...poll, timeout: 20_000 });
      } finally {
        proxy.up();
      }
      // Back: the client's own new subscription answers the current state first.
      await waitFor('the status again after the outage', async () => seen.length > 1, { ...poll, timeout: 30_000 });
    } finally {
      sub.unsubscribe();
    }
    expect(errorCode(errors[0])).toBe('SERVICE_UNAVAILABLE');
  });
});
