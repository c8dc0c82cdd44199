import { LockMode, sql } from '@mikro-orm/core';
import { UploadSession, Video } from '@arvlite/db';
import { defineTask } from '../define-task.ts';
import { emit } from '../outbox/emit.ts';
import { abandonUpload } from '../upload/abandon-upload.ts';
import { sweepDeadUploads } from '../upload/upload-attempts.ts';

/** A PUT that began before its URL expired may still be streaming: dead keys are emptied this long after expiry. */
const SWEEP_GRACE_MS = 3_600_000;

/**
 * Cron: uploads not completed before their session expired are aborted, their objects deleted, their quota released;
 * then whatever old URLs wrote to keys nothing reads any more (ended upload attempts) is deleted.
 */
export const uploadExpire = defineTask('upload:expire', async ({ em, deps, log }) => {
  // Expired by the database's clock: a worker whose own clock ran ahead must not abort uploads that still have time.
  const expired = await em.find(
    UploadSession,
    { expiresAt: { $lt: sql.now() }, completedAt: null, abortedAt: null },
    { limit: 200, orderBy: { expiresAt: 'asc' } },
  );
  for (const session of expired) {
    await em.transactional(async (tem) => {
      const video = await tem.findOneOrFail(Video, { id: session.video.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const failing = video.status === 'AWAITING_UPLOAD';
      await abandonUpload(tem, deps.storage, video, {
        code: 'UPLOAD_EXPIRED',
        message: 'The upload was not completed before its session expired; upload the file again',
      });
      if (failing) {
        const ids = { companyId: video.company.id, projectId: video.project.id, videoId: video.id };
        await emit(tem, { type: 'video.failed', ...ids, reason: 'UPLOAD_EXPIRED', step: null });
      }
    });
  }
  if (expired.length > 0) log.info({ count: expired.length }, 'expired upload sessions cleaned up');
  const swept = await sweepDeadUploads(em, deps.storage, {
    graceMs: SWEEP_GRACE_MS,
    openTtlMs: deps.config.uploads.sessionTtlHours * 3_600_000,
  });
  if (swept > 0) log.info({ count: swept }, 'dead upload keys swept');
});
