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
