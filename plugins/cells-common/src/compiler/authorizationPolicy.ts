import { CallGrant, CellComponent } from '../model/types';
import { restricting } from './applyPhase';
import { CellContext, KubeObject, meta, podLabels } from './context';
import { compareText } from '../order';
import { waypointOnlyName } from './names';
import { scrapeGrants } from './platform/scrape';

interface RuleKey {
  port: number;
  methods?: string[];
  paths?: string[];
}

function operationOf(key: RuleKey) {
  return {
    ports: [String(key.port)],
    ...(key.methods ? { methods: key.methods } : {}),
    ...(key.paths ? { paths: key.paths } : {}),
  };
}

/**
 * One rule per (port, methods, paths) with the explicit principals granted it.
 * Principals are always single service accounts resolved from the catalog: a
 * namespace-wide principal would admit a rogue pod's own service account.
 */
function rulesFor(ctx: CellContext, component: CellComponent, grants: CallGrant[]) {
  const rules = new Map<string, { key: RuleKey; principals: Set<string> }>();
  for (const grant of grants) {
    const endpoint = component.endpoints.find(e => e.name === grant.endpoint)!;
    if (endpoint.protocol === 'UDP') continue; // not carried by the mesh; L3/L4 only
    const key: RuleKey = { port: endpoint.port, methods: grant.methods, paths: grant.paths };
    const id = JSON.stringify(key);
    const rule = rules.get(id) ?? { key, principals: new Set<string>() };
    rule.principals.add(ctx.principalOf(grant.caller));
    rules.set(id, rule);
  }
  for (const scrape of scrapeGrants(ctx, component)) {
    const key: RuleKey = { port: scrape.port, methods: scrape.methods, paths: scrape.paths };
    const id = JSON.stringify(key);
    const rule = rules.get(id) ?? { key, principals: new Set<string>() };
    rule.principals.add(scrape.principal);
    rules.set(id, rule);
  }
  return [...rules.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, { key, principals }]) => ({
      from: [{ source: { principals: [...principals].sort() } }],
      to: [{ operation: operationOf(key) }],
    }));
}

/**
 * L7 (waypoint-enforced): one ALLOW policy per component bound to its Service.
 * A component nobody may call still gets one, with no rules: it allows nothing.
 */
function l7Policy(ctx: CellContext, component: CellComponent): KubeObject {
  const grants = ctx.inbound.filter(g => g.callee === component.ref);
  // Scrapes (platform/scrape.ts) join the grants' rules: one rule per (port, methods, paths).
  const rules = rulesFor(ctx, component, grants);
  const policy: KubeObject = {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: meta(ctx, component.name, component.ref),
    spec: {
      targetRefs: [{ group: '', kind: 'Service', name: component.name }],
      action: 'ALLOW',
      ...(rules.length ? { rules } : {}),
    },
  };
  return rules.length ? policy : restricting(policy);
}

/**
 * L4 (ztunnel-enforced, selector, principals only): the component accepts
 * nothing but its waypoint. Istio sends traffic straight to the pod when the
 * waypoint is missing or not ready; this makes that fail closed instead of
 * skipping L7.
 */
function waypointOnlyPolicy(ctx: CellContext, component: CellComponent): KubeObject {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: meta(ctx, waypointOnlyName(component.name), component.ref),
    spec: {
      selector: { matchLabels: podLabels(ctx, component) },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [ctx.waypointPrincipal] } }] }],
    },
  };
}

export function authorizationPolicies(ctx: CellContext): KubeObject[] {
  if (!ctx.settings.mesh.enabled) return [];
  return ctx.components.flatMap(c => [l7Policy(ctx, c), restricting(waypointOnlyPolicy(ctx, c))]);
}
