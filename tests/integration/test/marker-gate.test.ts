// The detection gate: a compiled marker that is not detected head-on at 30 cm at its printed size is not published by
// the compile job; it waits for an editor's `arContent.confirmMarker`, which publishes it exactly as the job would.
// Real tasks (sharp, OpenCV.js, MindAR's compiler and @arvlite/marker/detect's harness), Postgres and s3rver, driven one
// job at a time with a graphile-worker runner of the named tasks. The poor marker is a detailed photo printed 2 cm
// wide: at 30 cm it is a few dozen pixels on the phone's frame, too small to detect.
import { markerDetectionReportSchema, markerDetectionScore, POOR_DETECTION_SCORE } from '@arvlite/client';
import { createTaskList } from '@arvlite/jobs/runtime';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { Logger, run, type TaskList } from 'graphile-worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyImage, signUp } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: Awaited<ReturnType<typeof signUp>>;
let stranger: Awaited<ReturnType<typeof signUp>>;
let tasks: TaskList;
const silent = new Logger(() => () => {});
const sql = <T>(query: string, params: unknown[] = []) => deps.orm.fork().execute<T[]>(query, params);

beforeAll(async () => {
  deps = await createTestDeps({ LOG_LEVEL: 'silent' });
  tasks = createTaskList({ ...deps });
  owner = await signUp(deps);
  stranger = await signUp(deps);
});

/** Runs every due job of these tasks until none of theirs is running or due (then stop() flushes completions). */
async function drain(...names: string[]) {
  const runner = await run({
    connectionString: deps.config.database.url,
    concurrency: 1,
    pollInterval: 50,
    noHandleSignals: true,
    logger: silent,
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: Object.fromEntries(names.map((n) => [n, tasks[n]!])),
  });
  try {
    for (;;) {
      const [{ n }] = (await sql<{ n: number }>(
        `select count(*)::int as n from graphile_worker._private_jobs j
           join graphile_worker._private_tasks t on t.id = j.task_id
          where t.identifier in (select jsonb_array_elements_text(?::jsonb))
            and (j.locked_at is not null or (j.attempts < j.max_attempts and j.run_at <= now()))`,
        [JSON.stringify(names)],
      )) as [{ n: number }];
      if (n === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await runner.stop();
  }
}

async function uploadMarker(id: string, seed: number, widthMm: number) {
  const image = await busyImage(800, 600, seed);
  const upload = await owner.caller.arContent.createMarkerUpload({ id, contentType: 'image/png', size: image.length });
  const put = await fetch(upload.url, { method: 'PUT', body: new Uint8Array(image), headers: upload.headers });
  expect(put.ok).toBe(true);
  return owner.caller.arContent.completeMarkerUpload({ id, widthMm });
}

async function row(id: string) {
  const [c] = await sql<{
    status: string;
    marker_published_revision: number | null;
    marker_awaiting_revision: number | null;
    marker_mind_key: string | null;
    marker_stored_bytes: string;
    output_id: string;
    company_id: string;
  }>('select * from ar_content where id = ?', [id]);
  return c!;
}

async function events(id: string) {
  return sql<{ type: string; revision: number }>(
    `select type, (payload->>'revision')::int as revision from outbox_event
      where payload->>'arContentId' = ? and type like 'marker.%' order by id`,
    [id],
  );
}

async function reportJobs(id: string) {
  return sql<{ revision: number }>(
    `select (j.payload->>'revision')::int as revision from graphile_worker._private_jobs j
       join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'marker:report' and j.payload->>'arContentId' = ? order by j.id`,
    [id],
  );
}

/** The code and reason of a refused call. */
async function refusal(call: Promise<unknown>) {
  const e = await call.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCError);
  const cause = (e as TRPCError).cause as { details?: { reason?: string } } | undefined;
  return { code: (e as TRPCError).code, reason: cause?.details?.reason };
}

async function item(title: string) {
  const companyId = (await owner.caller.company.create({ name: `${title} Co` })).id;
  const projectId = (await owner.caller.project.create({ companyId, name: 'Cards' })).id;
  const { id } = await owner.caller.arContent.create({ projectId, title });
  return { companyId, projectId, id };
}

describe('the detection gate', () => {
  it('holds a marker back until an editor confirms it; confirming publishes it like the job would', async () => {
    const { companyId, id } = await item('Tiny print');
    await uploadMarker(id, 1, 20);
    await drain('marker:compile');

    // Compiled, stored, not published: no marker serves, the item stays a draft.
    const held = await row(id);
    expect(held).toMatchObject({ status: 'DRAFT', marker_published_revision: null, marker_awaiting_revision: 1 });
    expect(held.marker_mind_key).toBeNull();
    const view = await owner.caller.arContent.byId({ id });
    expect(view.marker.published).toBe(false);
    expect(view.marker.mindUrl).toBeNull();
    const awaiting = view.marker.awaitingConfirmation!;
    expect(awaiting).toMatchObject({ revision: 1, gate: { passes: false } });
    expect(awaiting.gate.headOn30cmRate).toBeLessThan(awaiting.gate.threshold);
    expect(awaiting.imageUrl).toContain('/marker/1/marker.jpg');
    // The viewer has nothing to show yet.
    const keys = await deps.storage.listKeys(`pub/${held.output_id}/`);
    expect(keys.filter((k) => k.includes('/marker/1/')).length).toBe(4);
    // Announced, and its report queued, with the change.
    expect(await events(id)).toEqual([{ type: 'marker.awaiting-confirmation', revision: 1 }]);
    expect(await reportJobs(id)).toEqual([{ revision: 1 }]);
    expect(awaiting.report).toMatchObject({ revision: 1, status: 'MEASURING', report: null });
    const [company0] = await sql<{ used: string }>('select storage_used_bytes as used from company where id = ?', [
      companyId,
    ]);

    // Another tenant cannot see it; a wrong revision is refused and changes nothing.
    expect(await refusal(stranger.caller.arContent.confirmMarker({ id, revisionId: 1 }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await refusal(owner.caller.arContent.confirmMarker({ id, revisionId: 2 }))).toEqual({
      code: 'CONFLICT',
      reason: 'NOT_AWAITING',
    });
    expect(await row(id)).toEqual(held);

    // Publish anyway: READY, the same outputs, marker.published, storage use counted.
    const confirmed = await owner.caller.arContent.confirmMarker({ id, revisionId: 1 });
    expect(confirmed.status).toBe('READY');
    expect(confirmed.marker.published).toBe(true);
    expect(confirmed.marker.awaitingConfirmation).toBeNull();
    expect(confirmed.marker.mindUrl).toContain('/marker/1/target.mind');
    const after = await row(id);
    expect(after).toMatchObject({ status: 'READY', marker_published_revision: 1, marker_awaiting_revision: null });
    expect(after.marker_mind_key).toBe(`pub/${after.output_id}/marker/1/target.mind`);
    expect(await events(id)).toEqual([
      { type: 'marker.awaiting-confirmation', revision: 1 },
      { type: 'marker.published', revision: 1 },
    ]);
    const [company1] = await sql<{ used: string }>('select storage_used_bytes as used from company where id = ?', [
      companyId,
    ]);
    expect(Number(company1!.used) - Number(company0!.used)).toBe(Number(after.marker_stored_bytes));
    expect(Number(after.marker_stored_bytes)).toBeGreaterThan(0);
    // No second report job: the one queued when it was held back stores it as the published revision's.
    expect(await reportJobs(id)).toEqual([{ revision: 1 }]);
    const audit = await sql<{ action: string }>(
      `select action from audit_log where target_id = ? and action = 'ar-content.marker-confirm'`,
      [id],
    );
    expect(audit).toHaveLength(1);

    // Confirming again: not awaiting any more.
    expect(await refusal(owner.caller.arContent.confirmMarker({ id, revisionId: 1 }))).toEqual({
      code: 'CONFLICT',
      reason: 'NOT_AWAITING',
    });

    // The report arrives for the published revision, valid by the contract's schema.
    await drain('marker:report');
    const reported = await owner.caller.arContent.byId({ id });
    expect(reported.marker.report).toMatchObject({ revision: 1, status: 'READY' });
    const report = markerDetectionReportSchema.parse(reported.marker.report!.report);
    console.info(`marker report measured in ${report.durationMs} ms (${report.samples} views per condition)`);
    expect(report.widthMm).toBe(20);
    // MARKER_REPORT_SAMPLES (1 in test configs) reaches the harness.
    expect(report.samples).toBe(1);
    expect(report.gate.passes).toBe(false);
    expect(report.range.minCm === null || report.range.minCm > 30).toBe(true);
    expect(report.advice.length).toBeGreaterThan(0);

    // Measured, it scores below POOR_DETECTION_SCORE: editors hear that it detects poorly, with the measured score
    // (one event for the revision). The publication itself was announced without a score.
    const score = markerDetectionScore(report);
    expect(score).toBeLessThan(POOR_DETECTION_SCORE);
    expect(await events(id)).toContainEqual({ type: 'marker.measured', revision: 1 });
    await drain('outbox:dispatch');
    const notes = await sql<{ kind: string; params: Record<string, unknown> }>(
      `select kind, params from notification where user_id = ? and params->>'arContentId' = ? order by created_at`,
      [owner.userId, id],
    );
    expect(notes.map((n) => [n.kind, n.params.score])).toEqual([
      ['marker.awaiting-confirmation', undefined],
      ['marker.published', undefined],
      ['marker.poor-score', score],
    ]);
  }, 600_000);

  it('keeps the published marker serving while a newer one waits, and a newer upload supersedes it', async () => {
    const { companyId, projectId, id } = await item('Poster');
    await uploadMarker(id, 2, 300);
    await drain('marker:compile');
    expect(await row(id)).toMatchObject({ status: 'READY', marker_published_revision: 1 });

    // Revision 2 fails the gate: revision 1 keeps serving.
    await uploadMarker(id, 3, 20);
    await drain('marker:compile');
    const held = await row(id);
    expect(held).toMatchObject({ status: 'READY', marker_published_revision: 1, marker_awaiting_revision: 2 });
    const view = await owner.caller.arContent.byId({ id });
    expect(view.marker.mindUrl).toContain('/marker/1/target.mind');
    expect(view.marker.awaitingConfirmation).toMatchObject({ revision: 2, gate: { passes: false } });

    // Revision 3 is uploaded: revision 2 is superseded while 3 compiles, and gone once 3 is published.
    await uploadMarker(id, 4, 300);
    expect(await refusal(owner.caller.arContent.confirmMarker({ id, revisionId: 2 }))).toEqual({
      code: 'CONFLICT',
      reason: 'SUPERSEDED',
    });
    await drain('marker:compile');
    const after = await row(id);
    expect(after).toMatchObject({ status: 'READY', marker_published_revision: 3, marker_awaiting_revision: null });
    expect(await refusal(owner.caller.arContent.confirmMarker({ id, revisionId: 2 }))).toEqual({
      code: 'CONFLICT',
      reason: 'SUPERSEDED',
    });
    const keys = [
      ...(await deps.storage.listKeys(`${companyId}/${projectId}/ar/${id}/`)),
      ...(await deps.storage.listKeys(`pub/${after.output_id}/`)),
    ];
    expect(keys.filter((k) => /\/marker\/[12]\//.test(k))).toEqual([]);
    expect(await events(id)).toEqual([
      { type: 'marker.published', revision: 1 },
      { type: 'marker.awaiting-confirmation', revision: 2 },
      { type: 'marker.published', revision: 3 },
    ]);

    // Editors hear about a marker waiting for them (the outbox's notification consumer).
    await drain('outbox:dispatch');
    const notes = await sql<{ kind: string }>(
      `select kind from notification where user_id = ? and params->>'arContentId' = ? order by created_at`,
      [owner.userId, id],
    );
    expect(notes.map((n) => n.kind)).toContain('marker.awaiting-confirmation');
  }, 600_000);
});
