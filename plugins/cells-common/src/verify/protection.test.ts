import { buildCellModel } from '../validation/catalog';
import { DEFAULT_SETTINGS, CellsSettings } from '../settings/settings';
import { artemisEntities } from '../testing/artemis';
import { createSimulation } from './simulation';
import { protectionCluster, protectionOf, wildcardPrincipals } from './protection';

const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });

describe('protectionOf', () => {
  it('finds every Artemis component protected at L3/L4, mTLS and L7', () => {
    const sim = createSimulation(model, DEFAULT_SETTINGS, 'development');
    const cluster = protectionCluster(sim);
    for (const c of model.components) expect([c.name, protectionOf(sim, cluster, c.ref)]).toEqual([c.name, { l3l4: true, mtls: true, l7: true }]);
  });

  it('finds no mTLS or L7 protection when the mesh is off', () => {
    const noMesh: CellsSettings = { ...DEFAULT_SETTINGS, mesh: { ...DEFAULT_SETTINGS.mesh, enabled: false } };
    const sim = createSimulation(model, noMesh, 'development');
    expect(protectionOf(sim, protectionCluster(sim), 'component:default/capcom')).toEqual({ l3l4: true, mtls: false, l7: false });
  });

  it('finds no L7 protection once the AuthorizationPolicies are gone', () => {
    const base = createSimulation(model, DEFAULT_SETTINGS, 'development');
    const sim = createSimulation(
      model,
      DEFAULT_SETTINGS,
      'development',
      base.objects.filter(o => o.kind !== 'AuthorizationPolicy'),
    );
    expect(protectionOf(sim, protectionCluster(sim), 'component:default/capcom').l7).toBe(false);
  });
});

describe('wildcardPrincipals', () => {
  it('counts none in the compiled objects and one after a principal is widened to *', () => {
    const { objects } = createSimulation(model, DEFAULT_SETTINGS, 'development');
    expect(wildcardPrincipals(objects)).toBe(0);
    const widened = JSON.parse(JSON.stringify(objects));
    const policy = widened.find((o: any) => o.kind === 'AuthorizationPolicy' && o.spec?.rules?.[0]?.from?.[0]?.source?.principals);
    policy.spec.rules[0].from[0].source.principals[0] = '*';
    expect(wildcardPrincipals(widened)).toBe(1);
  });
});
