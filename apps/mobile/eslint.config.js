import { createRequire } from 'node:module';
import { appConfig as config } from '@arvlite/eslint-config';

// eslint-plugin-i18next is a dependency of the shared config; resolved from there (pnpm keeps it out of this app).
const i18next = createRequire(import.meta.resolve('@arvlite/eslint-config'))('eslint-plugin-i18next');

/**
 * Every user-facing text goes through the catalogs (src/i18n/locales): no literal JSX text, and no literal in the
 * attributes people read or hear (visible labels, placeholders, titles, screen-reader labels).
 */
export const noLiteralText = {
  files: ['src/**/*.tsx'],
  plugins: { i18next },
  rules: {
    'i18next/no-literal-string': [
      'error',
      {
        mode: 'jsx-only',
        'jsx-attributes': {
          include: [
            'label',
            'title',
            'placeholder',
            'note',
            'text',
            'message',
            'alt',
            'accessibilityLabel',
            'accessibilityHint',
            'aria-label',
            'aria-valuetext',
          ],
        },
      },
    ],
  },
};

export default [...config, noLiteralText, { ignores: ['.expo/**', 'android/**', 'ios/**'] }];
