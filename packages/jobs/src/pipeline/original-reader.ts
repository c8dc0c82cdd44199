// The original read in place: a loopback HTTP server of the job's own that answers ffmpeg's ranged GETs from storage,
// so probing and the playable remux start at once instead of after a download of the whole file.
import { randomBytes } from 'node:crypto';
import { open as openFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoopbackInput } from '@arvlite/media';
import type { ObjectStore } from '@arvlite/storage';

/**
 * Bytes per storage read: the first read of a request is small and each next one twice the last, up to the largest,
 * with two in flight, so a demuxer that reads a few boxes and seeks on (the moov at the end, the probe's packet
 * samples) costs little, and a long sequential read soon runs in large reads ahead of ffmpeg.
 */
const FIRST_CHUNK = 64 * 1024;
const LARGEST_CHUNK = 4 * 1024 * 1024;
const AHEAD = 2;
/** Bytes read for the sniff (the first box or EBML header). */
const HEAD = 64;

export interface OriginalReader {
  input: LoopbackInput;
  /** The first storage failure a request met (e.g. ObjectChangedError), which ffmpeg sees only as a failed read. */
  failure(): unknown;
  /**
   * With `keepTo`: once every byte of the original has been read (a whole remux), the file at `keepTo` holds it and
   * this gives its path; otherwise null, and the partial file is removed. Ends the keeping: call it once, when done.
   */
  kept(): Promise<string | null>;
  /** Ends the keeping and removes what was kept (a failed read: the disk may be what is full). */
  discard(): Promise<void>;
  close(): Promise<void>;
}

/** Byte ranges [start, end] written so far, merged. */
function covers(ranges: [number, number][], size: number): boolean {
  ranges.sort((a, b) => a[0] - b[0]);
  let next = 0;
  for (const [start, end] of ranges) {
    if (start > next) return false;
    next = Math.max(next, end + 1);
  }
  return next >= size;
}

/**
 * Serves `key` (only the object with ETag `etag`, `size` bytes) at an unguessable path on 127.0.0.1 until closed.
 * The first bytes are read before it answers, so a missing or changed original throws here, as a download would.
 */
export async function openOriginalReader(
  storage: ObjectStore,
  key: string,
  etag: string | null,
  size: number,
  keepTo?: string,
): Promise<OriginalReader> {
  const head =
    size > 0
      ? await storage.getBytes(key, { start: 0, end: Math.min(size, HEAD) - 1 }, { ifMatch: etag })
      : new Uint8Array();
  const path = `/${randomBytes(32).toString('base64url')}`;
  let failure: unknown = null;
  const open = new Set<ServerResponse>();

  // What was read is also written at its offset into `keepTo`, so a whole read leaves a copy of the original behind.
  let keep = keepTo ? await openFile(keepTo, 'w', 0o600) : null;
  const written: [number, number][] = [];
  const writes = new Set<Promise<unknown>>();
  const read = async (start: number, end: number) => {
    const bytes = await storage.getBytes(key, { start, end }, { ifMatch: etag });
    if (keep) {
      const w = keep.write(bytes, 0, bytes.length, start).then(() => written.push([start, end]));
      writes.add(w);
      void w.catch(() => {}).finally(() => writes.delete(w));
    }
    return bytes;
  };
  /** No more writes into `keepTo`; its file handle closed. */
  const stopKeeping = async () => {
    const fh = keep;
    keep = null;
    await fh?.close().catch(() => {});
  };

  async function answer(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'GET' || req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(range ? 206 : 200, {
      'accept-ranges': 'bytes',
      'content-length': String(end - start + 1),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
      'content-type': 'application/octet-stream',
    });
    let gone = false;
    res.on('close', () => (gone = true));
    const queue: Promise<Uint8Array>[] = [];
    let next = start;
    let chunk = FIRST_CHUNK;
    const fill = () => {
      while (queue.length < AHEAD && next <= end) {
        const to = Math.min(next + chunk - 1, end);
        chunk = Math.min(chunk * 2, LARGEST_CHUNK);
        const p = read(next, to);
        p.catch(() => {}); // awaited below; a read left behind by a closed connection must not go unhandled
        queue.push(p);
        next = to + 1;
      }
    };
    fill();
    while (queue.length > 0 && !gone) {
      const bytes = await queue.shift()!;
      fill();
      if (gone) break;
      if (!res.write(bytes))
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done).off('close', done);
            resolve();
          };
          res.on('drain', done).on('close', done);
        });
    }
    if (!gone) res.end();
  }

  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    answer(req, res).catch((e: unknown) => {
      failure ??= e;
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    input: { url: `http://127.0.0.1:${port}${path}`, size, head },
    failure: () => failure,
    discard: async () => {
      await stopKeeping();
      if (keepTo) await rm(keepTo, { force: true });
    },
    kept: async () => {
      if (!keep || !keepTo) return null;
      const ok = await Promise.all(writes).then(
        () => true,
        () => false,
      );
      await stopKeeping();
      if (ok && covers(written, size)) return keepTo;
      await rm(keepTo, { force: true });
      return null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        void stopKeeping();
        for (const res of open) res.destroy();
        server.close(() => resolve());
      }),
  };
}
