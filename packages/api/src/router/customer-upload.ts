// The customer's side of an upload link (no sign-in: the link's token is the only credential; per-IP rate limit).
// Every procedure acts on the link's own item and video only; see services/customer-upload.service.ts.
import {
  customerUploadTokenSchema,
  UPLOAD_MAX_PARTS,
  UPLOAD_SIGN_BATCH,
  videoContentTypeSchema,
} from '@arvlite/contract';
import { z } from 'zod';
import * as uploads from '../services/customer-upload.service.ts';
import { publicProcedure, router } from '../trpc.ts';
import { fileName } from '../validators.ts';

const token = customerUploadTokenSchema;
const partNumber = z.number().int().min(1).max(UPLOAD_MAX_PARTS);
const etag = z.string().min(1).max(128);

// Every call is a mutation, so the token travels in a POST body and never in a URL (logs, proxies).
export const customerUploadRouter = router({
  /** `{ ok: true, title, companyName, maxBytes, expiresAt, upload }` or `{ ok: false, reason }` (NOT_FOUND, EXPIRED, REVOKED, USED). */
  describe: publicProcedure
    .input(z.strictObject({ token }))
    .mutation(({ ctx, input }) => uploads.describeLink(ctx, input)),

  start: publicProcedure
    .input(
      z.strictObject({
        token,
        fileName,
        contentType: videoContentTypeSchema,
        size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
      }),
    )
    .mutation(({ ctx, input }) => uploads.startUpload(ctx, input)),

  signParts: publicProcedure
    .input(z.strictObject({ token, partNumbers: z.array(partNumber).min(1).max(UPLOAD_SIGN_BATCH) }))
    .mutation(({ ctx, input }) => uploads.signUploadParts(ctx, input)),

  signUpload: publicProcedure
    .input(z.strictObject({ token }))
    .mutation(({ ctx, input }) => uploads.signUpload(ctx, input)),

  listParts: publicProcedure
    .input(z.strictObject({ token }))
    .mutation(({ ctx, input }) => uploads.listUploadedParts(ctx, input)),

  complete: publicProcedure
    .input(
      z.strictObject({
        token,
        etag: etag.optional(),
        parts: z.array(z.strictObject({ partNumber, etag })).max(UPLOAD_MAX_PARTS).optional(),
      }),
    )
    .mutation(({ ctx, input }) => uploads.completeUpload(ctx, input)),
});
