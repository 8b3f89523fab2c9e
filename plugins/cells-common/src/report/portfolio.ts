import type { CellModel } from '../model/types';

/**
 * What a cell declares, counted for the portfolio (docs/evidence.md,
 * "Portfolio"): the cell's own declarations, the ones its owner answers for.
 */
export interface CellDeclarationCounts {
  /** Connections and allowFrom entries of the cell's components that became grants, and their egress entries. */
  grants: number;
  /** Of those, the ones without a `reason`. */
  unreasonedGrants: number;
  /** Egress entries (hosts, networks, platform services) of the cell's components. */
  egress: number;
  /** Endpoints of the cell's components the external gateway may call (public ones the front-door rules refused are not). */
  publicEndpoints: number;
  /** Of those, the ones with `auth` absent or `none`. */
  publicWithoutAuth: number;
}

/**
 * Counts a cell's declarations from the model. A connection or allowFrom
 * entry counts once however many grants it became (an allowFrom of a whole
 * System grants each of its components); a public endpoint's gateway grant is
 * not a declaration with a reason and counts under public endpoints only.
 * A cell the model does not hold counts nothing.
 */
export function cellDeclarationCounts(model: CellModel, cellRef: string): CellDeclarationCounts {
  const members = new Set(model.cells.find(c => c.ref === cellRef)?.components ?? []);
  // One entry per declaration (entity and field), holding whether it gives a reason.
  const declarations = new Map<string, boolean>();
  // `component|endpoint` of each endpoint the gateway holds a grant to.
  const opened = new Set<string>();
  for (const g of model.grants) {
    if (g.caller.kind === 'gateway') {
      if (members.has(g.callee)) opened.add(`${g.callee}|${g.endpoint}`);
    } else if (members.has(g.declaredBy)) {
      declarations.set(`${g.declaredBy}|${g.field}`, g.reason !== undefined);
    }
  }
  let egress = 0;
  let publicEndpoints = 0;
  let publicWithoutAuth = 0;
  for (const component of model.components) {
    if (!members.has(component.ref)) continue;
    for (const rule of component.egress ?? []) {
      egress++;
      declarations.set(`${component.ref}|${rule.field}`, rule.reason !== undefined);
    }
    for (const endpoint of component.endpoints) {
      if (!opened.has(`${component.ref}|${endpoint.name}`)) continue;
      publicEndpoints++;
      if (!endpoint.auth || endpoint.auth.kind === 'none') publicWithoutAuth++;
    }
  }
  const reasons = [...declarations.values()];
  return { grants: reasons.length, unreasonedGrants: reasons.filter(r => !r).length, egress, publicEndpoints, publicWithoutAuth };
}
