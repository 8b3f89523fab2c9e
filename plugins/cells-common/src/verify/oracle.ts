import { CallGrant, CellModel } from '../model/types';
import { grantsTo } from '../model/grantIndex';
import { normalizeRequestPath, pathMatches } from '../analyzer';

/** A caller in catalog terms. */
export type CatalogCaller = { kind: 'component'; ref: string } | { kind: 'gateway' } | { kind: 'rogue'; cell: string };

export interface CatalogOperation {
  callee: string;
  endpoint: string;
  method?: string;
  path?: string;
}

function covers(grant: CallGrant, op: CatalogOperation, l7: boolean): boolean {
  if (grant.callee !== op.callee || grant.endpoint !== op.endpoint) return false;
  if (!l7) return true;
  if (grant.methods && !(op.method && grant.methods.includes(op.method))) return false;
  // Paths as the catalog documents them: Istio's exact, prefix* and *suffix (and the {*} templates of an
  // endpoint's OpenAPI operations), on the path the
  // service receives (the waypoint normalises it: no query, `..` resolved, escapes decoded).
  const path = op.path === undefined ? undefined : normalizeRequestPath(op.path);
  if (grant.paths && !(path && grant.paths.some(p => pathMatches(p, path)))) return false;
  return true;
}

/**
 * What the catalog declares, straight from the grants: the specification the
 * compiled manifests are checked against. Without the mesh there is no L7, so
 * a grant covers the endpoint whatever the method and path.
 */
export function catalogAllows(model: CellModel, caller: CatalogCaller, op: CatalogOperation, l7 = true): boolean {
  if (caller.kind === 'rogue') return false;
  return grantsTo(model.grants, op.callee, op.endpoint).some(
    g => (g.caller.kind === 'gateway' ? caller.kind === 'gateway' : caller.kind === 'component' && g.caller.ref === caller.ref) && covers(g, op, l7),
  );
}
