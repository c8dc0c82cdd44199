// The viewer manifest as the app keeps it: `viewer.manifest` answers are checked and normalized here, because a
// phone may run an older or newer app than the server and must never crash on a field it did not expect.
import { TRPCClientError } from '@arvlite/client';
import {
  chromaKeySchema,
  isLanguage,
  VIEWER_REASONS,
  type ChromaKey,
  type Language,
  type ViewerReason,
} from '@arvlite/contract';
import { errorCode } from '../lib/api-errors.ts';

/** Why a code shows nothing; UNAVAILABLE covers a reason this app version does not know yet. */
export type UnavailableReason = ViewerReason | 'UNAVAILABLE';

export interface ViewerManifest {
  version: string;
  title: string;
  marker: { imageUrl: string | null; mindUrl: string | null; widthMm: number | null };
  video: {
    mp4Url: string | null;
    hlsUrl: string | null;
    posterUrl: string | null;
    durationS: number | null;
    /** The colour to key out (a green screen); null when none, or when the server's answer is not one this app reads. */
    chromaKey: ChromaKey | null;
  };
  /** validUntil: epoch ms at which the server's choice of video may change; null when it does not. */
  selection: { rule: string | null; validUntil: number | null };
  playback: { autoplay: boolean; loop: boolean; muted: boolean };
  /** The company's default language for its viewer pages; null when the server does not say. */
  language: Language | null;
}

export type ManifestAnswer =
  | { kind: 'manifest'; manifest: ViewerManifest }
  | { kind: 'unavailable'; reason: UnavailableReason; language?: Language };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);

function instant(v: unknown): number | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return num(v);
}

/** The company's language, at the top of the answer or with the content. */
function languageOf(v: Record<string, unknown>): Language | undefined {
  const given = v.language ?? (isObject(v.content) ? v.content.language : undefined);
  return isLanguage(given) ? given : undefined;
}

function asReason(v: unknown): UnavailableReason | null {
  if (typeof v !== 'string') return null;
  return (VIEWER_REASONS as readonly string[]).includes(v) ? (v as UnavailableReason) : 'UNAVAILABLE';
}

/** A chroma key as the contract defines it; anything else (a newer server's shape) is treated as none. */
function chromaKeyOf(v: unknown): ChromaKey | null {
  const parsed = chromaKeySchema.safeParse(v);
  return parsed.success ? parsed.data : null;
}

/** Normalizes a manifest; null when it lacks what any playback needs (a version and a video URL). */
export function parseManifest(v: unknown): ViewerManifest | null {
  if (!isObject(v)) return null;
  const version = typeof v.version === 'number' ? String(v.version) : str(v.version);
  const video = isObject(v.video) ? v.video : {};
  const mp4Url = str(video.mp4Url);
  const hlsUrl = str(video.hlsUrl);
  if (version === null || (mp4Url === null && hlsUrl === null)) return null;
  const content = isObject(v.content) ? v.content : {};
  const marker = isObject(v.marker) ? v.marker : {};
  const selection = isObject(v.selection) ? v.selection : {};
  const playback = isObject(v.playback) ? v.playback : {};
  return {
    version,
    title: str(content.title) ?? '',
    marker: { imageUrl: str(marker.imageUrl), mindUrl: str(marker.mindUrl), widthMm: num(marker.widthMm) },
    video: {
      mp4Url,
      hlsUrl,
      posterUrl: str(video.posterUrl),
      durationS: num(video.durationS),
      chromaKey: chromaKeyOf(video.chromaKey),
    },
    selection: { rule: str(selection.rule), validUntil: instant(selection.validUntil) },
    playback: {
      autoplay: bool(playback.autoplay, true),
      loop: bool(playback.loop, true),
      muted: bool(playback.muted, false),
    },
    language: languageOf(v) ?? null,
  };
}

/**
 * Reads an answer of `viewer.manifest`: the manifest itself, or a typed reason, whether sent bare (`{ reason }`) or
 * wrapped (`{ manifest }`, `{ ok, reason }`).
 */
export function parseManifestAnswer(answer: unknown): ManifestAnswer {
  if (isObject(answer)) {
    const reason = asReason(answer.reason);
    if (reason && answer.version === undefined) {
      const language = languageOf(answer);
      return language ? { kind: 'unavailable', reason, language } : { kind: 'unavailable', reason };
    }
    const manifest = parseManifest(isObject(answer.manifest) ? answer.manifest : answer);
    if (manifest) return { kind: 'manifest', manifest };
  }
  return { kind: 'unavailable', reason: 'UNAVAILABLE' };
}

/** A typed reason carried by an error answer (NOT_FOUND, or a reason in the error's data); null for other errors. */
export function reasonFromError(err: unknown): UnavailableReason | null {
  if (!(err instanceof TRPCClientError)) return null;
  const data = err.data as Record<string, unknown> | undefined;
  const explicit = asReason(data?.reason);
  if (explicit) return explicit;
  return errorCode(err) === 'NOT_FOUND' ? 'NOT_FOUND' : null;
}

/** The part of a URL that names the object, without the signature that changes on every manifest. */
export function urlIdentity(url: string): string {
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}
