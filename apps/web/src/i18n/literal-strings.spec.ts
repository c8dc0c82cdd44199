// The literal-string guard: ESLint's i18next/no-literal-string (apps/web/eslint.config.js) finds no user-facing literal
// in any component, and does report one, so this test fails when a component shows text outside the catalogs.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const webRoot = path.resolve(import.meta.dirname, '../..');
const RULE = 'i18next/no-literal-string';

describe('no literal user-facing strings in components', () => {
  const eslint = new ESLint({ cwd: webRoot });

  it('finds none in src/**/*.tsx', async () => {
    const results = await eslint.lintFiles(['src/**/*.tsx']);
    const found = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === RULE)
        .map((m) => `${path.relative(webRoot, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(results.length).toBeGreaterThan(30);
    expect(found).toEqual([]);
  }, 120_000);

  it('reports literal JSX text and literal user-facing attributes, not keys or markup', async () => {
    const fixture = [
      "import { useTranslation } from 'react-i18next';",
      'export function Fixture() {',
      '  const { t } = useTranslation();',
      '  return (',
      '    <section className="box" data-x="raw">',
      '      <h1>Hello world</h1>',
      '      <button type="button" aria-label="Close the dialog">×</button>',
      "      <input placeholder={t('auth.email')} title={`Copy ${'link'}`} />",
      "      <p>{t('notFound.text')}</p>",
      '    </section>',
      '  );',
      '}',
    ].join('\n');
    const [result] = await eslint.lintText(fixture, { filePath: path.join(webRoot, 'src/fixture.tsx') });
    const reported = [...new Set(result!.messages.filter((m) => m.ruleId === RULE).map((m) => m.line))];
    // Line 6: JSX text; line 7: aria-label; line 8: a template in title. Not className, data-x, type or "×".
    expect(reported).toEqual([6, 7, 8]);
  }, 60_000);
});
