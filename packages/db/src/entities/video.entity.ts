import { randomBytes } from 'node:crypto';
import {
  VIDEO_STATUSES,
  type ChromaKey,
  type MediaInfo,
  type VideoAnalysis,
  type VideoOutputs,
} from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { VideoRepository } from '../repositories/video.repository.ts';
import { CompanySchema } from './company.entity.ts';
import { ProjectSchema } from './project.entity.ts';
import { UserSchema } from './user.entity.ts';

export const VideoSchema = defineEntity({
  name: 'Video',
  tableName: 'video',
  repository: () => VideoRepository,
  indexes: [{ properties: ['project', 'createdAt'] }, { properties: ['company', 'status'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** Denormalized from the project so tenant checks and quota updates need no join. */
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    createdBy: () => p.manyToOne(UserSchema).nullable().deleteRule('set null'),
    title: p.string().length(200),
    description: p.string().length(5000).nullable(),
    status: p.enum(VIDEO_STATUSES).default('AWAITING_UPLOAD'),
    failureCode: p.string().length(64).nullable(),
    failureMessage: p.string().length(1000).nullable(),
    fileName: p.string().length(255),
    contentType: p.string().length(100),
    /** Size the client declared; the stored original must match it exactly. */
    sizeBytes: p.bigint('number'),
    /** Bytes counted against the company's quota for this video (original + outputs). */
    storedBytes: p.bigint('number').default(0),
    /** Container detected from the first bytes (mp4, mov, webm, mkv). */
    container: p.string().length(16).nullable(),
    originalKey: p.string().length(512),
    /**
     * Names the row's public outputs (storage key pub/<outputId>/…): 128 random bits, so published URLs carry no ids.
     * Null on rows made before it existed, whose outputs stay under the tenant prefix.
     */
    outputId: p
      .string()
      .length(32)
      .nullable()
      .unique()
      .onCreate(() => randomBytes(16).toString('hex')),
    /** ETag of the original verified at completion; the worker reads the original only with If-Match on it. */
    originalEtag: p.string().length(128).nullable(),
    /** Probe results and outputs, written by the processing pipeline (steps have their own table). */
    media: p.json<MediaInfo>().nullable(),
    outputs: p.json<VideoOutputs>().nullable(),
    /** Results of the configured analyzers (chapters, loudness, black and silent segments). */
    analysis: p.json<VideoAnalysis>().nullable(),
    /** The background colour viewers key out (a green screen), set by editors; null: shown as it is. */
    chromaKey: p.json<ChromaKey>().nullable(),
    uploadedAt: p.datetime().nullable(),
    /**
     * A restart of processing asked for (reprocess, a retry from the original) and not yet begun: the token its
     * video:process job carries. The job takes a READY or FAILED video back to PROCESSING only with the matching token,
     * and clears it, so a late retry of an earlier job (its worker killed after the job had fanned out) restarts nothing.
     */
    restartToken: p.string().length(32).nullable(),
    playableAt: p.datetime().nullable(),
    readyAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Video extends VideoSchema.class {}
VideoSchema.setClass(Video);
