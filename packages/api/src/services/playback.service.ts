// Playback URLs: presigned objects, and HLS/WebVTT text rewritten so every URI inside it is signed too.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Video, type VideoRecord } from '@arvlite/db';
import { videoKeyIds, videoOutputPrefix } from '@arvlite/domain';
import type { ApiDeps } from '../context.ts';

const keys = new Map<string, KeyObject>();

function sign(secret: string, videoId: string, exp: number): string {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret))));
  return createHmac('sha256', key).update(`media:${videoId}:${exp}`).digest('base64url');
}

/** What playback URLs are made from: a Video, or the same fields as plain data. */
type PlaybackSource = Pick<VideoRecord, 'id' | 'outputs' | 'playableAt' | 'company' | 'project'>;

function prefixOf(v: PlaybackSource) {
  return videoOutputPrefix(videoKeyIds(v));
}

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
  const exp = Math.floor(Date.now() / 1000) + urlTtlS;
  const object = (file: string) =>
    publicBaseUrl ? `${publicBaseUrl}/${prefix}${file}` : deps.storage.presignGet(`${prefix}${file}`, urlTtlS);
  const routed = (file: string) =>
    publicBaseUrl
      ? `${publicBaseUrl}/${prefix}${file}`
      : `${deps.config.http.publicUrl}/media/${video.id}/${file}?exp=${exp}&sig=${sign(deps.config.media.urlSigningKey, video.id, exp)}`;
  return {
    hlsUrl: routed(outputs.master),
    mp4Url: mp4 ? await object(mp4.mp4) : null,
    posterUrl: outputs.poster ? await object(outputs.poster.jpeg) : null,
    posterWebpUrl: outputs.poster ? await object(outputs.poster.webp) : null,
    storyboardVttUrl: outputs.storyboard ? routed(outputs.storyboard.vtt) : null,
    expiresAt: publicBaseUrl ? null : new Date(exp * 1000),
  };
}

export class PlaybackDenied extends Error {}

/**
 * Serves an HLS playlist or the storyboard WebVTT with every relative URI rewritten: playlists to this same
 * route (signed alike), segments and images to presigned storage URLs that expire with the signature.
 */
export async function signedMediaText(
  deps: Pick<ApiDeps, 'config' | 'storage' | 'orm'>,
  params: { videoId: string; file: string; exp: string; sig: string },
): Promise<{ body: string; contentType: string }> {
  const exp = Number(params.exp);
  const now = Math.floor(Date.now() / 1000);
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(params.sig) || !Number.isInteger(exp) || exp < now || exp > now + 8 * 86_400) {
    throw new PlaybackDenied('expired or malformed');
  }
  const expected = Buffer.from(sign(deps.config.media.urlSigningKey, params.videoId, exp));
  const given = Buffer.from(params.sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new PlaybackDenied('bad signature');
  if (!/^[A-Za-z0-9_.-]{1,100}\.(m3u8|vtt)$/.test(params.file)) throw new PlaybackDenied('not a playlist');
  const video = await deps.orm
    .fork()
    .findOne(Video, { id: params.videoId, deletedAt: null }, { populate: ['project'] });
  if (!video) throw new PlaybackDenied('gone');
  const prefix = prefixOf(video);
  const text = await deps.storage.getText(`${prefix}${params.file}`);
  const ttl = Math.max(60, exp - now);
  const q = `?exp=${exp}&sig=${params.sig}`;
  const sign1 = async (uri: string) => {
    if (/^[a-z]+:/i.test(uri)) return uri;
    const [file, fragment] = uri.split('#');
    if (!/^[A-Za-z0-9_.-]+$/.test(file ?? '')) return uri;
    if (file!.endsWith('.m3u8')) return `${deps.config.http.publicUrl}/media/${video.id}/${file}${q}`;
    const url = await deps.storage.presignGet(`${prefix}${file}`, ttl);
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
