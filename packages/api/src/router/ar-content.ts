import {
  AR_CONTENT_STATUSES,
  CUSTOMER_UPLOAD_MAX_HOURS,
  CUSTOMER_UPLOAD_MIN_BYTES,
  CSV_IMPORT_LIMITS,
  csvImportPhotoSchema,
  inputs,
  languageSchema,
  MARKER_MAX_BYTES,
  markerContentTypeSchema,
  printFileInput,
  printFileStatusInput,
} from '@arvlite/contract';
import { z } from 'zod';
import * as arContent from '../services/ar-content.service.ts';
import { importCsv } from '../services/ar-content-import.service.ts';
import { sendToCustomer } from '../services/customer-link.service.ts';
import * as customerUploads from '../services/customer-upload.service.ts';
import * as documents from '../services/documents.service.ts';
import { rest } from '../rest/meta.ts';
import * as out from '../rest/schemas.ts';
import { router, tenantProcedure } from '../trpc.ts';
import { description, email, id, instant, pageInput, title } from '../validators.ts';

const customer = z.strictObject({
  name: inputs.customerName.nullable().optional(),
  email: email.nullable().optional(),
  phone: inputs.customerPhone.nullable().optional(),
  orderRef: inputs.orderRef.nullable().optional(),
});
const playback = z.strictObject({
  autoplay: z.boolean().optional(),
  loop: z.boolean().optional(),
  muted: z.boolean().optional(),
});
const { widthMm } = inputs;

export const arContentRouter = router({
  create: tenantProcedure('editor')
    .meta(rest('POST', '/ar-content', out.arContentSchema, { summary: 'Create AR content', tags: ['AR content'] }))
    .input(
      z.strictObject({
        projectId: id,
        title,
        description: description.optional(),
        activeFrom: instant.optional(),
        expiresAt: instant.optional(),
        customer: customer.optional(),
        playback: playback.optional(),
        widthMm: widthMm.optional(),
      }),
    )
    .mutation(({ ctx, input }) => arContent.createArContent(ctx, input)),

  list: tenantProcedure('viewer')
    .meta(
      rest('GET', '/ar-content', out.arContentPageSchema, {
        summary: "List a project's AR content",
        tags: ['AR content'],
      }),
    )
    .input(
      z.strictObject({
        projectId: id,
        ...pageInput,
        status: z.enum(AR_CONTENT_STATUSES).optional(),
        includeArchived: z.boolean().optional(),
        /** Matches the customer's name, email or phone, or the order reference (case-insensitive, part of it). */
        search: z.string().trim().max(100).optional(),
      }),
    )
    .query(({ ctx, input }) => arContent.listArContent(ctx, input)),

  /** The item with its marker (score, advice, keypoints, point counts, failure), viewer links and customer fields. */
  byId: tenantProcedure('viewer')
    .meta(rest('GET', '/ar-content/{id}', out.arContentSchema, { summary: 'Get AR content', tags: ['AR content'] }))
    .input(z.strictObject({ id }))
    .query(({ ctx, input }) => arContent.getArContent(ctx, input)),

  update: tenantProcedure('editor')
    .meta(
      rest('PATCH', '/ar-content/{id}', out.arContentSchema, { summary: 'Update AR content', tags: ['AR content'] }),
    )
    .input(
      z.strictObject({
        id,
        title: title.optional(),
        description: description.nullable().optional(),
        activeFrom: instant.nullable().optional(),
        expiresAt: instant.nullable().optional(),
        customer: customer.optional(),
        playback: playback.optional(),
        widthMm: widthMm.nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => arContent.updateArContent(ctx, input)),

  archive: tenantProcedure('admin')
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => arContent.archiveArContent(ctx, input)),

  delete: tenantProcedure('admin')
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => arContent.deleteArContent(ctx, input)),

  /** A presigned PUT for the marker image: JPEG, PNG or WebP, at most 20 MiB (at least 480 px on the short side, checked after upload). */
  createMarkerUpload: tenantProcedure('editor')
    .meta(
      rest('POST', '/ar-content/{id}/marker-upload', out.markerUploadSchema, {
        summary: 'Start a marker image upload',
        tags: ['AR content'],
      }),
    )
    .input(
      z.strictObject({
        id,
        contentType: markerContentTypeSchema,
        size: z
          .number()
          .int()
          .min(1)
          .max(MARKER_MAX_BYTES, { message: `must be at most ${MARKER_MAX_BYTES / 1024 / 1024} MiB` }),
      }),
    )
    .mutation(({ ctx, input }) => arContent.createMarkerUpload(ctx, input)),

  /** Verifies the upload, then queues marker:compile (normalize, score, compile the .mind, load it back). */
  completeMarkerUpload: tenantProcedure('editor')
    .meta(
      rest('POST', '/ar-content/{id}/marker-upload/complete', out.arContentSchema, {
        summary: 'Complete the marker upload (compiles it)',
        tags: ['AR content'],
      }),
    )
    .input(z.strictObject({ id, widthMm: widthMm.optional(), etag: z.string().min(1).max(128).optional() }))
    .mutation(({ ctx, input }) => arContent.completeMarkerUpload(ctx, input)),

  /**
   * Publishes a marker revision the detection gate held back (not detected head-on at 30 cm at its printed size), as
   * the compile job publishes one that passes. CONFLICT when `revisionId` is not the one awaiting confirmation
   * (reason NOT_AWAITING, or SUPERSEDED by a newer upload).
   */
  confirmMarker: tenantProcedure('editor')
    .meta(
      rest('POST', '/ar-content/{id}/marker/confirm', out.arContentSchema, {
        summary: 'Publish a marker that is awaiting confirmation',
        tags: ['AR content'],
      }),
    )
    .input(z.strictObject({ id, revisionId: z.number().int().min(1).max(1_000_000_000) }))
    .mutation(({ ctx, input }) => arContent.confirmMarker(ctx, input)),

  /** A QR code for the viewer URL: PNG as a data URL (for print) or SVG text (for the web). */
  qr: tenantProcedure('viewer')
    .meta(
      rest('GET', '/ar-content/{id}/qr', out.qrSchema, { summary: 'QR code of the viewer link', tags: ['AR content'] }),
    )
    .input(
      z.strictObject({
        id,
        format: z.enum(['png', 'svg']),
        sizePx: z.number().int().min(128).max(2048).optional(),
        errorCorrection: z.enum(['M', 'Q']).optional(),
      }),
    )
    .query(({ ctx, input }) => arContent.qrCode(ctx, input)),

  /** `${PUBLIC_URL}/v/{publicId}` and the deep link `arvlite://v/{publicId}`. */
  viewerLinks: tenantProcedure('viewer')
    .input(z.strictObject({ id }))
    .query(({ ctx, input }) => arContent.viewerLinks(ctx, input)),

  /**
   * Bulk import from CSV (one row per item). `dryRun: true` answers every row's errors and changes nothing; the import
   * refuses while errors remain, else creates every item in one transaction and answers a marker upload per photo.
   */
  importCsv: tenantProcedure('editor')
    .input(
      z.strictObject({
        projectId: id,
        csv: z.string().min(1).max(CSV_IMPORT_LIMITS.maxBytes),
        dryRun: z.boolean(),
        photos: z
          .array(csvImportPhotoSchema)
          .max(CSV_IMPORT_LIMITS.maxRows)
          .refine((photos) => new Set(photos.map((p) => p.fileName)).size === photos.length, {
            message: 'photo file names must be unique',
          })
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) => importCsv(ctx, input)),

  /** Emails the customer the item's viewer link and QR code in their language (the item's, else the company's). */
  sendToCustomer: tenantProcedure('editor')
    .input(z.strictObject({ id, email: email.nullable().optional(), language: languageSchema.nullable().optional() }))
    .mutation(({ ctx, input }) => sendToCustomer(ctx, input)),

  /**
   * A link (`${PUBLIC_URL}/u#<token>`) with which the item's customer uploads its video, with no account: this item only,
   * at most `maxBytes`, until `expiresInHours` from now, once. The token is shown once (QR code included); `sendTo`
   * mails the link in the customer's language.
   */
  createUploadLink: tenantProcedure('editor')
    .input(
      z.strictObject({
        id,
        expiresInHours: z.number().int().min(1).max(CUSTOMER_UPLOAD_MAX_HOURS).optional(),
        maxBytes: z.number().int().min(CUSTOMER_UPLOAD_MIN_BYTES).max(Number.MAX_SAFE_INTEGER).optional(),
        sendTo: email.optional(),
        language: languageSchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => customerUploads.createUploadLink(ctx, input)),

  /** The item's upload links, newest first, each with its state and the video uploaded through it. */
  uploadLinks: tenantProcedure('editor')
    .input(z.strictObject({ id }))
    .query(({ ctx, input }) => customerUploads.listUploadLinks(ctx, input)),

  /** `id` is the link's; an upload in progress through it is aborted. */
  revokeUploadLink: tenantProcedure('editor')
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => customerUploads.revokeUploadLink(ctx, input)),

  /** The customer's video goes live: it joins the playlist and becomes the item's default video. */
  approveCustomerVideo: tenantProcedure('editor')
    .input(z.strictObject({ id, videoId: id }))
    .mutation(({ ctx, input }) => customerUploads.approveCustomerVideo(ctx, input)),

  rejectCustomerVideo: tenantProcedure('editor')
    .input(z.strictObject({ id, videoId: id }))
    .mutation(({ ctx, input }) => customerUploads.rejectCustomerVideo(ctx, input)),

  /**
   * A print-ready PDF of the item's published marker photo in a format (queued; the same revision and format answer the
   * same file). Poll printFileStatus for READY and its download URL.
   */
  printFile: tenantProcedure('editor')
    .input(printFileInput)
    .mutation(({ ctx, input }) => documents.requestItemPrintFile(ctx, input)),

  /** A print file's state and warnings; when READY, a presigned download URL valid 5 minutes. */
  printFileStatus: tenantProcedure('viewer')
    .input(printFileStatusInput)
    .query(({ ctx, input }) => documents.printFileStatus(ctx, input, 'item')),
});
