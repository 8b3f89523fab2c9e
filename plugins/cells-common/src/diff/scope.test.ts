import { buildCellModel } from '../validation/catalog';
import { CellsSettings, DEFAULT_SETTINGS } from '../settings/settings';
import { CELL_OBJECT_NAMES } from '../compiler';
import { artemisEntities } from '../testing/artemis';
import { compiledObjects, createSimulation } from '../verify/simulation';
import { relevantNamespaces } from './scope';

const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });

describe('relevantNamespaces', () => {
  const sim = createSimulation(model, DEFAULT_SETTINGS, 'development');
  const ns = (cell: string) => sim.namespaceOf(`system:default/${cell}`);

  it("keeps the cell, the cells its policies name, the mesh root and the gateway's namespace", () => {
    // kennedy calls houston and is called by houston, and weather-station goes out through the egress waypoint;
    // nothing of esa-ops, orion or the DSN touches it (its network entry, 10.20.8.0/24, holds no pod address).
    expect(relevantNamespaces(sim, ['system:default/kennedy'])).toEqual(
      new Set([ns('kennedy'), ns('houston'), 'cellplane-egress', 'istio-system', 'gateway-system']),
    );
  });

  it('falls back to every namespace when a pod of the scope is open in a direction', () => {
    const objects = compiledObjects(model, DEFAULT_SETTINGS, 'development');
    const open = objects.filter(
      o => !(o.kind === 'NetworkPolicy' && o.metadata.namespace === ns('kennedy') && o.metadata.name === CELL_OBJECT_NAMES.defaultDeny),
    );
    const loose = createSimulation(model, DEFAULT_SETTINGS, 'development', open);
    // Without default-deny some kennedy pods (the waypoint) are not isolated for egress.
    expect(relevantNamespaces(loose, ['system:default/kennedy'])).toBeUndefined();
  });

  it.each([
    ['10.0.0.0/8', undefined],
    ['169.254.7.127/32', 'the same namespaces'],
  ])('with an ipBlock %s in a kennedy policy: %s', (cidr, expected) => {
    // The simulated pods may have any address: a block that can hold one may admit a pod of any namespace.
    const objects = JSON.parse(JSON.stringify(compiledObjects(model, DEFAULT_SETTINGS, 'development'))) as any[];
    const policy = objects.find(
      o => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns('kennedy') && o.spec.ingress?.length > 0 && o.metadata.name !== CELL_OBJECT_NAMES.allowDns,
    );
    policy.spec.ingress.push({ from: [{ ipBlock: { cidr } }] });
    const result = relevantNamespaces(createSimulation(model, DEFAULT_SETTINGS, 'development', objects), ['system:default/kennedy']);
    expect(result).toEqual(expected ? relevantNamespaces(sim, ['system:default/kennedy']) : undefined);
  });

  it('falls back with Cilium policies, which the namespace reasoning does not cover', () => {
    const cilium: CellsSettings = { ...DEFAULT_SETTINGS, environments: [{ name: 'development', networkPolicy: 'cilium' }] };
    expect(relevantNamespaces(createSimulation(model, cilium, 'development'), ['system:default/kennedy'])).toBeUndefined();
  });
});
