import { randomUUID } from 'node:crypto';
import { WorkerHeartbeat } from '@arvlite/db';
import { createTestDeps } from '@arvlite/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { enqueue, jobKey } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
beforeAll(async () => {
  deps = await createTestDeps();
});

async function jobsFor(label: string) {
  return deps.orm.fork().execute<{ id: string }[]>(
    `select j.id from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
       where t.identifier = 'system:noop' and j.payload->>'label' = ?`,
    [label],
  );
}

describe('enqueue in the caller transaction', () => {
  it('commits the row and its job together', async () => {
    await deps.orm.fork().transactional(async (tem) => {
      tem.create(WorkerHeartbeat, { id: 'tx-commit', hostname: 'h', pid: 1 });
      await enqueue(tem, 'system:noop', { label: 'tx-commit' });
    });
    expect(await deps.orm.fork().findOne(WorkerHeartbeat, { id: 'tx-commit' })).not.toBeNull();
    expect(await jobsFor('tx-commit')).toHaveLength(1);
  });

  it('leaves neither the row nor the job when the transaction throws', async () => {
    await expect(
      deps.orm.fork().transactional(async (tem) => {
        tem.create(WorkerHeartbeat, { id: 'tx-rollback', hostname: 'h', pid: 1 });
        await tem.flush();
        await enqueue(tem, 'system:noop', { label: 'tx-rollback' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await deps.orm.fork().findOne(WorkerHeartbeat, { id: 'tx-rollback' })).toBeNull();
    expect(await jobsFor('tx-rollback')).toHaveLength(0);
  });

  it('rolls the job back with a nested transaction (savepoint) while the outer one commits', async () => {
    await deps.orm.fork().transactional(async (tem) => {
      tem.create(WorkerHeartbeat, { id: 'tx-outer', hostname: 'h', pid: 1 });
      await expect(
        tem.transactional(async (inner) => {
          await enqueue(inner, 'system:noop', { label: 'tx-savepoint' });
          throw new Error('inner boom');
        }),
      ).rejects.toThrow('inner boom');
      await enqueue(tem, 'system:noop', { label: 'tx-outer' });
    });
    expect(await deps.orm.fork().findOne(WorkerHeartbeat, { id: 'tx-outer' })).not.toBeNull();
    expect(await jobsFor('tx-savepoint')).toHaveLength(0);
    expect(await jobsFor('tx-outer')).toHaveLength(1);
  });

  it('adds a media job in a transaction with its statement and values as outside one', async () => {
    // No such video: the queue subquery finds no company, so both jobs get no queue; what is checked is that the
    // media statement runs in a transaction (bound parameters) as it does in autocommit (values inlined).
    const videoId = randomUUID();
    const inTx = await deps.orm
      .fork()
      .transactional((tem) =>
        enqueue(tem, 'video:analyze', { videoId }, { companyConcurrency: 2, jobKeyMode: 'preserve_run_at' }),
      );
    const rows = await deps.orm
      .fork()
      .execute<{ key: string; queue: string | null; max_attempts: number }[]>(
        'select key, queue_name as queue, max_attempts from graphile_worker.jobs where id = ?',
        [inTx.id],
      );
    expect(rows).toEqual([{ key: jobKey('video:analyze', { videoId }), queue: null, max_attempts: 25 }]);
    // Same key, so the autocommit enqueue finds the same job.
    const again = await enqueue(deps.orm.fork(), 'video:analyze', { videoId }, { jobKeyMode: 'preserve_run_at' });
    expect(again.id).toBe(inTx.id);
  });

  it('de-duplicates by the job key the job map derives from the payload', async () => {
    const em = deps.orm.fork();
    const videoId = randomUUID();
    const a = await enqueue(em, 'video:delete', { videoId });
    const b = await enqueue(em, 'video:delete', { videoId });
    expect(b.id).toBe(a.id);
    const rows = await em.execute<{ key: string }[]>('select key from graphile_worker._private_jobs where id = ?', [
      a.id,
    ]);
    expect(rows).toEqual([{ key: jobKey('video:delete', { videoId }) }]);
    expect(jobKey('video:delete', { videoId })).toBe(`video:delete:${videoId}`);
    // Jobs without a key run side by side.
    const c = await enqueue(em, 'system:noop', { label: 'unkeyed' });
    const d = await enqueue(em, 'system:noop', { label: 'unkeyed' });
    expect(d.id).not.toBe(c.id);
  });

  it('refuses a payload that does not match the job map', async () => {
    await expect(
      // @ts-expect-error unknown key, rejected at compile time and at run time
      enqueue(deps.orm.fork(), 'system:noop', { label: 'x', extra: true }),
    ).rejects.toThrow(/extra/);
  });
});
