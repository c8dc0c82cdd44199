// Remembers which video each file is uploading into, so dropping the same file after a reload resumes it.
import type { KeyValueStorage } from '../auth/session.ts';

export interface ResumeEntry {
  videoId: string;
  projectId: string;
  kind: 'single' | 'multipart';
  fileName: string;
  size: number;
  createdAt: string;
}

const PREFIX = 'arvlite.upload:';

/** What identifies a file across reloads without reading it: name, size and modification time. */
export function fingerprint(file: { name: string; size: number; lastModified?: number }): string {
  return `${file.name}|${file.size}|${file.lastModified ?? 0}`;
}

export class ResumeStore {
  readonly #storage: KeyValueStorage & { readonly length?: number; key?: (i: number) => string | null };

  constructor(storage: KeyValueStorage & { readonly length?: number; key?: (i: number) => string | null }) {
    this.#storage = storage;
  }

  #key(projectId: string, fp: string): string {
    return `${PREFIX}${projectId}|${fp}`;
  }

  get(projectId: string, fp: string): ResumeEntry | null {
    const raw = this.#storage.getItem(this.#key(projectId, fp));
    if (!raw) return null;
    try {
      const entry = JSON.parse(raw) as ResumeEntry;
      return typeof entry.videoId === 'string' && entry.projectId === projectId ? entry : null;
    } catch {
      return null;
    }
  }

  set(fp: string, entry: ResumeEntry): void {
    this.#storage.setItem(this.#key(entry.projectId, fp), JSON.stringify(entry));
  }

  remove(projectId: string, fp: string): void {
    this.#storage.removeItem(this.#key(projectId, fp));
  }

  removeVideo(videoId: string): void {
    for (const [key, entry] of this.#entries()) if (entry.videoId === videoId) this.#storage.removeItem(key);
  }

  /** Unfinished uploads of a project, newest first. */
  list(projectId: string): ResumeEntry[] {
    return [...this.#entries()]
      .map(([, e]) => e)
      .filter((e) => e.projectId === projectId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  *#entries(): Generator<[string, ResumeEntry]> {
    const s = this.#storage;
    if (s.length === undefined || !s.key) return;
    const keys: string[] = [];
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k?.startsWith(PREFIX)) keys.push(k);
    }
    for (const k of keys) {
      try {
        yield [k, JSON.parse(s.getItem(k) ?? '') as ResumeEntry];
      } catch {
        s.removeItem(k);
      }
    }
  }
}
