// The API read baseline: `GET /trpc/video.byId` answered by hand. The bearer token is checked with node:crypto's
// HMAC (HS256, issuer, audience, expiry), then three prepared statements (the live user, the video joined to the
// caller's membership, its steps) and a hand-built response in the same superjson envelope, byte for byte, as ours.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { loadConfig } from '@arvlite/config';
import type { FastifyRequest } from 'fastify';
import type { BaselineRoute } from '../baseline-server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROLES = ['viewer', 'editor', 'admin', 'owner'];
const MEDIA_KEYS = [
  'durationS',
  'width',
  'height',
  'rotation',
  'fps',
  'isVfr',
  'videoCodec',
  'pixFmt',
  'bitDepth',
  'hasAudio',
  'audioCodec',
  'bitrate',
  'isHdr',
  'container',
  'isStandard',
] as const;

interface Settings {
  key: KeyObject;
  issuer: string;
  audience: string;
  publicBaseUrl: string;
}

// Read on first use: this module is loaded by the baseline server process, whose environment carries the settings.
let settings: Settings | undefined;
function config(): Settings {
  if (!settings) {
    const c = loadConfig();
    if (!c.auth.jwtSecret) throw new Error('AUTH_JWT_SECRET is required (pnpm bench sets a random one)');
    if (!c.media.publicBaseUrl) throw new Error('MEDIA_PUBLIC_BASE_URL is required: signed URLs differ per request');
    settings = {
      key: createSecretKey(Buffer.from(c.auth.jwtSecret)),
      issuer: c.auth.issuer,
      audience: c.auth.audience,
      publicBaseUrl: c.media.publicBaseUrl,
    };
  }
  return settings;
}

function json64(part: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The `sid` claim of a bearer token that verifyBearer accepted (every access token names its session). */
function sessionIdOf(header: string | undefined): string | null {
  const sid = json64(header?.split('.')[1] ?? '')?.sid;
  return typeof sid === 'string' ? sid : null;
}

/** The same checks as ours (jose's jwtVerify): HS256 only, signature, issuer, audience, exp, iat and sub present. */
export function verifyBearer(header: string | undefined, s: Settings): string | null {
  if (!header?.startsWith('Bearer ')) return null;
  const token = header.slice(7);
  if (token.length > 4096) return null;
  const [h, p, sig, extra] = token.split('.');
  if (!h || !p || !sig || extra !== undefined) return null;
  const expected = createHmac('sha256', s.key).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (json64(h)?.alg !== 'HS256') return null;
  const claims = json64(p);
  if (!claims) return null;
  const now = Math.floor(Date.now() / 1000);
  const aud = claims.aud;
  if (typeof claims.exp !== 'number' || claims.exp <= now) return null;
  if (typeof claims.iat !== 'number' || claims.iss !== s.issuer) return null;
  if (aud !== s.audience && !(Array.isArray(aud) && aud.includes(s.audience))) return null;
  if (typeof claims.sid !== 'string') return null;
  return typeof claims.sub === 'string' ? claims.sub : null;
}

function videoIdOf(req: FastifyRequest): string | null {
  const raw = (req.query as { input?: string }).input;
  if (typeof raw !== 'string') return null;
  try {
    const id = (JSON.parse(raw) as { json?: { id?: unknown } }).json?.id;
    return typeof id === 'string' && UUID.test(id) ? id : null;
  } catch {
    return null;
  }
}

interface VideoRow {
  id: string;
  company_id: string;
  project_id: string;
  title: string;
  description: string | null;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  file_name: string;
  content_type: string;
  size_bytes: string;
  stored_bytes: string;
  container: string | null;
  output_id: string | null;
  chroma_key: Record<string, unknown> | null;
  media: Record<string, unknown> | null;
  outputs: Outputs | null;
  analysis: Record<string, unknown> | null;
  uploaded_at: Date | null;
  playable_at: Date | null;
  ready_at: Date | null;
  created_at: Date;
  updated_at: Date;
  role: string;
}

interface StepRow {
  name: string;
  status: string;
  progress: number;
  attempts: number;
  started_at: Date | null;
  finished_at: Date | null;
  error_code: string | null;
  error_message: string | null;
}

interface Rendition {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  codecs: string;
  sizeBytes: number;
  hasAudio: boolean;
  durationS: number;
  mp4: string;
  ladder: boolean;
}

interface Outputs {
  master?: string;
  renditions?: Record<string, Rendition>;
  poster?: { jpeg: string; webp: string };
  storyboard?: { vtt: string };
}

export const apiReadRoutes: BaselineRoute[] = [
  {
    method: 'GET',
    url: '/trpc/video.byId',
    authenticate: (req) => verifyBearer(req.headers.authorization, config()),
    statements: [
      {
        // As ours: the user, only while the access token's session (refresh-token family) is not revoked.
        name: 'live_user',
        sql: `select id, disabled_at from app_user u where id = $1
              and exists (select 1 from refresh_token r where r.family_id = $2 and r.user_id = u.id and r.revoked_at is null)`,
        params: (req, _previous, userId) => [userId, sessionIdOf(req.headers.authorization)],
      },
      {
        // The tenant check and the row in one: no membership, no row.
        name: 'video_for_member',
        sql: `select v.id, v.company_id, v.project_id, v.title, v.description, v.status, v.failure_code,
                     v.failure_message, v.file_name, v.content_type, v.size_bytes, v.stored_bytes, v.container,
                     v.output_id, v.chroma_key, v.media, v.outputs, v.analysis, v.uploaded_at, v.playable_at, v.ready_at, v.created_at,
                     v.updated_at, m.role
              from video v join membership m on m.company_id = v.company_id and m.user_id = $2
              where v.id = $1 and v.deleted_at is null`,
        params: (req, _previous, userId) => [videoIdOf(req), userId],
      },
      {
        name: 'video_steps',
        sql: `select name, status, progress, attempts, started_at, finished_at, error_code, error_message
              from video_step where video_id = $1 order by position`,
        params: (req) => [videoIdOf(req)],
      },
    ],
    // Only the success path is measured and byte-compared; the error answers just carry the right status.
    render([users, videos, stepRows]) {
      const user = users!.rows[0] as { disabled_at: Date | null } | undefined;
      if (!user || user.disabled_at) return { status: 401, body: '{"error":"unauthorized"}' };
      const v = videos!.rows[0] as VideoRow | undefined;
      if (!v || !ROLES.includes(v.role)) return { status: 404, body: '{"error":"not found"}' };
      return { body: renderVideo(v, stepRows!.rows as StepRow[]) };
    },
  },
];

/** videoDetail's shape, with Dates as ISO strings and superjson's `meta.values` written alongside. */
function renderVideo(v: VideoRow, stepRows: StepRow[]): string {
  const dates: string[] = [];
  const date = (path: string, d: Date | null) => {
    if (!d) return null;
    dates.push(path);
    return d.toISOString();
  };
  let progress = 100;
  if (v.status !== 'READY') {
    let total = 0;
    let done = 0;
    for (const s of stepRows) {
      const w = s.name.startsWith('rendition:') || s.name === 'playable' ? 3 : 1;
      total += w;
      done += (s.status === 'done' || s.status === 'skipped' ? 100 : s.progress) * w;
    }
    progress = total ? Math.round(done / total) : 0;
  }
  // superjson lists annotated paths in the order it walks the object: the top-level dates, then the steps'.
  const uploadedAt = date('uploadedAt', v.uploaded_at);
  const playableAt = date('playableAt', v.playable_at);
  const readyAt = date('readyAt', v.ready_at);
  const createdAt = date('createdAt', v.created_at);
  const updatedAt = date('updatedAt', v.updated_at);
  const outputs = v.outputs ?? {};
  const steps = stepRows.map((s, i) => ({
    name: s.name,
    status: s.status,
    progress: s.status === 'done' ? 100 : s.progress,
    attempts: s.attempts,
    startedAt: date(`steps.${i}.startedAt`, s.started_at),
    finishedAt: date(`steps.${i}.finishedAt`, s.finished_at),
    durationMs: s.started_at && s.finished_at ? s.finished_at.getTime() - s.started_at.getTime() : null,
    error: s.error_code ? { code: s.error_code, message: s.error_message ?? '' } : null,
  }));
  const media = v.media ? Object.fromEntries(MEDIA_KEYS.map((k) => [k, v.media![k] ?? null])) : null;
  const renditions = Object.values(outputs.renditions ?? {});
  const body = {
    id: v.id,
    projectId: v.project_id,
    title: v.title,
    description: v.description,
    status: v.status,
    failure: v.failure_code ? { code: v.failure_code, message: v.failure_message ?? '' } : null,
    fileName: v.file_name,
    contentType: v.content_type,
    sizeBytes: Number(v.size_bytes),
    container: v.container,
    chromaKey: v.chroma_key,
    upload: null,
    uploadedAt,
    playableAt,
    readyAt,
    createdAt,
    updatedAt,
    progress,
    steps,
    media,
    analysis: v.analysis,
    renditions: renditions
      .filter((r) => r.ladder)
      .map((r) => ({
        name: r.name,
        width: r.width,
        height: r.height,
        bandwidth: r.bandwidth,
        codecs: r.codecs,
        sizeBytes: r.sizeBytes,
        hasAudio: r.hasAudio,
        durationS: r.durationS,
      })),
    storedBytes: Number(v.stored_bytes),
    playback: playback(v, outputs, renditions),
  };
  const values = Object.fromEntries(dates.map((p) => [p, ['Date']]));
  const meta = dates.length > 0 ? `,"meta":{"values":${JSON.stringify(values)},"v":1}` : '';
  return `{"result":{"data":{"json":${JSON.stringify(body)}${meta}}}}`;
}

/**
 * playbackUrls under MEDIA_PUBLIC_BASE_URL: plain URLs, no signatures, no expiry. Only a video with an outputs id is
 * published (its outputs under pub/<outputId>/); the bench's video has one, as every video made since.
 */
function playback(v: VideoRow, outputs: Outputs, renditions: Rendition[]) {
  if (!v.playable_at || !outputs.master) return null;
  if (!v.output_id || !/^[0-9a-f]{32}$/.test(v.output_id)) throw new Error('the bench video has no outputs id');
  const ladder = renditions.filter((r) => r.ladder).sort((a, b) => b.height * b.width - a.height * a.width);
  const mp4 = ladder.find((r) => Math.min(r.width, r.height) <= 720) ?? ladder.at(-1) ?? renditions[0];
  const base = `${config().publicBaseUrl}/pub/${v.output_id}/`;
  return {
    hlsUrl: base + outputs.master,
    mp4Url: mp4 ? base + mp4.mp4 : null,
    posterUrl: outputs.poster ? base + outputs.poster.jpeg : null,
    posterWebpUrl: outputs.poster ? base + outputs.poster.webp : null,
    storyboardVttUrl: outputs.storyboard ? base + outputs.storyboard.vtt : null,
    expiresAt: null,
  };
}
