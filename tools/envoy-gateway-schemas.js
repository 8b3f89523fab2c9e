#!/usr/bin/env node
/*
 * Writes the OpenAPI schemas of the Envoy Gateway kinds the compiler emits
 * (SecurityPolicy, BackendTrafficPolicy) into cells-common, from the CRDs of
 * the Go module github.com/envoyproxy/gateway pinned in
 * tools/kube-testenv/crds/go.mod (the same CRDs the test API server serves).
 * No npm package types them here, so compiler/schema.ts checks objects
 * against these. Run by hand after changing the pin; the output is committed.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parse } = require('yaml');

const KINDS = ['SecurityPolicy', 'BackendTrafficPolicy'];

/** The schema without its prose (a third of its size); every rule stays. */
function withoutDescriptions(value) {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'description')
      .map(([k, v]) => [k, withoutDescriptions(v)]),
  );
}
const crdModule = path.resolve(__dirname, 'kube-testenv/crds');
const info = JSON.parse(
  execFileSync('go', ['mod', 'download', '-json', 'github.com/envoyproxy/gateway'], {
    cwd: crdModule,
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' },
    encoding: 'utf8',
  }),
);
const dir = path.join(info.Dir, 'charts/gateway-helm/charts/crds/crds/generated');
const schemas = {};
for (const file of fs.readdirSync(dir).sort()) {
  const crd = parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  if (!KINDS.includes(crd?.spec?.names?.kind)) continue;
  for (const version of crd.spec.versions) {
    if (!version.served) continue;
    schemas[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = withoutDescriptions(version.schema.openAPIV3Schema);
  }
}
const out = path.resolve(__dirname, '../plugins/cells-common/src/compiler/schemas/envoyGateway.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify({ source: `github.com/envoyproxy/gateway ${info.Version}`, schemas })}\n`);
console.log(`wrote ${Object.keys(schemas).join(', ')} from ${info.Version} to ${path.relative(process.cwd(), out)}`);
