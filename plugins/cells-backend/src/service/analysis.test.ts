import { ConfigReader } from '@backstage/config';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { buildCellModel, compileCells, createSimulation } from '@cellplane/cells-common';
import { readCellsBackendConfig } from '../config';
import { artemisEntities } from '../__testUtils__/artemis';
import type { CatalogSnapshot } from '../reconciler/CellsReconciler';
import { ProtectionCache } from './views';
import { CompileCells, SimulationCache, analysable, compileIsolated } from './analysis';

const config = readCellsBackendConfig(
  new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: '/tmp/cells-analysis-test' } }] } }),
);

describe('SimulationCache', () => {
  /** A snapshot as the reconciler builds it: unchanged entities stay the same objects. */
  function snapshotOf(entities: Entity[]): CatalogSnapshot {
    const { model } = buildCellModel(entities, {
      defaultEnvironments: config.settings.defaultEnvironments,
      knownEnvironments: config.settings.environments.map(e => e.name),
    });
    return { model, held: new Map(), entities: new Map(entities.map(e => [stringifyEntityRef(e), e])) };
  }
  const fullCompile = (snapshot: CatalogSnapshot) => createSimulation(snapshot.model, config.settings, 'development').objects;
  const houston = 'system:default/houston';
  const kennedy = 'system:default/kennedy';
  const esa = 'system:default/esa-ops';

  const artemis = artemisEntities();
  const replace = (name: string, edit: (e: Entity) => Entity) => artemis.map(e => (e.metadata.name === name ? edit(e) : e));
  const withSpec = (e: Entity, spec: object) => ({ ...e, spec: { ...e.spec, ...spec } });

  it('compiles again only the cells a component change touches, to the objects of a full compile', () => {
    const cache = new SimulationCache();
    const before = cache.build(snapshotOf(artemis), config.settings, 'development');
    // capcom (houston) calls orion and deep-space-network: kennedy and esa-ops cannot change.
    const edited = replace('capcom', e =>
      withSpec(e, { connections: [...(e.spec as any).connections, { to: 'comms-system', endpoint: 'http', methods: ['GET'], paths: ['/status'] }] }),
    );
    const snapshot = snapshotOf(edited);
    const after = cache.build(snapshot, config.settings, 'development');
    expect(after.sim.objects).toEqual(fullCompile(snapshot));
    expect(after.objectsOf.get(kennedy)).toBe(before.objectsOf.get(kennedy));
    expect(after.objectsOf.get(esa)).toBe(before.objectsOf.get(esa));
    expect(after.objectsOf.get(houston)).not.toBe(before.objectsOf.get(houston));
    // The new GET /status is allowed on comms-system's side.
    expect(after.objectsOf.get('system:default/orion')).not.toEqual(before.objectsOf.get('system:default/orion'));
  });

  it('matches a full compile when components come and go', () => {
    const cache = new SimulationCache();
    cache.build(snapshotOf(artemis), config.settings, 'development');
    const added: Entity = {
      ...artemis.find(e => e.metadata.name === 'capcom')!,
      metadata: { name: 'eecom' },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: 'group:houston-flight-ops',
        system: 'houston',
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }],
        connections: [{ to: 'madrid', endpoint: 'http', methods: ['GET'] }],
      },
    };
    const grown = snapshotOf([...artemis, added]);
    expect(cache.build(grown, config.settings, 'development').sim.objects).toEqual(fullCompile(grown));
    const shrunk = snapshotOf(artemis.filter(e => e.metadata.name !== 'weather-station'));
    expect(cache.build(shrunk, config.settings, 'development').sim.objects).toEqual(fullCompile(shrunk));
  });

  it('compiles everything again when a System changes', () => {
    const cache = new SimulationCache();
    const before = cache.build(snapshotOf(artemis), config.settings, 'development');
    const snapshot = snapshotOf(replace('kennedy', e => ({ ...e, metadata: { ...e.metadata, title: 'KSC' } })));
    const after = cache.build(snapshot, config.settings, 'development');
    expect(after.sim.objects).toEqual(fullCompile(snapshot));
    expect(after.objectsOf.get(esa)).not.toBe(before.objectsOf.get(esa));
  });

  it('keeps the objects of untouched cells, so ProtectionCache does not probe them again', () => {
    const cache = new SimulationCache();
    const protections = new ProtectionCache();
    const first = cache.build(snapshotOf(artemis), config.settings, 'development');
    const before = protections.of(first.sim).protection;
    const snapshot = snapshotOf(replace('capcom', e => withSpec(e, { connections: [] })));
    const second = cache.build(snapshot, config.settings, 'development');
    const after = protections.of(second.sim).protection;
    expect(after).toEqual(new ProtectionCache().of(second.sim).protection);
    expect(after.get('component:default/launch-control')).toBe(before.get('component:default/launch-control'));
  });
});

describe('SimulationCache with holders (issue 18, finding 3)', () => {
  // With cell-env naming, default/core and ops/core both claim core-development.
  const cellEnv = readCellsBackendConfig(
    new ConfigReader({
      cells: { naming: { scheme: 'cell-env' }, environments: [{ name: 'development', target: { type: 'directory', path: '/tmp/cells-analysis-test' } }] },
    }),
  );
  const core = (namespace: string): Entity[] => [
    { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'team', namespace }, spec: { type: 'team', children: [] } },
    { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'core', namespace }, spec: { owner: `group:${namespace}/team`, cell: {} } },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'api', namespace },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: `group:${namespace}/team`,
        system: 'core',
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
      },
    },
  ];
  const entities = [...core('default'), ...core('ops')];
  const { model } = buildCellModel(entities, { defaultEnvironments: cellEnv.settings.defaultEnvironments, knownEnvironments: ['development'] });
  const snapshot: CatalogSnapshot = { model, held: new Map(), entities: new Map(entities.map(e => [stringifyEntityRef(e), e])) };

  it('analyses the cell that holds a contested namespace, and compiles again when the holders change', () => {
    const cache = new SimulationCache();
    const nobody = cache.build(snapshot, cellEnv.settings, 'development');
    expect([...nobody.objectsOf.keys()]).toEqual([]);
    const held = cache.build(snapshot, cellEnv.settings, 'development', { namespaceHolders: new Map([['core-development', 'system:ops/core']]) });
    expect([...held.objectsOf.keys()]).toEqual(['system:ops/core']);
    expect(held.sim.model.components.map(c => c.ref)).toContain('component:ops/api');
  });
});

describe('one cell that cannot be compiled or analysed', () => {
  const artemis = artemisEntities();
  const snapshot: CatalogSnapshot = (() => {
    const { model } = buildCellModel(artemis, {
      defaultEnvironments: config.settings.defaultEnvironments,
      knownEnvironments: config.settings.environments.map(e => e.name),
    });
    return { model, held: new Map(), entities: new Map(artemis.map(e => [stringifyEntityRef(e), e])) };
  })();
  const houston = 'system:default/houston';
  /** The core's compiler, except that it throws whenever it is asked to compile houston. */
  const failingForHouston =
    (calls: Set<string>[] = []): CompileCells =>
    (model, settings, options) => {
      calls.push(new Set(options?.cells));
      if (!options?.cells || options.cells.has(houston)) throw new Error('houston: injected compile failure');
      return compileCells(model, settings, options);
    };
  const full = compileCells(snapshot.model, config.settings, { environment: 'development' }).cells;

  it('compileIsolated finds it by halving and compiles every other cell', () => {
    const calls: Set<string>[] = [];
    const cells = snapshot.model.cells.map(c => c.ref);
    const { objectsOf, failures } = compileIsolated(failingForHouston(calls), snapshot.model, config.settings, 'development', cells);
    expect([...failures]).toEqual([[houston, 'cannot be compiled: houston: injected compile failure']]);
    expect([...objectsOf.keys()].sort()).toEqual(cells.filter(c => c !== houston).sort());
    for (const c of full.filter(f => f.cell !== houston)) expect(objectsOf.get(c.cell)).toEqual(c.objects);
    // 5 cells: the whole set, then halves; far fewer compiles than one per cell and pair.
    expect(calls.length).toBeLessThanOrEqual(7);
  });

  it('leaves the cell out of the analysis, and keeps it apart across an unrelated component change', () => {
    const cache = new SimulationCache(failingForHouston());
    const view = cache.build(snapshot, config.settings, 'development');
    expect([...view.failures.keys()]).toEqual([houston]);
    expect(view.sim.model.cells.map(c => c.ref)).not.toContain(houston);
    expect(view.sim.model.components.some(c => c.cell === houston)).toBe(false);
    expect(
      view.sim.model.grants.some(
        g => g.callee === 'component:default/capcom' || (g.caller.kind === 'component' && g.caller.ref === 'component:default/capcom'),
      ),
    ).toBe(false);
    // Every other cell's objects, then the platform egress namespace's (kennedy/weather-station goes out).
    const cellObjects = full.filter(c => c.cell !== houston).flatMap(c => c.objects);
    expect(view.sim.objects.slice(0, cellObjects.length)).toEqual(cellObjects);
    expect(view.sim.objects.slice(cellObjects.length).map(o => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Namespace /cellplane-egress',
      'NetworkPolicy cellplane-egress/egress.default-deny',
      'NetworkPolicy cellplane-egress/egress.waypoint',
      'Gateway cellplane-egress/egress',
      'AuthorizationPolicy cellplane-egress/api.weather.gov',
      'ServiceEntry cellplane-egress/api.weather.gov',
    ]);
    // Kennedy's launch-control changes: houston is not compiled again, and still set apart.
    const edited = artemis.map(e => (e.metadata.name === 'launch-control' ? { ...e, metadata: { ...e.metadata, description: 'edited' } } : e));
    const next = { ...snapshot, entities: new Map(edited.map(e => [stringifyEntityRef(e), e] as [string, Entity])) };
    expect([...cache.build(next, config.settings, 'development').failures.keys()]).toEqual([houston]);
  });

  it('analysable sets apart a cell whose manifests the analyzer refuses, and the rest loads', () => {
    const view = new SimulationCache().build(snapshot, config.settings, 'development');
    const houstonObjects = view.objectsOf.get(houston)!;
    const deny = houstonObjects.find(o => o.kind === 'NetworkPolicy')!;
    view.objectsOf.set(houston, [...houstonObjects, { ...deny, spec: {} }]);
    view.sim = createSimulation(snapshot.model, config.settings, 'development', [...view.objectsOf.values()].flat());
    expect(() => analysable(view, snapshot.model, config.settings)).not.toThrow();
    expect(view.failures.get(houston)).toMatch(/^cannot be analysed: .*appears twice/s);
    expect(view.sim.model.cells.map(c => c.ref)).not.toContain(houston);
    expect(view.loads).toBe(true);
  });
});
