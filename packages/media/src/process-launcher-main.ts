// The process launcher: a small Node process that spawns ffmpeg/ffprobe on a large process's behalf.
//
// Spawning from a process forks it first. The fork copies the page tables of every resident page and write-protects
// them, and the parent then takes a page fault on its next write to each of them. For a worker holding a few hundred
// MiB that costs tens of milliseconds of CPU per child. This process is Node itself (about 88 MiB resident, measured
// once), with no heap of its own to copy or fault on: a spawn from a bare Node process took about 3 ms of CPU. It
// imports nothing but node:child_process, and exits with its children when its parent goes away.
import { spawn, type ChildProcess } from 'node:child_process';
import type { LauncherReply, LauncherRequest } from './process-launcher.ts';

const children = new Map<number, ChildProcess>();

function reply(message: LauncherReply) {
  process.send?.(message);
}

function run({ id, file, argv, cwd }: Extract<LauncherRequest, { t: 'run' }>) {
  const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(id, child);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => reply({ t: 'out', id, d }));
  child.stderr.on('data', (d: string) => reply({ t: 'err', id, d }));
  child.once('spawn', () => reply({ t: 'spawn', id, pid: child.pid! }));
  child.once('error', (e: NodeJS.ErrnoException) => {
    children.delete(id);
    reply({ t: 'error', id, message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path });
  });
  child.once('close', (code, signal) => {
    children.delete(id);
    reply({ t: 'close', id, code, signal });
  });
}

process.on('message', (m: LauncherRequest) => {
  if (m.t === 'run') run(m);
  else if (m.t === 'kill') children.get(m.id)?.kill(m.signal);
});

// The parent is gone (it exited, or closed the channel): take every child along and leave.
process.on('disconnect', () => {
  for (const c of children.values()) c.kill('SIGKILL');
  process.exit(0);
});
