// The server process must not load the media stack (sharp, ffmpeg wrappers, MindAR, TensorFlow.js, OpenCV), nor the
// worker's task runtime that pulls it in, nor the PDF renderer (@arvlite/documents, pdfkit).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const FORBIDDEN = [
  /\/node_modules\/sharp\//,
  /\/node_modules\/@img\//,
  /\/packages\/media\//,
  /\/node_modules\/@ffmpeg-installer\//,
  /\/node_modules\/@ffprobe-installer\//,
  /\/node_modules\/mind-ar\//,
  /\/node_modules\/@tensorflow\//,
  /\/node_modules\/@techstark\/opencv-js\//,
  /\/packages\/jobs\/src\/runtime\.ts$/,
  /\/packages\/jobs\/src\/.*\.task\.ts$/,
  /\/node_modules\/pdfkit\//,
  /\/packages\/documents\//,
];

describe('server module graph', () => {
  it('loads no media library and no worker task', async () => {
    const script = fileURLToPath(new URL('./load-server-modules.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      maxBuffer: 64 * 1024 * 1024,
    });
    const urls = JSON.parse(stdout) as string[];
    expect(urls.length).toBeGreaterThan(100);
    expect(urls.some((u) => u.includes('/packages/api/src/'))).toBe(true);
    const loaded = urls.filter((u) => FORBIDDEN.some((re) => re.test(decodeURIComponent(u))));
    expect(loaded).toEqual([]);
  }, 60_000);
});
