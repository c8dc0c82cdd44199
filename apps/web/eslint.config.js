// The apps' rules (appConfig: at run time only @arvlite/client, @arvlite/contract and @arvlite/i18n), plus the
// language layer's guard: no literal user-facing text in components (JSX text, and the attributes people read or
// hear). Texts go through react-i18next with the catalogs in src/i18n/.
import { createRequire } from 'node:module';
import { appConfig as config } from '@arvlite/eslint-config';

// The plugin is a dependency of @arvlite/eslint-config; resolve it from there (pnpm keeps it out of this package).
const require = createRequire(import.meta.resolve('@arvlite/eslint-config'));
const i18next = require('eslint-plugin-i18next');

/** Attributes a person reads or hears; every other attribute (href, variant, data-*, …) may hold a literal. */
export const USER_FACING_ATTRIBUTES = [
  'title',
  'aria-label',
  'aria-valuetext',
  'aria-description',
  'placeholder',
  'label',
  'alt',
  'description',
  'legend',
  'confirmLabel',
  'submitLabel',
  'nameLabel',
  'failure',
  'moreLabel',
  'empty',
  'valueLabel',
  'nothingFoundMessage',
];

export const literalStringRule = [
  'error',
  {
    mode: 'jsx-only',
    'jsx-attributes': { include: USER_FACING_ATTRIBUTES },
    'should-validate-template': true,
    // Arguments that are keys or names, not text (the plugin's defaults, plus the dashboard's role check).
    callees: {
      exclude: [
        'i18n(ext)?',
        't',
        'require',
        'addEventListener',
        'removeEventListener',
        'getElementById',
        'includes',
        'indexOf',
        'endsWith',
        'startsWith',
        'can',
      ],
    },
    words: {
      // Strings without a letter (punctuation, arrows, numbers) and the product's name are not language.
      exclude: [/^[^\p{L}]*$/u, /^ARVlite$/],
    },
  },
];

export default [
  ...config,
  {
    files: ['src/**/*.tsx'],
    plugins: { i18next },
    rules: { 'i18next/no-literal-string': literalStringRule },
  },
];
