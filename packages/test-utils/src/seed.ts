// Rows as the pipeline and the marker compile leave them, inserted directly: a READY video with its outputs, analysis
// and steps, and a READY AR content item with a published marker playing given videos. For the tests and the
// benchmarks that read such rows back (tests/integration trpc-adapter, tests/bench api-read and viewer-manifest).
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface SeedTenant {
  userId: string;
  companyId: string;
  projectId: string;
}

const at = (iso: string) => new Date(iso);

function rendition(name: string, width: number, height: number, bandwidth: number, ladder: boolean) {
  return {
    name,
    width,
    height,
    frameRate: 30,
    durationS: 30.02,
    hasAudio: true,
    mp4: `${name}.mp4`,
    playlist: `${name}.m3u8`,
    files: [`${name}.mp4`, `${name}.m3u8`, ...Array.from({ length: 8 }, (_, i) => `${name}_0000${i}.ts`)],
    sizeBytes: Math.round((bandwidth / 8) * 30 * 1.9),
    codecs: 'avc1.64001f,mp4a.40.2',
    bandwidth,
    averageBandwidth: Math.round(bandwidth * 0.8),
    ladder,
  };
}

/** What the pipeline leaves on a 30 s 720p H.264/AAC upload: media, outputs, analysis and eight finished steps. */
export async function insertReadyVideo(db: pg.ClientBase, t: SeedTenant): Promise<string> {
  const videoId = randomUUID();
  const media = {
    durationS: 30.02,
    width: 1280,
    height: 720,
    storedWidth: 1280,
    storedHeight: 720,
    rotation: 0,
    fps: 30,
    frameRate: '30/1',
    isVfr: false,
    isInterlaced: false,
    videoCodec: 'h264',
    videoProfile: 'High',
    pixFmt: 'yuv420p',
    bitDepth: 8,
    hasAudio: true,
    audioCodec: 'aac',
    audioProfile: 'LC',
    audioChannels: 2,
    bitrate: 3_215_000,
    videoBitrate: 3_080_000,
    isHdr: false,
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    sizeBytes: 12_065_412,
    isStandard: true,
  };
  const outputs = {
    master: 'master.m3u8',
    renditions: {
      source: rendition('source', 1280, 720, 3_400_000, false),
      '720p': rendition('720p', 1280, 720, 2_950_000, true),
      '480p': rendition('480p', 854, 480, 1_380_000, true),
      '360p': rendition('360p', 640, 360, 790_000, true),
    },
    poster: {
      jpeg: 'poster.jpg',
      webp: 'poster.webp',
      width: 1280,
      height: 720,
      timeS: 12.4,
      sizeBytes: 141_233,
    },
    storyboard: {
      sprite: 'storyboard.jpg',
      vtt: 'storyboard.vtt',
      intervalS: 1,
      tiles: 31,
      columns: 10,
      rows: 4,
      tileWidth: 160,
      tileHeight: 90,
      sizeBytes: 98_410,
    },
  };
  const analysis = {
    scenes: {
      ok: true,
      durationMs: 1830,
      result: {
        threshold: 0.3,
        cuts: [
          { timeS: 9.967, score: 0.412 },
          { timeS: 20.033, score: 0.388 },
        ],
        keyFrames: [0, 9.967, 20.033],
        chapters: [
          { index: 0, startS: 0, endS: 9.967 },
          { index: 1, startS: 9.967, endS: 20.033 },
          { index: 2, startS: 20.033, endS: 30.02 },
        ],
        minChapterS: 1.501,
      },
    },
    loudness: {
      ok: true,
      durationMs: 912,
      result: {
        hasAudio: true,
        integratedLufs: -18.2,
        truePeakDbtp: -2.9,
        loudnessRangeLu: 3.1,
        targetLufs: -16,
        gainDb: 0.9,
      },
    },
    'silence-black': {
      ok: true,
      durationMs: 1204,
      result: { black: [], silence: [{ startS: 27.5, endS: 30.02 }], hasAudio: true },
    },
  };
  const steps = [
    ['probe', 0, '2026-05-01T12:00:01.020Z', '2026-05-01T12:00:01.410Z'],
    ['playable', 1, '2026-05-01T12:00:01.410Z', '2026-05-01T12:00:02.230Z'],
    ['rendition:720p', 2, '2026-05-01T12:00:02.300Z', '2026-05-01T12:00:14.870Z'],
    ['rendition:480p', 3, '2026-05-01T12:00:02.310Z', '2026-05-01T12:00:21.020Z'],
    ['rendition:360p', 4, '2026-05-01T12:00:02.320Z', '2026-05-01T12:00:25.640Z'],
    ['images', 5, '2026-05-01T12:00:02.330Z', '2026-05-01T12:00:04.980Z'],
    ['analysis', 6, '2026-05-01T12:00:04.990Z', '2026-05-01T12:00:08.940Z'],
    ['finalize', 7, '2026-05-01T12:00:25.700Z', '2026-05-01T12:00:25.760Z'],
  ] as const;
  const prefix = `${t.companyId}/${t.projectId}/videos/${videoId}/`;
  await db.query(
    `insert into video (id, company_id, project_id, created_by_id, title, description, status, file_name,
       content_type, size_bytes, stored_bytes, container, original_key, media, outputs, analysis, uploaded_at,
       playable_at, ready_at, created_at, updated_at)
     values ($1, $2, $3, $4, 'Bench clip', null, 'READY', 'bench-720p.mp4', 'video/mp4', $5, $6, 'mp4', $7,
       $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      videoId,
      t.companyId,
      t.projectId,
      t.userId,
      media.sizeBytes,
      media.sizeBytes + 31_402_118,
      `${prefix}original`,
      media,
      outputs,
      analysis,
      at('2026-05-01T12:00:00.950Z'),
      at('2026-05-01T12:00:02.230Z'),
      at('2026-05-01T12:00:25.760Z'),
      at('2026-05-01T11:59:41.500Z'),
      at('2026-05-01T12:00:25.760Z'),
    ],
  );
  for (const [name, position, started, finished] of steps) {
    await db.query(
      `insert into video_step (id, video_id, name, status, progress, attempts, started_at, finished_at, position)
       values ($1, $2, $3, 'done', 100, 1, $4, $5, $6)`,
      [randomUUID(), videoId, name, at(started), at(finished), position],
    );
  }
  return videoId;
}

/**
 * A READY AR content item with a published marker (keys under `markerPrefix`, nothing stored) playing `videoIds` in
 * order, the first as its default.
 */
export async function insertReadyArContent(
  db: pg.ClientBase,
  t: SeedTenant,
  opts: { videoIds: string[]; title: string },
): Promise<{ contentId: string; publicId: string; markerPrefix: string }> {
  const contentId = randomUUID();
  const publicId = randomBytes(12).toString('base64url');
  const markerPrefix = `${t.companyId}/${t.projectId}/ar/${contentId}/`;
  const keypoints = Array.from({ length: 120 }, (_, i) => ({
    x: (i * 37) % 1024,
    y: (i * 53) % 768,
  }));
  await db.query(
    `insert into ar_content (id, company_id, project_id, created_by_id, title, public_id, status,
       default_video_id, version, marker_revision, marker_published_revision, marker_image_key, marker_webp_key,
       marker_thumbnail_key, marker_mind_key, marker_width_px, marker_height_px, width_mm, marker_score, marker_rating,
       marker_advice, marker_keypoints, marker_feature_count, marker_matching_points, marker_tracking_points,
       marker_compile_ms, marker_stored_bytes, marker_processed_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, 'READY', $7, 3, 1, 1, $8, $9, $10, $11, 1024, 768, 150, 88, 'good', '[]', $12,
       412, 4185, 70, 7010, 885000, now(), now(), now())`,
    [
      contentId,
      t.companyId,
      t.projectId,
      t.userId,
      opts.title,
      publicId,
      opts.videoIds[0],
      `${markerPrefix}marker-1.jpg`,
      `${markerPrefix}marker-1.webp`,
      `${markerPrefix}marker-1-thumb.webp`,
      `${markerPrefix}marker-1.mind`,
      JSON.stringify(keypoints),
    ],
  );
  for (const [position, id] of opts.videoIds.entries()) {
    await db.query('insert into ar_playlist_item (id, ar_content_id, video_id, position) values ($1, $2, $3, $4)', [
      randomUUID(),
      contentId,
      id,
      position,
    ]);
  }
  return { contentId, publicId, markerPrefix };
}
