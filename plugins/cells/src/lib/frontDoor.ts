import type { Endpoint, EndpointAuth, EndpointRateLimit, TopologyComponent, TopologyEdge } from '../api/types';

/**
 * A public endpoint's front door in words, from what the backend's topology
 * says of the endpoint (docs/front-door.md): its `auth`, `rateLimit` and
 * `operations` as the catalog declares them. Nothing here judges a request:
 * the simulator asks the backend for that.
 */

/** `token from artemis-idp (audience flight-ops; scope: mission.control)`, `open to anyone (auth: none)`. */
export function authText(auth: EndpointAuth | undefined): string {
  if (!auth) return 'no authentication declared (open: cells.gateway.requireAuthentication is false)';
  if (auth.kind === 'none') return 'open to anyone (auth: none)';
  const audiences = auth.audiences?.length ? `${auth.audiences.length === 1 ? 'audience' : 'audiences'} ${auth.audiences.join(' or ')}` : undefined;
  const claims = (auth.claims ?? []).map(c => `${c.name}: ${c.values.join(' and ')}`);
  const requires = [audiences, ...claims].filter(Boolean).join('; ');
  return `token from ${auth.provider}${requires ? ` (${requires})` : ''}`;
}

/** Short, for an edge's label: `JWT artemis-idp`, `open`. */
export function authLabel(auth: EndpointAuth | undefined): string {
  if (!auth || auth.kind === 'none') return 'open';
  return `JWT ${auth.provider}`;
}

const BY: Record<EndpointRateLimit['by']['kind'], string> = { 'client-ip': 'client address', claim: 'claim', header: 'header' };

/** `20 per minute per claim sub`, `none`. */
export function rateLimitText(rateLimit: EndpointRateLimit | undefined): string {
  if (!rateLimit) return 'none';
  const by = rateLimit.by.name ? `${BY[rateLimit.by.kind]} ${rateLimit.by.name}` : BY[rateLimit.by.kind];
  return `${rateLimit.requests} per ${rateLimit.per} per ${by}`;
}

const UNIT: Record<EndpointRateLimit['per'], string> = { second: 's', minute: 'min', hour: 'h' };

/** Short, for an edge's label: `20/min`. */
export function rateLimitLabel(rateLimit: EndpointRateLimit | undefined): string | undefined {
  if (!rateLimit) return undefined;
  return `${rateLimit.requests}/${UNIT[rateLimit.per]}`;
}

/** `GET /dashboard, POST /decision/abort`, or `none declared`. */
export function operationsText(endpoint: Pick<Endpoint, 'operations'>): string {
  const operations = endpoint.operations ?? [];
  return operations.length ? operations.map(o => `${o.method} ${o.path}`).join(', ') : 'none declared';
}

/** One public endpoint behind the gateway, with its component. */
export interface PublicEndpoint {
  component: TopologyComponent;
  endpoint: Endpoint;
}

/** The public endpoints the gateway's grants lead to, in the grants' order, each once. */
export function gatewayEndpoints(components: TopologyComponent[], grants: TopologyEdge[]): PublicEndpoint[] {
  const byRef = new Map(components.map(c => [c.entityRef, c]));
  const seen = new Set<string>();
  const found: PublicEndpoint[] = [];
  for (const grant of grants) {
    const key = `${grant.to} ${grant.endpoint}`;
    const component = byRef.get(grant.to);
    const endpoint = component?.endpoints.find(e => e.name === grant.endpoint);
    if (seen.has(key) || !component || !endpoint) continue;
    seen.add(key);
    found.push({ component, endpoint });
  }
  return found;
}

/**
 * What a gateway edge adds to its label and its detail: the front door of the
 * endpoints it leads to (`JWT artemis-idp`, with the rate limit when one is
 * set), and each endpoint in full for hover and screen readers.
 */
export function gatewayEdgeText(components: TopologyComponent[], grants: TopologyEdge[]): { label: string; detail: string[] } {
  const endpoints = gatewayEndpoints(components, grants);
  const labels = [...new Set(endpoints.map(({ endpoint }) => [authLabel(endpoint.auth), rateLimitLabel(endpoint.rateLimit)].filter(Boolean).join(', ')))];
  return {
    label: labels.join('; '),
    detail: endpoints.map(({ component, endpoint }) => `front door of ${component.entityRef}:${endpoint.name}: ${frontDoorText(endpoint)}`),
  };
}

/** Authentication, rate limit and operations of one endpoint, in one line. */
export function frontDoorText(endpoint: Endpoint): string {
  return `authentication: ${authText(endpoint.auth)}; rate limit: ${rateLimitText(endpoint.rateLimit)}; operations: ${operationsText(endpoint)}`;
}
