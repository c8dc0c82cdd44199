// Ending an upload that will not complete: abort it in storage, delete the object, release the quota, record why.
// Used by the API (cancel, failed verification) and by the upload:expire and video:delete tasks.
import { UploadSession, type EntityManager, type Video } from '@arvlite/db';
import { releaseQuota, transition } from '@arvlite/domain';
import type { ObjectStore } from '@arvlite/storage';
import { closeAttempts } from './upload-attempts.ts';

export async function abandonUpload(
  em: EntityManager,
  storage: ObjectStore,
  video: Video,
  failure: { code: string; message: string },
): Promise<void> {
  const session = await em.findOne(UploadSession, { video });
  const uploadKey = session?.uploadKey ?? video.originalKey;
  if (session && !session.completedAt && !session.abortedAt) {
    if (session.kind === 'multipart' && session.s3UploadId) {
      await storage.abortMultipartUpload(uploadKey, session.s3UploadId);
    }
    session.abortedAt = new Date();
    await releaseQuota(em, video.company.id, session.reservedBytes);
  }
  // Old URLs may still write to the upload key until they expire; the upload sweep deletes that again afterwards.
  if (session?.uploadKey) {
    await storage.delete(session.uploadKey);
    await closeAttempts(em, { key: session.uploadKey });
  }
  await storage.delete(video.originalKey);
  if (video.status === 'AWAITING_UPLOAD') transition(video, 'FAILED', failure);
}
