import { buildCellModel, modelOptions } from '../validation/catalog';
import { platformCatalog, platformCatalogSettings } from '../testing/platform';
import { createSimulation } from './simulation';
import { simulatePlatformCall, simulateScrape, verifyPlatform, MESHED_SERVICE_PORTS_NOTE, PLATFORM_LABELS_NOTE, SCRAPER_LABELS_NOTE } from './platform';
import { catalogAllowsPlatformCall, catalogAllowsScrape } from './platformOracle';
import { verifySimulation } from './verify';
import { KubeObject } from '../compiler';
import { readCellsSettings } from '../settings/read';
import { blastRadius } from './blastRadius';

function simulation(mesh: boolean, environment: 'development' | 'staging', objects?: (o: KubeObject[]) => KubeObject[]) {
  const settings = platformCatalogSettings(mesh);
  const { model, problems } = buildCellModel(platformCatalog(), modelOptions(settings));
  expect(problems).toEqual([]);
  const sim = createSimulation(model, settings, environment);
  return objects ? createSimulation(model, settings, environment, objects(sim.objects)) : sim;
}

const INGEST = 'component:default/ingest';
const STORE = 'component:default/store';
const QUIET = 'component:default/quiet';

describe.each(['development', 'staging'] as const)('platform services in %s (kubernetes, cilium)', environment => {
  // [scraper -> component, port, method, path, mesh: allowed / deciding layer, no mesh: allowed / deciding layer]
  const scrapes: [string, number, string, string, [boolean, string | null], [boolean, string | null]][] = [
    [INGEST, 9464, 'GET', '/metrics', [true, null], [true, null]],
    [INGEST, 9464, 'POST', '/metrics', [false, 'L7'], [true, null]],
    [INGEST, 9464, 'GET', '/debug/pprof', [false, 'L7'], [true, null]],
    [INGEST, 8080, 'GET', '/metrics', [false, 'L7'], [false, 'L3/L4']],
    [STORE, 8080, 'GET', '/internal/metrics', [true, null], [true, null]],
    [STORE, 8080, 'GET', '/metrics', [false, 'L7'], [true, null]],
    [QUIET, 8080, 'GET', '/metrics', [false, 'L3/L4'], [false, 'L3/L4']],
  ];
  it.each(scrapes)('monitoring scrapes %s on %d with %s %s', (to, port, method, path, withMesh, withoutMesh) => {
    for (const [mesh, [allowed, layer]] of [
      [true, withMesh],
      [false, withoutMesh],
    ] as const) {
      const result = simulateScrape(simulation(mesh, environment), 'monitoring', to, { port, method, path });
      expect({ mesh, allowed: result.allowed, decidedBy: result.allowed ? null : result.decidedBy }).toEqual({ mesh, allowed, decidedBy: layer });
    }
  });

  // [caller, service, port, mesh: allowed, no mesh: allowed]; every denial is decided at L3/L4
  const calls: [string, string, number, boolean, boolean][] = [
    [INGEST, 'otel-collector', 4317, true, true],
    [INGEST, 'otel-collector', 4318, false, false],
    [INGEST, 'kube-apiserver', 6443, true, true],
    [INGEST, 'kube-apiserver', 443, false, false],
    [INGEST, 'tracing', 4317, false, false],
    [STORE, 'tracing', 4317, true, true],
    // HBONE carries every port to a meshed service (MESHED_SERVICE_PORTS_NOTE); without the mesh the port is enforced.
    [STORE, 'tracing', 4318, true, false],
    [STORE, 'otel-collector', 4317, false, false],
    [QUIET, 'kube-apiserver', 6443, false, false],
  ];
  it.each(calls)('%s calls %s on %d', (from, name, port, withMesh, withoutMesh) => {
    for (const [mesh, allowed] of [
      [true, withMesh],
      [false, withoutMesh],
    ] as const) {
      const caller = from === 'rogue' ? { rogue: 'system:default/telemetry' } : { component: from };
      const result = simulatePlatformCall(simulation(mesh, environment), caller, name, port);
      expect({ mesh, allowed: result.allowed, decidedBy: result.allowed ? null : result.decidedBy }).toEqual({
        mesh,
        allowed,
        decidedBy: allowed ? null : 'L3/L4',
      });
    }
  });

  // L3/L4 knows pods by labels: a rogue pod wearing a declaring component's labels gets its way out (PLATFORM_LABELS_NOTE).
  // [service, port, mesh: wearing whose labels (undefined: denied), no mesh: the same]
  const rogues: [string, number, string | undefined, string | undefined][] = [
    ['otel-collector', 4317, 'ingest', 'ingest'],
    ['otel-collector', 4318, undefined, undefined],
    ['kube-apiserver', 6443, 'ingest', 'ingest'],
    ['tracing', 4317, 'store', 'store'],
    ['tracing', 4318, 'store', undefined],
  ];
  it.each(rogues)('a rogue pod calls %s on %d', (name, port, withMesh, withoutMesh) => {
    for (const [mesh, wearing] of [
      [true, withMesh],
      [false, withoutMesh],
    ] as const) {
      const result = simulatePlatformCall(simulation(mesh, environment), { rogue: 'system:default/telemetry' }, name, port);
      expect({ mesh, allowed: result.allowed, impersonating: result.impersonating, decidedBy: result.allowed ? null : result.decidedBy }).toEqual({
        mesh,
        allowed: wearing !== undefined,
        impersonating: wearing,
        decidedBy: wearing === undefined ? 'L3/L4' : null,
      });
    }
  });

  it.each([true, false])('verify finds the manifests exact (mesh %s), with the notes that apply', mesh => {
    const result = verifyPlatform(simulation(mesh, environment));
    expect(result.violations).toEqual([]);
    // Scrapes: ingest 4 probes, store 3 (with the mesh, an impostor beside the scraper on each);
    // calls: the 3 services' 7 ports (each + 1) from 3 components and 1 rogue.
    expect(result.checks).toBe(4 + 3 + (mesh ? 2 : 0) + (3 + 2 + 2) * (3 + 1));
    expect(result.notes).toEqual(mesh ? [MESHED_SERVICE_PORTS_NOTE, PLATFORM_LABELS_NOTE] : [PLATFORM_LABELS_NOTE, SCRAPER_LABELS_NOTE]);
  });

  it('verify reports a widened scrape rule (every path) and a dropped collector rule', () => {
    const widened = simulation(true, environment, objects =>
      objects.map(o => {
        const text = JSON.stringify(o);
        if (o.kind === 'AuthorizationPolicy' && o.metadata.name === 'ingest') return JSON.parse(text.replace(',"paths":["/metrics"]', ''));
        if (/NetworkPolicy$/.test(o.kind) && o.metadata.name === 'ingest')
          return JSON.parse(text.replace('"port":4317', '"port":4319').replace('"port":"4317"', '"port":"4319"'));
        return o;
      }),
    );
    const found = verifyPlatform(widened).violations.map(v =>
      `${v.caller} -> ${v.callee} ${v.endpoint} ${v.method ?? ''} ${v.path ?? ''} expected ${v.expected}`.trim(),
    );
    expect(found).toEqual([
      'platform:monitoring -> component:default/ingest port 9464 GET /cellplane-undeclared-probe expected false',
      'component:default/ingest -> platform:otel-collector port 4317   expected true',
      'component:default/ingest -> platform:otel-collector port 4319   expected false',
    ]);
  });

  it('counts the platform services a caller may reach in its blast radius', () => {
    const sim = simulation(true, environment);
    const targets = (from: Parameters<typeof blastRadius>[1]) =>
      blastRadius(sim, from)
        .egress.filter(e => e.kind === 'platform')
        .map(e => `${e.target}:${e.port}`);
    expect(targets({ component: INGEST })).toEqual(['kube-apiserver:6443', 'otel-collector:4317']);
    // HBONE carries every port to the meshed tracing service.
    expect(targets({ component: STORE })).toEqual(['tracing:4317']);
    expect(targets({ component: QUIET })).toEqual([]);
    // A rogue pod wearing the declaring components' labels (MESHED_SERVICE_PORTS_NOTE, PLATFORM_LABELS_NOTE).
    expect(targets({ rogue: 'system:default/telemetry' })).toEqual(['kube-apiserver:6443', 'otel-collector:4317', 'tracing:4317']);
  });

  it('runs inside the whole-environment verify', () => {
    const report = verifySimulation(simulation(true, environment));
    expect(report.violations).toEqual([]);
    expect(report.notes).toContain(MESHED_SERVICE_PORTS_NOTE);
  });
});

describe('a platform service in a namespace Cellplane compiles', () => {
  it("keeps the compiled Namespace (one object, the cell's labels) and judges the call there", () => {
    const plain = simulation(true, 'development');
    const namespace = plain.namespaceOf('system:default/telemetry');
    const settings = readCellsSettings({
      platform: { services: [{ name: 'otel-collector', role: 'called', namespace, podLabels: { app: 'otel-collector' }, ports: [4317] }] },
    });
    const entities = platformCatalog().map(e =>
      e.metadata.name === 'ingest' ? { ...e, spec: { ...e.spec, metrics: undefined, egress: [{ platform: 'otel-collector', port: 4317 }] } } : e,
    );
    const { model } = buildCellModel(entities, modelOptions(settings));
    const sim = createSimulation(model, settings, 'development');
    expect(sim.cluster().problems).toEqual([]);
    // The cell's default-deny isolates every pod of its namespace, a platform service's too: fail closed.
    expect(simulatePlatformCall(sim, { component: INGEST }, 'otel-collector', 4317)).toMatchObject({ allowed: false, decidedBy: 'L3/L4' });
  });
});

describe('the platform oracles', () => {
  const metrics = { port: 9464, path: '/metrics', scrapedBy: ['monitoring'] };
  const component = { ref: 'component:default/x', name: 'x', cell: 'system:default/a', owner: 'group:default/t', endpoints: [], metrics };
  // [scraper, port, method, path, mesh, expected]
  const scrapes: [string, number, string, string, boolean, boolean][] = [
    ['monitoring', 9464, 'GET', '/metrics', true, true],
    ['monitoring', 9464, 'GET', '/metrics/../metrics', true, true],
    ['monitoring', 9464, 'GET', '/metrics?x=1', true, true],
    ['monitoring', 9464, 'HEAD', '/metrics', true, false],
    ['monitoring', 9464, 'GET', '/metricsx', true, false],
    ['monitoring', 9465, 'GET', '/metrics', true, false],
    ['other', 9464, 'GET', '/metrics', true, false],
    ['monitoring', 9464, 'POST', '/x', false, true],
    ['monitoring', 9465, 'GET', '/metrics', false, false],
    ['other', 9464, 'GET', '/metrics', false, false],
  ];
  it.each(scrapes)('scrape by %s of %d %s %s (mesh %s): %s', (scraper, port, method, path, mesh, expected) => {
    expect(catalogAllowsScrape(component, { scraper, port, method, path }, mesh)).toBe(expected);
    expect(catalogAllowsScrape({ ...component, metrics: undefined }, { scraper, port, method, path }, mesh)).toBe(false);
  });

  const called = { name: 'otel', role: 'called' as const, namespace: 'o', podLabels: { a: 'b' }, ports: [4317, 4318], mesh: false };
  const caller = { ...component, metrics: undefined, egress: [{ kind: 'platform' as const, platform: 'otel', ports: [4317], field: 'spec.egress[0]' }] };
  // [service mesh, cells mesh, port, expected]
  const calls: [boolean, boolean, number, boolean][] = [
    [false, true, 4317, true],
    [false, true, 4318, false],
    [true, true, 4318, true],
    [true, false, 4318, false],
    [false, false, 4317, true],
  ];
  it.each(calls)('call to a service (mesh %s) with cells mesh %s on %d: %s', (serviceMesh, mesh, port, expected) => {
    expect(catalogAllowsPlatformCall(caller, { ...called, mesh: serviceMesh }, port, mesh)).toBe(expected);
    expect(catalogAllowsPlatformCall(undefined, { ...called, mesh: serviceMesh }, port, mesh)).toBe(false);
    expect(catalogAllowsPlatformCall(caller, { ...called, name: 'other' }, port, mesh)).toBe(false);
    expect(catalogAllowsPlatformCall(caller, { ...called, role: 'scrapes' }, port, mesh)).toBe(false);
  });
});
