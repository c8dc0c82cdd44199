// The customer upload link: an operator lets their customer upload the video of one AR content item from a phone,
// with no account. The link is a capability (`${PUBLIC_URL}/u#<token>`): one item, one size limit, one time window.
import { z } from 'zod';

const MiB = 1024 * 1024;

/** How long a new link lasts unless the operator says otherwise, and the longest allowed. */
export const CUSTOMER_UPLOAD_DEFAULT_HOURS = 7 * 24;
export const CUSTOMER_UPLOAD_MAX_HOURS = 30 * 24;
/** The size limit of a new link unless the operator says otherwise (never above UPLOAD_MAX_BYTES). */
export const CUSTOMER_UPLOAD_DEFAULT_MAX_BYTES = 2048 * MiB;
export const CUSTOMER_UPLOAD_MIN_BYTES = 1 * MiB;
/** Links an item may have at once that are neither used up, revoked nor expired. */
export const CUSTOMER_UPLOAD_MAX_OPEN_LINKS = 5;

/** The link's token: HMAC-SHA256 in base64url, 43 characters (256 bits). */
export const customerUploadTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { message: 'malformed upload link' });

/**
 * Where a link stands: OPEN (waiting for the upload), UPLOADING (an upload started through it), UPLOADED (the video is
 * in; the operator decides), APPROVED, REJECTED, REVOKED, EXPIRED.
 */
export const CUSTOMER_UPLOAD_STATES = [
  'OPEN',
  'UPLOADING',
  'UPLOADED',
  'APPROVED',
  'REJECTED',
  'REVOKED',
  'EXPIRED',
] as const;
export type CustomerUploadState = (typeof CUSTOMER_UPLOAD_STATES)[number];

/** Why the public page cannot take an upload (the same answer for an unknown and a malformed token). */
export const CUSTOMER_UPLOAD_CLOSED_REASONS = ['NOT_FOUND', 'EXPIRED', 'REVOKED', 'USED'] as const;
export type CustomerUploadClosedReason = (typeof CUSTOMER_UPLOAD_CLOSED_REASONS)[number];
