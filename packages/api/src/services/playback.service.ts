// Playback URLs: presigned objects, and HLS/WebVTT text rewritten so every URI inside it is signed too.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Video, type VideoRecord } from '@arvlite/db';
import { isOutputId, isPublicKey, videoKeyIds, videoOutputPrefix } from '@arvlite/domain';
import { isNotFound } from '@arvlite/storage';
import type { ApiDeps } from '../context.ts';

const keys = new Map<string, KeyObject>();

/**
 * The signature of a /media URL: one file of one video, until `exp` (seconds). A playlist's signature opens nothing
 * else; the playlists it names are signed each for itself when it is served.
 */
export function signMediaPath(secret: string, videoId: string, file: string, exp: number): string {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret))));
  return createHmac('sha256', key).update(`media:v2:${videoId}/${file}:${exp}`).digest('base64url');
}

/** `mediaId` is the video's outputs id (opaque); only rows older than output ids are named by their video id. */
function mediaUrl(deps: Pick<ApiDeps, 'config'>, mediaId: string, file: string, exp: number): string {
  const sig = signMediaPath(deps.config.media.urlSigningKey, mediaId, file, exp);
  return `${deps.config.http.publicUrl}/media/${mediaId}/${file}?exp=${exp}&sig=${sig}`;
}

/**
 * How media URLs handed out at `now` are signed: in periods of half MEDIA_URL_TTL_S, every URL is signed at its
 * period's start and valid MEDIA_URL_TTL_S from then. So each has at least half its lifetime left when handed out, and
 * an object's URL is the same all period long: a browser reuses what it cached from it (outputs are stored
 * `max-age` a year) instead of downloading the poster and the video again on every visit.
 */
export function signingWindow(urlTtlS: number, now = Date.now()) {
  const periodS = Math.max(1, Math.floor(urlTtlS / 2));
  const period = Math.floor(now / 1000 / periodS);
  const startS = period * periodS;
  return { period, signedAt: startS * 1000, expiresIn: urlTtlS, exp: startS + urlTtlS };
}

/** A presigned GET of `key` in the current signing window (signingWindow). */
export function presignInWindow(deps: Pick<ApiDeps, 'config' | 'storage'>, key: string, now = Date.now()) {
  const w = signingWindow(deps.config.media.urlTtlS, now);
  return deps.storage.presignGet(key, w.expiresIn, w.signedAt);
}

/** What playback URLs are made from: a Video, or the same fields as plain data. */
type PlaybackSource = Pick<VideoRecord, 'id' | 'outputId' | 'outputs' | 'playableAt' | 'company' | 'project'>;

function prefixOf(v: PlaybackSource) {
  return videoOutputPrefix(videoKeyIds(v));
}

function mediaIdOf(v: Pick<PlaybackSource, 'id' | 'outputId'>): string {
  return v.outputId ?? v.id;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** URLs a player needs, valid for MEDIA_URL_TTL_S (or permanent under MEDIA_PUBLIC_BASE_URL). */
export async function playbackUrls(deps: Pick<ApiDeps, 'config' | 'storage'>, video: PlaybackSource) {
  const outputs = video.outputs ?? {};
  if (!video.playableAt || !outputs.master) return null;
  const renditions = Object.values(outputs.renditions ?? {});
  const ladder = renditions.filter((r) => r.ladder).sort((a, b) => b.height * b.width - a.height * a.width);
  // Phones and AR: the largest rendition up to 720p, else whatever plays.
  const mp4 = ladder.find((r) => Math.min(r.width, r.height) <= 720) ?? ladder.at(-1) ?? renditions[0];
  const prefix = prefixOf(video);
  const { publicBaseUrl, urlTtlS } = deps.config.media;
  const window = signingWindow(urlTtlS);
  const exp = window.exp;
  // Published only from the public prefix; a row older than output ids is served signed even then.
  const published = !!publicBaseUrl && isPublicKey(prefix);
  const object = (file: string) =>
    published
      ? `${publicBaseUrl}/${prefix}${file}`
      : deps.storage.presignGet(`${prefix}${file}`, window.expiresIn, window.signedAt);
  const routed = (file: string) =>
    published ? `${publicBaseUrl}/${prefix}${file}` : mediaUrl(deps, mediaIdOf(video), file, exp);
  return {
    hlsUrl: routed(outputs.master),
    mp4Url: mp4 ? await object(mp4.mp4) : null,
    posterUrl: outputs.poster ? await object(outputs.poster.jpeg) : null,
    posterWebpUrl: outputs.poster ? await object(outputs.poster.webp) : null,
    storyboardVttUrl: outputs.storyboard ? routed(outputs.storyboard.vtt) : null,
    expiresAt: published ? null : new Date(exp * 1000),
  };
}

/**
 * The stacked-alpha rendition (colour | matte, H.264) of a video with transparency, signed like its MP4; null when it
 * has none.
 */
export async function stackedAlphaUrl(
  deps: Pick<ApiDeps, 'config' | 'storage'>,
  video: PlaybackSource,
): Promise<{ layout: 'side-by-side'; mp4Url: string } | null> {
  const alpha = video.outputs?.alpha;
  if (!video.playableAt || !alpha) return null;
  const prefix = prefixOf(video);
  const { publicBaseUrl } = deps.config.media;
  const mp4Url =
    publicBaseUrl && isPublicKey(prefix)
      ? `${publicBaseUrl}/${prefix}${alpha.mp4}`
      : await presignInWindow(deps, `${prefix}${alpha.mp4}`);
  return { layout: alpha.layout, mp4Url };
}

/** A /media request that is refused or names nothing: answered 404, alike for every reason. */
export class PlaybackDenied extends Error {}

/** Storage failed while serving /media: answered 503 with a generic message; the cause goes to the log only. */
export class PlaybackUnavailable extends Error {}

/** Clocks of servers behind one load balancer may differ by this much. */
const CLOCK_SKEW_S = 60;

/**
 * Serves an HLS playlist or the storyboard WebVTT with every relative URI rewritten: playlists to this same
 * route (signed alike), segments and images to presigned storage URLs that expire with the signature.
 */
export async function signedMediaText(
  deps: Pick<ApiDeps, 'config' | 'storage' | 'orm'>,
  /** `videoId`: the id in the URL, the video's outputs id (or, for rows older than output ids, its row id). */
  params: { videoId: string; file: string; exp: string; sig: string },
): Promise<{ body: string; contentType: string }> {
  const exp = Number(params.exp);
  const now = Math.floor(Date.now() / 1000);
  // No URL this server issues lives longer than MEDIA_URL_TTL_S.
  const latest = now + deps.config.media.urlTtlS + CLOCK_SKEW_S;
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(params.sig) || !Number.isInteger(exp) || exp < now || exp > latest) {
    throw new PlaybackDenied('expired or malformed');
  }
  if (!/^[A-Za-z0-9_.-]{1,100}\.(m3u8|vtt)$/.test(params.file)) throw new PlaybackDenied('not a playlist');
  const expected = Buffer.from(signMediaPath(deps.config.media.urlSigningKey, params.videoId, params.file, exp));
  const given = Buffer.from(params.sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new PlaybackDenied('bad signature');
  // The URL names a video by its outputs id; by its row id only while it has none (rows older than output ids).
  const byId = isOutputId(params.videoId)
    ? { outputId: params.videoId }
    : UUID.test(params.videoId)
      ? { id: params.videoId, outputId: null }
      : null;
  if (!byId) throw new PlaybackDenied('malformed id');
  const video = await deps.orm.fork().findOne(Video, { ...byId, deletedAt: null }, { populate: ['project'] });
  if (!video) throw new PlaybackDenied('gone');
  const prefix = prefixOf(video);
  const text = await deps.storage.getText(`${prefix}${params.file}`).catch((e: unknown) => {
    if (isNotFound(e)) throw new PlaybackDenied('missing');
    throw new PlaybackUnavailable('storage failed', { cause: e });
  });
  // Segments and images are signed at the start of the playlist URL's window (signingWindow), so a playlist served again
  // in the same period names the same URLs, and what a player cached from them is reused.
  const signedAtS = Math.min(now, exp - deps.config.media.urlTtlS);
  const ttl = Math.max(60, exp - signedAtS);
  const sign1 = async (uri: string) => {
    if (/^[a-z]+:/i.test(uri)) return uri;
    const [file, fragment] = uri.split('#');
    if (!/^[A-Za-z0-9_.-]+$/.test(file ?? '')) return uri;
    if (file!.endsWith('.m3u8')) return mediaUrl(deps, mediaIdOf(video), file!, exp);
    const url = await deps.storage.presignGet(`${prefix}${file}`, ttl, signedAtS * 1000).catch((e: unknown) => {
      throw new PlaybackUnavailable('presigning failed', { cause: e });
    });
    return fragment ? `${url}#${fragment}` : url;
  };
  const lines = text.split('\n');
  if (params.file.endsWith('.m3u8')) {
    const out = await Promise.all(
      lines.map(async (line) => {
        if (line && !line.startsWith('#')) return sign1(line.trim());
        return line;
      }),
    );
    return { body: out.join('\n'), contentType: 'application/vnd.apple.mpegurl' };
  }
  const out = await Promise.all(
    lines.map(async (line) => (/^[A-Za-z0-9_.-]+\.(jpg|webp)(#.*)?$/.test(line.trim()) ? sign1(line.trim()) : line)),
  );
  return { body: out.join('\n'), contentType: 'text/vtt; charset=utf-8' };
}
