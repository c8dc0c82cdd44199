// runProcess through the process launcher must behave exactly as a direct spawn: same output, errors, abort and
// timeout, and no child outliving its parent.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/ffmpeg-binary.ts';
import { MediaTimeoutError } from '../src/media-errors.ts';
import { runFfmpeg, runProcess, stopProcessLauncher, useProcessLauncher, type RunOptions } from '../src/run-process.ts';
import { pidAlive } from './fixtures.ts';

let bin: FfmpegBinaries;

beforeAll(async () => {
  bin = await resolveFfmpeg();
});
afterAll(() => stopProcessLauncher());

async function waitUntilGone(pid: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while ((await pidAlive(pid)) && Date.now() < until) await sleep(25);
  return !(await pidAlive(pid));
}

async function parentPid(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^PPid:\s*(\d+)/m.exec(status)![1]);
}

/** Everything runProcess hands back or reports: result or error, and every line as the callbacks saw it. */
async function observe(command: string, args: string[], options: RunOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const settled = await runProcess(command, args, {
    ...options,
    onStdoutLine: (l) => out.push(l),
    onStderrLine: (l) => err.push(l),
  }).then(
    (r) => ({ ok: true as const, ...r }),
    (e: Error & Record<string, unknown>) => ({
      ok: false as const,
      name: e.name,
      message: e.message,
      code: e.code,
      exitCode: e.exitCode,
      signal: e.signal,
    }),
  );
  return { settled, out, err };
}

// A child that writes multi-byte UTF-8 split across writes, CR and LF line ends, a large stdout, and exits with a code.
const chatty = `
  const euro = Buffer.from('€', 'utf8');
  process.stdout.write(Buffer.concat([Buffer.from('price: 5'), euro.subarray(0, 1)]));
  setTimeout(() => {
    process.stdout.write(Buffer.concat([euro.subarray(1), Buffer.from(' naïve\\r\\nпривет\\n')]));
    process.stdout.write('x'.repeat(300000) + '\\nlast line without end');
    for (let i = 0; i < 40; i++) process.stderr.write('err ' + i + (i % 2 ? '\\r' : '\\n'));
    process.exitCode = Number(process.argv[1]);
  }, 20);`;

describe('the process launcher', () => {
  it('gives the same results as a direct spawn, byte for byte', async () => {
    const cases: [string, string[]][] = [
      [process.execPath, ['-e', chatty, '0']],
      [process.execPath, ['-e', chatty, '3']],
      [bin.ffprobe, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=d=1:s=64x36', '-show_streams', '-of', 'json']],
      [bin.ffmpeg, ['-v', 'error', '-i', '/nonexistent/input.mp4', '-f', 'null', '-']],
      ['/nonexistent/command', []],
    ];
    stopProcessLauncher();
    const direct = [];
    for (const [c, a] of cases) direct.push(await observe(c, a));
    const { pid: launcherPid } = useProcessLauncher();
    const launched = [];
    for (const [c, a] of cases) launched.push(await observe(c, a));
    expect(launcherPid).toBeGreaterThan(0);
    expect(launched).toEqual(direct);
    // The cases did what they were meant to: a success with output, a failure with its code, the missing command.
    expect(direct[0]!.settled).toMatchObject({ ok: true, stdout: expect.stringContaining('5€ naïve\r\nпривет\n') });
    expect(direct[0]!.out.slice(0, 3)).toEqual(['price: 5€ naïve', 'привет', 'x'.repeat(300000)]);
    expect(direct[1]!.settled).toMatchObject({ ok: false, name: 'MediaProcessError', exitCode: 3 });
    expect(direct[2]!.settled).toMatchObject({ ok: true, stdout: expect.stringContaining('"codec_type": "video"') });
    expect(direct[3]!.settled).toMatchObject({ ok: false, message: expect.stringMatching(/No such file/) });
    expect(direct[4]!.settled).toMatchObject({ ok: false, exitCode: 127 });
  });

  it('the launcher, not this process, is the parent of what it runs; abort and timeout still kill the child', async () => {
    const { pid: launcherPid } = useProcessLauncher();
    const controller = new AbortController();
    let pid = 0;
    const running = runFfmpeg(bin.ffmpeg, ['-re', '-f', 'lavfi', '-i', 'testsrc2=s=160x90', '-f', 'null', '-'], {
      signal: controller.signal,
      onSpawn: (p) => (pid = p),
    });
    while (pid === 0) await sleep(10);
    expect(await parentPid(pid)).toBe(launcherPid);
    controller.abort(new Error('test abort'));
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(await pidAlive(pid)).toBe(false);

    let timedPid = 0;
    const timed = runFfmpeg(bin.ffmpeg, ['-re', '-f', 'lavfi', '-i', 'testsrc2=s=160x90', '-f', 'null', '-'], {
      timeoutMs: 300,
      onSpawn: (p) => (timedPid = p),
    });
    await expect(timed).rejects.toBeInstanceOf(MediaTimeoutError);
    expect(await pidAlive(timedPid)).toBe(false);
  });

  it('a launcher that dies fails its runs, takes their children along, and is replaced for the next run', async () => {
    const { pid: launcherPid } = useProcessLauncher();
    let pid = 0;
    const running = runFfmpeg(bin.ffmpeg, ['-re', '-f', 'lavfi', '-i', 'testsrc2=s=160x90', '-f', 'null', '-'], {
      onSpawn: (p) => (pid = p),
    });
    while (pid === 0) await sleep(10);
    process.kill(launcherPid!, 'SIGKILL');
    await expect(running).rejects.toMatchObject({ code: 'ELAUNCHER' });
    expect(await waitUntilGone(pid, 3000)).toBe(true);

    let next = 0;
    await runFfmpeg(bin.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=d=0.1', '-f', 'null', '-'], {
      onSpawn: (p) => (next = p),
    });
    const replacement = useProcessLauncher().pid;
    expect(replacement).not.toBe(launcherPid);
    expect(next).toBeGreaterThan(0);
  });

  it('the launcher and its ffmpeg die with their parent even when it is SIGKILLed', async () => {
    const runProcessModule = new URL('../src/run-process.ts', import.meta.url).href;
    const script = `
      const { runFfmpeg, useProcessLauncher } = await import(${JSON.stringify(runProcessModule)});
      console.log('LAUNCHER ' + useProcessLauncher().pid);
      await runFfmpeg(${JSON.stringify(bin.ffmpeg)}, ['-re', '-f', 'lavfi', '-i', 'testsrc2=s=160x90', '-f', 'null', '-'], {
        onSpawn: (pid) => console.log('PID ' + pid),
      });`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [launcher, pid] = await new Promise<[number, number]>((resolve, reject) => {
      let buf = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const l = /LAUNCHER (\d+)/.exec(buf);
        const m = /PID (\d+)/.exec(buf);
        if (l && m) resolve([Number(l[1]), Number(m[1])]);
      });
      parent.once('exit', () => reject(new Error('the parent exited before starting ffmpeg')));
    });
    try {
      expect(await parentPid(pid)).toBe(launcher);
      parent.kill('SIGKILL');
      expect(await waitUntilGone(launcher, 3000)).toBe(true);
      expect(await waitUntilGone(pid, 3000)).toBe(true);
    } finally {
      for (const p of [launcher, pid]) if (await pidAlive(p)) process.kill(p, 'SIGKILL');
    }
  });
});
