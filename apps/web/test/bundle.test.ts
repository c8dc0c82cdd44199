// The dashboard bundle holds no server code: the router is imported as a type only.
import path from 'node:path';
import { build, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

describe('web bundle', () => {
  it('contains no server-side package', async () => {
    const out = (await build({ root, logLevel: 'silent', build: { write: false, sourcemap: false } })) as
      Rollup.RollupOutput | Rollup.RollupOutput[];
    const chunks = (Array.isArray(out) ? out : [out])
      .flatMap((o) => o.output)
      .filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
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
});
