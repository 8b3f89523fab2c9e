module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  // Output is byte-identical on every machine: no ordering by the host's locale.
  restrictedSyntax: require('../../tools/eslint/ordered-output'),
  // Hubble's protobuf descriptor, generated from cilium/cilium by tools/hubble-protos.js.
  ignorePatterns: ['src/traffic/generated/'],
});
