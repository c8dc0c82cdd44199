// The literal-string guard: ESLint's i18next/no-literal-string (apps/mobile/eslint.config.js) finds no text written
// inline in the app's components, and does report one when a component has it.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { appDir } from './support/web-export.ts';

const RULE = 'i18next/no-literal-string';

describe('no literal user-facing text in components', () => {
  const eslint = new ESLint({ cwd: appDir });

  it('finds none in src', async () => {
    const results = await eslint.lintFiles(['src/**/*.tsx']);
    expect(results.length).toBeGreaterThan(15);
    const found = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === RULE)
        .map((m) => `${path.relative(appDir, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(found).toEqual([]);
  }, 120_000);

  it('reports JSX text and the attributes people read or hear, and leaves keys and styles alone', async () => {
    const fixture = `
      import { Text, View } from 'react-native';
      import { useTranslation } from 'react-i18next';
      import { Button, Field } from '../ui/kit.tsx';
      export function Fixture() {
        const { t } = useTranslation();
        return (
          <View accessibilityLabel="Photo frame" style={{ flex: 1 }}>
            <Text>Hello there</Text>
            <Button label="Press me" kind="secondary" onPress={() => undefined} />
            <Field label={t('signIn.email')} placeholder="you@example.com" keyboardType="email-address" />
            <Text testID="greeting">{t('home.intro')}</Text>
          </View>
        );
      }
    `;
    const [result] = await eslint.lintText(fixture, { filePath: path.join(appDir, 'src/screens/fixture.tsx') });
    const reported = result!.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
    expect(reported).toHaveLength(4);
    for (const text of ['Photo frame', 'Hello there', 'Press me', 'you@example.com'])
      expect(reported.some((m) => m.includes(text))).toBe(true);
  }, 60_000);
});
