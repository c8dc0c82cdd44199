// Quota under concurrency: uploads that reserve quota at the same moment cannot together exceed it. Each call runs in a
// context of its own (its own ORM fork and transaction, as a request does). To make "the same moment" certain rather
// than likely, a test transaction holds the company row while the calls are started, and lets go only once Postgres
// shows every one of them waiting on it: all then race for the same row, and only the ones that fit may win.
import { createTestDeps } from '@arvlite/test-utils';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { callerAt, signUp } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: Awaited<ReturnType<typeof signUp>>;
let editor: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  deps = await createTestDeps();
  owner = await signUp(deps);
  editor = await signUp(deps);
});

async function companyWithQuota(quotaBytes: number) {
  const companyId = (await owner.caller.company.create({ name: `Quota ${quotaBytes}` })).id;
  const projectId = (await owner.caller.project.create({ companyId, name: 'Uploads' })).id;
  await deps.orm.fork().execute(
    `insert into membership (id, company_id, user_id, role, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, 'editor', now(), now())`,
    [companyId, editor.userId],
  );
  await deps.orm.fork().execute('update company set storage_quota_bytes = ? where id = ?', [quotaBytes, companyId]);
  return { companyId, projectId };
}

async function usage(companyId: string) {
  const [row] = await deps.orm
    .fork()
    .execute<{ used: string; reserved: string; quota: string }[]>(
      'select storage_used_bytes as used, storage_reserved_bytes as reserved, storage_quota_bytes as quota from company where id = ?',
      [companyId],
    );
  const [counts] = await deps.orm.fork().execute<{ videos: string; sessions: string; reserved: string | null }[]>(
    `select count(distinct v.id) as videos, count(s.id) as sessions, sum(s.reserved_bytes) as reserved
       from video v left join upload_session s on s.video_id = v.id where v.company_id = ?`,
    [companyId],
  );
  return {
    used: Number(row!.used),
    reserved: Number(row!.reserved),
    quota: Number(row!.quota),
    videos: Number(counts!.videos),
    sessions: Number(counts!.sessions),
    sessionBytes: Number(counts!.reserved ?? 0),
  };
}

/**
 * Runs `calls` while a transaction of the test's own holds the company row (FOR UPDATE), releasing it once
 * `expectWaiting` of them wait on the row in their reservation: then they all go at once.
 */
async function startedTogether<T>(companyId: string, expectWaiting: number, calls: (() => Promise<T>)[]) {
  const holder = new pg.Client({ connectionString: deps.config.database.url });
  await holder.connect();
  try {
    await holder.query('begin');
    await holder.query('select id from company where id = $1 for update', [companyId]);
    const settled = Promise.allSettled(calls.map((c) => c()));
    let ended = false;
    void settled.then(() => (ended = true));
    // Wait on the condition: every call blocked behind the holder's row lock.
    const watcher = new pg.Client({ connectionString: deps.config.database.url });
    await watcher.connect();
    try {
      for (;;) {
        // Blocked on the holder, or on a call that is itself blocked on it (Postgres queues them on the row).
        const { rows } = await watcher.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like 'update company set storage_reserved_bytes%'`,
        );
        // (A call that ends before it reaches the lock ends the wait too; the assertions then say why.)
        if (rows[0]!.n >= expectWaiting || ended) break;
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await watcher.end();
    }
    await holder.query('commit');
    return await settled;
  } finally {
    await holder.end();
  }
}

function upload(caller: ReturnType<typeof callerAt>, projectId: string, size: number, i: number) {
  return () =>
    caller.video.createUpload({ projectId, fileName: `race-${i}.mp4`, contentType: 'video/mp4', size, title: `${i}` });
}

describe('quota reservations at the same moment', () => {
  it('two uploads that each fit but not together: one reserves, the other is PAYLOAD_TOO_LARGE, nothing left over', async () => {
    const { companyId, projectId } = await companyWithQuota(10_000);
    // Separate contexts (their own ORM forks), two members of the company.
    const a = callerAt(deps, owner.ip, owner.accessToken);
    const b = callerAt(deps, editor.ip, editor.accessToken);
    const results = await startedTogether(companyId, 2, [
      upload(a, projectId, 6_000, 1),
      upload(b, projectId, 6_000, 2),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      cause: { details: { usedBytes: 0, reservedBytes: 6_000, requestedBytes: 6_000, limitBytes: 10_000 } },
    });
    expect(await usage(companyId)).toEqual({
      used: 0,
      reserved: 6_000,
      quota: 10_000,
      videos: 1,
      sessions: 1,
      sessionBytes: 6_000,
    });
  });

  it('eight at once: exactly as many as fit reserve, and the reserved total never passes the quota', async () => {
    const { companyId, projectId } = await companyWithQuota(10_000);
    // The test's ORM pool has 5 connections: five calls wait on the row together, the other three queue for a
    // connection and race the winners' commits.
    const calls = Array.from({ length: 8 }, (_, i) =>
      upload(
        callerAt(deps, i % 2 ? owner.ip : editor.ip, i % 2 ? owner.accessToken : editor.accessToken),
        projectId,
        3_000,
        i,
      ),
    );
    const results = await startedTogether(companyId, 5, calls);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(3);
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await usage(companyId)).toEqual({
      used: 0,
      reserved: 9_000,
      quota: 10_000,
      videos: 3,
      sessions: 3,
      sessionBytes: 9_000,
    });
  });
});
