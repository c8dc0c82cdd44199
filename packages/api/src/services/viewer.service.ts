// The public viewer API: the manifest an AR app needs for a scanned code, and view sessions for analytics. No sign-in.
import { createHash, createHmac } from 'node:crypto';
import type { ServiceConfig } from '@arvlite/config';
import type { ChromaKey, Language } from '@arvlite/contract';
import {
  ArContent,
  Company,
  Project,
  ViewSession,
  type DevicePlatform,
  type ScanContent,
  type ScanVideo,
} from '@arvlite/db';
import { selectActiveVideo, type SelectionRule } from '@arvlite/contract';
import type { ViewStageReport } from '@arvlite/contract';
import type { EntityManager } from '@arvlite/db';
import { clientIpBucket, hitRateLimit } from '../auth/rate-limit.ts';
import type { Context } from '../context.ts';
import { ConflictError, DomainError, NotFoundError } from '../errors.ts';
import { objectUrl } from './ar-content.service.ts';
import { playbackUrls, signingWindow, stackedAlphaUrl } from './playback.service.ts';
import { scheduleOf } from './playlist.service.ts';
import { recordStagesAtEnd, reportStage as recordStage } from './view-stages.service.ts';

type PublicCtx = Pick<Context, 'em' | 'config' | 'storage' | 'ip'>;

export type ManifestReason = 'NOT_FOUND' | 'COMPANY_SUSPENDED' | 'EXPIRED' | 'MARKER_PROCESSING' | 'NO_PLAYABLE_VIDEO';

/**
 * What `viewer.manifest` answers: `ok: true` with exactly these fields, or `ok: false` with a reason the app can show.
 * Nothing private (customer data, company or project ids, storage keys) ever appears here. `language` is the company's
 * language for its viewer pages (a visitor's own choice wins over it); a NOT_FOUND answer has none, so it says
 * nothing about whether the code exists.
 */
export type ViewerManifest =
  | {
      ok: true;
      version: number;
      language: Language;
      content: { title: string };
      marker: { imageUrl: string; mindUrl: string; widthMm: number | null };
      video: {
        hlsUrl: string;
        mp4Url: string | null;
        posterUrl: string | null;
        durationS: number | null;
        /** The colour to key out (a green screen), or null. */
        chromaKey: ChromaKey | null;
        /** For a video with transparency: its colour and matte side by side in H.264, for the viewer to compose. */
        alpha: { layout: 'side-by-side'; mp4Url: string } | null;
      };
      selection: { rule: Exclude<SelectionRule, 'none'>; validUntil: Date | null };
      playback: { autoplay: boolean; loop: boolean; muted: boolean };
    }
  | { ok: false; reason: ManifestReason; language?: Language };

/** One budget per client IP for every viewer call; a scan is a manifest, a session start and a session end. */
async function limitPerIp(ctx: PublicCtx) {
  await hitRateLimit(ctx.em, {
    key: `viewer:ip:${clientIpBucket(ctx.ip)}`,
    max: ctx.config.viewer.rateLimitPerMinute,
    windowS: 60,
  });
}

type Resolved =
  | { ok: true; content: ScanContent; video: ScanVideo; rule: Exclude<SelectionRule, 'none'>; validUntil: Date | null }
  | { ok: false; reason: ManifestReason; language?: Language };

/**
 * Precedence of reasons: unknown, deleted, archived, draft or not yet active → NOT_FOUND; the company suspended by the
 * platform operator → COMPANY_SUSPENDED; past expiresAt → EXPIRED;
 * no compiled marker yet → MARKER_PROCESSING; nothing in the playlist can play now → NO_PLAYABLE_VIDEO.
 */
async function resolve(ctx: PublicCtx, publicId: string, now: Date): Promise<Resolved> {
  // One statement: the item, its company, playlist, videos and rules (the reasons below need all of them or none), as
  // plain data: a scan only reads.
  const found = await ctx.em.getRepository(ArContent).readByPublicId(publicId);
  if (!found) return { ok: false, reason: 'NOT_FOUND' };
  const content = found.arContent;
  if (content.deletedAt || content.status === 'ARCHIVED' || content.status === 'DRAFT')
    return { ok: false, reason: 'NOT_FOUND' };
  if (content.activeFrom && content.activeFrom > now) return { ok: false, reason: 'NOT_FOUND' };
  const { language } = content.company;
  // The platform operator suspended the company: nothing is deleted, and the link works again once it is resumed.
  if (content.company.suspended) return { ok: false, reason: 'COMPANY_SUSPENDED', language };
  if (content.expiresAt && content.expiresAt <= now) return { ok: false, reason: 'EXPIRED', language };
  // A replacement marker being compiled leaves the published one in service.
  if (!content.markerMindKey || !content.markerImageKey) return { ok: false, reason: 'MARKER_PROCESSING', language };
  const { scheduled, playlist, videos } = scheduleOf(
    content,
    found.videos.map((video) => ({ video })),
    found.rules,
  );
  const selection = selectActiveVideo(scheduled, playlist, now);
  const video = selection.videoId ? videos.get(selection.videoId) : undefined;
  if (!video || selection.rule === 'none') return { ok: false, reason: 'NO_PLAYABLE_VIDEO', language };
  const ends = [selection.validUntil, content.expiresAt].filter((d): d is Date => !!d).map((d) => d.getTime());
  return {
    ok: true,
    content,
    video,
    rule: selection.rule,
    validUntil: ends.length ? new Date(Math.min(...ends)) : null,
  };
}

export async function manifest(ctx: PublicCtx, input: { publicId: string }): Promise<ViewerManifest> {
  await limitPerIp(ctx);
  const r = await resolve(ctx, input.publicId, new Date());
  if (!r.ok) return r;
  const { content, video } = r;
  const { language } = content.company;
  const urls = await playbackUrls(ctx, r.video);
  if (!urls) return { ok: false, reason: 'NO_PLAYABLE_VIDEO', language };
  return {
    ok: true,
    version: content.version,
    language,
    content: { title: content.title },
    marker: {
      imageUrl: (await objectUrl(ctx, content.markerImageKey))!,
      mindUrl: (await objectUrl(ctx, content.markerMindKey))!,
      widthMm: content.widthMm ?? null,
    },
    video: {
      hlsUrl: urls.hlsUrl,
      mp4Url: urls.mp4Url,
      posterUrl: urls.posterUrl,
      durationS: video.media?.durationS ?? null,
      chromaKey: video.chromaKey ?? null,
      alpha: await stackedAlphaUrl(ctx, r.video),
    },
    selection: { rule: r.rule, validUntil: r.validUntil },
    playback: { autoplay: content.autoplay, loop: content.loop, muted: content.muted },
  };
}

/**
 * Cache headers for a manifest. Signed URLs change with the signing period (signingWindow), so the ETag covers what
 * they point at (URLs without their query) plus the period: a 304 never keeps a client on URLs older than half their
 * lifetime.
 */
export function manifestCacheHeaders(
  config: ServiceConfig,
  body: ViewerManifest,
  now = Date.now(),
): Record<string, string> {
  const { publicBaseUrl, urlTtlS } = config.media;
  const period = publicBaseUrl ? 0 : signingWindow(urlTtlS, now).period;
  const stable = JSON.stringify(body, (_k, v: unknown) =>
    typeof v === 'string' && /^https?:\/\//.test(v) ? v.split('?')[0] : v,
  );
  const etag = `"${createHash('sha256').update(`${period}:${stable}`).digest('base64url').slice(0, 32)}"`;
  let maxAge = body.ok ? Math.min(60, Math.floor(urlTtlS / 4)) : 10;
  if (body.ok && body.selection.validUntil)
    maxAge = Math.min(maxAge, Math.max(0, Math.floor((body.selection.validUntil.getTime() - now) / 1000)));
  return { etag, 'cache-control': `public, max-age=${maxAge}` };
}

/** Keyed hashes: countable and comparable, but neither an IP address nor a device id can be read back. */
function keyedHash(config: ServiceConfig, what: string, value: string): string {
  return createHmac('sha256', config.viewer.hashKey).update(`view-session:${what}:${value}`).digest('base64url');
}

export interface DeviceInput {
  platform: DevicePlatform;
  model?: string;
  os?: string;
  appVersion?: string;
  /** A random id the app keeps per install; without it, unique devices are approximated from IP and device fields. */
  installId?: string;
}

/** How far back an app may date a session it could not send at the time (offline viewing). */
export const SESSION_BACKDATE_MAX_MS = 7 * 24 * 3600 * 1000;

/**
 * Opens a viewing session. `startedAgoMs` dates a session the app recorded offline and sends later. It is an age, not
 * a time, so a phone's wrong clock does not matter; the playlist is resolved as of then, so the session counts for
 * the video that was playing.
 */
export async function startSession(
  ctx: PublicCtx,
  input: { publicId: string; device: DeviceInput; startedAgoMs?: number; from?: 'open' | 'first-frame' },
) {
  await limitPerIp(ctx);
  const startedAt = new Date(Date.now() - Math.min(input.startedAgoMs ?? 0, SESSION_BACKDATE_MAX_MS));
  const r = await resolve(ctx, input.publicId, startedAt);
  if (!r.ok) {
    if (r.reason === 'NOT_FOUND') throw new NotFoundError('AR content');
    throw new DomainError('CONFLICT', 'This AR content cannot be viewed now', { reason: r.reason });
  }
  const { device } = input;
  const ip = ctx.ip ?? 'unknown';
  const session = ctx.em.create(ViewSession, {
    arContent: ctx.em.getReference(ArContent, r.content.id),
    company: ctx.em.getReference(Company, r.content.company.id),
    project: ctx.em.getReference(Project, r.content.project.id),
    videoId: r.video.id,
    platform: device.platform,
    deviceModel: device.model ?? null,
    deviceOs: device.os ?? null,
    appVersion: device.appVersion ?? null,
    deviceHash: keyedHash(
      ctx.config,
      'device',
      device.installId
        ? `install:${device.installId}`
        : `ip:${ip}|${device.platform}|${device.model ?? ''}|${device.os ?? ''}`,
    ),
    ipHash: keyedHash(ctx.config, 'ip', ip),
    startedAt,
    // From the page opening: the view records its stages, and counts as a view once its video plays.
    fromOpen: input.from === 'open',
    played: input.from !== 'open',
  } as ViewSession);
  await ctx.em.flush();
  return { sessionId: session.id };
}

/** One stage of a running view (view-stages.service.ts), counted against the viewer's rate limit. */
export async function reportStage(ctx: PublicCtx, input: { sessionId: string } & ViewStageReport) {
  await limitPerIp(ctx);
  return recordStage(ctx.em, input);
}

/** Slack for clock and network delays when checking reported watch time against the session's real length. */
const WATCH_SLACK_MS = 5000;

/**
 * Ends a session once. `endedAgoMs` (sessions sent late) dates the end, never before the session's start; watchedMs
 * is clamped to the session's length (plus a little slack).
 */
export async function endSession(
  ctx: PublicCtx,
  input: {
    sessionId: string;
    watchedMs: number;
    trackingLostCount: number;
    completed: boolean;
    endedAgoMs?: number;
    stages?: ViewStageReport[];
  },
) {
  await limitPerIp(ctx);
  const rows = await ctx.em.transactional(async (tem) => {
    // The stages the view reached, those that never arrived on their own recorded now (view-stages.service.ts).
    await recordStagesAtEnd(tem, input.sessionId, input.stages ?? []);
    return endOnce(tem, input);
  });
  if (rows.length === 0) {
    const exists = await ctx.em.count(ViewSession, { id: input.sessionId });
    if (exists) throw new ConflictError('This session has already ended');
    throw new NotFoundError('Session');
  }
  return { ok: true as const };
}

function endOnce(
  tem: EntityManager,
  input: { sessionId: string; watchedMs: number; trackingLostCount: number; completed: boolean; endedAgoMs?: number },
) {
  return tem.execute<{ id: string }[]>(
    `with t as (select greatest(started_at, now() - make_interval(secs => ? / 1000.0)) as ended_at
                  from view_session where id = ? and ended_at is null)
     update view_session v set ended_at = t.ended_at, end_reason = 'client',
       watched_ms = least(?::int, (extract(epoch from t.ended_at - v.started_at) * 1000)::bigint + ?)::int,
       tracking_lost_count = ?, completed = ?, played = v.played or ?::int > 0
     from t where v.id = ? and v.ended_at is null returning v.id`,
    [
      input.endedAgoMs ?? 0,
      input.sessionId,
      input.watchedMs,
      WATCH_SLACK_MS,
      input.trackingLostCount,
      input.completed,
      input.watchedMs,
      input.sessionId,
    ],
  );
}
