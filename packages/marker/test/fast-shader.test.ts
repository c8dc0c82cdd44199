// fast-shader.ts stands in for mind-ar's fakeShader.js in every compile: it must produce the same .mind, byte for byte.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileMindTarget } from '../src/compile.ts';
import { loadMindAr } from '../src/mind-ar.ts';
import { normalizeMarker } from '../src/normalize.ts';
import { generateMarkerImage } from '../src/testing.ts';

const CHILD = fileURLToPath(new URL('./fixtures/compile-child.ts', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fast-shader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function compileInChild(shader: 'fast' | 'mind-ar', input: string): Promise<{ shader: string; mind: Buffer }> {
  const output = join(dir, `${shader}.mind`);
  const { stdout } = await promisify(execFile)(process.execPath, [CHILD, shader, input, output], {
    maxBuffer: 1024 * 1024,
  });
  return { ...(JSON.parse(stdout.trim()) as { shader: string }), mind: await readFile(output) };
}

it(
  'compiles the same .mind as mind-ar’s own shader emulator, in and out of the test runner',
  { timeout: 180_000 },
  async () => {
    for (const kind of ['busy', 'low'] as const) {
      const marker = await normalizeMarker(await generateMarkerImage(kind, 640, 480, 'jpeg', 7));
      const input = join(dir, `${kind}.jpg`);
      await writeFile(input, marker.jpeg);
      const original = await compileInChild('mind-ar', input);
      const fast = await compileInChild('fast', input);
      expect([original.shader, fast.shader]).toEqual(['mind-ar', 'fast']);
      expect(original.mind.length).toBeGreaterThan(1000);
      expect(Buffer.compare(fast.mind, original.mind)).toBe(0);

      // The same swap inside vitest, which loads mind-ar through Node as well.
      const inProcess = await compileMindTarget(marker.jpeg);
      expect((await loadMindAr()).shader).toBe('fast');
      expect(Buffer.compare(inProcess.mind, original.mind)).toBe(0);
    }
  },
);
