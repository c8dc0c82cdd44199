// Shared lint rules. process.env is read only in @arvlite/config (packages/config/src/env.ts).
//
// Import boundaries: every package's eslint.config.js spreads one of the configs below, chosen by its role. Flat config
// `files` globs are relative to the file that uses them (the package's directory), so a role is named by which config a
// package takes, not by a path pattern here.
//   config        every package: no relative import leaves its package;
//   appConfig     apps/web, apps/mobile: at run time only @arvlite/client, @arvlite/contract and @arvlite/i18n;
//   apiConfig     packages/api: not the worker runtime, nor anything that loads the media stack;
//   serverConfig  apps/server: the same.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Source files of a package, without its tests (tests may load anything they exercise). */
const SOURCE = ['src/**/*.{ts,tsx}', 'index.ts'];
const TESTS = ['**/*.{spec,test}.{ts,tsx}'];

/** What loads sharp, ffmpeg wrappers, mind-ar or TensorFlow.js, and the worker's task runtime. */
const WORKER_SIDE = [
  {
    regex: '^@arvlite/jobs/runtime(/|$)',
    message:
      'The worker task runtime is imported only by apps/worker; use the @arvlite/jobs contract (job map, enqueue).',
  },
  { regex: '^@arvlite/worker(/|$)', message: 'apps/worker is a process of its own, not a library.' },
  { regex: '^@arvlite/media(/|$)', message: '@arvlite/media (ffmpeg) runs only in the worker.' },
  {
    regex: '^@arvlite/marker(/(bench|testing))?$',
    message:
      "@arvlite/marker's root loads sharp and mind-ar; import a light subpath (e.g. @arvlite/marker/qr) or the contract.",
  },
  {
    regex: '^(sharp|mind-ar|canvas|@tensorflow/.*|@ffmpeg-installer/.*|@ffprobe-installer/.*)(/|$)',
    message: 'Media libraries run only in the worker.',
  },
  {
    regex: '^(@arvlite/documents|pdfkit)(/|$)',
    message: 'PDFs are rendered only in the worker (@arvlite/documents, pdfkit); the API queues a job and presigns.',
  },
];

const restrict = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
  // The same for import(), which the rule above does not see (esquery regexes cannot hold a '/': \x2F instead).
  'no-restricted-syntax': [
    'error',
    ...patterns.map(({ regex, message }) => ({
      selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`,
      message,
    })),
  ],
});

const config = tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.data/**', '**/migrations/*.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration from @arvlite/config.' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Another package is reached by its name and its exports, never by a path into its files.
      'import-x/no-relative-packages': 'error',
    },
  },
);

/** apps/web, apps/mobile: what ships to browsers and phones reaches the server only through the typed client. */
export const appConfig = [
  ...config,
  {
    files: SOURCE,
    ignores: TESTS,
    rules: restrict([
      {
        regex: '^@arvlite/(?!(client|contract|i18n)(/|$))',
        allowTypeImports: true,
        message:
          'Apps import only @arvlite/client, @arvlite/contract and @arvlite/i18n at run time (types from @arvlite/api are fine: `import type`).',
      },
    ]),
  },
];

/** packages/api: the server process must not load the worker runtime or the media stack. */
export const apiConfig = [...config, { files: SOURCE, ignores: TESTS, rules: restrict(WORKER_SIDE) }];

/** apps/server: likewise. */
export const serverConfig = apiConfig;

export default config;
