// The viewer manifest baseline: `GET /trpc/viewer.manifest` answered by hand. Two prepared statements, as ours: the
// per-IP rate-limit upsert (the same SQL), then the item with its company's timezone, its playlist's videos and its
// rules. Then the same reasons, the same playlist selection (selectActiveVideo, a pure function), the same signed URLs
// (SigV4 presigned object URLs and the HMAC-signed HLS route) and the same ETag, in the same superjson envelope.
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { loadConfig } from '@arvlite/config';
import { selectActiveVideo, type PlaylistRule } from '@arvlite/client';
import { Presigner } from '@arvlite/storage';
import type { FastifyRequest } from 'fastify';
import type { BaselineRoute } from '../baseline-server.ts';

const PUBLIC_ID = /^[A-Za-z0-9_-]{12,64}$/;

interface Settings {
  presigner: Presigner;
  urlTtlS: number;
  publicUrl: string;
  secret: KeyObject;
  maxPerMinute: number;
}

let settings: Settings | undefined;
function config(): Settings {
  if (!settings) {
    const c = loadConfig();
    if (!c.media.urlSigningKey) throw new Error('AUTH_JWT_SECRET is required (pnpm bench sets a random one)');
    if (!c.s3.forcePathStyle) throw new Error('the baseline signs path-style URLs only');
    if (!c.s3.publicEndpoint) throw new Error('S3_ENDPOINT is required');
    settings = {
      presigner: new Presigner({ ...c.s3, endpoint: c.s3.publicEndpoint }),
      urlTtlS: c.media.urlTtlS,
      publicUrl: c.http.publicUrl,
      secret: createSecretKey(Buffer.from(c.media.urlSigningKey)),
      maxPerMinute: c.viewer.rateLimitPerMinute,
    };
  }
  return settings;
}

function publicIdOf(req: FastifyRequest): string | null {
  const raw = (req.query as { input?: string }).input;
  if (typeof raw !== 'string') return null;
  try {
    const input = (JSON.parse(raw) as { json?: Record<string, unknown> }).json;
    if (!input || Object.keys(input).length !== 1) return null;
    return typeof input.publicId === 'string' && PUBLIC_ID.test(input.publicId) ? input.publicId : null;
  } catch {
    return null;
  }
}

interface Rendition {
  width: number;
  height: number;
  mp4: string;
  ladder: boolean;
}

interface PlaylistVideo {
  id: string;
  output_id: string | null;
  chroma_key: Record<string, unknown> | null;
  company_id: string;
  project_id: string;
  status: string;
  deleted_at: string | null;
  playable_at: string | null;
  duration_s: unknown;
  outputs: {
    master?: string;
    renditions?: Record<string, Rendition>;
    poster?: { jpeg: string };
    alpha?: { layout: 'side-by-side'; mp4: string };
  } | null;
}

interface RuleRow {
  id: string;
  kind: 'date' | 'window' | 'rotation';
  video_id: string | null;
  date: string | null;
  yearly: boolean;
  starts_at: string | null;
  ends_at: string | null;
  cycle: 'daily' | 'weekly' | 'random-daily' | null;
  video_ids: string[] | null;
  anchor_date: string | null;
}

interface ContentRow {
  id: string;
  title: string;
  status: string;
  deleted_at: Date | null;
  active_from: Date | null;
  expires_at: Date | null;
  marker_image_key: string | null;
  marker_mind_key: string | null;
  width_mm: number | null;
  version: number;
  autoplay: boolean;
  loop: boolean;
  muted: boolean;
  default_video_id: string | null;
  timezone: string;
  language: string;
  company_suspended: boolean;
  videos: PlaylistVideo[];
  rules: RuleRow[];
}

const toRule = (r: RuleRow): PlaylistRule =>
  r.kind === 'date'
    ? { id: r.id, kind: 'date', date: r.date!, yearly: r.yearly, videoId: r.video_id! }
    : r.kind === 'window'
      ? {
          id: r.id,
          kind: 'window',
          start: new Date(r.starts_at!),
          end: new Date(r.ends_at!),
          videoId: r.video_id!,
        }
      : {
          id: r.id,
          kind: 'rotation',
          cycle: r.cycle!,
          ...(r.video_ids ? { videoIds: r.video_ids } : {}),
          ...(r.anchor_date ? { anchorDate: r.anchor_date } : {}),
        };

const playable = (v: PlaylistVideo) => !v.deleted_at && v.status !== 'FAILED' && !!v.playable_at && !!v.outputs?.master;

export const viewerManifestRoutes: BaselineRoute[] = [
  {
    method: 'GET',
    url: '/trpc/viewer.manifest',
    statements: [
      {
        name: 'rate_limit_hit',
        sql: `insert into rate_limit (key, window_started_at, hits) values ($1, now(), 1)
              on conflict (key) do update set
                hits = case when rate_limit.window_started_at < now() - make_interval(secs => $2) then 1 else rate_limit.hits + 1 end,
                window_started_at = case when rate_limit.window_started_at < now() - make_interval(secs => $2) then now() else rate_limit.window_started_at end
              returning hits, ceil(extract(epoch from (window_started_at + make_interval(secs => $2) - now())))::int as retry_after_s`,
        params: (req) => [`viewer:ip:${req.ip}`.slice(0, 200), 60],
      },
      {
        name: 'manifest_content',
        sql: `select a.id, a.title, a.status, a.deleted_at, a.active_from, a.expires_at, a.marker_image_key,
                     a.marker_mind_key, a.width_mm, a.version, a.autoplay, a.loop, a.muted, a.default_video_id,
                     c.timezone, c.language, c.suspended_at is not null as company_suspended,
                     coalesce((select json_agg(json_build_object('id', v.id, 'output_id', v.output_id,
                                 'chroma_key', v.chroma_key, 'company_id', v.company_id,
                                 'project_id', v.project_id, 'status', v.status, 'deleted_at', v.deleted_at,
                                 'playable_at', v.playable_at, 'duration_s', v.media->'durationS', 'outputs', v.outputs)
                               order by i.position)
                               from ar_playlist_item i join video v on v.id = i.video_id
                               where i.ar_content_id = a.id), '[]') as videos,
                     coalesce((select json_agg(json_build_object('id', r.id, 'kind', r.kind, 'video_id', r.video_id,
                                 'date', r.date, 'yearly', r.yearly, 'starts_at', r.starts_at, 'ends_at', r.ends_at,
                                 'cycle', r.cycle, 'video_ids', r.video_ids, 'anchor_date', r.anchor_date)
                               order by r.position)
                               from ar_playlist_rule r where r.ar_content_id = a.id), '[]') as rules
              from ar_content a join company c on c.id = a.company_id
              where a.public_id = $1`,
        params: (req) => [publicIdOf(req)],
      },
    ],
    // Only the success path is measured and byte-compared; the other answers just carry the right status.
    render([limit, contents], req) {
      const s = config();
      const hit = limit!.rows[0] as { hits: number; retry_after_s: number };
      if (hit.hits > s.maxPerMinute) return { status: 429, body: '{"error":"too many requests"}' };
      if (!publicIdOf(req)) return { status: 400, body: '{"error":"bad input"}' };
      return manifest(s, contents!.rows[0] as ContentRow | undefined, new Date());
    },
  },
];

function answer(s: Settings, body: Record<string, unknown>, validUntil: Date | null, now: number) {
  const meta = validUntil ? `,"meta":{"values":{"selection.validUntil":["Date"]},"v":1}` : '';
  return {
    body: `{"result":{"data":{"json":${JSON.stringify(body)}${meta}}}}`,
    headers: cacheHeaders(s, body, validUntil, now),
  };
}

function manifest(s: Settings, a: ContentRow | undefined, now: Date) {
  const at = now.getTime();
  const notFound = answer(s, { ok: false, reason: 'NOT_FOUND' }, null, at);
  if (!a || a.deleted_at || a.status === 'ARCHIVED' || a.status === 'DRAFT') return notFound;
  if (a.active_from && a.active_from > now) return notFound;
  const reason = (r: string) => answer(s, { ok: false, reason: r, language: a.language }, null, at);
  if (a.company_suspended) return reason('COMPANY_SUSPENDED');
  if (a.expires_at && a.expires_at <= now) return reason('EXPIRED');
  if (!a.marker_mind_key || !a.marker_image_key) return reason('MARKER_PROCESSING');
  const selection = selectActiveVideo(
    { id: a.id, timeZone: a.timezone || 'UTC', defaultVideoId: a.default_video_id },
    {
      items: a.videos.map((v) => ({ videoId: v.id, playable: playable(v) })),
      rules: a.rules.map(toRule),
    },
    now,
  );
  const video = a.videos.find((v) => v.id === selection.videoId);
  if (!video || selection.rule === 'none' || !video.playable_at || !video.outputs?.master)
    return reason('NO_PLAYABLE_VIDEO');
  const ends = [selection.validUntil?.getTime(), a.expires_at?.getTime()].filter((t): t is number => t !== undefined);
  const validUntil = ends.length ? new Date(Math.min(...ends)) : null;

  const outputs = video.outputs;
  const renditions = Object.values(outputs.renditions ?? {});
  const ladder = renditions.filter((r) => r.ladder).sort((x, y) => y.height * y.width - x.height * x.width);
  const mp4 = ladder.find((r) => Math.min(r.width, r.height) <= 720) ?? ladder.at(-1) ?? renditions[0];
  // Outputs under pub/<outputId>/, named by that id on the /media route (the bench's videos have one).
  if (!video.output_id || !/^[0-9a-f]{32}$/.test(video.output_id)) throw new Error('the bench video has no outputs id');
  const prefix = `pub/${video.output_id}/`;
  const object = (key: string) => s.presigner.sign('GET', key, { 'x-id': 'GetObject' }, s.urlTtlS, now);
  const exp = Math.floor(at / 1000) + s.urlTtlS;
  const sig = createHmac('sha256', s.secret)
    .update(`media:v2:${video.output_id}/${outputs.master}:${exp}`)
    .digest('base64url');
  const body = {
    ok: true,
    version: a.version,
    language: a.language,
    content: { title: a.title },
    marker: {
      imageUrl: object(a.marker_image_key),
      mindUrl: object(a.marker_mind_key),
      widthMm: a.width_mm ?? null,
    },
    video: {
      hlsUrl: `${s.publicUrl}/media/${video.output_id}/${outputs.master}?exp=${exp}&sig=${sig}`,
      mp4Url: mp4 ? object(prefix + mp4.mp4) : null,
      posterUrl: outputs.poster ? object(prefix + outputs.poster.jpeg) : null,
      durationS: typeof video.duration_s === 'number' ? video.duration_s : null,
      chromaKey: video.chroma_key,
      alpha: outputs.alpha ? { layout: outputs.alpha.layout, mp4Url: object(prefix + outputs.alpha.mp4) } : null,
    },
    selection: { rule: selection.rule, validUntil: validUntil?.toISOString() ?? null },
    playback: { autoplay: a.autoplay, loop: a.loop, muted: a.muted },
  };
  return answer(s, body, validUntil, at);
}

/** manifestCacheHeaders: an ETag over the manifest with URLs cut at `?` plus the signing period, and a short max-age. */
function cacheHeaders(s: Settings, body: Record<string, unknown>, validUntil: Date | null, now: number) {
  const periodS = Math.max(1, Math.floor(s.urlTtlS / 2));
  const period = Math.floor(now / 1000 / periodS);
  const stable = JSON.stringify(body, (_k, v: unknown) =>
    typeof v === 'string' && /^https?:\/\//.test(v) ? v.split('?')[0] : v,
  );
  const etag = `"${createHash('sha256').update(`${period}:${stable}`).digest('base64url').slice(0, 32)}"`;
  let maxAge = body.ok ? Math.min(60, Math.floor(s.urlTtlS / 4)) : 10;
  if (body.ok && validUntil) maxAge = Math.min(maxAge, Math.max(0, Math.floor((validUntil.getTime() - now) / 1000)));
  return { etag, 'cache-control': `public, max-age=${maxAge}` };
}
