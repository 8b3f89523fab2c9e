import { CallGrant } from './types';

/**
 * The grants of a model by callee and endpoint. Verify, the blast radius and
 * the catalog oracle ask "which grants name this endpoint?" once per endpoint
 * and request; scanning every grant each time made a blast radius at 5,000
 * components cost seconds. A model's grants are never changed once built, so
 * the index is kept per grants array (a model derived with other grants gets
 * its own).
 */
const indexes = new WeakMap<readonly CallGrant[], Map<string, Map<string, CallGrant[]>>>();
const NONE: readonly CallGrant[] = Object.freeze([]);

function indexOf(grants: readonly CallGrant[]): Map<string, Map<string, CallGrant[]>> {
  let index = indexes.get(grants);
  if (!index) {
    index = new Map();
    for (const grant of grants) {
      let byEndpoint = index.get(grant.callee);
      if (!byEndpoint) index.set(grant.callee, (byEndpoint = new Map()));
      const list = byEndpoint.get(grant.endpoint);
      if (list) list.push(grant);
      else byEndpoint.set(grant.endpoint, [grant]);
    }
    indexes.set(grants, index);
  }
  return index;
}

/** The grants to one endpoint of one component, in the model's order. */
export function grantsTo(grants: readonly CallGrant[], callee: string, endpoint: string): readonly CallGrant[] {
  // A handful of grants is faster to scan than to index.
  if (grants.length <= 8) return grants.filter(g => g.callee === callee && g.endpoint === endpoint);
  return indexOf(grants).get(callee)?.get(endpoint) ?? NONE;
}
