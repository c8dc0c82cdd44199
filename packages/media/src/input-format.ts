// User files never choose their own demuxer or protocols: the container is sniffed from the magic bytes, and every
// ffmpeg/ffprobe input names its demuxer and allows only the file protocol (no playlist can reach the network or
// other local files through HLS, concat or a `file:`/`http:` URL inside it).
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';

/** ffmpeg demuxers a video may be read with: QuickTime/MP4 (`mov`) and Matroska/WebM (`matroska`). */
export type VideoDemuxer = 'mov' | 'matroska';

/** The containers uploads are accepted as (the contract's VIDEO_CONTAINERS values). */
export type AcceptedContainer = 'mp4' | 'mov' | 'webm' | 'mkv';

const DEMUXER_OF: Record<AcceptedContainer, VideoDemuxer> = {
  mp4: 'mov',
  mov: 'mov',
  webm: 'matroska',
  mkv: 'matroska',
};

export function demuxerForContainer(container: AcceptedContainer): VideoDemuxer {
  return DEMUXER_OF[container];
}

// QuickTime files may open with other top-level atoms than ftyp (old cameras: wide, mdat, moov).
const QUICKTIME_ATOMS = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** The demuxer the file's first bytes call for, or null when it is neither ISO-BMFF/QuickTime nor Matroska. */
export function sniffDemuxer(head: Uint8Array): VideoDemuxer | null {
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3)
    return 'matroska';
  if (head.length >= 8) {
    const atom = Buffer.from(head.subarray(4, 8)).toString('latin1');
    if (QUICKTIME_ATOMS.has(atom)) return 'mov';
  }
  return null;
}

export async function sniffFileDemuxer(path: string): Promise<VideoDemuxer | null> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return sniffDemuxer(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** The demuxer of a probed file, from ffprobe's format name (e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"). */
export function demuxerOf(info: { container: string }): VideoDemuxer {
  const names = info.container.split(',');
  if (names.includes('mov') || names.includes('mp4')) return 'mov';
  if (names.includes('matroska') || names.includes('webm')) return 'matroska';
  throw new Error(`No demuxer is allowed for container "${info.container}"`);
}

/**
 * The original read in place through the worker's own loopback HTTP reader (packages/jobs `openOriginal`), which
 * answers ranged GETs from storage: nothing is downloaded before ffmpeg starts, and a moov at the end costs one
 * ranged read. `head` holds the file's first bytes (the sniff), `size` its length.
 */
export interface LoopbackInput {
  url: string;
  size: number;
  head: Uint8Array;
}

/** A local file path, or the loopback reader. */
export type MediaInput = string | LoopbackInput;

/** Only the worker's reader: loopback, an ephemeral port, one unguessable path; nothing a user's file could name. */
const LOOPBACK_URL = /^http:\/\/127\.0\.0\.1:\d{1,5}\/[A-Za-z0-9_-]{32,100}$/;

/**
 * The arguments that open one input: its demuxer forced; a local file allows only the file protocol, the loopback
 * reader only http over tcp (the mov and matroska demuxers open no other resource: external data references stay
 * off, ffmpeg's default).
 */
export function inputArgs(input: MediaInput, demuxer: VideoDemuxer | 'image2' | 'mpegts'): string[] {
  if (typeof input === 'string') return ['-f', demuxer, '-protocol_whitelist', 'file', '-i', `file:${resolve(input)}`];
  if (!LOOPBACK_URL.test(input.url)) throw new Error("Only the worker's loopback reader may be read over HTTP");
  return ['-f', demuxer, '-protocol_whitelist', 'http,tcp', '-i', input.url];
}
