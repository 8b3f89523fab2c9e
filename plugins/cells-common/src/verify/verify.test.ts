import fc from 'fast-check';
import { cell as systemEntity, component as componentEntity, withOwners } from '../testing/entities';
import { Entity } from '@backstage/catalog-model';
import { buildCellModel } from '../validation/catalog';
import { CellsSettings, DEFAULT_SETTINGS } from '../settings/settings';
import { compileCells, KubeObject } from '../compiler';
import { catalogOf, randomCatalogShape } from '../testing/arbitraries';
import { artemisEntities, artemisSettings } from '../testing/artemis';
import { sufficientToken } from './frontDoor';
import { createSimulation, simulateRequest, verifySimulation, formatViolation } from './index';
import { calleeEndpoint, evaluate } from './simulate';
import { verifyProbesFor } from './verify';
import { compiledObjects } from './simulation';
import { catalogAllows } from './oracle';

const CILIUM: CellsSettings = { ...DEFAULT_SETTINGS, environments: [{ name: 'development', networkPolicy: 'cilium' }] };
const NO_MESH: CellsSettings = { ...DEFAULT_SETTINGS, mesh: { ...DEFAULT_SETTINGS.mesh, enabled: false } };
const c = (name: string) => `component:default/${name}`;
const EGRESS_NOTES = ['TLS to an external host', 'a network (cidr) entry', 'external hosts are enforced at L7 only', 'mesh disabled: external hosts'];

function modelOf(entities: Entity[]) {
  const { model, problems } = buildCellModel(withOwners(entities), { defaultEnvironments: ['development'] });
  expect(problems).toEqual([]);
  return model;
}

describe('simulate and verify on Artemis II', () => {
  const model = modelOf(artemisEntities());
  const sim = createSimulation(model, DEFAULT_SETTINGS, 'development');

  const flows: [string, string, string, string][] = [
    ['capcom', 'comms-system', 'POST', '/uplink'],
    ['flight-director', 'comms-system', 'POST', '/uplink/burst'],
    ['comms-system', 'signal-router', 'DELETE', '/anything'],
    ['guidance-nav', 'signal-router', 'PUT', '/anything'],
    ['capcom', 'signal-router', 'GET', '/status'],
    ['goldstone', 'comms-system', 'POST', '/downlink'],
    ['canberra', 'comms-system', 'GET', '/signal/strength'],
    ['madrid', 'telemetry-monitor', 'POST', '/ingest'],
    ['launch-control', 'flight-director', 'POST', '/decision/go-nogo'],
    ['flight-director', 'launch-control', 'POST', '/countdown/start'],
    ['flight-director', 'launch-control', 'GET', '/countdown/status'],
    ['flight-director', 'weather-station', 'GET', '/launch-criteria'],
    ['flight-director', 'weather-station', 'GET', '/conditions'],
    ['mission-relay', 'telemetry-monitor', 'POST', '/relay/telemetry'],
    ['flight-director', 'service-module-monitor', 'GET', '/propulsion/status'],
    ['signal-router', 'madrid', 'POST', '/handover'],
  ];

  it.each(flows)('allows the mission flow %s -> %s %s %s', (from, to, method, path) => {
    const result = simulateRequest(sim, { from: { component: c(from) }, to: c(to), method, path });
    expect(result.explanation).toMatch(/^allowed/);
    expect(result).toMatchObject({ allowed: true, decidedBy: null });
  });

  it('allows the external gateway to reach the dashboard only, with the token its front door requires', () => {
    const withProvider = createSimulation(model, artemisSettings(), 'development');
    const endpoint = calleeEndpoint(withProvider, c('flight-director')).endpoint;
    const token = sufficientToken(withProvider, endpoint)!;
    const dashboard = { from: { gateway: true } as const, to: c('flight-director'), method: 'GET', path: '/dashboard' };
    expect(simulateRequest(withProvider, { ...dashboard, token })).toMatchObject({ allowed: true, edge: { verdict: 'allow', reason: 'authenticated' } });
    // An operation flight-director-api does not declare is denied at L7, token or not (issue #23).
    for (const [method, path] of [
      ['GET', '/'],
      ['DELETE', '/dashboard'],
      ['GET', '/decisions'],
      ['GET', '/decisions/a/b'],
    ]) {
      expect(simulateRequest(withProvider, { ...dashboard, method, path, token })).toMatchObject({ allowed: false, decidedBy: 'L7' });
    }
    expect(simulateRequest(withProvider, { ...dashboard, path: '/decisions/d-42', token })).toMatchObject({ allowed: true });
    expect(simulateRequest(withProvider, dashboard)).toMatchObject({ allowed: false, decidedBy: 'edge-auth', edge: { reason: 'no-token' } });
    // Without the provider in the settings, the route is closed to everyone.
    expect(simulateRequest(sim, { ...dashboard, token })).toMatchObject({
      allowed: false,
      decidedBy: 'edge-auth',
      edge: { reason: 'provider-not-configured' },
    });
    const denied = simulateRequest(withProvider, { from: { gateway: true }, to: c('capcom'), method: 'GET', path: '/', token });
    expect(denied).toMatchObject({ allowed: false, decidedBy: 'L3/L4' });
  });

  it('denies the unauthenticated abort from the gateway at the front door, and the compiled policy agrees (issue #23)', () => {
    const withProvider = createSimulation(model, artemisSettings(), 'development');
    const abort = { from: { gateway: true } as const, to: c('flight-director'), method: 'POST', path: '/decision/abort' };
    const result = simulateRequest(withProvider, abort);
    expect(result).toMatchObject({ allowed: false, decidedBy: 'edge-auth', edge: { verdict: 'deny', reason: 'no-token' } });
    // The waypoint's DENY policy, judged by the analyzer, refuses it too.
    expect(result.layers.find(l => l.layer === 'L7')).toMatchObject({
      verdict: 'deny',
      policies: [expect.stringMatching(/flight-director\.http\.front-door$/)],
    });
    const endpoint = calleeEndpoint(withProvider, c('flight-director')).endpoint;
    const token = sufficientToken(withProvider, endpoint)!;
    const withoutScope = { ...token, claims: { ...token.claims, scope: ['mission.read'] } };
    expect(simulateRequest(withProvider, { ...abort, token: withoutScope })).toMatchObject({ allowed: false, edge: { reason: 'missing-claim' } });
    expect(simulateRequest(withProvider, { ...abort, token: withoutScope }).layers[2].verdict).toBe('deny');
    expect(simulateRequest(withProvider, { ...abort, token })).toMatchObject({ allowed: true, decidedBy: null });
  });

  it('reports a widened front door: the unauthenticated and foreign-issuer probes get through without the DENY policy', () => {
    const withProvider = createSimulation(model, artemisSettings(), 'development');
    expect(verifySimulation(withProvider).violations).toEqual([]);
    const widened = createSimulation(
      model,
      artemisSettings(),
      'development',
      withProvider.objects.filter(o => !o.metadata.name.endsWith('.front-door')),
    );
    const violations = verifySimulation(widened).violations;
    // Each of the four operations of flight-director-api, without a token and with a foreign one.
    expect(violations.length).toBe(8);
    expect(new Set(violations.map(v => v.caller))).toEqual(
      new Set(['the external gateway without a token', 'the external gateway with a token of a foreign issuer']),
    );
    expect(violations.every(v => v.callee === c('flight-director') && v.actual && !v.expected)).toBe(true);
  });

  it('probes the operations flight-director-api does not declare: a policy that admits the API callers everything fails on them (issue #23)', () => {
    const withProvider = createSimulation(model, artemisSettings(), 'development');
    expect(verifySimulation(withProvider).violations).toEqual([]);
    // The L7 policy as it was before the ceiling: each rule's methods and paths dropped.
    const widened = withProvider.objects.map(o => {
      if (o.kind !== 'AuthorizationPolicy' || o.metadata.name !== 'flight-director') return o;
      const spec = o.spec as { rules: { to: { operation: Record<string, unknown> }[] }[] };
      return { ...o, spec: { ...spec, rules: spec.rules.map(r => ({ ...r, to: r.to.map(t => ({ operation: { ports: t.operation.ports } })) })) } };
    });
    const violations = verifySimulation(createSimulation(model, artemisSettings(), 'development', widened)).violations;
    const seen = new Set(violations.map(v => `${v.from.kind === 'component' ? v.from.ref : v.from.kind} ${v.method} ${v.path}`));
    for (const undeclared of [
      `${c('launch-control')} DELETE /decision/go-nogo`,
      `${c('launch-control')} POST /decision/abort`,
      'gateway DELETE /dashboard',
      'gateway GET /cellplane-undeclared-probe',
      'gateway GET /decisions/probe/probe',
    ]) {
      expect(seen).toContain(undeclared);
    }
    expect(violations.every(v => v.callee === c('flight-director') && v.actual && !v.expected)).toBe(true);
  });

  const attacks: [string, string, string, string, string][] = [
    ['ABORT', 'houston', 'flight-director', 'POST', '/decision/abort'],
    ['HIJACK NAV', 'orion', 'guidance-nav', 'POST', '/maneuver'],
    ['STEAL VITALS', 'orion', 'life-support', 'GET', '/crew/vitals'],
    ['SPOOF ID', 'houston', 'comms-system', 'POST', '/uplink'],
  ];

  it.each(attacks)("denies the %s attack at L7, even when the rogue wears a legitimate caller's labels", (_name, cell, to, method, path) => {
    const result = simulateRequest(sim, { from: { rogue: `system:default/${cell}` }, to: c(to), method, path });
    expect(result).toMatchObject({ allowed: false, decidedBy: 'L7' });
    expect(result.impersonating).toBeDefined();
    expect(result.explanation).toMatch(/sa\/cell\.rogue /);
  });

  it('denies a legitimate caller on an undeclared method or path at L7', () => {
    expect(simulateRequest(sim, { from: { component: c('capcom') }, to: c('comms-system'), method: 'GET', path: '/uplink' })).toMatchObject({
      allowed: false,
      decidedBy: 'L7',
    });
    expect(
      simulateRequest(sim, { from: { component: c('crew-interface') }, to: c('life-support'), method: 'GET', path: '/crew/vitals/history' }),
    ).toMatchObject({ allowed: false, decidedBy: 'L7' });
  });

  it('denies a caller that skips the waypoint by addressing the pod', () => {
    expect(simulateRequest(sim, { from: { component: c('capcom') }, to: c('comms-system'), method: 'POST', path: '/uplink', direct: true })).toMatchObject({
      allowed: false,
    });
  });

  it.each([
    ['Kubernetes NetworkPolicy', DEFAULT_SETTINGS],
    ['CiliumNetworkPolicy', CILIUM],
    ['no mesh', NO_MESH],
  ])('verifies clean with %s', (_t, settings) => {
    const report = verifySimulation(createSimulation(model, settings, 'development'));
    expect(report.violations.map(formatViolation)).toEqual([]);
    // Without L7 there are no method/path probes, and label-wearing rogues are out of reach.
    expect(report.checks).toBeGreaterThan(settings.mesh.enabled ? 10000 : 400);
    // Egress notes (docs/egress.md): weather-station's TLS host and CIDR, and what each flavour cannot enforce.
    expect(report.notes.filter(n => !EGRESS_NOTES.some(e => n.startsWith(e))).length).toBe(settings.mesh.enabled ? 0 : 1);
  });

  it('catches a widened AuthorizationPolicy, naming the request it lets through', () => {
    const objects = compiledObjects(model, DEFAULT_SETTINGS, 'development');
    const widened = JSON.parse(JSON.stringify(objects)) as any[];
    const ap = widened.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'life-support');
    delete ap.spec.rules[0].to; // crew-interface may now do anything on life-support
    const report = verifySimulation(createSimulation(model, DEFAULT_SETTINGS, 'development', widened));
    expect(report.violations.length).toBeGreaterThan(0);
    expect(report.violations.every(v => v.caller === c('crew-interface') && v.callee === c('life-support') && v.actual && !v.expected)).toBe(true);
    expect(formatViolation(report.violations[0])).toMatch(/ALLOWED but the catalog does not declare it/);

    // One cell's verify: the same violations on its endpoints, fewer requests checked; another cell's sees none.
    const widenedSim = createSimulation(model, DEFAULT_SETTINGS, 'development', widened);
    const orion = verifySimulation(widenedSim, { cell: 'system:default/orion' });
    expect(orion.violations).toEqual(report.violations);
    expect(orion.checks).toBeGreaterThan(0);
    expect(orion.checks).toBeLessThan(report.checks);
    expect(verifySimulation(widenedSim, { cell: 'system:default/houston' }).violations).toEqual([]);
  });

  it('catches a narrowed policy too: a declared call that is denied', () => {
    const objects = compiledObjects(model, DEFAULT_SETTINGS, 'development') as any[];
    const narrowed = JSON.parse(JSON.stringify(objects)) as any[];
    narrowed.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'telemetry-monitor').spec.rules.pop();
    const report = verifySimulation(createSimulation(model, DEFAULT_SETTINGS, 'development', narrowed));
    expect(report.violations.some(v => v.expected && !v.actual)).toBe(true);
  });
});

describe('rogue requests in the shared cluster', () => {
  it.each([
    ['with the mesh', DEFAULT_SETTINGS],
    ['without it', NO_MESH],
  ] as const)(
    'decide as a cluster holding only the attempting pod would, %s',
    (_flavour, settings) => {
      const model = modelOf(artemisEntities());
      const sim = createSimulation(model, settings, 'development');
      for (const cell of model.cells) {
        for (const callee of model.components) {
          for (const [method, path] of [
            ['GET', '/'],
            ['POST', '/uplink'],
            ['POST', '/decision/abort'],
          ]) {
            const { component, endpoint } = calleeEndpoint(sim, callee.ref);
            // Each disguise alone in its own cluster, as the simulator once loaded them.
            const alone = [undefined, ...model.components.filter(x => x.cell === cell.ref)].map(d => {
              const pod = sim.roguePod(cell.ref, d);
              return evaluate(sim.cluster([pod]), pod, component, endpoint, sim, { method, path });
            });
            const shared = simulateRequest(sim, { from: { rogue: cell.ref }, to: callee.ref, method, path });
            const key = `${cell.name} -> ${callee.name} ${method} ${path}`;
            const depth = (layer: string | null) => ['L3/L4', 'mTLS', 'L7'].indexOf(layer ?? '');
            const furthest = alone.find(r => r.allowed) ?? alone.reduce((best, r) => (depth(r.decidedBy) > depth(best.decidedBy) ? r : best));
            expect([key, shared.allowed, shared.decidedBy, shared.layers]).toEqual([key, furthest.allowed, furthest.decidedBy, furthest.layers]);
          }
        }
      }
    },
    120_000,
  );
});

describe('the rogue pod is no component (issue 18, finding 1)', () => {
  // Components named like the rogue pod and its disguises: with a shared name or service account,
  // the rogue would wear rogue's identity (and reach web), or the analyzer would see two pods of one name.
  const catalog = () => [
    systemEntity('lab'),
    componentEntity('rogue', 'lab', { connections: [{ to: 'web', endpoint: 'http' }] }),
    componentEntity('rogue-as-web', 'lab'),
    componentEntity('web', 'lab'),
  ];

  it.each([
    ['with the mesh', DEFAULT_SETTINGS],
    ['cilium', CILIUM],
    ['without it', NO_MESH],
  ] as const)('verifies a cell with a component named rogue clean, %s', (_flavour, settings) => {
    const model = modelOf(catalog());
    const sim = createSimulation(model, settings, 'development');
    const pods = [
      ...model.components.map(x => sim.componentPod(x)),
      sim.roguePod('system:default/lab'),
      ...model.components.map(x => sim.roguePod('system:default/lab', x)),
    ];
    const names = pods.map(p => p.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    const accountOf = (pod: KubeObject) => (pod.spec as { serviceAccountName: string }).serviceAccountName;
    const componentAccounts = new Set(model.components.map(x => accountOf(sim.componentPod(x))));
    expect(componentAccounts.has(accountOf(sim.roguePod('system:default/lab')))).toBe(false);
    expect(verifySimulation(sim).violations.map(formatViolation)).toEqual([]);
    // The component rogue reaches web; a rogue pod does not.
    expect(simulateRequest(sim, { from: { component: c('rogue') }, to: c('web'), method: 'GET', path: '/' }).allowed).toBe(true);
    expect(simulateRequest(sim, { from: { rogue: 'system:default/lab' }, to: c('web'), method: 'GET', path: '/' }).allowed).toBe(settings === NO_MESH);
  });
});

describe('verify with an ipBlock that may cover pod addresses (docs/policy-semantics.md#netpol-9)', () => {
  const model = modelOf(artemisEntities());
  /** Artemis without the mesh, with an ipBlock rule added to life-support's NetworkPolicy. */
  const withIpBlock = (cidr: string) => {
    const objects = JSON.parse(JSON.stringify(compiledObjects(model, NO_MESH, 'development'))) as any[];
    objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'life-support').spec.ingress.push({ from: [{ ipBlock: { cidr } }] });
    return createSimulation(model, NO_MESH, 'development', objects);
  };

  it('counts the requests it may admit as allowed, saying that it depends on the CNI', () => {
    const report = verifySimulation(withIpBlock('10.0.0.0/8'));
    expect(report.violations.length).toBeGreaterThan(0);
    expect(report.violations.every(v => v.callee === c('life-support') && v.actual && !v.expected)).toBe(true);
    // The gateway's namespace leaves egress open; every cell's pods are egress-isolated to their declared peers.
    expect([...new Set(report.violations.map(v => v.caller))]).toEqual(['the external gateway']);
    expect(report.violations[0].explanation).toMatch(/^allowed \(depends on the CNI: Calico, Antrea and kube-router allow it, Cilium denies it\)/);
    expect(report.violations[0].explanation).toMatch(/may cover the address of .* \(not known here\)/);
    expect(report.notes).toContainEqual(expect.stringMatching(/^\d+ request\(s\) are allowed only because an ipBlock may cover a pod's address/));
  });

  it('an ipBlock no pod address can fall in (link-local, loopback) changes nothing', () => {
    const report = verifySimulation(withIpBlock('169.254.0.0/16'));
    expect(report.violations).toEqual([]);
    expect(report.notes.filter(n => n.includes('ipBlock'))).toEqual([]);
  });
});

describe('verify on random catalogs', () => {
  it('every compiled random catalog verifies clean, in every flavour', () => {
    fc.assert(
      fc.property(randomCatalogShape, fc.constantFrom(DEFAULT_SETTINGS, CILIUM, NO_MESH), (shape, settings) => {
        const report = verifySimulation(createSimulation(modelOf(catalogOf(shape)), settings, 'development'));
        expect(report.violations.map(formatViolation)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  /** Widenings of one compiled manifest that change what some caller can do. */
  const widenings: Record<string, (objects: any[], rng: () => number) => boolean> = {
    'drop the operation of an L7 rule': (objects, rng) => {
      const rules = objects
        .filter(o => o.kind === 'AuthorizationPolicy' && o.spec.targetRefs)
        .flatMap(o => (o.spec.rules ?? []).filter((r: any) => r.to[0].operation.methods || r.to[0].operation.paths));
      if (!rules.length) return false;
      delete rules[Math.floor(rng() * rules.length)].to;
      return true;
    },
    'allow everyone at L7 on one component': (objects, rng) => {
      const aps = objects.filter(o => o.kind === 'AuthorizationPolicy' && o.spec.targetRefs);
      aps[Math.floor(rng() * aps.length)].spec.rules = [{}];
      return true;
    },
    'delete the L7 policy of one component': (objects, rng) => {
      const aps = objects.filter(o => o.kind === 'AuthorizationPolicy' && o.spec.targetRefs);
      const victim = aps[Math.floor(rng() * aps.length)];
      objects.splice(objects.indexOf(victim), 1);
      return true;
    },
  };

  it('probes a method no call grants when the calls grant all the usual ones (found by the property below)', () => {
    // One caller, two calls to one HTTP endpoint: DELETE and GET, POST and GET.
    const call = (methods: string[]) => ({ from: 1, to: 2, methods, paths: undefined, viaAllowFrom: false, cellWide: false });
    const shape = {
      cells: 2,
      components: [
        { cell: 0, visibility: 'project', protocol: 'TCP' },
        { cell: 0, visibility: 'public', protocol: 'TCP' },
        { cell: 0, visibility: 'organization', protocol: 'HTTP' },
      ],
      calls: [call(['DELETE', 'GET']), call(['POST', 'GET'])],
    } as unknown as Parameters<typeof catalogOf>[0];
    const model = modelOf(catalogOf(shape));
    const objects = JSON.parse(JSON.stringify(compileCells(model, DEFAULT_SETTINGS).cells.flatMap(cell => cell.objects))) as any[];
    const rule = objects
      .filter(o => o.kind === 'AuthorizationPolicy' && o.spec.targetRefs)
      .flatMap(o => o.spec.rules ?? [])
      .find((r: any) => r.to?.[0].operation.methods);
    delete rule.to;
    const report = verifySimulation(createSimulation(model, DEFAULT_SETTINGS, 'development', objects));
    expect(report.violations.map(v => v.method)).toContain('PUT');
  });

  it.each(Object.keys(widenings))('catches a random widening: %s', name => {
    fc.assert(
      fc.property(randomCatalogShape, fc.integer(), (shape, seed) => {
        const model = modelOf(catalogOf(shape));
        const objects = JSON.parse(JSON.stringify(compileCells(model, DEFAULT_SETTINGS).cells.flatMap(cell => cell.objects))) as KubeObject[];
        let s = seed;
        const rng = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
        if (!widenings[name](objects, rng)) return;
        const widenedReport = verifySimulation(createSimulation(model, DEFAULT_SETTINGS, 'development', objects));
        // A widening is caught exactly when it changes what the analyzer allows: compare
        // with the analyzer's answers on the original manifests for the same probes.
        const original = verifySimulation(createSimulation(model, DEFAULT_SETTINGS, 'development'));
        expect(original.violations).toEqual([]);
        expect(widenedReport.violations.length > 0).toBe(effectiveWidening(model, objects));
      }),
      { numRuns: 25 },
    );
  });
});

/**
 * Whether the widened manifests let some (caller, callee) pair through that the
 * original did not, judged request by request with the simulator directly: the
 * independent check that verify neither misses a real widening nor cries wolf.
 */
function effectiveWidening(model: ReturnType<typeof modelOf>, widened: KubeObject[]): boolean {
  const before = createSimulation(model, DEFAULT_SETTINGS, 'development');
  const after = createSimulation(model, DEFAULT_SETTINGS, 'development', widened);
  // Every method random catalogs use (and one they never do) on a path matching each of
  // their path patterns and on one matching none: a dropped rule may open any pair, e.g.
  // POST on a path that only a PUT rule or a path-only rule named.
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
  const paths = ['/', '/a', '/a/x', '/b', '/x.json', '/status', '/cellplane-undeclared-probe'];
  const probes = methods.flatMap(method => paths.map(path => [method, path]));
  const callers = [...model.components.map(x => ({ component: x.ref })), { gateway: true as const }, ...model.cells.map(x => ({ rogue: x.ref }))];
  for (const callee of model.components) {
    for (const from of callers) {
      for (const [method, path] of probes) {
        const request = { from, to: callee.ref, method, path };
        if (!simulateRequest(before, request).allowed && simulateRequest(after, request).allowed) return true;
      }
    }
  }
  return false;
}

describe("verify's normalised probes (the inputs the L7 differential test found the analyzer wrong on)", () => {
  const model = modelOf(artemisEntities());
  const sim = createSimulation(model, DEFAULT_SETTINGS, 'development');
  it('asks each declared path spelled the ways a waypoint normalises, and walks from it to an undeclared path', () => {
    const { component, endpoint } = calleeEndpoint(sim, c('comms-system'), 'http');
    const paths = new Set(verifyProbesFor(sim, component, endpoint).map(p => p.path));
    for (const p of ['/uplink/../cellplane-undeclared-probe', '/uplink/%2e%2e/cellplane-undeclared-probe', '/%75plink', '/uplink?cellplane=probe'])
      expect(paths).toContain(p);
  });
  it.each([
    ['capcom', 'POST', '/%75plink', true],
    ['capcom', 'POST', '/uplink?cellplane=probe', true],
    ['capcom', 'POST', '/uplink/../cellplane-undeclared-probe', false],
    ['capcom', 'POST', '/uplink/%2e%2e/cellplane-undeclared-probe', false],
  ])('%s %s %s on comms-system: allowed %s, as the catalog means the path the service receives', (caller, method, path, expected) => {
    const r = simulateRequest(sim, { from: { component: c(caller) }, to: c('comms-system'), endpoint: 'http', method, path });
    expect(r.allowed).toBe(expected);
    expect(catalogAllows(sim.model, { kind: 'component', ref: c(caller) }, { callee: c('comms-system'), endpoint: 'http', method, path })).toBe(expected);
  });
});
