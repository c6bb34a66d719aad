// One lint config for the whole repository.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'runtime/native/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Rules, features and helpers read our own tree (server/src/core/model/ast.ts); only the
    // parsers know the `yaml` library, so it can change without touching them.
    files: ['server/src/core/**/*.ts'],
    ignores: ['server/src/core/model/fastParse.ts', 'server/src/core/model/libraryParse.ts', 'server/src/core/checkObject.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'yaml', message: 'read the tree of server/src/core/model/ast.ts; only fastParse.ts and libraryParse.ts parse with the yaml library' }],
        patterns: [{ group: ['yaml/*'], message: 'only fastParse.ts and libraryParse.ts use the yaml library' }],
      }],
    },
  },
);
