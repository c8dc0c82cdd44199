// The import boundaries in tooling/eslint (see its index.js): each one refuses a deliberate violation, linted with the
// configuration of the package it would sit in, and lets the allowed form through.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Lints `code` as if it were `file` in `pkg` (a directory under the repo root), with that package's own config. */
async function lint(pkg: string, file: string, code: string) {
  const cwd = path.join(ROOT, pkg);
  const [result] = await new ESLint({ cwd }).lintText(code, { filePath: path.join(cwd, file) });
  return result!.messages.map((m) => ({ rule: m.ruleId, line: m.line }));
}

const RESTRICTED = '@typescript-eslint/no-restricted-imports';

describe('apps import only the client, the contract and the language layer at run time', () => {
  it('refuses @arvlite/db and a runtime @arvlite/api in apps/web and apps/mobile, also through import()', async () => {
    expect(
      await lint('apps/web', 'src/pages/x.tsx', "import { initOrm } from '@arvlite/db';\nvoid initOrm;\n"),
    ).toEqual([{ rule: RESTRICTED, line: 1 }]);
    expect(
      await lint('apps/mobile', 'src/screens/x.tsx', "import { appRouter } from '@arvlite/api';\nvoid appRouter;\n"),
    ).toEqual([{ rule: RESTRICTED, line: 1 }]);
    expect(await lint('apps/web', 'src/x.ts', "export const load = () => import('@arvlite/storage');\n")).toEqual([
      { rule: 'no-restricted-syntax', line: 1 },
    ]);
  });

  it("allows the client, the contract, i18n, the router's types, and test utilities in tests", async () => {
    const allowed = [
      "import type { AppRouter } from '@arvlite/api';",
      "import { createArvliteClient } from '@arvlite/client';",
      "import { LANGUAGES } from '@arvlite/contract';",
      "import { createI18n } from '@arvlite/i18n';",
      'export type R = AppRouter;',
      'export const used = [createArvliteClient, LANGUAGES, createI18n];',
      '',
    ].join('\n');
    expect(await lint('apps/web', 'src/x.ts', allowed)).toEqual([]);
    expect(await lint('apps/mobile', 'src/x.tsx', allowed)).toEqual([]);
    const test = "import { createTestDeps } from '@arvlite/test-utils';\nvoid createTestDeps;\n";
    expect(await lint('apps/web', 'test/x.test.ts', test)).toEqual([]);
  });
});

describe('the API and the server load neither the worker runtime nor the media stack', () => {
  it.each([
    ['packages/api', '@arvlite/jobs/runtime'],
    ['packages/api', '@arvlite/media'],
    ['packages/api', '@arvlite/marker'],
    ['packages/api', 'sharp'],
    ['apps/server', '@arvlite/jobs/runtime'],
    ['apps/server', '@arvlite/media'],
    ['apps/server', '@arvlite/worker'],
    ['packages/api', '@arvlite/documents'],
    ['apps/server', 'pdfkit'],
  ])('%s refuses %s', async (pkg, specifier) => {
    expect(await lint(pkg, 'src/x.ts', `import * as m from '${specifier}';\nvoid m;\n`)).toEqual([
      { rule: RESTRICTED, line: 1 },
    ]);
  });

  it('allows the jobs contract and a light marker subpath', async () => {
    const code =
      "import { enqueue } from '@arvlite/jobs';\nimport { qr } from '@arvlite/marker/qr';\nvoid [enqueue, qr];\n";
    expect(await lint('packages/api', 'src/x.ts', code)).toEqual([]);
    expect(await lint('apps/server', 'src/x.ts', code)).toEqual([]);
  });
});

describe('no relative import leaves its package', () => {
  it('refuses a path into another package, allows one inside the package', async () => {
    expect(
      await lint('packages/api', 'src/x.ts', "import { initOrm } from '../../db/src/index.ts';\nvoid initOrm;\n"),
    ).toEqual([{ rule: 'import-x/no-relative-packages', line: 1 }]);
    expect(
      await lint('apps/web', 'src/x.ts', "import { x } from '../../../packages/contract/src/index.ts';\nvoid x;\n"),
    ).toEqual([{ rule: 'import-x/no-relative-packages', line: 1 }]);
    expect(
      await lint('apps/server', 'src/x.ts', "import { buildServer } from './app.ts';\nvoid buildServer;\n"),
    ).toEqual([]);
  });
});
