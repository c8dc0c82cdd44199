// Ending an upload that will not complete: abort it in storage, delete the object, release the quota, record why.
// Used by the API (cancel, failed verification) and by the upload:expire and video:delete tasks.
import { UploadSession, type EntityManager, type Video } from '@arvlite/db';
import { releaseQuota, transition } from '@arvlite/domain';
import type { ObjectStorage } from '@arvlite/storage';

export async function abandonUpload(
  em: EntityManager,
  storage: ObjectStorage,
  video: Video,
  failure: { code: string; message: string },
): Promise<void> {
  const session = await em.findOne(UploadSession, { video });
  if (session && !session.completedAt && !session.abortedAt) {
    if (session.kind === 'multipart' && session.s3UploadId) {
      await storage.abortMultipartUpload(video.originalKey, session.s3UploadId);
    }
    session.abortedAt = new Date();
    await releaseQuota(em, video.company.id, session.reservedBytes);
  }
  await storage.delete(video.originalKey);
  if (video.status === 'AWAITING_UPLOAD') transition(video, 'FAILED', failure);
}
