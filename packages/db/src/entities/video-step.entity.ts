import { STEP_STATUSES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { VideoSchema } from './video.entity.ts';

/** One processing step of a video (probe, playable, rendition:720p, images, analysis, finalize), with live progress. */
export const VideoStepSchema = defineEntity({
  name: 'VideoStep',
  tableName: 'video_step',
  uniques: [{ properties: ['video', 'name'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    video: () => p.manyToOne(VideoSchema).deleteRule('cascade'),
    name: p.string().length(32),
    status: p.enum(STEP_STATUSES).default('pending'),
    progress: p.integer().default(0),
    attempts: p.integer().default(0),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    errorCode: p.string().length(64).nullable(),
    errorMessage: p.string().length(1000).nullable(),
    /** Order in which steps are shown. */
    position: p.integer().default(0),
  },
});
export class VideoStep extends VideoStepSchema.class {}
VideoStepSchema.setClass(VideoStep);
