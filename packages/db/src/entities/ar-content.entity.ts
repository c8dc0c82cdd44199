import { randomBytes } from 'node:crypto';
import { AR_CONTENT_STATUSES, LANGUAGES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { ArContentRepository } from '../repositories/ar-content.repository.ts';
import { CompanySchema } from './company.entity.ts';
import { ProjectSchema } from './project.entity.ts';
import { UserSchema } from './user.entity.ts';
import { VideoSchema } from './video.entity.ts';

/** What a customer holds in their hand: a printed marker image, the videos it comes alive with, and a QR code to the viewer. */
export const ArContentSchema = defineEntity({
  name: 'ArContent',
  tableName: 'ar_content',
  repository: () => ArContentRepository,
  indexes: [{ properties: ['project', 'createdAt'] }, { properties: ['expiresAt'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** Denormalized from the project so tenant checks need no join. */
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    createdBy: () => p.manyToOne(UserSchema).nullable().deleteRule('set null'),
    title: p.string().length(200),
    description: p.string().length(2000).nullable(),
    /** The unguessable id in QR codes and viewer links (16 URL-safe characters, 96 random bits). */
    publicId: p.string().length(32).unique(),
    status: p.enum(AR_CONTENT_STATUSES).default('DRAFT'),
    activeFrom: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    /** Set by the ar-content:expire cron once expiresAt has passed; the viewer checks expiresAt itself. */
    expiredAt: p.datetime().nullable(),
    customerName: p.string().length(200).nullable(),
    customerEmail: p.string().length(254).nullable(),
    customerPhone: p.string().length(40).nullable(),
    orderRef: p.string().length(100).nullable(),
    /** The customer's language for the mail with their link (null: the company's). */
    customerLanguage: p.enum(LANGUAGES).nullable(),
    /** When and to whom an operator last emailed the customer their viewer link and QR code. */
    customerLinkSentAt: p.datetime().nullable(),
    customerLinkSentTo: p.string().length(254).nullable(),
    autoplay: p.boolean().default(true),
    loop: p.boolean().default(true),
    muted: p.boolean().default(false),
    /** Plays when no rule applies (it must be in the playlist and playable). */
    defaultVideo: () => p.manyToOne(VideoSchema).nullable().deleteRule('set null'),
    /** Bumped by every change a viewer can see; the manifest reports it. */
    version: p.integer().default(1),

    /** Incremented by every marker upload; the upload and its outputs live under marker/{revision}/. */
    markerRevision: p.integer().default(0),
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
    /** Where the latest marker upload goes (its attempt key), until it is completed or abandoned. */
    markerUploadKey: p.string().length(512).nullable(),
    /** ETag of the queued revision's verified original; marker:compile reads it only with If-Match on it. */
    markerOriginalEtag: p.string().length(128).nullable(),
    markerUploadContentType: p.string().length(32).nullable(),
    markerUploadBytes: p.integer().nullable(),
    /** The revision a marker:compile job was queued for. */
    markerQueuedRevision: p.integer().nullable(),
    /** The revision whose outputs the viewer gets. */
    markerPublishedRevision: p.integer().nullable(),
    markerImageKey: p.string().length(512).nullable(),
    markerWebpKey: p.string().length(512).nullable(),
    markerThumbnailKey: p.string().length(512).nullable(),
    markerMindKey: p.string().length(512).nullable(),
    markerWidthPx: p.integer().nullable(),
    markerHeightPx: p.integer().nullable(),
    /** Printed width, for ARKit/ARCore image targets. */
    widthMm: p.double().runtimeType('number').$type<number>().nullable(),
    /** Trackability 0–100 with a rating and human advice (empty for a good marker). */
    markerScore: p.integer().nullable(),
    markerRating: p.string().length(16).nullable(),
    markerAdvice: p.json<string[]>().nullable(),
    /** Strongest feature points, x and y in 0–1, for drawing over the image. */
    markerKeypoints: p.json<{ x: number; y: number }[]>().nullable(),
    markerFeatureCount: p.integer().nullable(),
    markerMatchingPoints: p.integer().nullable(),
    markerTrackingPoints: p.integer().nullable(),
    markerCompileMs: p.integer().nullable(),
    /** Bytes of the published revision (original + outputs), counted in the company's storage usage. */
    markerStoredBytes: p.bigint('number').default(0),
    markerFailureCode: p.string().length(64).nullable(),
    markerFailureMessage: p.string().length(1000).nullable(),
    markerProcessedAt: p.datetime().nullable(),
    /**
     * A compiled revision that failed the detection gate (not detected head-on at 30 cm at its printed size): its outputs
     * are stored but not published until an editor confirms it (`arContent.confirmMarker`); a newer upload supersedes it.
     */
    markerAwaitingRevision: p.integer().nullable(),
    /** What publishing the awaiting revision needs (sizes, score, point counts, stored bytes) and its gate result. */
    markerAwaiting: p.json<Record<string, unknown>>().nullable(),
    /** The awaiting revision's detection report (`marker:report`), contract `markerDetectionReportSchema`. */
    markerAwaitingReport: p.json<Record<string, unknown>>().nullable(),
    /** The published revision's detection report (`marker:report`), contract `markerDetectionReportSchema`. */
    markerReport: p.json<Record<string, unknown>>().nullable(),
    /** The revision `markerReport` was measured on. */
    markerReportRevision: p.integer().nullable(),

    archivedAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class ArContent extends ArContentSchema.class {}
ArContentSchema.setClass(ArContent);
