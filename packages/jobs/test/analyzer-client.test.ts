// The external analyzer sends through the SSRF guard (the brief: every outbound request, webhooks and analyzers, is
// checked): metadata and loopback addresses refused unless private networks are allowed (metadata never), redirects
// not followed, the answer capped.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExternalHttpAnalyzer, probe, resolveFfmpeg, type FfmpegBinaries, type MediaInfo } from '@arvlite/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzerHttpClient } from '../src/pipeline/analyzer-client.ts';

let bin: FfmpegBinaries;
let dir: string;
let clip: string;
let info: MediaInfo;
let server: Server;
let base: string;
let hits = 0;
let answer: 'json' | 'redirect' | 'huge' = 'json';

beforeAll(async () => {
  bin = await resolveFfmpeg();
  dir = await mkdtemp(join(tmpdir(), 'analyzer-client-'));
  clip = join(dir, 'tone.mp4');
  // prettier-ignore
  execFileSync(bin.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'color=size=64x64:duration=1', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);
  info = await probe(bin, clip);
  server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => {
      if (answer === 'redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (answer === 'huge') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const more = () => {
          while (sent < 50 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        res.on('error', () => {});
        more();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"hello"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const analyzer = (url: string, allowPrivate: boolean) =>
  createExternalHttpAnalyzer(bin, {
    name: 'transcript',
    url,
    tmpDir: dir,
    timeoutMs: 10_000,
    request: analyzerHttpClient({ allowLoopback: false, allowPrivate }),
  });

describe('external analyzer through the SSRF guard', () => {
  it('refuses loopback and the metadata address without the allow flag, and metadata even with it', async () => {
    const before = hits;
    await expect(analyzer(`${base}/v1`, false).analyze(clip, info)).rejects.toThrow(/could not be reached/);
    await expect(analyzer('https://127.0.0.1/v1', false).analyze(clip, info)).rejects.toThrow(/loopback/);
    await expect(analyzer('http://169.254.169.254/latest', false).analyze(clip, info)).rejects.toThrow(
      /could not be reached/,
    );
    await expect(analyzer('http://169.254.169.254/latest', true).analyze(clip, info)).rejects.toThrow(/metadata/);
    await expect(analyzer('http://169.254.1.1/latest', true).analyze(clip, info)).rejects.toThrow(/linkLocal/);
    expect(hits).toBe(before);
  });

  it('reaches a private address when the operator allows it', async () => {
    answer = 'json';
    expect(await analyzer(`${base}/v1`, true).analyze(clip, info)).toEqual({ status: 200, body: { text: 'hello' } });
  });

  it('does not follow a redirect', async () => {
    answer = 'redirect';
    const before = hits;
    await expect(analyzer(`${base}/v1`, true).analyze(clip, info)).rejects.toThrow(/redirect \(not followed\)/);
    expect(hits).toBe(before + 1);
  });

  it('caps the answer at 1 MiB', async () => {
    answer = 'huge';
    await expect(analyzer(`${base}/v1`, true).analyze(clip, info)).rejects.toThrow(/larger than 1048576 bytes/);
  });
});
