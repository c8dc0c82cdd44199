// Stale marker revisions: an older compile that finishes after a newer revision was published must not overwrite it.
// How it happens for real: a compile on its last attempt runs past marker:recover's 10 minutes, recover ends it
// (MARKER_FAILED), the customer uploads a new photo, that revision compiles and is published, and then the old compile
// finishes. Driven one job at a time with a graphile-worker runner of the named tasks over the real tasks (real sharp, OpenCV.js and
// MindAR compiler, Postgres, s3rver); "while the old compile runs" is a hook on the worker's storage that fires when
// it writes its first compiled file. No sleeps.
import { enqueue } from '@arvlite/jobs';
import { createTaskList } from '@arvlite/jobs/runtime';
import { ObjectStorage } from '@arvlite/storage';
import { createTestDeps } from '@arvlite/test-utils';
import { Logger, run, type TaskList } from 'graphile-worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyImage, signUp } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: Awaited<ReturnType<typeof signUp>>;
/** The worker whose compile goes stale (its storage hooked), and another worker process's tasks. */
let tasks: TaskList;
let otherWorker: TaskList;
let hook: { match: RegExp; run: () => Promise<void>; fired?: boolean } | null = null;
const silent = new Logger(() => () => {});

beforeAll(async () => {
  // One attempt per compile: a compile on its last attempt is what marker:recover may end while it still runs.
  deps = await createTestDeps({ MEDIA_JOB_MAX_ATTEMPTS: '1', LOG_LEVEL: 'silent' });
  const storage = new ObjectStorage({ ...deps.config.s3 });
  const putFile = storage.putFile.bind(storage);
  storage.putFile = async (key, ...rest) => {
    if (hook && !hook.fired && hook.match.test(key)) {
      hook.fired = true;
      await hook.run();
    }
    return putFile(key, ...rest);
  };
  tasks = createTaskList({ ...deps, storage });
  // A second worker: its own compile slot (MARKER_COMPILE_CONCURRENCY is per process), the plain storage.
  otherWorker = createTaskList({ ...deps });
  owner = await signUp(deps);
});

/**
 * Runs every due job of these tasks of this worker until none is left: a runner of these tasks only, stopped once no
 * job of theirs is running or due (graphile-worker's runOnce can return before its last completion is written,
 * leaving that job locked). stop() flushes the completions.
 */
async function drain(worker: TaskList, ...names: string[]) {
  const list = Object.fromEntries(names.map((n) => [n, worker[n]!]));
  // Jobs another runner holds (a drain started from inside a running job) are not this one's to wait for.
  const busy = (
    await sql<{ id: string }>('select id::text as id from graphile_worker._private_jobs where locked_at is not null')
  ).map((r) => r.id);
  const runner = await run({
    connectionString: deps.config.database.url,
    concurrency: 1,
    pollInterval: 50,
    noHandleSignals: true,
    logger: silent,
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: list,
  });
  try {
    for (;;) {
      const [{ n }] = (await sql<{ n: number }>(
        `select count(*)::int as n from graphile_worker._private_jobs j
           join graphile_worker._private_tasks t on t.id = j.task_id
          where t.identifier in (select jsonb_array_elements_text(?::jsonb))
            and j.id::text not in (select jsonb_array_elements_text(?::jsonb))
            and (j.locked_at is not null or (j.attempts < j.max_attempts and j.run_at <= now()))`,
        [JSON.stringify(names), JSON.stringify(busy)],
      )) as [{ n: number }];
      if (n === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await runner.stop();
  }
}

const sql = <T>(query: string, params: unknown[] = []) => deps.orm.fork().execute<T[]>(query, params);

/** A marker upload of a photo with detail, completed: the revision is queued for marker:compile. */
async function uploadMarker(id: string, seed: number) {
  const image = await busyImage(640, 480, seed);
  const upload = await owner.caller.arContent.createMarkerUpload({ id, contentType: 'image/png', size: image.length });
  const put = await fetch(upload.url, { method: 'PUT', body: new Uint8Array(image), headers: upload.headers });
  expect(put.ok).toBe(true);
  return owner.caller.arContent.completeMarkerUpload({ id });
}

async function content(id: string) {
  const [c] = await sql<{
    status: string;
    version: number;
    marker_revision: number;
    marker_queued_revision: number | null;
    marker_published_revision: number | null;
    marker_image_key: string | null;
    marker_mind_key: string | null;
    marker_stored_bytes: string;
    output_id: string;
  }>('select * from ar_content where id = ?', [id]);
  return c!;
}

describe('a stale marker compile finishing after a newer revision was published', () => {
  it('publishes nothing, leaves nothing, and the newer revision stays in service', async () => {
    const companyId = (await owner.caller.company.create({ name: 'Markers Co' })).id;
    const projectId = (await owner.caller.project.create({ companyId, name: 'Cards' })).id;
    const { id } = await owner.caller.arContent.create({ projectId, title: 'Card' });
    await uploadMarker(id, 1);
    expect(await content(id)).toMatchObject({ status: 'MARKER_PROCESSING', marker_queued_revision: 1 });

    let afterNewer: Awaited<ReturnType<typeof content>> | undefined;
    hook = {
      // Revision 1 has compiled and writes its first file.
      match: /\/marker\/1\//,
      run: async () => {
        // Ten minutes on: marker:recover ends revision 1 (its job is on its last attempt).
        await sql(`update ar_content set updated_at = now() - interval '11 minutes' where id = ?`, [id]);
        await enqueue(deps.orm.fork(), 'marker:recover', {});
        await drain(otherWorker, 'marker:recover');
        expect(await content(id)).toMatchObject({ status: 'DRAFT', marker_queued_revision: null });
        // The customer uploads another photo, and it is compiled and published.
        await uploadMarker(id, 2);
        await drain(otherWorker, 'marker:compile');
        afterNewer = await content(id);
        expect(afterNewer).toMatchObject({ status: 'READY', marker_published_revision: 2 });
      },
    };
    await drain(tasks, 'marker:compile');
    expect(hook.fired).toBe(true);

    // Nothing of revision 1 changed the item once it finished.
    const after = await content(id);
    expect(after).toEqual(afterNewer);
    expect(after.marker_image_key).toBe(`pub/${after.output_id}/marker/2/marker.jpg`);
    expect(after.marker_mind_key).toBe(`pub/${after.output_id}/marker/2/target.mind`);
    const view = await owner.caller.arContent.byId({ id });
    expect(view.marker?.mindUrl).toContain('/marker/2/target.mind');

    // Its files are gone; revision 2's are all there.
    const keys = [
      ...(await deps.storage.listKeys(`${companyId}/`)),
      ...(await deps.storage.listKeys(`pub/${after.output_id}/`)),
    ];
    expect(keys.filter((k) => k.includes('/marker/1/'))).toEqual([]);
    expect(keys.filter((k) => k.includes('/marker/2/')).sort()).toEqual(
      [
        `${companyId}/${projectId}/ar/${id}/marker/2/original`,
        `pub/${after.output_id}/marker/2/marker.jpg`,
        `pub/${after.output_id}/marker/2/marker.webp`,
        `pub/${after.output_id}/marker/2/target.mind`,
        `pub/${after.output_id}/marker/2/thumbnail.jpg`,
      ].sort(),
    );
    // Storage use counts revision 2 once.
    const [company] = await sql<{ used: string }>('select storage_used_bytes as used from company where id = ?', [
      companyId,
    ]);
    expect(Number(company!.used)).toBe(Number(after.marker_stored_bytes));
    // Events: revision 1 failed (by recover), revision 2 published; nothing announced for revision 1's late end.
    const events = await sql<{ type: string; revision: number }>(
      `select type, (payload->>'revision')::int as revision from outbox_event
        where payload->>'arContentId' = ? and type like 'marker.%' order by id`,
      [id],
    );
    expect(events).toEqual([
      { type: 'marker.failed', revision: 1 },
      { type: 'marker.published', revision: 2 },
    ]);
    // Only revision 2's detection report is left to measure.
    expect(
      await sql(`select j.key from graphile_worker._private_jobs j where j.payload->>'arContentId' = ? order by j.id`, [
        id,
      ]),
    ).toEqual([{ key: `marker:report:${id}:2` }]);
  }, 180_000);
});
