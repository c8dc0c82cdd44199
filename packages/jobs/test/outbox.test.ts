// The outbox against real Postgres and real worker processes: nothing from a rolled-back transaction, delivery after a
// (re)start, each consumer's effect once across a SIGKILL mid-delivery, and the order of one video's events.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { processEnv } from '@arvlite/config';
import type { DomainEvent } from '@arvlite/contract';
import type { EntityManager } from '@arvlite/db';
import { createTestDeps, waitFor, type PollOptions } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emit, InvalidEventError, type OutboxConsumer } from '../src/index.ts';
import { dispatchPending } from '../src/outbox/dispatcher.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  // A test must not leave a worker running.
  for (const child of children) child.kill('SIGKILL');
});

/** A worker process (apps/worker's main) that runs only the outbox's jobs. */
function spawnWorker(): ChildProcess {
  const { config } = deps;
  const child = spawn(process.execPath, [join(import.meta.dirname, '../../../apps/worker/src/main.ts')], {
    env: {
      ...processEnv(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: config.database.url,
      S3_ENDPOINT: config.s3.endpoint,
      S3_BUCKET: config.s3.bucket,
      WORKER_TASKS: 'outbox:dispatch,outbox:sweep',
      WORKER_HEARTBEAT_INTERVAL_MS: '1000',
      WORKER_DEAD_AFTER_MS: '3000',
      WORKER_POLL_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopWorker(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** `waitFor`; when the wait fails, first what the queue, the workers and Postgres were doing (a timeout says why). */
async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, opts: PollOptions = {}) {
  try {
    return await waitFor(what, fn, { retry: false, ...opts });
  } catch (err) {
    const q = (text: string) => deps.orm.fork().execute(text);
    console.error(
      `outbox test: state when waiting for ${what} failed`,
      JSON.stringify({
        queues: await q('select * from graphile_worker._private_job_queues'),
        jobs: await q(
          'select id, task_id, job_queue_id, locked_at, locked_by, attempts, last_error, run_at from graphile_worker._private_jobs',
        ),
        heartbeats: await q('select * from worker_heartbeat'),
        waiting: await q(
          `select pid, state, wait_event_type, wait_event, left(query, 200) as query from pg_stat_activity
             where datname = current_database() and state <> 'idle'`,
        ),
      }),
    );
    throw err;
  }
}

const sql = <T>(query: string, params: unknown[] = []) => deps.orm.fork().execute<T[]>(query, params);

function videoEvent(videoId: string, type: 'video.ready' | 'video.failed', companyId = randomUUID()): DomainEvent {
  const ids = { companyId, projectId: randomUUID(), videoId };
  return type === 'video.ready' ? { type, ...ids } : { type, ...ids, reason: 'ENCODE_FAILED', step: 'playable' };
}

/** Emits each event in a transaction of its own, as separate state changes would. */
async function emitEach(events: DomainEvent[]): Promise<string[]> {
  const ids: string[] = [];
  for (const e of events) {
    const r = await deps.orm.fork().transactional((tem) => emit(tem, e));
    ids.push(r!.id);
  }
  return ids;
}

/** The audit rows the audit consumer wrote for these events, in the order it wrote them. */
async function auditRowsFor(eventIds: string[]) {
  return sql<{ id: string; request_id: string; action: string; actor_id: string | null }>(
    `select id::text, request_id, action, actor_id from audit_log where request_id = any(string_to_array(?, ',')) order by audit_log.id`,
    [eventIds.map((id) => `outbox:${id}`).join(',')],
  );
}

async function allDelivered(eventIds: string[]) {
  const rows = await sql<{ n: string }>(
    "select count(*)::text as n from outbox_event where id = any(string_to_array(?, ',')::bigint[]) and delivered_at is not null",
    [eventIds.join(',')],
  );
  return Number(rows[0]!.n) === eventIds.length;
}

const dispatchJobs = async () =>
  Number(
    (
      await sql<{ n: string }>(
        `select count(*)::text as n from graphile_worker._private_jobs j
           join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'outbox:dispatch'`,
      )
    )[0]!.n,
  );

describe('emit', () => {
  it('rejects an invalid event and writes nothing', async () => {
    const videoId = randomUUID();
    const bad = [
      { type: 'video.ready', companyId: 'not-a-uuid', projectId: randomUUID(), videoId },
      { type: 'video.exploded', companyId: randomUUID(), projectId: randomUUID(), videoId },
      { ...videoEvent(videoId, 'video.ready'), extra: 'no' },
      { ...videoEvent(videoId, 'video.failed'), reason: 'x'.repeat(65) },
      {
        type: 'member.invited',
        companyId: randomUUID(),
        invitationId: randomUUID(),
        role: 'god',
        invitedByUserId: randomUUID(),
      },
    ];
    for (const event of bad) {
      await expect(
        deps.orm.fork().transactional((tem) => emit(tem, event as unknown as DomainEvent)),
      ).rejects.toBeInstanceOf(InvalidEventError);
    }
    expect(await sql('select 1 from outbox_event where aggregate_id = ?', [videoId])).toHaveLength(0);
  });

  it('a rolled-back transaction emits nothing: no event, no dispatch job', async () => {
    const videoId = randomUUID();
    const jobsBefore = await dispatchJobs();
    await expect(
      deps.orm.fork().transactional(async (tem) => {
        await emit(tem, videoEvent(videoId, 'video.ready'));
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await sql('select 1 from outbox_event where aggregate_id = ?', [videoId])).toHaveLength(0);
    expect(await dispatchJobs()).toBe(jobsBefore);
  });

  it('an event with a dedupe key is written once (ar-content.expiring per item and expiry date)', async () => {
    const e: DomainEvent = {
      type: 'ar-content.expiring',
      companyId: randomUUID(),
      projectId: randomUUID(),
      arContentId: randomUUID(),
      expiresAt: '2027-01-01T00:00:00.000Z',
    };
    const [first, second, later] = await Promise.all([
      deps.orm.fork().transactional((tem) => emit(tem, e)),
      deps.orm.fork().transactional((tem) => emit(tem, e)),
      deps.orm.fork().transactional((tem) => emit(tem, { ...e, expiresAt: '2027-02-01T00:00:00.000Z' })),
    ]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect(later).not.toBeNull();
  });
});

describe('dispatcher (in process)', () => {
  /** A consumer that records each effect in audit_log through its transaction, and can be told to fail. */
  function recorder(name: string, failOn = new Set<string>()): OutboxConsumer {
    return {
      name,
      accepts: () => true,
      async deliver(tem: EntityManager, { id }) {
        if (failOn.has(id)) throw new Error(`refusing ${id}`);
        await tem.execute(
          `insert into audit_log (action, target_type, request_id, created_at) values (?, 'test', ?, now())`,
          [name, `outbox:${id}`],
        );
      },
    };
  }

  it('skips a consumer that already recorded its delivery, and holds back only the failing aggregate', async () => {
    await dispatchPending(deps.orm.fork(), [], deps.log); // earlier tests' events are done with
    const a = randomUUID();
    const b = randomUUID();
    const [a1, b1, a2] = await emitEach([
      videoEvent(a, 'video.failed'),
      videoEvent(b, 'video.ready'),
      videoEvent(a, 'video.ready'),
    ]);
    // The consumer's effect for a1 is already recorded (a dispatcher died after its commit, before delivered_at).
    await sql(`insert into outbox_delivery (event_id, consumer) values (?::bigint, 'rec')`, [a1]);
    const failOn = new Set([a1!]);
    // a1 is refused by a second consumer: a2 (same video) must wait, b1 goes on.
    const first = await dispatchPending(deps.orm.fork(), [recorder('rec'), recorder('picky', failOn)], deps.log);
    expect(first.failed.map((f) => f.id)).toEqual([a1]);
    expect((await auditRowsFor([a1!, b1!, a2!])).map((r) => `${r.action}:${r.request_id}`)).toEqual([
      `rec:outbox:${b1}`,
      `picky:outbox:${b1}`,
    ]);
    failOn.clear();
    const second = await dispatchPending(deps.orm.fork(), [recorder('rec'), recorder('picky', failOn)], deps.log);
    expect(second.failed).toEqual([]);
    // a1's 'rec' effect is not repeated; a1 comes before a2.
    expect((await auditRowsFor([a1!, a2!])).map((r) => `${r.action}:${r.request_id}`)).toEqual([
      `picky:outbox:${a1}`,
      `rec:outbox:${a2}`,
      `picky:outbox:${a2}`,
    ]);
    const [ev] = await sql<{ attempts: number; last_error: string }>(
      'select attempts, last_error from outbox_event where id = ?::bigint',
      [a1],
    );
    expect(ev).toMatchObject({ attempts: 1, last_error: `refusing ${a1}` });
  });
});

describe('delivery by worker processes', () => {
  it('an event committed while no worker runs is delivered once a worker starts', async () => {
    const videoId = randomUUID();
    const ids = await emitEach([videoEvent(videoId, 'video.failed')]);
    const worker = spawnWorker();
    await until('delivery', () => allDelivered(ids));
    await stopWorker(worker);
    const rows = await auditRowsFor(ids);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'video.failed', actor_id: null });
  }, 60_000);

  it('a worker SIGKILLed mid-delivery and a new one give each effect exactly once, in order per video', async () => {
    const videoId = randomUUID();
    const other = randomUUID();
    // Hold the audit consumer mid-delivery: its insert into audit_log waits on this lock, inside its transaction.
    const blocker = deps.orm.fork();
    await blocker.begin();
    try {
      await blocker.execute('lock table audit_log in share mode');
      // Enough events that ids cross a digit boundary (text order is not id order).
      const ids = await emitEach([
        videoEvent(videoId, 'video.failed'),
        videoEvent(other, 'video.ready'),
        ...Array.from({ length: 10 }, (_, i) => videoEvent(videoId, i % 2 ? 'video.failed' : 'video.ready')),
      ]);
      const first = spawnWorker();
      await until(
        'the dispatcher blocked inside a delivery',
        async () => {
          const [row] = await sql<{ n: string }>(
            `select count(*)::text as n from pg_locks l join pg_class c on c.oid = l.relation
            where c.relname = 'audit_log' and not l.granted`,
          );
          return Number(row!.n) > 0;
        },
        { timeout: 60_000 },
      );
      await stopWorker(first, 'SIGKILL');
      await blocker.commit();

      const second = spawnWorker();
      await until('delivery after the restart', () => allDelivered(ids), { timeout: 45_000 });
      await stopWorker(second);

      const rows = await auditRowsFor(ids);
      // Exactly once per event, and the audit rows of one video follow its events' order.
      expect(rows.map((r) => r.request_id).sort()).toEqual(ids.map((id) => `outbox:${id}`).sort());
      const videoIds = ids.filter((_, i) => i !== 1).map((id) => `outbox:${id}`);
      expect(rows.map((r) => r.request_id).filter((r) => videoIds.includes(r))).toEqual(videoIds);
      const deliveries = await sql<{ n: string }>(
        `select count(*)::text as n from outbox_delivery where event_id = any(string_to_array(?, ',')::bigint[]) and consumer = 'audit'`,
        [ids.join(',')],
      );
      expect(Number(deliveries[0]!.n)).toBe(ids.length);
    } finally {
      if (blocker.isInTransaction()) await blocker.rollback();
    }
  }, 150_000);
});
