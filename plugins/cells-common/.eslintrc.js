module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  // Bundled third-party code written by tools/bundle-cilium-validator.js at
  // install time (git-ignored): not ours to lint.
  ignorePatterns: ['src/compiler/generated/'],
  // Output is byte-identical on every machine: no ordering by the host's locale.
  restrictedSyntax: require('../../tools/eslint/ordered-output'),
  overrides: [
    {
      // Test fixtures and generators shared by the tests of several packages.
      // They are not exported from the package entry, so what they import
      // (fast-check) is rightly a devDependency; the rule only knows the
      // *.test.* / __testUtils__ file names as test code.
      files: ['src/testing/**'],
      rules: { '@backstage/no-undeclared-imports': 'off' },
    },
  ],
});
