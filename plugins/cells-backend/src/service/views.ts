import { CallGrant, CellModel, ComponentView, GrantView, Simulation, VerifyReport, verifySimulation } from '@cellplane/cells-common';
import { Entity } from '@backstage/catalog-model';

const titleOf = (entities: Map<string, Entity>, ref: string) => entities.get(ref)?.metadata.title;

export function componentViews(model: CellModel, entities: Map<string, Entity>, cellRefs?: Set<string>): ComponentView[] {
  return model.components
    .filter(c => !cellRefs || cellRefs.has(c.cell))
    .map(c => ({
      entityRef: c.ref,
      name: c.name,
      ...(titleOf(entities, c.ref) ? { title: titleOf(entities, c.ref) } : {}),
      owner: c.owner,
      cell: c.cell,
      endpoints: c.endpoints,
    }));
}

/** How a grant was declared, for the API: a public endpoint's gateway grant, a connection, or an allowFrom entry. */
function declaredBy(grant: CallGrant): GrantView['declaredBy'] {
  if (grant.caller.kind === 'gateway') return 'public';
  return grant.field.startsWith('spec.allowFrom') ? 'allowFrom' : 'connection';
}

export function grantViews(model: CellModel, filter?: (g: CallGrant) => boolean): GrantView[] {
  const cellOf = new Map(model.components.map(c => [c.ref, c.cell]));
  return model.grants
    .filter(g => !filter || filter(g))
    .map(g => ({
      from: g.caller.kind === 'gateway' ? 'gateway' : g.caller.ref,
      to: g.callee,
      endpoint: g.endpoint,
      ...(g.methods ? { methods: g.methods } : {}),
      ...(g.paths ? { paths: g.paths } : {}),
      declaredBy: declaredBy(g),
      declaringEntity: g.declaredBy,
      field: g.field,
      crossCell: g.caller.kind === 'gateway' || cellOf.get(g.caller.ref) !== cellOf.get(g.callee),
    }));
}

/** Verify, once per simulation: the manifests checked against the catalog for every caller and endpoint. */
export function verifyOnce(cache: WeakMap<Simulation, { report: VerifyReport; at: string }>, sim: Simulation) {
  let entry = cache.get(sim);
  if (!entry) {
    entry = { report: verifySimulation(sim), at: new Date().toISOString() };
    cache.set(sim, entry);
  }
  return entry;
}
