import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/ffmpeg-binary.ts';
import { FfmpegNotFoundError, MediaProcessError } from '../src/media-errors.ts';
import { probe } from '../src/probe.ts';
import { encodeRendition, planLadder } from '../src/renditions.ts';
import { runFfmpeg } from '../src/run-process.ts';
import { clips, decodeErrors, ffprobe, makeTempDir, pidAlive } from './fixtures.ts';

let bin: FfmpegBinaries;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  bin = await resolveFfmpeg();
  tmp = await makeTempDir('process');
});
afterAll(() => tmp.cleanup());

async function waitUntilGone(pid: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while ((await pidAlive(pid)) && Date.now() < until) await sleep(25);
  return !(await pidAlive(pid));
}

describe('ffmpeg binary', () => {
  it('finds the system ffmpeg ≥ 5 on PATH', async () => {
    expect(bin.source).toEqual({ ffmpeg: 'path', ffprobe: 'path' });
    expect(bin.major).toBeGreaterThanOrEqual(5);
    expect(bin.fpsModeOption).toBe('-fps_mode');
    expect(bin.warnings).toEqual([]);
  });

  it('uses a configured path, with the ffprobe beside it', async () => {
    const configured = await resolveFfmpeg({ ffmpegPath: '/usr/bin/ffmpeg' });
    expect(configured).toMatchObject({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe' });
    expect(configured.source).toEqual({ ffmpeg: 'option', ffprobe: 'option' });
  });

  it('refuses a configured path that does not run instead of silently falling back', async () => {
    await expect(resolveFfmpeg({ ffmpegPath: join(tmp.dir, 'no-such-ffmpeg') })).rejects.toBeInstanceOf(
      FfmpegNotFoundError,
    );
  });

  it('falls back to the npm-shipped build with a warning, and that build can still encode', async () => {
    const warnings: string[] = [];
    const shipped = await resolveFfmpeg({ skipPath: true, onWarning: (w) => warnings.push(w) });
    expect(shipped.source).toEqual({ ffmpeg: 'installer', ffprobe: 'installer' });
    expect(shipped.ffmpeg).toContain('@ffmpeg-installer');
    expect(warnings.join(' ')).toMatch(/var_stream_map/);
    expect(shipped.fpsModeOption).toBe('-vsync');

    const input = await clips.oneSecond(tmp.dir);
    const info = await probe(shipped, input);
    const out = join(tmp.dir, 'out-shipped');
    const r = await encodeRendition(shipped, input, info, planLadder(info)[0]!, out, {
      preset: 'ultrafast',
    });
    const mp4 = await ffprobe(join(out, r.mp4));
    expect({ w: mp4.width, h: mp4.height, audio: mp4.hasAudio }).toEqual({
      w: 320,
      h: 180,
      audio: true,
    });
    expect(Math.abs(mp4.durationS - 1)).toBeLessThanOrEqual(0.1);
    expect(await decodeErrors(join(out, r.playlist))).toBe('');
  });
});

describe('running ffmpeg', () => {
  it('reports the stderr tail when ffmpeg fails', async () => {
    const err = await runFfmpeg(bin.ffmpeg, [
      '-v',
      'error',
      '-i',
      join(tmp.dir, 'missing.mp4'),
      '-f',
      'null',
      '-',
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaProcessError);
    expect((err as MediaProcessError).exitCode).not.toBe(0);
    expect((err as MediaProcessError).message).toMatch(/No such file or directory/);
  });

  it('aborting an encode kills ffmpeg and leaves no partial output', async () => {
    const input = await clips.long(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'out-aborted');
    const controller = new AbortController();
    let pid = 0;
    const progress: number[] = [];
    const encoding = encodeRendition(bin, input, info, planLadder(info)[0]!, out, {
      // veryslow keeps ffmpeg busy for seconds on 20 s of video, so the abort lands mid-encode.
      preset: 'veryslow',
      signal: controller.signal,
      onSpawn: (p) => (pid = p),
      onProgress: (p) => {
        progress.push(p);
        if (p > 0) controller.abort(new Error('test abort'));
      },
    });
    // Aborted mid-encode (no assertion on the clock): the AbortError, ffmpeg gone, progress short of 100, no output.
    await expect(encoding).rejects.toMatchObject({ name: 'AbortError' });
    expect(pid).toBeGreaterThan(0);
    expect(await pidAlive(pid)).toBe(false);
    // Progress arrived mid-encode: fractions strictly between 0 and 100, never the final 100.
    expect(progress.at(-1)).toBeGreaterThan(0);
    expect(progress.every((p) => p >= 0 && p < 100)).toBe(true);
    expect(await readdir(out)).toEqual([]);
  });

  it('an already-aborted signal never starts ffmpeg', async () => {
    await expect(
      runFfmpeg(bin.ffmpeg, ['-f', 'lavfi', '-i', 'testsrc2', '-f', 'null', '-'], {
        signal: AbortSignal.abort(),
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('ffmpeg dies with its parent even when the parent is SIGKILLed', async () => {
    const runProcessModule = new URL('../src/run-process.ts', import.meta.url).href;
    const script = `
      const { runFfmpeg } = await import(${JSON.stringify(runProcessModule)});
      await runFfmpeg(${JSON.stringify(bin.ffmpeg)}, ['-re', '-f', 'lavfi', '-i', 'testsrc2=s=160x90', '-f', 'null', '-'], {
        onSpawn: (pid) => console.log('PID ' + pid),
      });`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let buf = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const m = /PID (\d+)/.exec(buf);
        if (m) resolve(Number(m[1]));
      });
      parent.once('exit', () => reject(new Error('the parent exited before starting ffmpeg')));
    });
    try {
      expect(await pidAlive(pid)).toBe(true);
      parent.kill('SIGKILL');
      expect(await waitUntilGone(pid, 3000)).toBe(true);
    } finally {
      // Should this test fail, the orphan must not outlive the suite.
      if (await pidAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
