// The bench's handle on a queue worker child: start it, send it commands, stop it.
import { fileURLToPath } from 'node:url';
import { processEnv } from '@arvlite/config';
import type { ChildHandle, ProcessRegistry } from '../processes.ts';
import { unlessExited } from '../processes.ts';
import type { ChildInit, ChildReply, CommandBody } from './protocol.ts';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

export interface WorkerSide {
  name: string;
  child: ChildHandle;
  /** Per sample: enqueue → task start, and how long the enqueue call itself took (both ms). */
  latency(samples: number, gapMs: number): Promise<{ startMs: number[]; enqueueMs: number[] }>;
  drain(jobs: number): Promise<{ ms: number; failed: number }>;
  stop(): Promise<void>;
}

export async function startWorkerSide(
  processes: ProcessRegistry,
  init: ChildInit,
  opts: { nodeArgs?: string[] } = {},
): Promise<WorkerSide> {
  const name = `queue-${init.side}`;
  const child = processes.spawnNode(name, CHILD, [JSON.stringify(init)], {
    env: { ...processEnv() },
    ipc: true,
    // Nothing here is meant to be read; errors come back over IPC or in the stderr tail.
    stdout: 'ignore',
    nodeArgs: opts.nodeArgs,
  });
  const proc = child.process;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let ready!: () => void;
  const readyPromise = new Promise<void>((r) => (ready = r));
  proc.on('message', (raw) => {
    const msg = raw as ChildReply | { ready: true };
    if ('ready' in msg) return ready();
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${name}: ${msg.error}`));
  });
  void child.exited.then(({ code, signal }) => {
    for (const p of pending.values()) {
      p.reject(new Error(`${name} exited (${signal ?? `code ${code}`}):\n${child.stderrTail()}`));
    }
    pending.clear();
  });

  const send = <T>(body: CommandBody): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      proc.send({ ...body, id });
    });

  await unlessExited(child, readyPromise);
  return {
    name,
    child,
    latency: (samples, gapMs) => send<{ startMs: number[]; enqueueMs: number[] }>({ cmd: 'latency', samples, gapMs }),
    drain: (jobs) => send<{ ms: number; failed: number }>({ cmd: 'drain', jobs }),
    async stop() {
      if (!child.running()) return;
      await send({ cmd: 'stop' }).catch(() => {});
      await child.stop(25_000);
    },
  };
}
