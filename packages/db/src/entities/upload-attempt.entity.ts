import { defineEntity, p } from '@mikro-orm/core';

/**
 * One key clients may write to through presigned URLs (a video original's or a marker image's upload attempt). It
 * outlives the video or AR content it was for: once closed (completed, aborted, expired, replaced, deleted) and its
 * last URL expired, the upload sweep deletes whatever the key holds, then the row.
 */
export const UploadAttemptSchema = defineEntity({
  name: 'UploadAttempt',
  tableName: 'upload_attempt',
  indexes: [{ properties: ['urlsExpireAt'] }],
  properties: {
    /** The attempt id in the key. */
    id: p.uuid().primary(),
    /** No foreign key: the row must survive the deletion of what it was uploaded for. */
    companyId: p.uuid(),
    key: p.string().length(512).unique(),
    s3UploadId: p.string().length(1024).nullable(),
    /** When the last URL signed for this key expires. */
    urlsExpireAt: p.datetime(),
    closedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class UploadAttempt extends UploadAttemptSchema.class {}
UploadAttemptSchema.setClass(UploadAttempt);
