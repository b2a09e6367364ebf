import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Host APIs the pure core must never touch (SPEC.md "The core is pure"): the core is bundled into
// the n8n package, whose published JS n8n's scanner lints with these same rules, and a pure core
// runs under a virtual clock in tests. Host access goes through ports; Node adapters live in src/node/.
const hostGlobals = [
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'process',
  'globalThis',
  'global',
  '__dirname',
  '__filename',
  'require',
  'Buffer',
].map((name) => ({ name, message: `The pure core must not use ${name}; take it through a port (see ports.ts).` }));

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'nodes/**', 'out/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Node scripts: the Node globals they use, declared once here instead of in each file.
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/node/**', 'packages/core/src/**/*.test.ts', 'packages/core/src/testing/**'],
    rules: {
      'no-restricted-globals': ['error', ...hostGlobals],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'The pure core must not import Node built-ins; use a port.' },
            { group: ['./node/*', '../node/*'], message: 'The pure entry must not import the Node adapters.' },
          ],
          paths: [
            'fs',
            'fs/promises',
            'path',
            'os',
            'http',
            'https',
            'net',
            'stream',
            'crypto',
            'child_process',
            'timers',
            'buffer',
            'url',
            'util',
            'events',
            'zlib',
          ].map((name) => ({ name, message: 'The pure core must not import Node built-ins; use a port.' })),
        },
      ],
    },
  },
  // The Action package's layers, lowest first: prompts (the file format) and shard (pure assignment) know
  // nothing of the rest; batch renders a run of prompt files; cli and action are two faces over batch;
  // merge builds on action's reporting. A face never reaches into another face, nor a layer into one above.
  ...layer('action/src/prompts', ['batch', 'cli', 'action', 'merge', 'shard']),
  ...layer('action/src/shard', ['prompts', 'batch', 'cli', 'action', 'merge']),
  ...layer('action/src/batch', ['cli', 'action', 'merge']),
  ...layer('action/src/cli', ['action', 'merge']),
  ...layer('action/src/action', ['cli', 'merge']),
  ...layer('action/src/merge', ['cli']),
);

/** `dir` (its sources and tests) may not import the sibling folders named in `above`. */
function layer(dir, above) {
  return [
    {
      files: [`${dir}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: above.map((name) => ({
              group: [`../${name}/*`, `../../${name}/*`],
              message: `${dir} must not import ${name}/ (see the layers in eslint.config.js).`,
            })),
          },
        ],
      },
    },
  ];
}
