// The Pipeline baseline's plan: the ffmpeg/ffprobe commands our worker ran for one video, grouped by job, with each
// job's scratch directory replaced by a placeholder so the replay can run them in directories of its own.
//
// The worker gives every job (or step) a private directory of its own, `mkdtemp(<scratch>/<videoId>-<step>-)`:
// `<scratch>/<videoId>-<step>-<6 random characters>`, 0700, removed afterwards (packages/jobs privateScratchDir). Here
// such a directory is `<root>/<step>` (e.g. `<root>/rendition-720p`); the replay makes `<its root>/<id>-<step>-XXXXXX`.
import path from 'node:path';
import type { RecordedCommand } from './ffmpeg-recorder.ts';

export const ROOT = '<root>';

export interface PlannedCommand {
  bin: 'ffmpeg' | 'ffprobe';
  cwd: string;
  args: string[];
}

export interface PlannedJob {
  /**
   * The step its job is named by: `process` (video:process), `rendition-720p`, `images`, `analysis`, or `ladder`
   * (video:ladder: the rungs, poster and storyboard of a short clip in one pass).
   */
  name: string;
  /**
   * Its scratch directories' steps, e.g. `process` and `playable` (video:process makes one for the probe and one for
   * the playable step); directories named by one command belong to one job.
   */
  dirs: string[];
  kind: 'process' | 'rendition' | 'ladder' | 'images' | 'analysis' | 'other';
  /**
   * The graphile-worker queue the job ran in (media jobs queue per company in MEDIA_COMPANY_CONCURRENCY queues picked
   * by a hash of the job key): jobs of one lane run one at a time. Null: not known, no lane limit.
   */
  lane: number | null;
  commands: PlannedCommand[];
}

export interface ReplayPlan {
  /** In the order the worker started them (its steps' startedAt), video:process first. */
  jobs: PlannedJob[];
  /** The same limits the worker ran under: job slots (WORKER_CONCURRENCY) and encodes at once (MEDIA_ENCODE_CONCURRENCY). */
  workerConcurrency: number;
  encodeConcurrency: number;
  /** The uploaded original, staged wherever a job read `original`. */
  clip: string;
  /** Where the wrappers are: the replay runs them as the worker did. */
  ffmpegPath: string;
  ffprobePath: string;
}

const KINDS = ['process', 'rendition', 'ladder', 'images', 'analysis'] as const;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A step as its scratch directory's label has it (privateScratchDir: anything but [\w-] becomes `-`). */
export const stepLabel = (step: string) => step.replace(/[^\w-]/g, '-');

/** `<root>/<id>-<step>-XXXXXX` directories in a string (mkdtemp's suffix: six letters or digits); group 1 is the step. */
export function scratchDirPattern(root: string, id: string): RegExp {
  return new RegExp(`${escapeRegExp(root)}/${escapeRegExp(id)}-([\\w-]+?)-[A-Za-z0-9]{6}(?![\\w-])`, 'g');
}

/** `s` with every `<root>/<id>-<step>-XXXXXX` as `<root>/<step>` and the rest of the root as `<root>`. */
export function placeholders(s: string, root: string, id: string): string {
  return s.replace(scratchDirPattern(root, id), `${ROOT}/$1`).replaceAll(root, ROOT);
}

/** The worker's loopback reader of the original (packages/jobs original-reader.ts), as ffmpeg is given it. */
const LOOPBACK_INPUT = /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+$/;

/**
 * Our worker reads the original in place, through a loopback HTTP reader of video:process's own; the replay reads the
 * same bytes from a local file. Each such input (`-protocol_whitelist http,tcp -i http://127.0.0.1:…`) becomes the
 * file `original` in the video's `process` scratch directory (`-protocol_whitelist file -i file:…/original`), where
 * the replay stages the clip: the same command otherwise, and the plan groups the remux with its job again.
 */
export function localizeLoopbackInputs(commands: RecordedCommand[], root: string, id: string): RecordedCommand[] {
  const processDir = commands
    .map((c) => [...c.cwd.matchAll(scratchDirPattern(root, id))][0])
    .find((m) => m?.[1] === 'process')?.[0];
  return commands.map((c) => {
    const i = c.args.findIndex((a) => LOOPBACK_INPUT.test(a));
    if (i < 0) return c;
    if (!processDir)
      throw new Error(`a command reads the loopback original, but no process directory was seen: ${c.args.join(' ')}`);
    const args = [...c.args];
    args[i] = `file:${processDir}/original`;
    const w = args.lastIndexOf('-protocol_whitelist', i);
    if (w >= 0 && args[w + 1] === 'http,tcp') args[w + 1] = 'file';
    return { ...c, args };
  });
}

/**
 * Groups one video's commands (recorded under the worker's scratch root) into jobs. `stepStartedAt` (ms, by step
 * label) orders them as the worker started them; a job without one goes by its first command.
 */
export function planFromRecording(
  commands: RecordedCommand[],
  scratchRoot: string,
  videoId: string,
  stepStartedAt: Record<string, number>,
  settings: Omit<ReplayPlan, 'jobs'>,
): ReplayPlan {
  // Union-find over the directories a command names together (the playable remux reads the probe's `original`).
  const parent = new Map<string, string>();
  const find = (d: string): string => {
    const p = parent.get(d) ?? d;
    if (p === d) return d;
    const r = find(p);
    parent.set(d, r);
    return r;
  };
  const dirsOf = (c: RecordedCommand) => {
    const out: string[] = [];
    for (const s of [c.cwd, ...c.args])
      for (const m of s.matchAll(scratchDirPattern(scratchRoot, videoId))) out.push(m[1]!);
    return [...new Set(out)];
  };
  const named = commands.map((c) => {
    const dirs = dirsOf(c);
    if (dirs.length === 0) throw new Error(`a command in none of the video's scratch directories: ${c.args.join(' ')}`);
    for (const d of dirs) if (!parent.has(d)) parent.set(d, d);
    for (const d of dirs.slice(1)) parent.set(find(d), find(dirs[0]!));
    // Anything of the scratch root left after the video's directories are taken out is not the video's own.
    const rest = [c.cwd, ...c.args].map((s) => s.replace(scratchDirPattern(scratchRoot, videoId), ''));
    if (rest.some((s) => s.includes(scratchRoot)))
      throw new Error(`a command naming another scratch directory: ${c.args.join(' ')}`);
    return { c, dirs };
  });

  const jobs = new Map<string, PlannedJob & { firstAt: bigint }>();
  for (const { c, dirs } of named) {
    const key = find(dirs[0]!);
    let job = jobs.get(key);
    if (!job) {
      job = { name: '', dirs: [], kind: 'other', lane: null, commands: [], firstAt: c.at };
      jobs.set(key, job);
    }
    for (const d of dirs) if (!job.dirs.includes(d)) job.dirs.push(d);
    if (c.at < job.firstAt) job.firstAt = c.at;
    const swap = (s: string) => placeholders(s, scratchRoot, videoId);
    job.commands.push({ bin: c.bin, cwd: swap(c.cwd), args: c.args.map(swap) });
  }
  const startOf = (j: PlannedJob) => Math.min(...j.dirs.map((d) => stepStartedAt[d] ?? Number.POSITIVE_INFINITY));
  const list = [...jobs.values()]
    .map((j) => {
      // The job's name: the directory named after its job (video:process's `process`, besides its `playable`).
      j.dirs.sort((a, b) => (stepStartedAt[a] ?? Infinity) - (stepStartedAt[b] ?? Infinity));
      const kindOf = (d: string) => KINDS.find((k) => d === k || d.startsWith(`${k}-`));
      j.name = j.dirs.find(kindOf) ?? j.dirs[0]!;
      j.kind = kindOf(j.name) ?? 'other';
      return j;
    })
    .sort((a, b) => startOf(a) - startOf(b) || (a.firstAt < b.firstAt ? -1 : a.firstAt > b.firstAt ? 1 : 0))
    .map(({ firstAt: _at, ...j }) => j);
  if (list[0]?.kind !== 'process') throw new Error('the recording has no video:process job first');
  if (list.filter((j) => j.kind === 'process').length !== 1) throw new Error('the recording has two process jobs');
  return { ...settings, jobs: list };
}

/** An argument's file path: ffmpeg inputs are `file:<path>` URLs. */
const filePath = (a: string) => (a.startsWith('file:') ? a.slice(5) : a);

/** The playable MP4 the process job wrote (remux or lowest rung): what the images and analysis jobs read. */
export function playableOutput(job: PlannedJob): string {
  for (const c of job.commands) {
    // The last -f: the output's format (an input's comes first).
    const f = c.args.lastIndexOf('-f');
    if (c.bin !== 'ffmpeg' || f < 0 || c.args[f + 1] !== 'mp4') continue;
    const out = filePath(c.args.at(-1)!);
    return out.startsWith('/') || out.startsWith(`${ROOT}/`) ? out : path.join(c.cwd, out);
  }
  throw new Error(`job ${job.name} wrote no MP4`);
}

/**
 * Files a job reads from its own directories, which the worker downloaded before running anything: paths there,
 * outside the `.<name>.partial` directories every output is written to.
 */
export function stagedInputs(job: PlannedJob): string[] {
  const out = new Set<string>();
  const own = job.dirs.map((d) => `${ROOT}/${d}/`);
  for (const c of job.commands)
    for (const a of c.args.map(filePath)) if (own.some((d) => a.startsWith(d)) && !a.includes('/.')) out.add(a);
  return [...out];
}
