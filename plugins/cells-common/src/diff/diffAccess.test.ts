import fc from 'fast-check';
import { withOwners } from '../testing/entities';
import { Entity } from '@backstage/catalog-model';
import { buildCellModel } from '../validation/catalog';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { AccessChange } from './diffAccess';
import { compileCells, KubeObject } from '../compiler';
import { artemisEntities } from '../testing/artemis';
import { catalogAllows } from '../verify/oracle';
import { createSimulation } from '../verify/simulation';
import { probesFor } from '../verify/verify';
import { catalogOf, randomCatalogShape } from '../testing/arbitraries';
import { AccessInput, diffAccess } from './diffAccess';
import { callersOf, clusterFor, componentLabel, judgeProbes, presentComponents, probeKey } from './probing';

const ENV = { environment: 'development' };

function modelOf(entities: Entity[]) {
  const { model, problems } = buildCellModel(withOwners(entities), { defaultEnvironments: ['development'] });
  expect(problems).toEqual([]);
  return model;
}

function edit(entities: Entity[], name: string, change: (spec: any) => void): Entity[] {
  const copy = JSON.parse(JSON.stringify(entities)) as Entity[];
  change(copy.find(e => e.metadata.name === name)!.spec);
  return copy;
}

const artemis = artemisEntities();
const before = { model: modelOf(artemis), settings: DEFAULT_SETTINGS };

describe('diffAccess on Artemis II', () => {
  it('reports nothing for identical catalogs', () => {
    expect(diffAccess(before, { model: modelOf(artemis), settings: DEFAULT_SETTINGS }, ENV)).toEqual({ added: [], removed: [] });
  });

  it('shows exactly the requests an added connection opens, and nothing removed', () => {
    const connection = { to: 'telemetry-monitor', endpoint: 'http', methods: ['GET'], paths: ['/telemetry/*'] };
    const afterModel = modelOf(edit(artemis, 'capcom', spec => spec.connections.push(connection)));
    const diff = diffAccess(before, { model: afterModel, settings: DEFAULT_SETTINGS }, ENV);
    expect(diff.removed).toEqual([]);

    // The catalog's own meaning (independent of compiler and analyzer): the probes the new grant covers.
    const sim = createSimulation(afterModel, DEFAULT_SETTINGS, 'development');
    const callee = afterModel.components.find(c => c.name === 'telemetry-monitor')!;
    const capcom = { kind: 'component' as const, ref: 'component:default/capcom' };
    const opened = probesFor(sim, callee, callee.endpoints[0])
      .filter(p => !p.direct)
      .filter(p => {
        const op = { callee: callee.ref, endpoint: 'http', method: p.method, path: p.path };
        return catalogAllows(afterModel, capcom, op) && !catalogAllows(before.model, capcom, op);
      })
      .map(p => `${p.method} ${p.path}`);
    expect(opened).toEqual(['GET /telemetry/probe']);
    expect(diff.added.map(c => `${c.from} -> ${c.to} ${c.method} ${c.path}`)).toEqual(opened.map(op => `houston/capcom -> houston/telemetry-monitor ${op}`));
    expect(diff.added[0]).toEqual({
      from: 'houston/capcom',
      to: 'houston/telemetry-monitor',
      port: 8080,
      method: 'GET',
      path: '/telemetry/probe',
      layer: 'L7',
      policies: expect.arrayContaining([expect.stringMatching(/\/telemetry-monitor$/)]),
      text: 'houston/capcom may now GET /telemetry/probe on houston/telemetry-monitor',
    });
  });

  it('reports each concrete operation of a wider grant once, sorted', () => {
    const afterModel = modelOf(
      edit(artemis, 'capcom', spec =>
        spec.connections.push({ to: 'telemetry-monitor', endpoint: 'http', methods: ['GET', 'POST'], paths: ['/telemetry/*', '/ingest'] }),
      ),
    );
    const { added, removed } = diffAccess(before, { model: afterModel, settings: DEFAULT_SETTINGS }, ENV);
    expect(removed).toEqual([]);
    expect(added.map(c => `${c.method} ${c.path}`)).toEqual(['GET /ingest', 'GET /telemetry/probe', 'POST /ingest', 'POST /telemetry/probe']);
  });

  it('reports the calls of a removed component as no longer allowed, naming what admitted them', () => {
    const afterModel = modelOf(
      artemis
        .filter(e => e.metadata.name !== 'capcom')
        .map(
          e =>
            edit([e], e.metadata.name, spec => {
              if (spec.allowFrom) spec.allowFrom = spec.allowFrom.filter((a: any) => a.component !== 'capcom');
            })[0],
        ),
    );
    const { added, removed } = diffAccess(before, { model: afterModel, settings: DEFAULT_SETTINGS }, ENV);
    expect(added).toEqual([]);
    const fromCapcom = removed.filter(c => c.from === 'houston/capcom');
    expect(fromCapcom.map(c => c.text)).toContain('houston/capcom may no longer POST /uplink on orion/comms-system');
    expect(new Set(fromCapcom.map(c => c.to))).toEqual(new Set(['orion/comms-system', 'deep-space-network/signal-router']));
    expect(fromCapcom.every(c => c.layer === 'L7')).toBe(true);
    // Calls to it went too: flight-director's voice loop.
    expect(removed.map(c => c.text)).toContain('houston/flight-director may no longer POST /voice-loop on houston/capcom');
    expect(removed.every(c => c.from === 'houston/capcom' || c.to === 'houston/capcom')).toBe(true);
  });

  it('shows a manifest widened by hand as added access', () => {
    const objects = compileCells(before.model, DEFAULT_SETTINGS).cells.flatMap(cell => cell.objects);
    const widened = JSON.parse(JSON.stringify(objects)) as any[];
    const ap = widened.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'life-support');
    delete ap.spec.rules[0].to; // crew-interface may now do anything on life-support
    const { added, removed } = diffAccess({ ...before, objects }, { ...before, objects: widened as KubeObject[] }, ENV);
    expect(removed).toEqual([]);
    expect(added.length).toBeGreaterThan(5);
    expect(added.every(c => c.from === 'orion/crew-interface' && c.to === 'orion/life-support' && c.layer === 'L7')).toBe(true);
    expect(added.map(c => c.text)).toContain('orion/crew-interface may now DELETE /crew/vitals on orion/life-support');
  });

  it('limits the requests to the given cells', () => {
    const afterModel = modelOf(
      edit(artemis, 'capcom', spec => spec.connections.push({ to: 'telemetry-monitor', endpoint: 'http', methods: ['GET'], paths: ['/telemetry/*'] })),
    );
    const after = { model: afterModel, settings: DEFAULT_SETTINGS };
    expect(diffAccess(before, after, { ...ENV, cells: ['system:default/houston'] }).added).toHaveLength(1);
    expect(diffAccess(before, after, { ...ENV, cells: ['system:default/kennedy'] })).toEqual({ added: [], removed: [] });
  });
});

describe('diffAccess on non-HTTP endpoints and rogue pods', () => {
  const cell = (name: string): Entity => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name }, spec: { owner: 'group:ops', cell: {} } });
  const component = (name: string, system: string, spec: Record<string, unknown>): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name },
    spec: { type: 'service', lifecycle: 'production', owner: 'group:ops', system, ...spec },
  });
  const db = component('db', 'kennedy', { endpoints: [{ name: 'pg', port: 5432, protocol: 'TCP', visibility: 'organization' }] });
  const app = (connections: unknown[]) =>
    component('app', 'houston', { endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }], connections });

  it('words a TCP connection as a port', () => {
    const was = { model: modelOf([cell('houston'), cell('kennedy'), db, app([])]), settings: DEFAULT_SETTINGS };
    const now = { model: modelOf([cell('houston'), cell('kennedy'), db, app([{ to: 'db', endpoint: 'pg' }])]), settings: DEFAULT_SETTINGS };
    const diff = diffAccess(was, now, ENV);
    expect(diff.added.map(c => c.text)).toEqual(['houston/app may now connect to port 5432 of kennedy/db']);
    expect(diff.added[0]).not.toHaveProperty('method');
    expect(diffAccess(now, was, ENV).removed.map(c => c.text)).toEqual(['houston/app may no longer connect to port 5432 of kennedy/db']);
  });

  it('reports a rogue pod that a hand-made policy lets in', () => {
    const model = modelOf([cell('houston'), cell('kennedy'), db, app([])]);
    const objects = compileCells(model, DEFAULT_SETTINGS).cells.flatMap(c => c.objects);
    const open = JSON.parse(JSON.stringify(objects)) as any[];
    // Delete every policy of kennedy: its pods are wide open.
    const kennedyNs = createSimulation(model, DEFAULT_SETTINGS, 'development').namespaceOf('system:default/kennedy');
    const stripped = open.filter(o => !(o.metadata.namespace === kennedyNs && ['NetworkPolicy', 'AuthorizationPolicy', 'PeerAuthentication'].includes(o.kind)));
    const { added } = diffAccess({ model, settings: DEFAULT_SETTINGS, objects }, { model, settings: DEFAULT_SETTINGS, objects: stripped }, ENV);
    expect(added.map(c => c.from)).toContain('rogue:kennedy');
    expect(added.map(c => c.text)).toContain('a rogue pod in kennedy may now connect to port 5432 of kennedy/db');
  });
});

describe('diffAccess with an ipBlock that may cover pod addresses (docs/policy-semantics.md#netpol-9)', () => {
  const noMesh = { ...DEFAULT_SETTINGS, mesh: { ...DEFAULT_SETTINGS.mesh, enabled: false } };
  const compiled = compileCells(before.model, noMesh).cells.flatMap(cell => cell.objects) as KubeObject[];
  const widened = JSON.parse(JSON.stringify(compiled)) as any[];
  widened.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'life-support').spec.ingress.push({ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] });
  const sides = [
    { model: before.model, settings: noMesh, objects: compiled },
    { model: before.model, settings: noMesh, objects: widened as KubeObject[] },
  ] as const;

  it('counts what it may admit as newly allowed, and says it depends on the CNI', () => {
    const { added, removed } = diffAccess(sides[0], sides[1], ENV);
    expect(removed).toEqual([]);
    expect(added.map(a => `${a.from} -> ${a.to}`)).toEqual(['gateway -> orion/life-support']);
    expect(added[0].layer).toBe('L3/L4');
    expect(added[0].text).toBe(
      'the external gateway may now connect to port 8080 of orion/life-support (depends on the CNI: Calico, Antrea and kube-router allow it, Cilium denies it)',
    );
  });

  it('limited to the changed cell, it finds the same (the scope widens to every namespace)', () => {
    const orion = before.model.cells.find(c => c.name === 'orion')!.ref;
    expect(diffAccess(sides[0], sides[1], { ...ENV, cells: [orion] })).toEqual(diffAccess(sides[0], sides[1], ENV));
  });
});

describe('diffAccess on random catalogs', () => {
  const CILIUM = { ...DEFAULT_SETTINGS, environments: [{ name: 'development', networkPolicy: 'cilium' as const }] };
  const NO_MESH = { ...DEFAULT_SETTINGS, mesh: { ...DEFAULT_SETTINGS.mesh, enabled: false } };

  /** Every request asked without the first-hop filter: the changed verdicts, as text. */
  function bruteForce(was: AccessInput, now: AccessInput, scope?: string[]): string[] {
    const sims = [was, now].map(s => createSimulation(s.model, s.settings, 'development', s.objects));
    const verdicts = sims.map(sim => {
      const callers = callersOf(sim);
      const cluster = clusterFor(sim, callers);
      const allowed = new Set<string>();
      for (const callee of presentComponents(sim)) {
        for (const endpoint of callee.endpoints) {
          const probes = [...probesFor(sims[0], callee, endpoint), ...probesFor(sims[1], callee, endpoint)];
          for (const caller of callers) {
            if (scope && !scope.includes(callee.cell) && !(caller.cell && scope.includes(caller.cell))) continue;
            judgeProbes(sim, cluster, caller, callee, endpoint, probes).forEach((pod, i) => {
              if (pod) allowed.add(`${caller.label} -> ${componentLabel(sim, callee)} ${endpoint.name} ${probeKey(probes[i])}`);
            });
          }
        }
      }
      return allowed;
    });
    return [
      ...[...verdicts[1]].filter(v => !verdicts[0].has(v)).map(v => `+ ${v}`),
      ...[...verdicts[0]].filter(v => !verdicts[1].has(v)).map(v => `- ${v}`),
    ].sort();
  }

  it('reports exactly the requests whose verdict changed, in every flavour', () => {
    let changed = 0;
    fc.assert(
      fc.property(
        randomCatalogShape,
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.constantFrom(DEFAULT_SETTINGS, CILIUM, NO_MESH),
        fc.option(fc.nat(3), { nil: undefined }),
        (shape, keep, settings, scoped) => {
          // The same cells and components; some of the calls dropped.
          const reduced = { ...shape, calls: shape.calls.filter((_, i) => keep[i]) };
          const was = { model: modelOf(catalogOf(shape)), settings };
          const now = { model: modelOf(catalogOf(reduced)), settings };
          // Optionally only one cell's requests, as the backend asks for a changed cell.
          const scope = scoped === undefined ? undefined : [`system:default/cell-${scoped % shape.cells}`];
          const expected = bruteForce(was, now, scope);
          const diff = diffAccess(was, now, { ...ENV, cells: scope });
          // Every random component serves one endpoint, `main`.
          const probeOf = (c: AccessChange) => {
            if (c.text.includes('directly')) return 'direct GET /';
            return c.method ? `service ${c.method} ${c.path}` : 'service  ';
          };
          const reported = [
            ...diff.added.map(c => `+ ${c.from} -> ${c.to} main ${probeOf(c)}`),
            ...diff.removed.map(c => `- ${c.from} -> ${c.to} main ${probeOf(c)}`),
          ].sort();
          expect(reported).toEqual(expected);
          if (expected.length > 0) changed++;
          // Dropping calls never widens access.
          expect(diff.added).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
    // The property is not vacuous: most runs drop a call that changes something.
    expect(changed).toBeGreaterThan(5);
  });
});
