// What processing records about a video (the JSON columns media, outputs and analysis), as the API returns them.

export type Rotation = 0 | 90 | 180 | 270;

/** ffprobe's reading of the uploaded original (Video.media). */
export interface MediaInfo {
  durationS: number;
  /** Display size: after rotation and non-square pixels. */
  width: number;
  height: number;
  /** Size of the stored frames, before rotation. */
  storedWidth: number;
  storedHeight: number;
  /** Clockwise degrees a player turns the stored frames (the legacy `rotate` tag's convention). */
  rotation: Rotation;
  /** Average frames per second. */
  fps: number;
  /** The same rate as a rational, e.g. "30000/1001", for `-r`. */
  frameRate: string;
  isVfr: boolean;
  isInterlaced: boolean;
  videoCodec: string;
  videoProfile: string | null;
  pixFmt: string;
  bitDepth: number;
  hasAudio: boolean;
  audioCodec: string | null;
  audioProfile: string | null;
  audioChannels: number | null;
  /** Whole-file bits per second. */
  bitrate: number | null;
  videoBitrate: number | null;
  isHdr: boolean;
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  container: string;
  sizeBytes: number;
  /**
   * The frames carry transparency: an alpha pixel format (ProRes 4444's yuva444p…, yuva420p, rgba, …) or VP9/VP8 with
   * alpha, which ffprobe reports only through the stream's `alpha_mode` tag. Absent on videos probed before it existed.
   */
  hasAlpha?: boolean;
  /**
   * Playable everywhere as stored, so a stream-copy remux is enough: H.264 8-bit yuv420p,
   * progressive, SDR, upright, AAC or no audio, at most 1080p. Rotated sources are excluded because
   * MPEG-TS segments cannot carry the display matrix and many AR video textures ignore it.
   */
  isStandard: boolean;
}

/** One stored rendition: an MP4 and its HLS playlist; file names are relative to the video's `out/` prefix. */
export interface StoredRendition {
  name: string;
  width: number;
  height: number;
  frameRate: number;
  durationS: number;
  hasAudio: boolean;
  mp4: string;
  playlist: string;
  files: string[];
  sizeBytes: number;
  /** RFC 6381 codecs, e.g. "avc1.64001f,mp4a.40.2". */
  codecs: string;
  /** Peak and mean segment bit rates, as HLS defines BANDWIDTH and AVERAGE-BANDWIDTH. */
  bandwidth: number;
  averageBandwidth: number;
  /** A rung of the ladder (in the master playlist); false for the fast playable copy made first. */
  ladder: boolean;
}

/**
 * A stacked-alpha rendition of a video with transparency: H.264 (which every browser decodes, unlike ProRes or VP9 with
 * alpha) with the colour on the left half and its matte (white = opaque) on the right half, each `width` × `height`.
 */
export interface StackedAlphaRendition {
  layout: 'side-by-side';
  mp4: string;
  /** The size of one half: the picture as shown. */
  width: number;
  height: number;
  sizeBytes: number;
}

/** Video.outputs: everything processing stored under the video's `out/` prefix (file names relative to it). */
export interface VideoOutputs {
  master?: string;
  /** Made for sources with an alpha channel (MediaInfo.hasAlpha), with the first playable rendition. */
  alpha?: StackedAlphaRendition;
  renditions?: Record<string, StoredRendition>;
  poster?: { jpeg: string; webp: string; width: number; height: number; timeS: number; sizeBytes: number };
  storyboard?: {
    sprite: string;
    vtt: string;
    intervalS: number;
    tiles: number;
    columns: number;
    rows: number;
    tileWidth: number;
    tileHeight: number;
    sizeBytes: number;
  };
}

/** One analyzer's outcome; a failing analyzer is recorded, not fatal. */
export type AnalyzerRecord =
  { ok: true; durationMs: number; result: unknown } | { ok: false; durationMs: number; error: string };

/** Video.analysis: the configured analyzers' outcomes by analyzer name (scenes, loudness, silence-black, …). */
export type VideoAnalysis = Record<string, AnalyzerRecord>;
