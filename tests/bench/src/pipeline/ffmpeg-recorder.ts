// Records every ffmpeg/ffprobe command a process runs: FFMPEG_PATH points at a two-line sh wrapper that writes its
// cwd and argv to a file and then execs the real binary in place (same pid, same stdio). The Pipeline benchmark
// records our worker's commands, replays exactly those as the baseline, and records the replay too, so the two
// sides can be checked to have run the same commands. Both sides pay the wrapper's ~1 ms per command.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { placeholders } from './replay-plan.ts';

export interface RecordedCommand {
  bin: 'ffmpeg' | 'ffprobe';
  cwd: string;
  args: string[];
  /** When the command started (the record file's mtime), ns. */
  at: bigint;
}

export interface FfmpegRecorder {
  /** FFMPEG_PATH for the recorded process; the ffprobe wrapper sits beside it, where resolveFfmpeg looks. */
  ffmpegPath: string;
  ffprobePath: string;
  /** Reads and removes every record so far, oldest first. */
  take(): Promise<RecordedCommand[]>;
}

function realBinary(name: string): string {
  return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
}

export async function createFfmpegRecorder(dir: string): Promise<FfmpegRecorder> {
  const bin = path.join(dir, 'bin');
  const records = path.join(dir, 'records');
  await mkdir(bin, { recursive: true });
  await mkdir(records, { recursive: true });
  for (const name of ['ffmpeg', 'ffprobe'] as const) {
    const real = realBinary(name);
    if (!real.startsWith('/')) throw new Error(`${name} is not on PATH`);
    // A pid can come round again within a run; a trailing "-" keeps the earlier record.
    const script = `#!/bin/sh
f="${records}/$$"; while [ -e "$f.rec" ]; do f="$f-"; done
{ printf '%s\\0' ${name} "$PWD"; printf '%s\\0' "$@"; } > "$f.rec"
exec ${real} "$@"
`;
    await writeFile(path.join(bin, name), script);
    await chmod(path.join(bin, name), 0o755);
  }
  return {
    ffmpegPath: path.join(bin, 'ffmpeg'),
    ffprobePath: path.join(bin, 'ffprobe'),
    async take() {
      const out: RecordedCommand[] = [];
      for (const f of await readdir(records)) {
        const file = path.join(records, f);
        const [text, st] = [await readFile(file, 'utf8'), await stat(file, { bigint: true })];
        await rm(file, { force: true });
        const [binName, cwd, ...args] = text.split('\0').slice(0, -1);
        out.push({ bin: binName as RecordedCommand['bin'], cwd: cwd!, args, at: st.mtimeNs });
      }
      return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    },
  };
}

/**
 * One command as text with the per-run parts taken out: each scratch directory `<root>/<id>-<step>-XXXXXX` (the
 * worker's under its scratch root with the video's id, or the replay's under its own root with the id it made up)
 * becomes `<root>/<step>`, and the rest of the root `<root>`.
 */
export function normalizeCommand(c: RecordedCommand, root: string, id: string): string {
  const norm = (s: string) => placeholders(s, root, id);
  return [c.bin, norm(c.cwd), ...c.args.map(norm)].join(' ');
}

/** Commands that differ between the two sides, as "+ only ours" / "- only baseline" lines; empty when the same. */
export function diffCommands(ours: string[], baseline: string[]): string[] {
  const count = new Map<string, number>();
  for (const c of ours) count.set(c, (count.get(c) ?? 0) + 1);
  for (const c of baseline) count.set(c, (count.get(c) ?? 0) - 1);
  const out: string[] = [];
  for (const [c, n] of count) {
    if (n > 0) out.push(`+${n} only ours: ${c}`);
    if (n < 0) out.push(`${n} only baseline: ${c}`);
  }
  return out;
}
