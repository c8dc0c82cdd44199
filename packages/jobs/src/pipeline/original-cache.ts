// Originals a worker has already downloaded, kept for its next jobs of the same video (its renditions each read the
// whole original): keyed by storage key and the ETag recorded at completion, bounded in bytes, least recently used
// first out. A job gets a hard link of the cached file in its own scratch directory, so evicting an entry never takes
// a file from under a running ffmpeg (its bytes go once the job removes its link).
import { link, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

interface Entry {
  path: string;
  bytes: number;
}

export class OriginalCache {
  readonly #dir: string;
  readonly #maxBytes: number;
  /** In use order: the first is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<Entry>>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(dir: string, maxBytes: number) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
  }

  /**
   * Puts the original `key` (ETag `etag`, `size` bytes) at `target`, a path in the caller's own directory: a link to
   * the cached copy, or else `download(path)` fills one first (one download for jobs asking at once). Without an ETag,
   * or larger than the whole cache, it is downloaded straight to `target`.
   */
  async place(
    key: string,
    etag: string | null,
    size: number,
    target: string,
    download: (path: string) => Promise<unknown>,
  ) {
    if (!etag || size > this.#maxBytes) {
      this.misses++;
      await download(target);
      return;
    }
    const id = `${key}\n${etag}`;
    for (;;) {
      const cached = this.#entries.get(id);
      const entry = cached ?? (await this.#load(id, download));
      try {
        await link(entry.path, target);
        if (cached) this.hits++;
        // Most recently used: to the end.
        if (this.#entries.delete(id)) this.#entries.set(id, entry);
        return;
      } catch (e) {
        // Evicted between the lookup and the link: fetch it again.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        this.#forget(id, entry);
      }
    }
  }

  /**
   * Takes a complete copy of the original `key` (ETag `etag`) that a job already has at `path` (the bytes the in-place
   * reader served), moving it into the cache; `path` is gone afterwards either way. Nothing is kept without an ETag,
   * when it is larger than the whole cache, or when the cache holds it already.
   */
  async adopt(key: string, etag: string | null, path: string) {
    const id = `${key}\n${etag}`;
    const { size } = await stat(path);
    if (!etag || size > this.#maxBytes || this.#entries.has(id) || this.#loading.has(id)) {
      await rm(path, { force: true });
      return;
    }
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await this.#admit(id, path, size);
  }

  /** Moves a complete copy at `path` into the cache as the entry `id`, and makes room for it. */
  async #admit(id: string, path: string, size: number): Promise<Entry> {
    const final = join(this.#dir, `${Date.now()}-${Math.random().toString(36).slice(2)}`);
    await rename(path, final);
    const entry = { path: final, bytes: size };
    this.#entries.set(id, entry);
    this.#bytes += size;
    await this.#evict(id);
    return entry;
  }

  #load(id: string, download: (path: string) => Promise<unknown>): Promise<Entry> {
    const pending = this.#loading.get(id);
    if (pending) return pending;
    this.misses++;
    const p = (async () => {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 });
      const tmp = await mkdtemp(join(this.#dir, 'partial-'));
      try {
        const path = join(tmp, 'original');
        await download(path);
        return await this.#admit(id, path, (await stat(path)).size);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    })();
    this.#loading.set(id, p);
    p.then(
      () => this.#loading.delete(id),
      () => this.#loading.delete(id),
    );
    return p;
  }

  /** Least recently used entries go until the cache fits; `keep`, just added, stays. */
  async #evict(keep: string) {
    for (const [id, entry] of [...this.#entries]) {
      if (this.#bytes <= this.#maxBytes) break;
      if (id === keep) continue;
      this.#forget(id, entry);
      await rm(entry.path, { force: true });
    }
  }

  #forget(id: string, entry: Entry) {
    if (this.#entries.get(id) === entry) {
      this.#entries.delete(id);
      this.#bytes -= entry.bytes;
    }
  }

  get bytes() {
    return this.#bytes;
  }
}

/** Whether a process of this host is alive (EPERM: alive, not ours to signal). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Prepares this process's cache directory `<root>/<pid>`: one left by an earlier process with the same pid is cleared,
 * and so are those of processes no longer running (a worker killed by the OOM killer or SIGKILL leaves up to its whole
 * cache behind). The pids are this host's: `MEDIA_SCRATCH_DIR` is a local disk. Returns the directory.
 */
export async function prepareCacheDir(root: string, pid = process.pid, isAlive = alive): Promise<string> {
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const other = Number(name);
    if (!/^[1-9][0-9]{0,9}$/.test(name) || (other !== pid && isAlive(other))) continue;
    await rm(join(root, name), { recursive: true, force: true });
  }
  return join(root, String(pid));
}
