// The Pipeline baseline's plan: the ffmpeg/ffprobe commands our worker ran for one video, grouped by job, with the
// video's scratch root replaced by a placeholder so the replay can run them under a root of its own.
import path from 'node:path';
import type { RecordedCommand } from './ffmpeg-recorder.ts';

export const ROOT = '<root>';

export interface PlannedCommand {
  bin: 'ffmpeg' | 'ffprobe';
  cwd: string;
  args: string[];
}

export interface PlannedJob {
  /** graphile-worker's job id (from the directory names): the order the worker picks jobs up. */
  jobId: number;
  /** The job's first scratch directory name without the id, e.g. `rendition-720p`. */
  name: string;
  /** Its scratch directories under the root, e.g. `process-41` and `playable-41` (one per step it runs). */
  dirs: string[];
  kind: 'process' | 'rendition' | 'images' | 'analysis' | 'other';
  commands: PlannedCommand[];
}

export interface ReplayPlan {
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

const KINDS = ['process', 'rendition', 'images', 'analysis'] as const;

/** Groups one video's commands (recorded under `root`, its scratch directory) into jobs, in start order. */
export function planFromRecording(
  commands: RecordedCommand[],
  root: string,
  settings: Omit<ReplayPlan, 'jobs'>,
): ReplayPlan {
  const jobs = new Map<number, PlannedJob>();
  const swap = (s: string) => s.replaceAll(root, ROOT);
  for (const c of commands) {
    // The job a command belongs to: the first scratch directory (`<step>-<job id>`) in its cwd or its arguments.
    const where = [c.cwd, ...c.args].find((s) => s.startsWith(`${root}/`));
    if (!where) throw new Error(`a command outside the video's scratch directory: ${c.args.join(' ')}`);
    const dir = where.slice(root.length + 1).split('/')[0]!;
    const m = /^([a-z0-9-]+?)-(\d+)$/.exec(dir);
    if (!m) throw new Error(`unexpected job directory ${dir}`);
    const jobId = Number(m[2]);
    let job = jobs.get(jobId);
    if (!job) {
      const kind = KINDS.find((k) => m[1] === k || m[1]!.startsWith(`${k}-`)) ?? 'other';
      job = { jobId, name: m[1]!, dirs: [], kind, commands: [] };
      jobs.set(jobId, job);
    }
    if (!job.dirs.includes(dir)) job.dirs.push(dir);
    job.commands.push({ bin: c.bin, cwd: swap(c.cwd), args: c.args.map(swap) });
  }
  const list = [...jobs.values()].sort((a, b) => a.jobId - b.jobId);
  if (list[0]?.kind !== 'process') throw new Error('the recording has no video:process job first');
  return { ...settings, jobs: list };
}

/** The playable MP4 the process job wrote (remux or lowest rung): what the images and analysis jobs read. */
export function playableOutput(job: PlannedJob): string {
  for (const c of job.commands) {
    const f = c.args.indexOf('-f');
    if (c.bin === 'ffmpeg' && f >= 0 && c.args[f + 1] === 'mp4') return path.join(c.cwd, c.args.at(-1)!);
  }
  throw new Error(`job ${job.name} wrote no MP4`);
}

/**
 * Files a job reads from its own directory, which the worker downloaded before running anything: absolute paths
 * there, outside the `.<name>.partial` directories every output is written to.
 */
export function stagedInputs(job: PlannedJob): string[] {
  const out = new Set<string>();
  const own = job.dirs.map((d) => `${ROOT}/${d}/`);
  for (const c of job.commands)
    for (const a of c.args) if (own.some((d) => a.startsWith(d)) && !a.includes('/.')) out.add(a);
  return [...out];
}
