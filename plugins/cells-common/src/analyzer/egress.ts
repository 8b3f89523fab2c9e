/**
 * Requests that leave the cluster, on the path the data plane takes
 * (docs/egress.md): to a host a ServiceEntry routes through a waypoint,
 * caller -> egress waypoint (L3/L4 on 15008, mTLS, the waypoint's L7 policies
 * bound to the ServiceEntry) -> the world (the waypoint's own L3/L4 egress);
 * to any other host or address, straight from the caller's pod (its own L3/L4
 * egress only: nothing in the mesh stops or admits it). docs/policy-semantics.md#egress-1,
 * docs/policy-semantics.md#egress-2, docs/policy-semantics.md#egress-3.
 */
import { isIp } from './ip';
import { AuthorizationPolicyModel, waypointPolicies } from './authorizationPolicy';
import { evaluateHop, finish } from './request';
import { AnalyzeRequest, AnalyzerInputError, assertAnalyzable, RequestResult } from './requestInput';
import { indexOf, meshIdentity, waypointPod, workloadEndpoint } from './modelIndex';
import { resolveSource } from './route';
import { hopAllows } from './verdicts';
import { ClusterModel, Endpoint, GatewayModel, ServiceEntryModel, WorkloadModel } from './model';
import { serviceEntryFor, serviceEntryWaypoint } from './serviceEntry';

/**
 * The address a host stands for when the question names none: a documentation
 * address (RFC 5737, TEST-NET-2), public and in no cluster range, so only a
 * rule for the world or for the host's name can admit it.
 */
export const STAND_IN_PUBLIC_ADDRESS = '198.51.100.7';

export interface EgressRequest {
  /** `namespace/name` of the calling workload. */
  from: string;
  /** The host name the caller connects to; with `ip`, the address it resolved to. */
  host?: string;
  /** The address the caller dials (without `host`: a direct connection, no name involved). */
  ip?: string;
  port: number;
  /** How the caller talks: TLS (the waypoint sees the SNI), HTTP (method and path), TCP. Default TLS for a host, TCP for an address. */
  protocol?: 'TLS' | 'HTTP' | 'TCP';
  method?: string;
  path?: string;
  /** The server name a TLS caller sends; default: the host (a caller can send another: domain fronting). */
  sni?: string;
}

/** Where the mesh sends a host on a port: its ServiceEntry, that entry's waypoint and pod, and the policies the waypoint applies. */
interface EgressRoute {
  entry?: ServiceEntryModel;
  gw?: GatewayModel;
  wpPod?: WorkloadModel;
  policies: AuthorizationPolicyModel[];
}

const NOT_ROUTED: EgressRoute = { policies: [] };

/**
 * Per model, the route of each host and port, found once: `verify` asks about
 * the same few hundred hosts from thousands of callers, and each lookup scans
 * every ServiceEntry and AuthorizationPolicy. Loaded models are not changed
 * afterwards (as modelIndex.ts's caches assume).
 */
const routes = new WeakMap<ClusterModel, Map<string, EgressRoute>>();

function routeOf(model: ClusterModel, host: string, port: number): EgressRoute {
  let byHost = routes.get(model);
  if (!byHost) routes.set(model, (byHost = new Map()));
  const key = `${host}:${port}`;
  let route = byHost.get(key);
  if (!route) {
    const entry = serviceEntryFor(model.serviceEntries, host, port);
    const waypointKey = entry ? serviceEntryWaypoint(entry, model.namespaces.get(entry.namespace)) : undefined;
    const gw = waypointKey ? model.gateways.get(waypointKey) : undefined;
    const wpPod = gw?.isWaypoint ? waypointPod(model, gw) : undefined;
    const policies =
      entry && gw && wpPod
        ? waypointPolicies(model.authorizationPolicies, gw, undefined, model.rootNamespace).concat(
            model.authorizationPolicies.filter(
              p => p.namespace === entry.namespace && (p.targetRefs ?? []).some(t => t.kind === 'ServiceEntry' && t.name === entry.name),
            ),
          )
        : [];
    route = { entry, gw, wpPod, policies: [...new Set(policies)] };
    byHost.set(key, route);
  }
  return route;
}

/** Analyzes one request to a destination outside the cluster. Throws AnalyzerInputError for bad input. */
export function analyzeEgress(model: ClusterModel, request: EgressRequest): RequestResult {
  assertAnalyzable(model);
  if (!request.host && !request.ip) throw new AnalyzerInputError('give a host (--to-host) or an address (--to-ip)');
  if (request.ip && !isIp(request.ip)) throw new AnalyzerInputError(`--to-ip: ${request.ip} is not an IP address`);
  if (!(Number.isInteger(request.port) && request.port >= 1 && request.port <= 65535))
    throw new AnalyzerInputError(`--port: ${request.port} is not a port number (1-65535)`);
  const source = resolveSource(model, request.from);
  const protocol = request.protocol ?? (request.host ? 'TLS' : 'TCP');
  const ip = request.ip ?? STAND_IN_PUBLIC_ADDRESS;
  const world: Endpoint = { type: 'external', ip, ...(request.host ? { host: request.host } : {}) };
  const target = request.host ? `${request.host}${request.ip ? ` (${request.ip})` : ''}` : ip;
  const http = protocol === 'HTTP' ? { method: request.method, path: request.path, host: request.host } : {};
  const base: AnalyzeRequest = {
    from: request.from,
    to: target,
    port: request.port,
    protocol: 'TCP',
    ...http,
    ...(protocol === 'TLS' && request.host ? { sni: request.sni ?? request.host } : {}),
  };
  const identity = meshIdentity(model, source);
  const { entry, gw, wpPod, policies } = request.host ? routeOf(model, request.host, request.port) : NOT_ROUTED;
  if (!entry || !wpPod || identity === undefined) {
    let why = `ServiceEntry ${entry?.key} uses no waypoint, so the connection leaves from the caller's pod`;
    if (!request.host) why = 'a direct connection to an address';
    else if (!entry) why = `no ServiceEntry routes ${request.host}:${request.port}, so the caller connects to its address directly`;
    else if (identity === undefined) why = 'the caller is not in the mesh, so ztunnel does not send it to a waypoint';
    const hop = evaluateHop({
      model,
      description: 'caller -> external',
      source,
      destination: world,
      identity: undefined,
      appPort: request.port,
      protocol: 'TCP',
      request: base,
    });
    return finish(base, 'TCP', target, [hop], `leaving the cluster (${why})`);
  }
  const waypoint = workloadEndpoint(model, wpPod);
  const hop1 = evaluateHop({
    model,
    description: `caller -> egress waypoint ${wpPod.key}`,
    source,
    destination: waypoint,
    waypoint: { gateway: gw!, policies },
    identity,
    appPort: request.port,
    protocol: 'TCP',
    request: base,
  });
  const hop2 = evaluateHop({
    model,
    description: `egress waypoint ${wpPod.key} -> ${target}`,
    source: waypoint,
    destination: world,
    identity: undefined,
    appPort: request.port,
    protocol: 'TCP',
    request: { ...base, from: wpPod.key },
  });
  return finish(base, 'TCP', target, [hop1, hop2], `through ServiceEntry ${entry.key} via egress waypoint ${gw!.key}`);
}

/**
 * Per model, the verdict of the egress waypoint's own hop to the world: it does
 * not depend on the caller, and verify asks it for every caller.
 */
const worldHops = new WeakMap<ClusterModel, Map<string, boolean>>();

/**
 * `analyzeEgress(model, request).allowed` without the reasons: the same hops
 * and layers, verdicts only, for bulk questions (verify checks every component
 * and rogue pod against every probe). Input is trusted here: ask analyzeEgress
 * for a question a person typed.
 */
export function egressAllowed(model: ClusterModel, request: EgressRequest): boolean {
  assertAnalyzable(model);
  const source = resolveSource(model, request.from);
  const protocol = request.protocol ?? (request.host ? 'TLS' : 'TCP');
  const ip = request.ip ?? STAND_IN_PUBLIC_ADDRESS;
  const world: Endpoint = { type: 'external', ip, ...(request.host ? { host: request.host } : {}) };
  // What evaluateHop shows the network for a hop without HBONE (analyzeEgress's `base`).
  const http = protocol === 'HTTP' ? { method: request.method, path: request.path, host: request.host } : {};
  const toWorld = (from: Endpoint) =>
    indexOf(model).l3l4.allows({ source: from, destination: world, port: request.port, protocol: 'TCP', destinationPorts: [] }, http);
  const identity = meshIdentity(model, source);
  const { entry, gw, wpPod, policies } = request.host ? routeOf(model, request.host, request.port) : NOT_ROUTED;
  if (!entry || !wpPod || identity === undefined) return toWorld(source);
  const sni = protocol === 'TLS' && request.host ? { sni: request.sni ?? request.host } : {};
  const waypoint = workloadEndpoint(model, wpPod) as Extract<Endpoint, { type: 'workload' }>;
  if (!hopAllows(model, source, waypoint, policies, identity, request.port, 'TCP', { port: request.port, protocol: 'TCP', ...http, ...sni })) return false;
  let byKey = worldHops.get(model);
  if (!byKey) worldHops.set(model, (byKey = new Map()));
  const key = `${gw!.key} ${ip} ${request.host ?? ''} ${request.port} ${protocol} ${request.method ?? ''} ${request.path ?? ''}`;
  let verdict = byKey.get(key);
  if (verdict === undefined) byKey.set(key, (verdict = toWorld(waypoint)));
  return verdict;
}
