/**
 * Verdicts only: the same decisions as analyzeRequest (request.ts), without
 * reasons or per-request objects, over per-model caches (matched peers as
 * bitsets, `from` verdicts per caller, mTLS modes): what the matrix and bulk
 * probing ask.
 */
import { authorizationAllows, AuthorizationPolicyModel, AuthorizationRequest, sourceMayBeAllowed } from './authorization';
import type { HttpAttributes } from './cilium';
import { ClusterModel, Endpoint, HBONE_PORT, identityOf, isAmbient, KUBELET_PROBE_ADDRESSES, Protocol, WorkloadModel } from './model';
import { indexOf, meshIdentity, mtlsMode, waypointPod, workloadEndpoint, ztunnelPoliciesFor } from './modelIndex';
import type { Flow } from './networkPolicy';
import { AnalyzeRequest, AnalyzerInputError, assertAnalyzable } from './requestInput';
import type { RequestToken } from './token';
import { Backend, resolveTarget, routeOf, serviceFor, Target, waypointForService, waypointOf } from './route';

/** Verdict-only evaluation state for one matrix run (fixed port, protocol, method, path). */
export interface QuietRun {
  /** `waypointPod.index * 2^20 + destination.index` -> the verdict of the caller-independent second hop. */
  secondHops: Map<number, boolean>;
}

/** A resolved destination, reusable for many callers (the matrix resolves each once). */
export type ResolvedTarget = Target;

/** Resolves `to` once; throws AnalyzerInputError like analyzeRequest. */
export function resolveTargetFor(model: ClusterModel, request: Omit<AnalyzeRequest, 'from'>): ResolvedTarget {
  return resolveTarget(model, request.to, request.port, request.protocol ?? 'TCP', request.addressing ?? 'service');
}

/** Verdict only for one caller workload and a resolved destination (the matrix's inner loop). */
export function isAllowedFrom(
  model: ClusterModel,
  from: WorkloadModel,
  target: ResolvedTarget,
  request: Omit<AnalyzeRequest, 'from' | 'to'>,
  run: QuietRun,
): boolean {
  if (target.backends.length === 0) return false;
  const source = workloadEndpoint(model, from);
  const protocol = request.protocol ?? 'TCP';
  return target.backends.every(b => backendAllows(model, request, source, target, b, protocol, run));
}

type WorkloadEndpoint = Extract<Endpoint, { type: 'workload' }>;
const NO_HTTP: HttpAttributes = {};

/** `evaluateHop`'s verdict: no layer denies. `waypoint` holds the policies when the destination is a waypoint. */
export function hopAllows(
  model: ClusterModel,
  source: Endpoint,
  destination: WorkloadEndpoint,
  waypoint: AuthorizationPolicyModel[] | undefined,
  identity: string | undefined,
  appPort: number,
  protocol: Protocol,
  request: Omit<AnalyzeRequest, 'from' | 'to'>,
): boolean {
  const dest = destination.workload;
  const destAmbient = isAmbient(dest, destination.namespace);
  const hbone = protocol === 'TCP' && identity !== undefined && (destAmbient || !!waypoint);
  const flow: Flow = { source, destination, port: hbone ? HBONE_PORT : appPort, protocol, destinationPorts: dest.ports };
  if (!indexOf(model).l3l4.allows(flow, hbone ? NO_HTTP : request)) return false;
  if (waypoint) {
    if (identity === undefined) return false;
  } else if (source.type === 'external' && KUBELET_PROBE_ADDRESSES.includes(source.ip) && destAmbient) {
    return true;
  } else if (!destAmbient || protocol !== 'TCP') {
    return true;
  } else if (!hbone && mtlsMode(model, dest, appPort) === 'STRICT') {
    return false;
  }
  const req = authorizationRequest(source, dest, hbone ? identity : undefined, appPort, request);
  const { key, sources } = sourceSlot(model, source, hbone);
  return authorizationAllows(waypoint ?? ztunnelPoliciesFor(model, dest), waypoint ? 'waypoint' : 'ztunnel', req, key, sources, indexOf(model).fromVerdicts);
}

function authorizationRequest(
  source: Endpoint,
  dest: WorkloadModel,
  identity: string | undefined,
  appPort: number,
  request: Omit<AnalyzeRequest, 'from' | 'to'>,
): AuthorizationRequest {
  return {
    identity,
    sourceIp: source.type === 'workload' ? source.workload.ip : source.ip,
    destinationIp: dest.ip,
    port: appPort,
    method: request.method,
    path: request.path,
    host: request.host,
    headers: request.headers,
    ...(request.sni !== undefined ? { sni: request.sni } : {}),
    ...(request.token !== undefined ? { token: request.token } : {}),
  };
}

/** A workload source's identity at a policy is its mesh identity or none: two cache slots per workload (authorizationAllows's `source`). */
function sourceSlot(model: ClusterModel, source: Endpoint, hbone: boolean): { key: number; sources: number } {
  const sources = 2 * model.workloads.length;
  return { key: source.type === 'workload' ? 2 * source.workload.index + (hbone ? 1 : 0) : sources, sources };
}

/**
 * False when the waypoint of the Service-addressed requests in `shapes`
 * denies every request from this caller whatever it asks (no ALLOW rule there
 * names it): then `isAllowedFrom` is false for each of them. Asked once per
 * caller and destination; most callers are named by none of a waypoint's rules.
 */
function waypointMayAllow(model: ClusterModel, from: WorkloadModel, prepared: PreparedShapes, shapes: readonly RequestShape[]): boolean {
  const i = shapes.findIndex(r => (r.addressing ?? 'service') === 'service');
  if (i < 0) return true;
  const target = prepared.targets[i];
  const source = workloadEndpoint(model, from);
  const identity = meshIdentity(model, source);
  const { wpPod } = routeOf(model, source, target, identity, prepared.protocol, true);
  if (!wpPod || target.backends.length === 0) return true;
  // routeOf sends only an identity-bearing TCP caller to the waypoint, so the hop is HBONE.
  const req = authorizationRequest(source, wpPod, identity, target.backends[0].appPort, { port: prepared.port, ...shapes[i] });
  const { key, sources } = sourceSlot(model, source, true);
  return sourceMayBeAllowed(waypointOf(model, target)!.policies, 'waypoint', req, key, sources, indexOf(model).fromVerdicts);
}

function backendAllows(
  model: ClusterModel,
  request: Omit<AnalyzeRequest, 'from' | 'to'>,
  source: Endpoint,
  target: Target,
  backend: Backend,
  protocol: Protocol,
  run: QuietRun,
): boolean {
  const destination = workloadEndpoint(model, backend.workload) as WorkloadEndpoint;
  const identity = meshIdentity(model, source);
  const { wpPod } = routeOf(model, source, target, identity, protocol, true);
  if (!wpPod) return hopAllows(model, source, destination, undefined, identity, backend.appPort, protocol, request);
  const waypoint = workloadEndpoint(model, wpPod) as WorkloadEndpoint;
  if (!hopAllows(model, source, waypoint, waypointOf(model, target)!.policies, identity, backend.appPort, protocol, request)) return false;
  // The waypoint -> destination hop does not depend on the caller: once per destination and run.
  const verdicts = run.secondHops;
  const key = wpPod.index * 1048576 + backend.workload.index;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    const wpIdentity = identityOf(model.trustDomain, wpPod.namespace, wpPod.serviceAccount);
    verdict = hopAllows(model, waypoint, destination, undefined, wpIdentity, backend.appPort, protocol, request);
    verdicts.set(key, verdict);
  }
  return verdict;
}

/**
 * False only when L3/L4 stops every first hop from `from` to `to` on the
 * port: to the pod itself (on the app port or, meshed, HBONE's) and to the
 * waypoint its Service uses. No method, path or addressing gets through then.
 * With Cilium policies the network may read HTTP, so then always true.
 */
export function mayReach(model: ClusterModel, from: WorkloadModel, to: WorkloadModel, port: number, protocol: Protocol): boolean {
  return reachableFrom(model, to, port, protocol)(from);
}

/** `mayReach` for many callers of one destination: its Service's waypoint is looked up once. */
export function reachableFrom(model: ClusterModel, to: WorkloadModel, port: number, protocol: Protocol): (from: WorkloadModel) => boolean {
  const service = serviceFor(model, to, port, protocol);
  const gw = service && waypointForService(model, service);
  const wpPod = gw ? waypointPod(model, gw) : undefined;
  return from => firstHopMayPass(model, from, to, port, protocol, wpPod);
}

function firstHopMayPass(
  model: ClusterModel,
  from: WorkloadModel,
  to: WorkloadModel,
  port: number,
  protocol: Protocol,
  wpPod: WorkloadModel | undefined,
): boolean {
  if (model.ciliumPolicies.length > 0) return true;
  const l3l4 = indexOf(model).l3l4;
  const source = workloadEndpoint(model, from);
  const passes = (dest: WorkloadModel, p: number) =>
    l3l4.allows({ source, destination: workloadEndpoint(model, dest), port: p, protocol, destinationPorts: dest.ports }, NO_HTTP);
  if (passes(to, port)) return true;
  if (protocol !== 'TCP') return false;
  return passes(to, HBONE_PORT) || (!!wpPod && passes(wpPod, HBONE_PORT));
}

/** One request shape of `requestVerdicts`. */
export interface RequestShape {
  method?: string;
  path?: string;
  host?: string;
  headers?: Record<string, string>;
  addressing?: 'service' | 'pod';
  /** The bearer token (null: none; undefined: not described), as AnalyzeRequest's. */
  token?: RequestToken | null;
}

/** What `requestVerdicts` resolves once per list of shapes: the target and evaluation state of each. */
interface PreparedShapes {
  to: string;
  port: number;
  protocol: Protocol;
  destination: WorkloadModel;
  targets: ResolvedTarget[];
  runs: QuietRun[];
  /** The waypoint pod a service-addressed request goes through, if any. */
  wpPod?: WorkloadModel;
}
const preparedShapes = new WeakMap<ClusterModel, WeakMap<readonly RequestShape[], PreparedShapes>>();

/**
 * `analyzeRequest(...).allowed` for several requests from one workload to
 * another on one port, verdicts only: what bulk checks (verify) ask, with the
 * full evaluation kept for the answers they report. When the network stops
 * every first hop (`mayReach`), nothing else is evaluated. Pass the same
 * `requests` array again for the same destination: what depends only on it is
 * computed once.
 */
export function requestVerdicts(model: ClusterModel, from: string, to: string, port: number, protocol: Protocol, requests: readonly RequestShape[]): boolean[] {
  assertAnalyzable(model);
  const source = model.workloadsByKey.get(from);
  if (!source) throw new AnalyzerInputError(`unknown workload "${from}"`);
  let byShapes = preparedShapes.get(model);
  if (!byShapes) preparedShapes.set(model, (byShapes = new WeakMap()));
  let p = byShapes.get(requests);
  if (!p || p.to !== to || p.port !== port || p.protocol !== protocol) {
    const destination = model.workloadsByKey.get(to);
    if (!destination) throw new AnalyzerInputError(`unknown workload "${to}"`);
    const targets = requests.map(r => resolveTarget(model, to, port, protocol, r.addressing ?? 'service'));
    const wpPods = targets.map(t => waypointOf(model, t)?.gw).map(gw => gw && waypointPod(model, gw));
    p = { to, port, protocol, destination, targets, runs: requests.map(() => ({ secondHops: new Map() })), wpPod: wpPods.find(w => w) };
    byShapes.set(requests, p);
  }
  const ready = p;
  if (!firstHopMayPass(model, source, ready.destination, port, protocol, ready.wpPod)) return requests.map(() => false);
  const viaWaypoint = waypointMayAllow(model, source, ready, requests);
  return requests.map((r, i) =>
    !viaWaypoint && (r.addressing ?? 'service') === 'service'
      ? false
      : isAllowedFrom(
          model,
          source,
          ready.targets[i],
          {
            port,
            protocol,
            method: r.method,
            path: r.path,
            host: r.host,
            headers: r.headers,
            addressing: r.addressing ?? 'service',
            ...(r.token !== undefined ? { token: r.token } : {}),
          },
          ready.runs[i],
        ),
  );
}
