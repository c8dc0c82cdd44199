// Data safety of the embedded default: `pnpm start`'s launcher (packages/dev-services/src/cli/platform.ts, with its
// embedded Postgres and s3rver under one DATA_DIR) is cut off like a power failure (SIGKILL to the launcher and every
// process under it at once: server, worker, ffmpeg, the services process, Postgres and its backends) at a random
// moment while uploads are sent and videos processed, then started again, ROUNDS times. After every restart each row
// and object a client was given an acknowledgement for before the cut is there; at the end every video whose upload
// was completed reaches READY with exactly its outputs in storage. What the OS had not written to disk when a real
// power failure struck is not covered: the kernel survives a SIGKILL, so its page cache does too.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createArvliteNodeClient, errorCode, type ArvliteClient } from '@arvlite/client/node';
import { processEnv } from '@arvlite/config';
import { ObjectStorage } from '@arvlite/storage';
import { smallClip } from '@arvlite/integration-tests/media-fixtures';
import { freePort } from '@arvlite/test-utils/net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Accounting, Problem } from '../src/accounting.ts';
import { descendants } from '../src/processes.ts';
import { assertClean, quick, recordResult } from '../src/scenario.ts';
import { repoRoot } from '../src/services.ts';

const LAUNCHER = path.join(repoRoot, 'packages/dev-services/src/cli/platform.ts');
const ROUNDS = quick ? 3 : 10;
/** From the last restart until the platform is up and the backlog is draining (a processing step finished). */
const RECOVERY_BOUND_MS = 90_000;
/** Every completed upload is final within this after the last restart, or it counts as stuck. */
const DRAIN_TIMEOUT_MS = 600_000;

const dataDir = mkdtempSync(path.join(tmpdir(), 'arvlite-power-cut-'));
// As the launcher makes a new DATA_DIR: run as root, embedded Postgres (the postgres user) must pass through it.
chmodSync(dataDir, 0o711);
const live = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of live) await powerCut(child);
  rmSync(dataDir, { recursive: true, force: true });
});

interface Item {
  videoId: string;
  /** completeUpload answered: from then on the platform owns the video. */
  completed: boolean;
  etag?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL to the launcher and everything under it at once; resolves when all are gone. */
async function powerCut(launcher: ChildProcess): Promise<number> {
  live.delete(launcher);
  if (launcher.pid === undefined) return 0;
  const all = [launcher.pid, ...descendants(launcher.pid)];
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  while (all.some(alive)) await sleep(20);
  return all.length;
}

async function launch(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [LAUNCHER], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
  const until = Date.now() + 180_000;
  while (!/ARVlite is up at/.test(out)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > until)
      throw new Error(`the platform did not come up after a power cut:\n${out.slice(-4000)}`);
    await sleep(100);
  }
  return { child, output: () => out };
}

describe(`embedded default: pnpm start cut off ${ROUNDS} times during uploads and processing`, () => {
  it('keeps every acknowledged row and object, and every completed upload reaches READY', async () => {
    const t0 = Date.now();
    const [port, pgPort, s3Port, smtpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      PATH: processEnv().PATH,
      HOME: processEnv().HOME,
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      DATA_DIR: dataDir,
      DEV_POSTGRES_PORT: String(pgPort),
      DEV_S3_PORT: String(s3Port),
      DEV_SMTP_PORT: String(smtpPort),
      MEDIA_X264_PRESET: 'ultrafast',
      WORKER_HEARTBEAT_INTERVAL_MS: '1000',
      WORKER_DEAD_AFTER_MS: '5000',
    };
    const db = () => new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/arvlite` });
    const storage = new ObjectStorage({
      endpoint: `http://127.0.0.1:${s3Port}`,
      region: 'us-east-1',
      bucket: 'arvlite',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
      publicEndpoint: `http://127.0.0.1:${s3Port}`,
    });

    const email = `power-${randomBytes(5).toString('hex')}@example.com`;
    const password = `Sturdy-${randomBytes(8).toString('hex')}`;
    let token: string | null = null;
    const client: ArvliteClient = createArvliteNodeClient({ url: `${base}/trpc`, getAccessToken: () => token });
    const items: Item[] = [];
    const problems: Problem[] = [];
    let projectId = '';
    let cuts = 0;
    const clip = smallClip();

    /** One upload, resumed from wherever the last cut left it; every answer received is recorded. */
    const advance = async (item: Item | undefined): Promise<void> => {
      if (!item) {
        const started = await client.video.createUpload.mutate({
          projectId,
          fileName: 'clip.mp4',
          contentType: 'video/mp4',
          size: clip.byteLength,
        });
        if (started.kind !== 'single') throw new Error('expected a single-request upload');
        item = { videoId: started.videoId, completed: false };
        items.push(item);
      }
      if (item.completed) return;
      if (!item.etag) {
        const signed = await client.video.signUpload.mutate({ videoId: item.videoId });
        const put = await fetch(signed.url, { method: 'PUT', body: clip, headers: signed.headers });
        if (!put.ok) throw new Error(`PUT answered ${put.status}`);
        item.etag = put.headers.get('etag') ?? undefined;
      }
      try {
        await client.video.completeUpload.mutate({ videoId: item.videoId, etag: item.etag });
      } catch (err) {
        // The cut came after the completion committed but before its answer arrived.
        if (errorCode(err) !== 'CONFLICT') throw err;
      }
      item.completed = true;
    };

    /** Everything acknowledged before the cut is there. */
    const verify = async (round: number) => {
      const c = db();
      await c.connect();
      try {
        const rows = await c.query<{ id: string; status: string }>('SELECT id, status FROM video WHERE id = ANY($1)', [
          items.map((i) => i.videoId),
        ]);
        const status = new Map(rows.rows.map((r) => [r.id, r.status]));
        for (const item of items) {
          const s = status.get(item.videoId);
          if (!s) problems.push({ item: item.videoId, what: 'lost', detail: `row missing after cut ${round}` });
          else if (item.completed && s === 'AWAITING_UPLOAD')
            problems.push({ item: item.videoId, what: 'lost', detail: `completion undone by cut ${round}` });
        }
        const project = await c.query('SELECT 1 FROM project WHERE id = $1', [projectId]);
        if (project.rowCount !== 1)
          problems.push({ item: projectId, what: 'lost', detail: `project after cut ${round}` });
      } finally {
        await c.end();
      }
    };

    let lastRestartAt = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      lastRestartAt = Date.now();
      const { child } = await launch(env);
      if (round === 0) {
        await client.auth.register.mutate({ email, password, name: 'Power Cut' });
        token = (await client.auth.login.mutate({ email, password })).accessToken;
        const companyId = (await client.company.create.mutate({ name: 'Power Cut Co' })).id;
        projectId = (await client.project.create.mutate({ companyId, name: 'Clips' })).id;
      } else {
        await verify(round);
        // The access token from before the cuts still works: the root secret it is signed with lives in DATA_DIR.
        await client.auth.me.query();
      }
      if (round === ROUNDS) break;

      // Load until the cut: resume the interrupted uploads, then start new ones, two at a time.
      let cutting = false;
      const worker = async () => {
        while (!cutting) {
          const next = items.find((i) => !i.completed && !(i as { busy?: boolean }).busy);
          if (next) (next as { busy?: boolean }).busy = true;
          try {
            await advance(next);
          } catch (err) {
            if (!cutting)
              throw new Error(`a call failed while the platform was up: ${(err as Error)?.message ?? String(err)}`, {
                cause: err,
              });
          } finally {
            if (next) delete (next as { busy?: boolean }).busy;
          }
          // A steady stream, not a flood: the backlog at each cut stays a few videos deep.
          await sleep(250);
        }
      };
      const load = Promise.allSettled([worker(), worker()]);
      await sleep(randomInt(1_000, 8_000));
      cutting = true;
      cuts++;
      await powerCut(child);
      for (const r of await load) if (r.status === 'rejected') throw r.reason;
    }

    // The last start: the backlog drains, and every completed upload reaches READY.
    const completed = items.filter((i) => i.completed);
    const c = db();
    await c.connect();
    let recoveryMs: number | undefined;
    let pending = completed.map((i) => i.videoId);
    while (pending.length > 0 && Date.now() - lastRestartAt < DRAIN_TIMEOUT_MS) {
      const { rows } = await c.query<{ id: string }>(
        `SELECT id FROM video WHERE id = ANY($1) AND status NOT IN ('READY', 'FAILED')`,
        [pending],
      );
      pending = rows.map((r) => r.id);
      if (recoveryMs === undefined) {
        const moved = await c.query('SELECT 1 FROM video_step WHERE finished_at > $1 LIMIT 1', [
          new Date(lastRestartAt),
        ]);
        if (pending.length === 0 || (moved.rowCount ?? 0) > 0) recoveryMs = Date.now() - lastRestartAt;
      }
      if (pending.length > 0) await sleep(500);
    }
    const drainedS = Math.round((Date.now() - lastRestartAt) / 1000);
    for (const id of pending) problems.push({ item: id, what: 'stuck', detail: 'not final after the last start' });
    const { rows: finals } = await c.query<{
      id: string;
      status: string;
      failure_code: string | null;
      output_id: string | null;
      outputs: {
        master: string;
        renditions: Record<string, { files: string[] }>;
        poster: { jpeg: string; webp: string };
        storyboard: { sprite: string; vtt: string };
      } | null;
    }>('SELECT id, status, failure_code, output_id, outputs FROM video WHERE id = ANY($1)', [
      completed.map((i) => i.videoId),
    ]);
    await c.end();
    let done = 0;
    for (const v of finals) {
      if (v.status === 'FAILED') {
        problems.push({ item: v.id, what: 'lost', detail: `FAILED (${v.failure_code}) after power cuts` });
        continue;
      }
      if (v.status !== 'READY' || !v.outputs || !v.output_id) continue;
      const prefix = `pub/${v.output_id}/`;
      const expected = [
        v.outputs.master,
        ...Object.values(v.outputs.renditions).flatMap((r) => r.files),
        v.outputs.poster.jpeg,
        v.outputs.poster.webp,
        v.outputs.storyboard.sprite,
        v.outputs.storyboard.vtt,
      ];
      const listed = (await storage.listKeys(prefix)).map((k) => k.slice(prefix.length));
      const missing = expected.filter((k) => !listed.includes(k));
      const extra = listed.filter((k) => !expected.includes(k));
      if (missing.length > 0) problems.push({ item: v.id, what: 'lost', detail: `missing ${missing.join(', ')}` });
      if (extra.length > 0) problems.push({ item: v.id, what: 'duplicated', detail: `extra ${extra.join(', ')}` });
      if (missing.length === 0 && extra.length === 0) done++;
    }
    storage.destroy();

    const count = (what: Problem['what']) => problems.filter((p) => p.what === what).length;
    const accounting: Accounting = {
      uploads: { acknowledged: completed.length, completed: done, abandonedByClient: 0 },
      sessions: { acknowledged: 0, completed: 0 },
      webhooks: { messages: 0, redeliveries: 0 },
      notifications: 0,
      mails: 0,
      manifestReads: { ok: 0, failed: 0 },
      lost: count('lost'),
      stuck: count('stuck'),
      duplicated: count('duplicated'),
      problems,
    };
    const result = await recordResult({
      id: '11',
      title: 'pnpm start (embedded Postgres + s3rver) power-cut: SIGKILL to every process, then restart',
      faults: cuts,
      recoveryMs: recoveryMs ?? Date.now() - lastRestartAt,
      bound: {
        recoveryMs: RECOVERY_BOUND_MS,
        why:
          'from the last restart until the platform is up (Postgres crash recovery, migrations, server and worker) ' +
          'and a video step has finished since: the killed worker is declared dead after WORKER_DEAD_AFTER_MS (5 s ' +
          'here) and its jobs run again; every completed upload must then be READY within 10 minutes',
      },
      accounting,
      notes: [
        `${items.length} uploads started, ${completed.length} completed across ${cuts} cuts; all final ${drainedS} s after the last restart`,
      ],
      durationS: Math.round((Date.now() - t0) / 1000),
    });
    assertClean(result);
    expect(done).toBe(completed.length);
  });
});
