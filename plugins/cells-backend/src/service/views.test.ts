import { ConfigReader } from '@backstage/config';
import { KubeObject, Simulation, buildCellModel, createSimulation, protectionCluster, protectionOf } from '@cellplane/cells-common';
import { readCellsBackendConfig } from '../config';
import { artemisEntities } from '../__testUtils__/artemis';
import { ProtectionCache } from './views';

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
    expect(new ProtectionCache().of(sim)).toEqual({ protection: wholeClusterProtection(sim), failures: new Map() });
  });

  it('agrees with the whole cluster where objects are missing, too', () => {
    // Orion loses its AuthorizationPolicies (L7), Kennedy its NetworkPolicies (L3/L4), ESA its PeerAuthentication (mTLS).
    const sim = artemisSimulation(o =>
      without('PeerAuthentication', 'esa-ops')(without('NetworkPolicy', 'kennedy')(without('AuthorizationPolicy', 'orion')(o))),
    );
    const expected = wholeClusterProtection(sim);
    const all = [...expected.values()];
    for (const layer of ['l3l4', 'mtls', 'l7'] as const) expect(all.some(p => !p[layer])).toBe(true);
    expect(new ProtectionCache().of(sim).protection).toEqual(expected);
  });

  it('re-probes only the cells whose objects changed', () => {
    const cache = new ProtectionCache();
    const before = cache.of(artemisSimulation()).protection;
    const after = cache.of(artemisSimulation(without('AuthorizationPolicy', 'orion'))).protection;
    expect(after.get('component:default/capcom')).toBe(before.get('component:default/capcom'));
    expect(after.get('component:default/madrid')).toBe(before.get('component:default/madrid'));
    expect(after.get('component:default/guidance-nav')).not.toBe(before.get('component:default/guidance-nav'));
    expect(after.get('component:default/guidance-nav')).toMatchObject({ l7: false });
    expect(before.get('component:default/guidance-nav')).toMatchObject({ l7: true });
  });

  it('sets apart a cell the analyzer refuses, and probes the others', () => {
    // Two NetworkPolicies of one name in houston's namespace: the analyzer refuses such manifests.
    const sim = artemisSimulation(objects => {
      const deny = objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.namespace?.startsWith('dp-default-houston-'))!;
      return [...objects, { ...deny, spec: {} }];
    });
    const { protection, failures } = new ProtectionCache().of(sim);
    expect([...failures.keys()]).toEqual(['system:default/houston']);
    expect(failures.get('system:default/houston')).toMatch(/^cannot be analysed: the manifests have 1 problem.*appears twice/s);
    expect(protection.has('component:default/capcom')).toBe(false);
    expect(protection.get('component:default/guidance-nav')).toEqual(wholeClusterProtection(artemisSimulation()).get('component:default/guidance-nav'));
  });
});
