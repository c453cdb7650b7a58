// typescript-eslint's recommended rules over the TypeScript and JavaScript sources. Syntax only:
// the type-aware set would re-parse every project, and `tsc -b` already type-checks.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/coverage/',
      '**/.cache/',
      // generated projects (EJS templates and their output) and the generator's build output
      'examples/',
      'templates/',
      'generators/generators/',
      'generators/templates/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
    rules: {
      // A leading underscore names what is left out on purpose: `{ tags: _tags, ...rest }`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // aws-sdk-client-mock's AwsStub<Input, Output, Config> is generic over every client; the
    // stubs in tests hold several clients at once.
    files: ['**/test/**/*.ts', '**/tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
