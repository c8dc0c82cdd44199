// The web export bundles the client and the app only: the router is imported as a type, so no server code (ORM,
// Postgres driver, Fastify, the queue, the API's sources) may appear in it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledModules, webExport } from './support/web-export.ts';

describe('web export', () => {
  it('contains the app and the typed client, and no server-side package', async () => {
    const dir = await webExport();
    const modules = bundledModules(dir);
    expect(modules.length).toBeGreaterThan(200);
    expect(modules).toContain('/packages/client/src/index.ts');
    expect(modules).toContain('/packages/client/src/upload.ts');
    // The language layer: i18next and react-i18next bundle for React Native and the web alike.
    expect(modules).toContain('/packages/i18n/src/i18n.ts');
    expect(modules).toContain('/apps/mobile/src/i18n/locales/ru.ts');
    expect(modules.some((m) => /\/react-i18next\//.test(m))).toBe(true);
    expect(modules).toContain('/apps/mobile/src/viewer/manifest-cache.ts');
    // The web build falls back to the player: ViroReact's native AR view is not in it.
    expect(
      modules.filter((m) => m.includes('react-viro') || m.endsWith('.native.tsx') || m.endsWith('.native.ts')),
    ).toEqual([]);

    const forbidden = [
      /\/@mikro-orm\//,
      /\/node_modules\/(\.pnpm\/)?pg[@/]/,
      /\/pg-(pool|protocol|types)[@/]/,
      /\/fastify[@/]/,
      /\/@fastify\//,
      /\/graphile-worker[@/]/,
      /\/packages\/(api|db|jobs|storage|config|media|domain|marker|dev-services|test-utils)\/src\//,
      /\/apps\/(server|worker)\//,
      /\/@node-rs\/argon2/,
      /\/@aws-sdk\//,
      /\/sharp[@/]/,
      /\/jose[@/]/,
      // zod is not here: the contract (@arvlite/contract, through @arvlite/client and @arvlite/i18n) validates with it.
    ];
    const leaked = modules.filter((m) => forbidden.some((f) => f.test(m)));
    expect(leaked).toEqual([]);

    const jsDir = path.join(dir, '_expo/static/js/web');
    const code = readdirSync(jsDir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(path.join(jsDir, f), 'utf8'))
      .join('\n');
    expect(code).not.toMatch(/graphile_worker|@mikro-orm|argon2id\$|DATABASE_URL|S3_SECRET_ACCESS_KEY/);
  }, 180_000);
});
