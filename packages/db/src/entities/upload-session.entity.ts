import { UPLOAD_KINDS } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { VideoSchema } from './video.entity.ts';

/** One direct-to-storage upload of a video's original: a single presigned PUT or an S3 multipart upload. */
export const UploadSessionSchema = defineEntity({
  name: 'UploadSession',
  tableName: 'upload_session',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    video: () => p.oneToOne(VideoSchema).owner().unique().deleteRule('cascade'),
    kind: p.enum(UPLOAD_KINDS),
    /** Where the client uploads (an UploadAttempt's key); null for sessions started before per-attempt keys. */
    uploadKey: p.string().length(512).nullable(),
    s3UploadId: p.string().length(1024).nullable(),
    partSize: p.bigint('number').nullable(),
    partCount: p.integer().nullable(),
    /** Quota reserved for this upload and not yet turned into usage or released. */
    reservedBytes: p.bigint('number'),
    expiresAt: p.datetime().index(),
    /** ETag of the verified original, recorded at completion. */
    etag: p.string().length(128).nullable(),
    completedAt: p.datetime().nullable(),
    abortedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class UploadSession extends UploadSessionSchema.class {}
UploadSessionSchema.setClass(UploadSession);
