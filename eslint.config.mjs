// Lint: code quality plus the process boundaries of docs/architecture.md, enforced so a wrong import fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import i18next from 'eslint-plugin-i18next';

const TRANSLATED_RENDERER_FILES = [
  'src/renderer/src/shell/**/*.tsx',
  'src/renderer/src/agents/HandoffCard.tsx',
  'src/renderer/src/agents/TransferBanner.tsx',
];

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'http',
  'https',
  'net',
  'crypto',
  'worker_threads',
];

const coreNoElectron = {
  name: 'electron',
  message: 'The core runs in plain Node; Electron is reached through the Platform interface.',
};
const coreNoOutside = [
  { group: ['**/bindings/**', '**/electron/**'], message: 'The core knows nothing of its bindings or hosts.' },
  { group: ['**/renderer/**'], message: 'The core does not import the renderer.' },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.electron-native/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  importX.flatConfigs.typescript,
  {
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.node.json', 'tsconfig.web.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/main/**', '**/preload/**'],
              message: 'The renderer talks to main only through the API contract (src/shared).',
            },
            {
              group: ['electron', ...nodeBuiltins],
              message: 'The renderer runs in a sandboxed page: no Node or Electron modules.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/core/**/*.ts'],
    ignores: ['src/main/core/api/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [coreNoElectron],
          patterns: [
            ...coreNoOutside,
            {
              group: ['**/api', '**/api/**', '../api', './api'],
              message: 'Only the api layer may import core/api; services throw errors from core/errors.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/core/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The core runs in plain Node.' }],
          patterns: [
            {
              group: ['**/bindings/**', '**/electron/**', '**/renderer/**'],
              message: 'The core knows nothing of its bindings or hosts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/main/**', '**/renderer/**'],
              message: 'A sandboxed preload loads only electron and the shared contract.',
            },
            { group: nodeBuiltins, message: 'A sandboxed preload cannot load Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**', 'electron', ...nodeBuiltins],
              message: 'The contract is shared by every process: it imports only zod and itself.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.{js,mjs,ts}'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // Every user-visible string in JSX comes from the translations (src/renderer/src/i18n/locales): text, and the
  // attributes people read or hear. The folders listed are the ones already translated; a folder joins the list
  // once its strings are extracted (docs/i18n.md).
  {
    files: TRANSLATED_RENDERER_FILES,
    plugins: { i18next },
    rules: {
      'i18next/no-literal-string': [
        'error',
        {
          mode: 'jsx-only',
          'jsx-attributes': { include: ['aria-label', 'title', 'placeholder', 'alt', 'aria-description'] },
          'should-validate-template': true,
          words: { exclude: ['[0-9!-/:-@[-`{-~×—…·→←]+', 'Call Console'] },
        },
      ],
    },
  },
  prettier,
);
