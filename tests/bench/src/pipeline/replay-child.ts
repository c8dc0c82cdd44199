// The Pipeline baseline: runs the ffmpeg/ffprobe commands our worker ran for one video (a ReplayPlan), directly,
// with nothing around them: no queue, no database, no storage transfers, stdout and stderr to /dev/null. The
// scheduling is the worker's: the process job first, then the rest in job order on WORKER_CONCURRENCY slots, with
// rendition jobs holding one of MEDIA_ENCODE_CONCURRENCY encode slots, as Semaphore in packages/jobs does.
//
//   node replay-child.ts        (then, over IPC: replay {planFile, root})
import { spawn } from 'node:child_process';
import { copyFile, link, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { serveRpc } from '../rpc.ts';
import { playableOutput, ROOT, stagedInputs, type PlannedJob, type ReplayPlan } from './replay-plan.ts';

export interface ReplayResult {
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

async function replay({ planFile, root }: { planFile: string; root: string }): Promise<ReplayResult> {
  const plan = JSON.parse(await readFile(planFile, 'utf8')) as ReplayPlan;
  const at = (s: string) => s.replaceAll(ROOT, root);
  await rm(root, { recursive: true, force: true });
  // Untimed: the directories, and the original where each job had downloaded it.
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
  await Promise.all(
    rest.map((job) =>
      slots.use(() => {
        const started = performance.now();
        return job.kind === 'rendition' ? encodes.use(() => runJob(job, started)) : runJob(job);
      }),
    ),
  );
  const ms = performance.now() - t0;
  await rm(root, { recursive: true, force: true });
  return { ms, processJobMs, jobMs };
}

serveRpc({ replay });
