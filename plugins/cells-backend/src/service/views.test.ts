import { ConfigReader } from '@backstage/config';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { KubeObject, Simulation, buildCellModel, createSimulation, protectionCluster, protectionOf } from '@cellplane/cells-common';
import { readCellsBackendConfig } from '../config';
import { artemisEntities } from '../__testUtils__/artemis';
import type { CatalogSnapshot } from '../reconciler/CellsReconciler';
import { ProtectionCache, SimulationCache } from './views';

const config = readCellsBackendConfig(
  new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: '/tmp/cells-views-test' } }] } }),
);

function artemisSimulation(alter: (objects: KubeObject[]) => KubeObject[] = o => o): Simulation {
  const { model } = buildCellModel(artemisEntities(), {
    defaultEnvironments: config.settings.defaultEnvironments,
    knownEnvironments: config.settings.environments.map(e => e.name),
  });
  const compiled = createSimulation(model, config.settings, 'development');
  return createSimulation(model, config.settings, 'development', alter(compiled.objects));
}

/** The reference: every component probed in one cluster of the whole environment. */
function wholeClusterProtection(sim: Simulation) {
  const cluster = protectionCluster(sim);
  return new Map(sim.model.components.map(c => [c.ref, protectionOf(sim, cluster, c.ref)]));
}

/** Drops one kind of object from a cell's namespace (namespaces are named `dp-default-<cell>-...`). */
const without = (kind: string, cell: string) => (objects: KubeObject[]) =>
  objects.filter(o => !(o.kind === kind && o.metadata.namespace?.startsWith(`dp-default-${cell}-`)));

describe('ProtectionCache', () => {
  it('gives every component the protection a cluster of the whole environment gives', () => {
    const sim = artemisSimulation();
    expect(new ProtectionCache().of(sim)).toEqual(wholeClusterProtection(sim));
  });

  it('agrees with the whole cluster where objects are missing, too', () => {
    // Orion loses its AuthorizationPolicies (L7), Kennedy its NetworkPolicies (L3/L4), ESA its PeerAuthentication (mTLS).
    const sim = artemisSimulation(o =>
      without('PeerAuthentication', 'esa-ops')(without('NetworkPolicy', 'kennedy')(without('AuthorizationPolicy', 'orion')(o))),
    );
    const expected = wholeClusterProtection(sim);
    const all = [...expected.values()];
    for (const layer of ['l3l4', 'mtls', 'l7'] as const) expect(all.some(p => !p[layer])).toBe(true);
    expect(new ProtectionCache().of(sim)).toEqual(expected);
  });

  it("re-probes only the cells whose objects changed", () => {
    const cache = new ProtectionCache();
    const before = cache.of(artemisSimulation());
    const after = cache.of(artemisSimulation(without('AuthorizationPolicy', 'orion')));
    expect(after.get('component:default/capcom')).toBe(before.get('component:default/capcom'));
    expect(after.get('component:default/madrid')).toBe(before.get('component:default/madrid'));
    expect(after.get('component:default/guidance-nav')).not.toBe(before.get('component:default/guidance-nav'));
    expect(after.get('component:default/guidance-nav')).toMatchObject({ l7: false });
    expect(before.get('component:default/guidance-nav')).toMatchObject({ l7: true });
  });
});

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
    const edited = replace('capcom', e => withSpec(e, { connections: [...(e.spec as any).connections, { to: 'comms-system', endpoint: 'http', methods: ['GET'], paths: ['/status'] }] }));
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
      spec: { type: 'service', lifecycle: 'production', owner: 'group:houston-flight-ops', system: 'houston', endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }], connections: [{ to: 'madrid', endpoint: 'http', methods: ['GET'] }] },
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
    const before = protections.of(first.sim);
    const snapshot = snapshotOf(replace('capcom', e => withSpec(e, { connections: [] })));
    const second = cache.build(snapshot, config.settings, 'development');
    const after = protections.of(second.sim);
    expect(after).toEqual(wholeClusterProtection(second.sim));
    expect(after.get('component:default/launch-control')).toBe(before.get('component:default/launch-control'));
  });
});
