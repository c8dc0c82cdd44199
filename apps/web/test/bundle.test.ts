// The dashboard bundle holds no server code: the router is imported as a type only.
import path from 'node:path';
import type { Rollup } from 'vite';
import { buildWeb } from './build-web.ts';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/** The production build, in memory; once for the file. */
let built: Promise<(Rollup.OutputChunk | Rollup.OutputAsset)[]> | undefined;
const output = () =>
  (built ??= buildWeb({ root, logLevel: 'silent', build: { write: false, sourcemap: false } }).then((out) => {
    const outputs = (Array.isArray(out) ? out : [out]) as Rollup.RollupOutput[];
    return outputs.flatMap((o) => o.output);
  }));

describe('web bundle', () => {
  it('contains no server-side package', async () => {
    const chunks = (await output()).filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
    const modules = chunks.flatMap((c) => c.moduleIds).map((id) => id.replaceAll('\\', '/'));
    expect(modules.length).toBeGreaterThan(100);
    // Sanity: the client and the upload engine are in it.
    expect(modules.some((m) => m.includes('/packages/client/src/index.ts'))).toBe(true);
    expect(modules.some((m) => m.includes('/@uppy/aws-s3/'))).toBe(true);

    const forbidden = [
      /\/@mikro-orm\//,
      /\/node_modules\/(\.pnpm\/)?pg[@/]/,
      /\/fastify[@/]/,
      /\/@fastify\//,
      /\/graphile-worker[@/]/,
      /\/packages\/(api|db|jobs|storage|config|media|domain)\/src\//,
      /\/@node-rs\/argon2/,
      /\/@aws-sdk\//,
    ];
    const leaked = modules.filter((m) => forbidden.some((f) => f.test(m)));
    expect(leaked).toEqual([]);
    const code = chunks.map((c) => c.code).join('\n');
    expect(code).not.toMatch(/graphile_worker|@mikro-orm|argon2id\$/);
  }, 60_000);

  it('names the engine chunk in the viewer page (and only there), for its download from page open', async () => {
    const files = await output();
    const engine = files.find(
      (c): c is Rollup.OutputChunk => c.type === 'chunk' && !!c.facadeModuleId?.endsWith('/src/viewer/ar-engine.ts'),
    );
    expect(engine).toBeDefined();
    const page = (name: string) => {
      const html = files.find((f) => f.fileName === name);
      return html?.type === 'asset' ? String(html.source) : '';
    };
    expect(page('viewer.html')).toContain(`<meta name="arv-engine" content="/${engine!.fileName}">`);
    // Neither page downloads it unasked: the viewer adds the link itself when a camera will likely be granted.
    expect(page('viewer.html')).not.toContain(`rel="modulepreload" crossorigin href="/${engine!.fileName}"`);
    expect(page('index.html')).not.toContain('arv-engine');
  }, 60_000);

  it("is React's production build, as `pnpm build` makes it (the tests serve this build too)", async () => {
    const code = (await output())
      .filter((c): c is Rollup.OutputChunk => c.type === 'chunk')
      .map((c) => c.code)
      .join('\n');
    // A message only React's development build carries; StrictMode runs effects twice there.
    expect(code).toContain('react');
    expect(code).not.toContain('is not configured to support act(');
  }, 60_000);
});
