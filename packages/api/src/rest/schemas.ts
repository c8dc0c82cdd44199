// The answers of the REST-exposed procedures, as the OpenAPI document describes them and as REST clients get them
// (tRPC answers are not parsed with these). Dates travel as ISO-8601 strings.
import {
  AR_CONTENT_STATUSES,
  LANGUAGES,
  markerDetectionGateSchema,
  markerDetectionReportSchema,
  ROTATION_CYCLES,
  STEP_STATUSES,
  UPLOAD_KINDS,
  uploadTransportSchema,
  VIDEO_STATUSES,
  VIEW_FALLBACK_REASONS,
} from '@arvlite/contract';
import { z } from 'zod';

/** A Date in the procedure's answer; an ISO-8601 string on the wire. */
export const isoDate = z.date().meta({ format: 'date-time', example: '2026-01-31T12:00:00.000Z' });
const failure = z.object({ code: z.string(), message: z.string() }).nullable();
const cursorPage = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    /** Pass as `cursor` for the next page; null on the last one. */
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
  });

export const videoSchema = z
  .object({
    id: z.uuid(),
    projectId: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    status: z.enum(VIDEO_STATUSES),
    failure,
    fileName: z.string(),
    contentType: z.string(),
    sizeBytes: z.number(),
    container: z.string().nullable(),
    chromaKey: z.object({ color: z.string(), tolerance: z.number(), softness: z.number().optional() }).nullable(),
    upload: z
      .object({
        kind: z.enum(UPLOAD_KINDS),
        partSize: z.number().nullable(),
        partCount: z.number().nullable(),
        expiresAt: isoDate,
      })
      .nullable(),
    uploadedAt: isoDate.nullable(),
    playableAt: isoDate.nullable(),
    readyAt: isoDate.nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'Video' });

export const videoDetailSchema = videoSchema
  .extend({
    progress: z.number(),
    steps: z.array(
      z.object({
        name: z.string(),
        status: z.enum(STEP_STATUSES),
        progress: z.number(),
        attempts: z.number(),
        startedAt: isoDate.nullable(),
        finishedAt: isoDate.nullable(),
        durationMs: z.number().nullable(),
        error: failure,
      }),
    ),
    media: z
      .object({
        durationS: z.number(),
        width: z.number(),
        height: z.number(),
        rotation: z.number(),
        fps: z.number(),
        isVfr: z.boolean(),
        videoCodec: z.string(),
        hasAudio: z.boolean(),
        audioCodec: z.string().nullable(),
        bitrate: z.number().nullable(),
        isHdr: z.boolean(),
        container: z.string(),
      })
      .nullable(),
    renditions: z.array(
      z.object({
        name: z.string(),
        width: z.number(),
        height: z.number(),
        bandwidth: z.number(),
        codecs: z.string(),
        sizeBytes: z.number(),
        hasAudio: z.boolean(),
        durationS: z.number(),
      }),
    ),
    playback: z
      .object({
        hlsUrl: z.string(),
        mp4Url: z.string().nullable(),
        posterUrl: z.string().nullable(),
        posterWebpUrl: z.string().nullable(),
        storyboardVttUrl: z.string().nullable(),
        expiresAt: isoDate.nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'VideoDetail' });

export const videoPageSchema = cursorPage(videoSchema);

const putHeaders = z
  .record(z.string(), z.string())
  .meta({ description: 'Send these headers with the PUT, exactly: they are signed.' });

/** How to write to storage: S3 presigned PUTs, Azure SAS (Put Blob / Put Block) or tus (local disk). */
const transport = uploadTransportSchema.meta({
  description:
    'How the client writes to storage: s3 and azure PUT to the URLs given with their headers; tus uploads to the endpoint with its headers.',
});

export const createUploadSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('single'),
      videoId: z.uuid(),
      url: z.string().meta({ description: 'Presigned PUT for the whole file (its size is signed).' }),
      headers: putHeaders,
      expiresAt: isoDate,
      urlExpiresAt: isoDate,
      transport,
    }),
    z.object({
      kind: z.literal('multipart'),
      videoId: z.uuid(),
      uploadId: z.string(),
      partSize: z.number(),
      partCount: z.number(),
      expiresAt: isoDate,
      transport,
    }),
  ])
  .meta({ id: 'UploadStarted' });

export const signedPartsSchema = z.object({
  parts: z.array(
    z.object({
      partNumber: z.number(),
      url: z.string().meta({ description: 'Presigned PUT for this part; keep the ETag it answers.' }),
      headers: putHeaders.optional(),
      etag: z
        .string()
        .optional()
        .meta({ description: "Report this as the part's ETag (Azure: the block ID; Put Block answers no ETag)." }),
    }),
  ),
  expiresAt: isoDate,
});

export const signedUploadSchema = z.object({
  url: z.string(),
  headers: putHeaders,
  expiresAt: isoDate,
  urlExpiresAt: isoDate,
  transport,
});

export const uploadedPartsSchema = z.object({
  kind: z.enum(UPLOAD_KINDS),
  partSize: z.number().optional(),
  partCount: z.number().optional(),
  parts: z.array(z.object({ partNumber: z.number(), size: z.number(), etag: z.string() })),
  uploadedBytes: z.number(),
});

export const okSchema = z.object({ ok: z.literal(true) });
export const retrySchema = z.object({ ok: z.literal(true), resumedFrom: z.union([z.string(), z.array(z.string())]) });

/** A marker revision's detection report: measured (READY), still measuring, or not coming (UNAVAILABLE). */
const markerReportSchema = z.object({
  revision: z.int(),
  status: z.enum(['READY', 'MEASURING', 'UNAVAILABLE']),
  report: markerDetectionReportSchema.nullable(),
});

export const arContentSchema = z
  .object({
    id: z.uuid(),
    projectId: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    publicId: z.string(),
    status: z.enum(AR_CONTENT_STATUSES),
    activeFrom: isoDate.nullable(),
    expiresAt: isoDate.nullable(),
    expired: z.boolean(),
    customer: z.object({
      name: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      orderRef: z.string().nullable(),
    }),
    playback: z.object({ autoplay: z.boolean(), loop: z.boolean(), muted: z.boolean() }),
    marker: z.object({
      widthMm: z.number().nullable(),
      published: z.boolean(),
      imageUrl: z.string().nullable(),
      thumbnailUrl: z.string().nullable(),
      mindUrl: z.string().nullable(),
      width: z.number().nullable(),
      height: z.number().nullable(),
      score: z.number().nullable().meta({
        description:
          'The ORB feature score (0–100), kept for compatibility: it does not predict detection. Use detectionScore.',
      }),
      rating: z.string().nullable().meta({ description: 'good, fair, poor or unusable, from the ORB feature score.' }),
      detectionScore: z.int().min(0).max(100).nullable().meta({
        description:
          "The published revision's measured detection score, 0–100, calibrated against the detection report; null until measured.",
      }),
      advice: z.array(z.string()),
      processedAt: isoDate.nullable(),
      failure,
      awaitingConfirmation: z
        .object({
          revision: z.int(),
          imageUrl: z.string().nullable(),
          thumbnailUrl: z.string().nullable(),
          width: z.int(),
          height: z.int(),
          score: z.number(),
          rating: z.string(),
          detectionScore: z.int().min(0).max(100).nullable(),
          advice: z.array(z.string()),
          gate: markerDetectionGateSchema,
          report: markerReportSchema.nullable(),
        })
        .nullable()
        .meta({
          description:
            'A compiled marker revision the detection gate held back (not detected head-on at 30 cm at its printed size); POST …/marker/confirm publishes it.',
        }),
      report: markerReportSchema
        .nullable()
        .meta({ description: "The published revision's detection report (single item only; null in lists)." }),
    }),
    links: z.object({ url: z.string(), deepLink: z.string() }),
    version: z.number(),
    archivedAt: isoDate.nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'ArContent' });

export const arContentPageSchema = cursorPage(arContentSchema);

export const qrSchema = z.object({
  format: z.enum(['png', 'svg']),
  url: z.string(),
  deepLink: z.string(),
  svg: z.string().nullable(),
  dataUrl: z.string().nullable().meta({ description: 'PNG as a data URL (format png).' }),
});

export const markerUploadSchema = z.object({
  url: z.string(),
  headers: putHeaders,
  expiresAt: isoDate,
  maxBytes: z.number(),
});

export const playlistSchema = z
  .object({
    arContentId: z.uuid(),
    timezone: z.string(),
    defaultVideoId: z.string().nullable(),
    items: z.array(
      z.object({
        videoId: z.uuid(),
        title: z.string(),
        status: z.enum(VIDEO_STATUSES),
        playable: z.boolean(),
        position: z.number(),
      }),
    ),
    rules: z.array(
      z.object({
        id: z.uuid(),
        kind: z.enum(['date', 'window', 'rotation']),
        videoId: z.string().nullable(),
        date: z.string().nullable(),
        yearly: z.boolean().nullable(),
        start: isoDate.nullable(),
        end: isoDate.nullable(),
        cycle: z.enum(ROTATION_CYCLES).nullable(),
        videoIds: z.array(z.string()).nullable(),
        anchorDate: z.string().nullable(),
        position: z.number(),
      }),
    ),
    current: z.object({
      videoId: z.string().nullable(),
      rule: z.enum(['date', 'window', 'rotation', 'default', 'none']),
      ruleId: z.string().nullable(),
      validUntil: isoDate.nullable(),
    }),
  })
  .meta({ id: 'Playlist' });

export const manifestSchema = z
  .discriminatedUnion('ok', [
    z.object({
      ok: z.literal(true),
      version: z.number(),
      language: z.enum(LANGUAGES),
      content: z.object({ title: z.string() }),
      marker: z.object({ imageUrl: z.string(), mindUrl: z.string(), widthMm: z.number().nullable() }),
      video: z.object({
        hlsUrl: z.string(),
        mp4Url: z.string().nullable(),
        posterUrl: z.string().nullable(),
        durationS: z.number().nullable(),
      }),
      selection: z.object({
        rule: z.enum(['default', 'date', 'rotation', 'window']),
        validUntil: isoDate.nullable(),
      }),
      playback: z.object({ autoplay: z.boolean(), loop: z.boolean(), muted: z.boolean() }),
    }),
    z.object({
      ok: z.literal(false),
      reason: z.enum(['NOT_FOUND', 'COMPANY_SUSPENDED', 'EXPIRED', 'MARKER_PROCESSING', 'NO_PLAYABLE_VIDEO']),
      language: z.enum(LANGUAGES).optional(),
    }),
  ])
  .meta({ id: 'ViewerManifest' });

const figures = {
  views: z.number(),
  uniqueDevices: z.number(),
  reportedSessions: z.number(),
  medianWatchMs: z.number().nullable(),
  averageWatchMs: z.number().nullable(),
  completionRate: z.number().nullable(),
};

export const analyticsSummarySchema = z
  .object({
    scope: z.object({ projectId: z.uuid().optional(), arContentId: z.uuid().optional() }),
    timezone: z.string(),
    granularity: z.enum(['hour', 'day', 'week', 'month']),
    from: isoDate,
    to: isoDate,
    series: z.array(z.object({ start: isoDate, ...figures })),
    totals: z.object(figures),
    platforms: z.array(z.object({ platform: z.enum(['ios', 'android', 'web', 'other']), ...figures })),
  })
  .meta({ id: 'AnalyticsSummary' });

const share = z.number().min(0).max(1).nullable();
export const analyticsFunnelSchema = z
  .object({
    scope: z.object({ projectId: z.uuid().optional(), arContentId: z.uuid().optional() }),
    from: isoDate,
    to: isoDate,
    counts: z.object({
      opened: z.int(),
      camera: z.int(),
      fallback: z.int(),
      detected: z.int(),
      playing: z.int(),
      completed: z.int(),
    }),
    conversion: z.object({ camera: share, detected: share, playing: share, completed: share }),
    neverDetected: z.object({ count: z.int(), share }),
    fallbackReasons: z.array(z.object({ reason: z.enum(VIEW_FALLBACK_REASONS), count: z.int() })),
    medianDetectedMs: z.int().nullable(),
    medianFirstFrameMs: z.int().nullable(),
  })
  .meta({ id: 'AnalyticsFunnel' });

/** Every error: a stable code (tRPC's), a message for people, the request id for support; details when there are some. */
export const errorSchema = z
  .object({
    code: z.string().meta({ example: 'NOT_FOUND' }),
    message: z.string(),
    requestId: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
    formErrors: z.array(z.string()).optional(),
  })
  .meta({ id: 'Error' });
