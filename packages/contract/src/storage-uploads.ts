// How a client writes an upload, per storage provider: the provider-neutral instructions `video.createUpload` (and the
// customer upload) answer beside the URLs. `@arvlite/client` implements each kind once.
import { z } from 'zod';

export const STORAGE_PROVIDERS = ['s3', 'azure', 'local'] as const;
export type StorageProvider = (typeof STORAGE_PROVIDERS)[number];

/** The protocol a client speaks to storage: S3 presigned PUTs, Azure SAS (Put Blob / Put Block), or tus. */
export const UPLOAD_TRANSPORT_KINDS = ['s3', 'azure', 'tus'] as const;
export type UploadTransportKind = (typeof UPLOAD_TRANSPORT_KINDS)[number];

const headers = z.record(z.string().max(64), z.string().max(1024));

/**
 * - `s3`: PUT the file (or each part) to its presigned URL with the headers given; a part's ETag is the answer's ETag
 *   header, sent back on completion.
 * - `azure`: PUT the file (Put Blob) or each part (Put Block) to its SAS URL with the headers given; Put Block answers
 *   no ETag: a part's `etag` is its block ID, given with each part URL.
 * - `tus`: a tus 1.0 upload (creation, resumable PATCHes) to `endpoint` with `headers` (they carry the signed,
 *   size-bound upload token); `chunkSize` bytes per PATCH; `uploadUrl`, when given, is the upload to resume (HEAD for
 *   its offset; a 404 there means none yet: create it at `endpoint`).
 */
export const uploadTransportSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('s3') }),
  z.strictObject({ kind: z.literal('azure') }),
  z.strictObject({
    kind: z.literal('tus'),
    endpoint: z.string().max(2048),
    headers,
    chunkSize: z.number().int().min(1),
    /** The upload's own URL (tus resumes by HEAD on it for the offset; absent: create at `endpoint`). */
    uploadUrl: z.string().max(2048).optional(),
  }),
]);
export type UploadTransport = z.infer<typeof uploadTransportSchema>;

/**
 * The block ID of part `partNumber` of an Azure block blob upload: 12 characters that are valid base64 as they stand
 * (Azure wants base64 IDs of one length per blob), `part00000001` and so on.
 */
export function azureBlockId(partNumber: number): string {
  return `part${String(partNumber).padStart(8, '0')}`;
}
