import { UploadSession, Video } from '@arvlite/db';
import { addUsage, publicOutputPrefix, videoPrefix } from '@arvlite/domain';
import { defineTask } from '../define-task.ts';
import { abandonUpload } from '../upload/abandon-upload.ts';
import { closeAttempts } from '../upload/upload-attempts.ts';

/** Deletes every object of a soft-deleted video, releases its quota, then removes the row. Safe to re-run. */
export const videoDelete = defineTask('video:delete', async ({ em, deps, payload, log }) => {
  const video = await em.findOne(Video, { id: payload.videoId }, { populate: ['project'] });
  if (!video) return; // already done
  if (!video.deletedAt) {
    log.warn({ videoId: video.id }, 'video:delete for a video that is not deleted; skipping');
    return;
  }
  const session = await em.findOne(UploadSession, { video });
  if (session && !session.completedAt && !session.abortedAt) {
    await em.transactional((tem) =>
      abandonUpload(tem, deps.storage, tem.merge(video), { code: 'DELETED', message: 'The video was deleted' }),
    );
  }
  const prefix = videoPrefix({ companyId: video.company.id, projectId: video.project.id, videoId: video.id });
  let removed = await deps.storage.deletePrefix(prefix);
  // Its outputs, under the public prefix (rows without an outputs id keep them under the private one).
  if (video.outputId) removed += await deps.storage.deletePrefix(publicOutputPrefix(video.outputId));
  await em.transactional(async (tem) => {
    await closeAttempts(tem, { prefix });
    await addUsage(tem, video.company.id, -video.storedBytes);
    await tem.nativeDelete(Video, { id: video.id });
  });
  log.info({ videoId: video.id, objects: removed, bytes: video.storedBytes }, 'video deleted');
});
