// The Pipeline baseline: runs the ffmpeg/ffprobe commands our worker ran for one video (a ReplayPlan), directly,
// with nothing around them: no queue, no database, no storage transfers, stdout and stderr to /dev/null. The
// scheduling is the worker's: the process job first, then the rest in job order, each once its queue lane is free
// (graphile-worker runs one job of a queue at a time) on WORKER_CONCURRENCY slots, with rendition jobs holding one of
// MEDIA_ENCODE_CONCURRENCY encode slots, as Semaphore in packages/jobs does. Each job's scratch directories are made
// as the worker makes them: mkdtemp `<root>/<id>-<step>-XXXXXX` (0700), with a made-up id of a video id's length.
//
//   node replay-child.ts        (then, over IPC: replay {planFile, root, lanes?})
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { serveRpc } from '../rpc.ts';
import { playableOutput, ROOT, stagedInputs, type PlannedJob, type ReplayPlan } from './replay-plan.ts';

export interface ReplayResult {
  /** The made-up video id in the replay's directory names. */
  videoId: string;
  ms: number;
  /** The process job alone (probe + playable): the ffmpeg floor under time-to-playable. */
  processJobMs: number;
  jobMs: Record<string, number>;
}

function run(file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} ${args.join(' ')} exited ${signal ?? code}`)),
    );
  });
}

async function linkOrCopy(from: string, to: string) {
  await mkdir(path.dirname(to), { recursive: true });
  await rm(to, { force: true });
  await link(from, to).catch(() => copyFile(from, to));
}

class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

async function replay({
  planFile,
  root,
  lanes: laneOfJob = {},
}: {
  planFile: string;
  root: string;
  /** Queue lanes by job name in place of the plan's (those of the pair's video: they differ per video). */
  lanes?: Record<string, number>;
}): Promise<ReplayResult> {
  const plan = JSON.parse(await readFile(planFile, 'utf8')) as ReplayPlan;
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true, mode: 0o700 });
  // Untimed: the directories (the worker's mkdtemp is a step's first line), and the original where a job read it.
  const videoId = randomUUID();
  const dirs = new Map<string, string>();
  for (const job of plan.jobs)
    for (const d of job.dirs) {
      if (dirs.has(d)) throw new Error(`two jobs with a ${d} directory`);
      dirs.set(d, await mkdtemp(path.join(root, `${videoId}-${d}-`)));
    }
  const at = (s: string) =>
    s
      .replace(/<root>\/([\w-]+)(?![\w-])/g, (_, d: string) => {
        const dir = dirs.get(d);
        if (!dir) throw new Error(`no ${d} directory in the plan`);
        return dir;
      })
      .replaceAll(ROOT, root);
  for (const job of plan.jobs) {
    for (const c of job.commands) await mkdir(at(c.cwd), { recursive: true });
    for (const input of stagedInputs(job))
      if (path.basename(input) === 'original') await linkOrCopy(plan.clip, at(input));
  }
  const jobMs: Record<string, number> = {};
  // From the job getting its slot, like a step's time in ours: a rendition's includes waiting for the encode slot.
  const runJob = async (job: PlannedJob, started = performance.now()) => {
    for (const c of job.commands)
      await run(c.bin === 'ffmpeg' ? plan.ffmpegPath : plan.ffprobePath, c.args.map(at), at(c.cwd));
    jobMs[job.name] = Math.round(performance.now() - started);
  };

  const t0 = performance.now();
  const [first, ...rest] = plan.jobs;
  await runJob(first!);
  const processJobMs = performance.now() - t0;
  // The images and analysis jobs read the playable MP4 the process job published.
  const playable = at(playableOutput(first!));
  for (const job of rest)
    for (const input of stagedInputs(job))
      if (path.basename(input) !== 'original') await linkOrCopy(playable, at(input));
  const slots = new Slots(plan.workerConcurrency);
  const encodes = new Slots(plan.encodeConcurrency);
  const lanes = new Map<number, Slots>();
  const lane = (n: number | null) => {
    if (n === null) return null;
    if (!lanes.has(n)) lanes.set(n, new Slots(1));
    return lanes.get(n)!;
  };
  await Promise.all(
    rest.map((job) => {
      // A job whose queue is busy is not picked up: it takes no worker slot while it waits.
      const take = () =>
        slots.use(() => {
          const started = performance.now();
          const encoding = job.kind === 'rendition' || job.kind === 'ladder';
          return encoding ? encodes.use(() => runJob(job, started)) : runJob(job);
        });
      return lane(laneOfJob[job.name] ?? job.lane)?.use(take) ?? take();
    }),
  );
  const ms = performance.now() - t0;
  await rm(root, { recursive: true, force: true });
  return { videoId, ms, processJobMs, jobMs };
}

serveRpc({ replay });
