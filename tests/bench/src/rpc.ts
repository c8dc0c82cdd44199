// Request/reply over the IPC channel between the bench and a measured child (upload clients, the pipeline replay):
// `startRpcChild` on the bench's side, `serveRpc` in the child. The child says {ready: true} once set up.
import { processEnv } from '@arvlite/config';
import { unlessExited, type ChildHandle, type ProcessRegistry } from './processes.ts';

type Request = { id: number; cmd: string; body: unknown };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface RpcChild {
  child: ChildHandle;
  call<T>(cmd: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startRpcChild(
  processes: ProcessRegistry,
  name: string,
  script: string,
  args: string[],
  opts: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<RpcChild> {
  const child = processes.spawnNode(name, script, args, {
    env: { ...processEnv(), ...opts.env },
    ipc: true,
    stdout: 'ignore',
    nodeArgs: opts.nodeArgs,
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let ready!: () => void;
  const readyPromise = new Promise<void>((r) => (ready = r));
  child.process.on('message', (raw) => {
    const msg = raw as Reply | { ready: true };
    if ('ready' in msg) return ready();
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${name}: ${msg.error}`));
  });
  void child.exited.then(({ code, signal }) => {
    for (const p of pending.values())
      p.reject(new Error(`${name} exited (${signal ?? `code ${code}`}):\n${child.stderrTail()}`));
    pending.clear();
  });
  await unlessExited(child, readyPromise);
  return {
    child,
    call: <T>(cmd: string, body?: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.process.send({ id, cmd, body } satisfies Request);
      }),
    stop: () => child.stop(20_000).then(() => undefined),
  };
}

/** The child's half: answers each request with its handler's result; exits when the bench goes away. */
export function serveRpc(
  handlers: Record<string, (body: never) => Promise<unknown>>,
  onExit: () => Promise<void> = async () => {},
): void {
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    void onExit().finally(() => process.exit(0));
  };
  process.on('message', (raw) => {
    const msg = raw as Request;
    const handler = handlers[msg.cmd];
    const reply = (r: Reply) => process.send?.(r);
    if (!handler) return reply({ id: msg.id, ok: false, error: `unknown command ${msg.cmd}` });
    handler(msg.body as never).then(
      (result) => reply({ id: msg.id, ok: true, result }),
      (err: unknown) =>
        reply({
          id: msg.id,
          ok: false,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
    );
  });
  process.on('disconnect', shutdown);
  process.on('SIGTERM', shutdown);
  process.send?.({ ready: true });
}
