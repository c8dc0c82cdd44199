// Every storage key the platform writes, in one place. Private keys carry the tenant: a video's original and upload
// attempts live under its prefix, an AR content item's marker originals under its own. What viewers load (video outputs,
// compiled markers) lives under pub/<outputId>/, a random 128-bit id kept on the row, so a public URL names no company,
// project or item, and the pub/ prefix holds outputs only: an operator can publish it and nothing else.
// Rows made before outputId existed (outputId null) keep their outputs under the tenant prefix; see SECURITY.md.
import { randomBytes } from 'node:crypto';

export interface VideoKeyIds {
  companyId: string;
  projectId: string;
  videoId: string;
  /** The row's public outputs id; null for rows older than it (outputs under the tenant prefix). */
  outputId?: string | null;
}

export interface ArContentKeyIds {
  companyId: string;
  projectId: string;
  arContentId: string;
  outputId?: string | null;
}

/** The key ids of a loaded video or AR content row (anything with its company and project). */
interface Owned {
  id: string;
  company: { id: string };
  project: { id: string };
  outputId?: string | null;
}

export function videoKeyIds(video: Owned): VideoKeyIds {
  return { companyId: video.company.id, projectId: video.project.id, videoId: video.id, outputId: video.outputId };
}

export function arContentKeyIds(content: Owned): ArContentKeyIds {
  return {
    companyId: content.company.id,
    projectId: content.project.id,
    arContentId: content.id,
    outputId: content.outputId,
  };
}

/** The only prefix whose objects may be published (MEDIA_PUBLIC_BASE_URL); it holds outputs, never an original. */
export const PUBLIC_PREFIX = 'pub/';

/** A new outputs id: 128 random bits, hex (so it never looks like a uuid row id). */
export function newOutputId(): string {
  return randomBytes(16).toString('hex');
}

export function isOutputId(s: string): boolean {
  return /^[0-9a-f]{32}$/.test(s);
}

/** Everything a row has published; deleting the row deletes this too. */
export function publicOutputPrefix(outputId: string): string {
  if (!isOutputId(outputId)) throw new Error('not an outputs id');
  return `${PUBLIC_PREFIX}${outputId}/`;
}

export function isPublicKey(key: string): boolean {
  return key.startsWith(PUBLIC_PREFIX);
}

export function videoPrefix(ids: VideoKeyIds): string {
  return `${ids.companyId}/${ids.projectId}/videos/${ids.videoId}/`;
}

export function originalKey(ids: VideoKeyIds): string {
  return `${videoPrefix(ids)}original`;
}

/**
 * Where a client uploads a video's original: one key per upload attempt, which nothing but the completion reads (it
 * copies the verified object to originalKey, then deletes this one). A URL outliving its upload writes only here.
 */
export function videoUploadKey(ids: VideoKeyIds, attemptId: string): string {
  return `${videoPrefix(ids)}uploads/${attemptId}`;
}

/** Where processing writes; reprocessing removes it whole. File names in Video.outputs are relative to it. */
export function videoOutputPrefix(ids: VideoKeyIds): string {
  return ids.outputId ? publicOutputPrefix(ids.outputId) : `${videoPrefix(ids)}out/`;
}

export function videoOutputKey(ids: VideoKeyIds, file: string): string {
  return `${videoOutputPrefix(ids)}${file}`;
}

export function arContentPrefix(ids: ArContentKeyIds): string {
  return `${ids.companyId}/${ids.projectId}/ar/${ids.arContentId}/`;
}

/** Where a client uploads a marker image, one key per attempt; the completion copies it into the revision. */
export function markerUploadKey(ids: ArContentKeyIds, attemptId: string): string {
  return `${arContentPrefix(ids)}uploads/${attemptId}`;
}

/** A revision's original (and, for rows without an outputs id, its outputs); a new upload gets a new revision, so published URLs never change under a viewer. */
export function markerRevisionPrefix(ids: ArContentKeyIds, revision: number): string {
  return `${arContentPrefix(ids)}marker/${revision}/`;
}

/** Where a revision's compiled files go: under the public prefix when the row has an outputs id. */
export function markerOutputPrefix(ids: ArContentKeyIds, revision: number): string {
  return ids.outputId ? `${publicOutputPrefix(ids.outputId)}marker/${revision}/` : markerRevisionPrefix(ids, revision);
}

export const MARKER_FILES = {
  original: 'original',
  image: 'marker.jpg',
  webp: 'marker.webp',
  thumbnail: 'thumbnail.jpg',
  mind: 'target.mind',
} as const;

/** The original stays private; the compiled files go where viewers load them. */
export function markerKey(ids: ArContentKeyIds, revision: number, file: keyof typeof MARKER_FILES): string {
  const prefix = file === 'original' ? markerRevisionPrefix(ids, revision) : markerOutputPrefix(ids, revision);
  return `${prefix}${MARKER_FILES[file]}`;
}

/** An order's private documents (invoices, print sheets); never under pub/. */
export function orderPrefix(companyId: string, orderId: string): string {
  return `${companyId}/orders/${orderId}/`;
}

/** An invoice's or credit note's PDF: named by the invoice id, written once and never replaced. */
export function invoicePdfKey(companyId: string, orderId: string, invoiceId: string): string {
  return `${orderPrefix(companyId, orderId)}invoices/${invoiceId}.pdf`;
}

/** An AR item's print file (under the item's prefix, so deleting the item deletes it). */
export function itemPrintKey(ids: ArContentKeyIds, printFileId: string): string {
  return `${arContentPrefix(ids)}print/${printFileId}.pdf`;
}

/** An order's print sheet. */
export function orderPrintKey(companyId: string, orderId: string, printFileId: string): string {
  return `${orderPrefix(companyId, orderId)}print/${printFileId}.pdf`;
}

/** A company's logo objects (private; never under pub/). */
export function companyLogoPrefix(companyId: string): string {
  return `${companyId}/logo/`;
}

/** Where a client uploads a new logo, one key per attempt; the completion copies it to a logo key no client can write. */
export function companyLogoUploadKey(companyId: string, attemptId: string): string {
  return `${companyLogoPrefix(companyId)}uploads/${attemptId}`;
}

/** A logo revision: a new random name for each upload, so a replaced logo never changes under a URL already given out. */
export function companyLogoKey(companyId: string, ext: 'png' | 'jpg'): string {
  return `${companyLogoPrefix(companyId)}${randomBytes(16).toString('hex')}.${ext}`;
}
