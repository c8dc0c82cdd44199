// AR content housekeeping: deleting an item's objects, recording expiry, recovering marker compiles that cannot finish.
import { ArContent } from '@arvlite/db';
import { addUsage, arContentPrefix, publicOutputPrefix } from '@arvlite/domain';
import { defineTask } from '../define-task.ts';
import { emit } from '../outbox/emit.ts';
import { jobKey } from '../job-map.ts';
import { failMarker, keyIds } from '../marker/marker-state.ts';
import { closeAttempts } from '../upload/upload-attempts.ts';

/** Removes every object of a soft-deleted item, releases its storage usage, then the row (playlist, rules and sessions cascade). Safe to re-run. */
export const arContentDelete = defineTask('ar-content:delete', async ({ em, deps, payload, log }) => {
  const content = await em.findOne(ArContent, { id: payload.arContentId }, { populate: ['project'] });
  if (!content) return; // already done
  if (!content.deletedAt) {
    log.warn({ arContentId: content.id }, 'ar-content:delete for an item that is not deleted; skipping');
    return;
  }
  const prefix = arContentPrefix(keyIds(content));
  let removed = await deps.storage.deletePrefix(prefix);
  // Its published marker files, under the public prefix.
  if (content.outputId) removed += await deps.storage.deletePrefix(publicOutputPrefix(content.outputId));
  await em.transactional(async (tem) => {
    await closeAttempts(tem, { prefix });
    await addUsage(tem, content.company.id, -content.markerStoredBytes);
    await tem.nativeDelete(ArContent, { id: content.id });
  });
  log.info({ arContentId: content.id, objects: removed, bytes: content.markerStoredBytes }, 'AR content deleted');
});

/**
 * Cron: the viewer answers EXPIRED from expiresAt itself, so this only records when it happened (expiredAt) and
 * bumps the version so cached manifests revalidate. Nothing is deleted.
 */
export const arContentExpire = defineTask('ar-content:expire', async ({ em, log }) => {
  const rows = await em.transactional(async (tem) => {
    const expired = await tem.execute<{ id: string; company_id: string; project_id: string; expires_at: Date }[]>(
      `update ar_content set expired_at = now(), version = version + 1
        where expires_at <= now() and expired_at is null and deleted_at is null
        returning id, company_id, project_id, expires_at`,
    );
    for (const r of expired) {
      const ids = { companyId: r.company_id, projectId: r.project_id, arContentId: r.id };
      await emit(tem, { type: 'ar-content.expired', ...ids, expiresAt: new Date(r.expires_at).toISOString() });
    }
    return expired;
  });
  if (rows.length > 0) log.info({ count: rows.length }, 'AR content expired');
});

/** A compile queued this long ago with no job left that can still run it has been lost (e.g. a worker killed by memory pressure). */
const LOST_AFTER_MINUTES = 10;

export const markerRecover = defineTask('marker:recover', async ({ em, deps, log }) => {
  const stale = await em.execute<{ id: string; revision: number }[]>(
    `select c.id, c.marker_queued_revision as revision from ar_content c
      where c.status = 'MARKER_PROCESSING' and c.deleted_at is null and c.marker_queued_revision is not null
        and c.updated_at < now() - make_interval(mins => ?)
      order by c.updated_at limit 500`,
    [LOST_AFTER_MINUTES],
  );
  const keyOf = (row: { id: string; revision: number }) =>
    jobKey('marker:compile', { arContentId: row.id, revision: row.revision });
  // Still coming: a compile job (keyed by the job map) with attempts left.
  const alive = new Set(
    stale.length === 0
      ? []
      : (
          await em.execute<{ key: string }[]>(
            `select key from graphile_worker._private_jobs
              where key in (select jsonb_array_elements_text(?::jsonb)) and attempts < max_attempts`,
            [JSON.stringify(stale.map(keyOf))],
          )
        ).map((j) => j.key),
  );
  const lost = stale.filter((row) => !alive.has(keyOf(row)));
  for (const row of lost) {
    const content = await em.findOne(ArContent, { id: row.id }, { populate: ['project'] });
    if (!content) continue;
    await failMarker(em, deps.storage, log, keyIds(content), row.revision, {
      code: 'MARKER_FAILED',
      message:
        'Processing the marker did not finish. Upload it again; if it keeps failing, try a smaller or different photo.',
    });
  }
  if (lost.length > 0) log.warn({ count: lost.length }, 'lost marker compiles ended');
});
