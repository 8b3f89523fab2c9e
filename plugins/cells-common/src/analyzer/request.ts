/**
 * One request through every layer, on the path the data plane really takes:
 * direct (pod-addressed, or no waypoint), or caller -> waypoint -> destination
 * for Service-addressed traffic to a destination that uses a waypoint.
 */
import { authorizationAllows, evaluateAuthorization, FromVerdicts, waypointPolicies, ztunnelPolicies, AuthorizationPolicyModel, AuthorizationRequest } from './authorization';
import type { HttpAttributes } from './cilium';
import { aggregateLayer, explain, firstDenying, HopResult, LAYERS } from './explain';
import { isIp } from './ip';
import { compareText } from '../order';
import { evaluateL3L4, L3L4Index } from './l3l4';
import {
  ClusterModel,
  Endpoint,
  endpointName,
  GATEWAY_NAME_LABEL,
  GatewayModel,
  HBONE_PORT,
  identityOf,
  INGRESS_USE_WAYPOINT_LABEL,
  isAmbient,
  LayerName,
  LayerResult,
  Problem,
  Protocol,
  PROTOCOLS,
  ServiceModel,
  ServicePortModel,
  USE_WAYPOINT_LABEL,
  USE_WAYPOINT_NAMESPACE_LABEL,
  WAYPOINT_FOR_LABEL,
  WorkloadModel,
} from './model';
import { effectiveMtls, EffectiveMtls, evaluateMtls } from './mtls';
import type { Flow } from './networkPolicy';

export interface AnalyzeRequest {
  /** `namespace/name` of a workload, or an IP address outside the cluster. */
  from: string;
  /** `namespace/name` of a workload (preferred) or Service, `service:namespace/name`, or an external IP. */
  to: string;
  /** Container port (workload target) or Service port (Service target); a number or a port name. */
  port: number | string;
  protocol?: Protocol;
  method?: string;
  path?: string;
  host?: string;
  /** Request headers beyond method, path and host (the waypoint matches `request.headers[...]` conditions on them); undefined: none. */
  headers?: Record<string, string>;
  /** `pod`: the caller dials the pod IP and skips any waypoint. Default `service` when a Service exposes the port. */
  addressing?: 'service' | 'pod';
}

export interface RequestResult {
  allowed: boolean;
  decidedBy: LayerName | null;
  /** Exactly three entries: L3/L4, mTLS, L7. */
  layers: LayerResult[];
  explanation: string;
  /** The hops the request takes (one direct, two through a waypoint). */
  hops: HopResult[];
}

/** The input cannot be analyzed as given (unknown workload, bad port, malformed manifests). */
export class AnalyzerInputError extends Error {
  constructor(message: string, readonly problems: Problem[] = []) {
    super(message);
    this.name = 'AnalyzerInputError';
  }
}

export function formatAnalyzerProblem(p: Problem): string {
  return `${p.source ? `${p.source}: ` : ''}${p.object}${p.field ? `: ${p.field}` : ''}: ${p.message}`;
}

/** Refuses to analyze a model built from malformed input (fail closed). */
export function assertAnalyzable(model: ClusterModel): void {
  if (model.problems.length === 0) return;
  throw new AnalyzerInputError(
    `the manifests have ${model.problems.length} problem(s); fix them first:\n${model.problems.map(p => `  - ${formatAnalyzerProblem(p)}`).join('\n')}`,
    model.problems,
  );
}

// ---------------------------------------------------------------- per-model caches

interface ModelIndex {
  model: ClusterModel;
  l3l4: L3L4Index;
  /** AuthorizationPolicy rules' `from` verdicts per caller (authorizationAllows). */
  fromVerdicts: FromVerdicts;
  ztunnel: (AuthorizationPolicyModel[] | undefined)[];
  waypointPods: Map<string, WorkloadModel | undefined>;
  /** `workloadIndex|port|protocol` -> the Service reaching it there (null: none). */
  services: Map<string, ServiceModel | null>;
  /** Service key -> its waypoint (null: none). */
  waypoints: Map<string, GatewayModel | null>;
  /** `gateway|service` -> the policies that waypoint enforces for that Service. */
  waypointPolicies: Map<string, AuthorizationPolicyModel[]>;
  endpoints: (Endpoint | undefined)[];
  gatewayOfPod: (GatewayModel | null | undefined)[];
  /** Mesh identity per workload (null: plaintext). */
  identities: (string | null | undefined)[];
  authzByNamespace?: Map<string, AuthorizationPolicyModel[]>;
  /** `workloadIndex * 65536 + port` -> effective PeerAuthentication mode. */
  mtlsModes: Map<number, EffectiveMtls['mode']>;
}
const indexes = new WeakMap<ClusterModel, ModelIndex>();

// Bulk questions ask about one model many times in a row. (A one-entry memo: it keeps at most
// the last model analyzed alive; WeakRef.deref costs more than the WeakMap lookup it would save.)
let last: ModelIndex | undefined;

export function indexOf(model: ClusterModel): ModelIndex {
  if (last?.model === model) return last;
  let index = indexes.get(model);
  if (!index) {
    index = { model, l3l4: new L3L4Index(model), fromVerdicts: new Map(), ztunnel: [], waypointPods: new Map(), services: new Map(), waypoints: new Map(), waypointPolicies: new Map(), endpoints: [], gatewayOfPod: [], identities: [], mtlsModes: new Map() };
    indexes.set(model, index);
  }
  last = index;
  return index;
}

function ztunnelPoliciesFor(model: ClusterModel, workload: WorkloadModel): AuthorizationPolicyModel[] {
  const index = indexOf(model);
  let list = index.ztunnel[workload.index];
  if (!list) {
    if (!index.authzByNamespace) {
      index.authzByNamespace = new Map();
      for (const p of model.authorizationPolicies) index.authzByNamespace.set(p.namespace, [...(index.authzByNamespace.get(p.namespace) ?? []), p]);
    }
    // Only the workload's own and the root namespace's policies can apply; in input order, as ztunnelPolicies keeps it.
    const own = index.authzByNamespace.get(workload.namespace) ?? [];
    const root = workload.namespace === model.rootNamespace ? [] : index.authzByNamespace.get(model.rootNamespace) ?? [];
    const order = (p: AuthorizationPolicyModel) => p.order;
    const candidates = root.length === 0 ? own : [...own, ...root].sort((a, b) => order(a) - order(b));
    list = ztunnelPolicies(candidates, workload, model.rootNamespace);
    index.ztunnel[workload.index] = list;
  }
  return list;
}

function waypointPod(model: ClusterModel, gw: GatewayModel): WorkloadModel | undefined {
  const index = indexOf(model);
  if (!index.waypointPods.has(gw.key)) {
    const pods = model.workloads.filter(w => w.namespace === gw.namespace && w.labels[GATEWAY_NAME_LABEL] === gw.name);
    index.waypointPods.set(gw.key, pods.find(p => !p.synthesized) ?? pods[0]);
  }
  return index.waypointPods.get(gw.key);
}

// ---------------------------------------------------------------- endpoints

function workloadEndpoint(model: ClusterModel, workload: WorkloadModel): Endpoint {
  const cache = indexOf(model).endpoints;
  let endpoint = cache[workload.index];
  if (!endpoint) {
    endpoint = { type: 'workload', workload, namespace: model.namespaces.get(workload.namespace)! };
    cache[workload.index] = endpoint;
  }
  return endpoint;
}

/** The Gateway a pod serves, if it is a gateway pod (label set by Gateway API implementations). */
function gatewayOfPod(model: ClusterModel, workload: WorkloadModel): GatewayModel | undefined {
  const cache = indexOf(model).gatewayOfPod;
  let gw = cache[workload.index];
  if (gw === undefined) {
    const name = workload.labels[GATEWAY_NAME_LABEL];
    gw = (name === undefined ? undefined : model.gateways.get(`${workload.namespace}/${name}`)) ?? null;
    cache[workload.index] = gw;
  }
  return gw ?? undefined;
}

/**
 * Does the endpoint speak HBONE with an identity? Ambient-enrolled pods do
 * (via ztunnel), waypoints do, and so do Istio's own gateway deployments.
 */
function meshIdentity(model: ClusterModel, endpoint: Endpoint): string | undefined {
  if (endpoint.type !== 'workload') return undefined;
  const { workload, namespace } = endpoint;
  const cache = indexOf(model).identities;
  let identity = cache[workload.index];
  if (identity === undefined) {
    const gw = gatewayOfPod(model, workload);
    const meshed = isAmbient(workload, namespace) || gw?.isWaypoint === true || gw?.className === 'istio';
    identity = meshed ? identityOf(model.trustDomain, workload.namespace, workload.serviceAccount) : null;
    cache[workload.index] = identity;
  }
  return identity ?? undefined;
}

function resolveSource(model: ClusterModel, from: string): Endpoint {
  if (isIp(from)) return { type: 'external', ip: from };
  const workload = model.workloadsByKey.get(from);
  if (!workload) throw new AnalyzerInputError(`--from: unknown workload "${from}" (expected namespace/name of a Pod or workload in the manifests, or an IP address)`);
  return workloadEndpoint(model, workload);
}

interface Backend {
  workload: WorkloadModel;
  appPort: number;
}

interface Target {
  description: string;
  external?: string;
  service?: ServiceModel;
  backends: Backend[];
  /** Backends the Service selects that lack the named target port. */
  skipped: string[];
  /** The Service's waypoint and the policies it applies there, looked up once per target (null: none). */
  waypoint?: { gw: GatewayModel; policies: AuthorizationPolicyModel[] } | null;
}

function resolveNamedPort(workload: WorkloadModel, name: string, protocol: Protocol): number | undefined {
  return workload.ports.find(p => p.name === name && p.protocol === protocol)?.port;
}

function serviceSelects(service: ServiceModel, workload: WorkloadModel): boolean {
  if (!service.selector || service.namespace !== workload.namespace) return false;
  return Object.entries(service.selector).every(([k, v]) => workload.labels[k] === v);
}

function targetPortOf(sp: ServicePortModel, workload: WorkloadModel): number | undefined {
  return typeof sp.targetPort === 'number' ? sp.targetPort : resolveNamedPort(workload, sp.targetPort, sp.protocol);
}

/** The Service through which a workload is reached on `appPort`, if any (first by name). */
export function serviceFor(model: ClusterModel, workload: WorkloadModel, appPort: number, protocol: Protocol): ServiceModel | undefined {
  const cache = indexOf(model).services;
  const key = `${workload.index}|${appPort}|${protocol}`;
  let found = cache.get(key);
  if (found === undefined) {
    found = findService(model, workload, appPort, protocol) ?? null;
    cache.set(key, found);
  }
  return found ?? undefined;
}

function findService(model: ClusterModel, workload: WorkloadModel, appPort: number, protocol: Protocol): ServiceModel | undefined {
  return model.services
    .filter(s => serviceSelects(s, workload) && s.ports.some(sp => sp.protocol === protocol && targetPortOf(sp, workload) === appPort))
    .sort((a, b) => compareText(a.name, b.name))[0];
}

function resolveTarget(model: ClusterModel, to: string, port: number | string, protocol: Protocol, addressing: 'service' | 'pod'): Target {
  if (isIp(to)) {
    if (typeof port !== 'number') throw new AnalyzerInputError(`--port: a named port needs a workload or Service target, not ${to}`);
    return { description: to, external: to, backends: [], skipped: [] };
  }
  const explicitService = to.startsWith('service:');
  const key = explicitService ? to.slice('service:'.length) : to;
  const workload = explicitService ? undefined : model.workloadsByKey.get(key);
  if (workload) {
    const appPort = typeof port === 'number' ? port : resolveNamedPort(workload, port, protocol);
    if (appPort === undefined) {
      throw new AnalyzerInputError(`--port: ${workload.key} has no ${protocol} container port named "${port}"`);
    }
    const service = addressing === 'pod' ? undefined : serviceFor(model, workload, appPort, protocol);
    return { description: workload.key, service, backends: [{ workload, appPort }], skipped: [] };
  }
  const service = model.servicesByKey.get(key);
  if (!service) {
    throw new AnalyzerInputError(`--to: unknown workload or Service "${to}" (expected namespace/name from the manifests)`);
  }
  const sp = service.ports.find(p => p.protocol === protocol && (typeof port === 'number' ? p.port === port : p.name === port));
  if (!sp) {
    throw new AnalyzerInputError(`--port: Service ${service.key} has no ${protocol} port ${JSON.stringify(port)}`);
  }
  const backends: Backend[] = [];
  const skipped: string[] = [];
  for (const w of model.workloads) {
    if (!serviceSelects(service, w)) continue;
    const appPort = targetPortOf(sp, w);
    if (appPort === undefined) skipped.push(w.key);
    else backends.push({ workload: w, appPort });
  }
  return { description: `Service ${service.key}`, service: addressing === 'pod' ? undefined : service, backends, skipped };
}

/** The waypoint a Service's traffic goes through (Service label first, then its namespace; docs/policy-semantics.md#authz-10). */
export function waypointForService(model: ClusterModel, service: ServiceModel): GatewayModel | undefined {
  const cache = indexOf(model).waypoints;
  let found = cache.get(service.key);
  if (found === undefined) {
    found = findWaypoint(model, service) ?? null;
    cache.set(service.key, found);
  }
  return found ?? undefined;
}

function findWaypoint(model: ClusterModel, service: ServiceModel): GatewayModel | undefined {
  const ns = model.namespaces.get(service.namespace);
  const fromService = service.labels[USE_WAYPOINT_LABEL] !== undefined;
  const labels = fromService ? service.labels : ns?.labels ?? {};
  const name = labels[USE_WAYPOINT_LABEL];
  if (!name || name === 'none') return undefined;
  const gwNamespace = labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? service.namespace;
  const gw = model.gateways.get(`${gwNamespace}/${name}`);
  if (!gw || !gw.isWaypoint) return undefined;
  const waypointFor = gw.labels[WAYPOINT_FOR_LABEL] ?? 'service';
  return waypointFor === 'service' || waypointFor === 'all' ? gw : undefined;
}

// ---------------------------------------------------------------- hops

/** Where istio-cni SNATs kubelet health probes to ambient pods (IPv4, IPv6). */
export const KUBELET_PROBE_ADDRESSES = ['169.254.7.127', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff'];

const notApplicable = (layer: LayerName, reason: string): LayerResult => ({ layer, verdict: 'not-applicable', policies: [], reason });

interface HopArgs {
  model: ClusterModel;
  description: string;
  source: Endpoint;
  destination: Endpoint;
  /** Set when the destination is a waypoint: it terminates HBONE and applies these policies. */
  waypoint?: { gateway: GatewayModel; policies: AuthorizationPolicyModel[] };
  /** Identity ztunnel or the waypoint sees for the source. */
  identity?: string;
  appPort: number;
  protocol: Protocol;
  request: AnalyzeRequest;
}

function evaluateHop(args: HopArgs): HopResult {
  const { model, source, destination, identity, appPort, protocol, request } = args;
  const index = indexOf(model);
  const destWorkload = destination.type === 'workload' ? destination : undefined;
  const destAmbient = !!destWorkload && isAmbient(destWorkload.workload, destWorkload.namespace);
  // ztunnel only carries TCP; HBONE needs an identity-bearing sender and a receiver that speaks it.
  const hbone = protocol === 'TCP' && identity !== undefined && (destAmbient || !!args.waypoint);
  const port = hbone ? HBONE_PORT : appPort;
  const flow: Flow = {
    source,
    destination,
    port,
    protocol,
    destinationPorts: destWorkload?.workload.ports ?? [],
  };
  // Encrypted HBONE hides HTTP from Cilium's proxy.
  const http = hbone ? {} : { method: request.method, path: request.path, host: request.host };
  const l3l4 = evaluateL3L4(index.l3l4, flow, http);
  if (hbone && l3l4.verdict === 'allow') l3l4.reason += ` (HBONE: the network sees port ${HBONE_PORT}, not ${appPort})`;
  if (hbone && l3l4.verdict === 'deny') l3l4.reason += ` (HBONE: ambient traffic arrives on ${HBONE_PORT}, not on the app port ${appPort})`;

  let mtls: LayerResult;
  let l7: LayerResult;
  const authzRequest: AuthorizationRequest = {
    identity: hbone ? identity : undefined,
    sourceIp: source.type === 'workload' ? source.workload.ip : source.ip,
    destinationIp: destWorkload?.workload.ip,
    port: appPort,
    method: request.method,
    path: request.path,
    host: request.host,
    headers: request.headers,
  };
  if (args.waypoint) {
    const gw = args.waypoint.gateway;
    mtls = identity
      ? { layer: 'mTLS', verdict: 'allow', policies: [], reason: `HBONE mutual TLS to waypoint ${gw.key} with identity ${identity}` }
      : { layer: 'mTLS', verdict: 'deny', policies: [], reason: `waypoint ${gw.key} accepts only HBONE with an identity` };
    l7 = evaluateAuthorization(args.waypoint.policies, 'waypoint', authzRequest, `waypoint ${gw.key}`);
  } else if (!destWorkload) {
    mtls = notApplicable('mTLS', `${endpointName(destination)} is outside the mesh`);
    l7 = notApplicable('L7', `${endpointName(destination)} is outside the mesh`);
  } else if (source.type === 'external' && KUBELET_PROBE_ADDRESSES.includes(source.ip) && destAmbient) {
    // docs/policy-semantics.md#ambient-5: istio-cni SNATs kubelet probes to this address and ztunnel lets them through.
    const why = `${source.ip} is the address istio-cni gives kubelet probes; ztunnel exempts them from mTLS and policy`;
    mtls = notApplicable('mTLS', why);
    l7 = notApplicable('L7', why);
  } else if (!destAmbient || protocol !== 'TCP') {
    const why = destAmbient
      ? `ztunnel only carries TCP, so ${protocol} to ${destWorkload.workload.key} bypasses it`
      : `${destWorkload.workload.key} is not in the ambient mesh (namespace ${destWorkload.workload.namespace} lacks istio.io/dataplane-mode=ambient)`;
    mtls = notApplicable('mTLS', why);
    l7 = notApplicable('L7', why);
  } else {
    mtls = evaluateMtls({
      policies: model.peerAuthentications,
      destination: destWorkload.workload,
      destinationNamespace: destWorkload.namespace,
      destinationAmbient: true,
      port: appPort,
      sourceIdentity: hbone ? identity : undefined,
      rootNamespace: model.rootNamespace,
    });
    l7 = evaluateAuthorization(
      ztunnelPoliciesFor(model, destWorkload.workload),
      'ztunnel',
      authzRequest,
      `the ztunnel of ${destWorkload.workload.key} (L4 only)`,
    );
  }
  return {
    description: args.description,
    from: endpointName(source),
    to: endpointName(destination),
    port,
    appPort,
    protocol,
    layers: [l3l4, mtls, l7],
  };
}

function isIngressGatewayPod(model: ClusterModel, endpoint: Endpoint): boolean {
  if (endpoint.type !== 'workload') return false;
  const gw = gatewayOfPod(model, endpoint.workload);
  return !!gw && !gw.isWaypoint;
}

/** Verdict-only evaluation state for one matrix run (fixed port, protocol, method, path). */
export interface QuietRun {
  /** `waypointPod.index * 2^20 + destination.index` -> the verdict of the caller-independent second hop. */
  secondHops: Map<number, boolean>;
}

/** Which way a request from `source` takes to a backend of `target`: through a waypoint pod, or straight. */
interface Route {
  gw?: GatewayModel;
  /** Set when the request goes through the waypoint. */
  wpPod?: WorkloadModel;
  /** The route in words (empty when quiet). */
  text: string;
}

function waypointOf(model: ClusterModel, target: Target): { gw: GatewayModel; policies: AuthorizationPolicyModel[] } | undefined {
  if (target.waypoint === undefined) {
    const gw = target.service ? waypointForService(model, target.service) : undefined;
    target.waypoint = gw ? { gw, policies: policiesOfWaypoint(model, gw, target.service!) } : null;
  }
  return target.waypoint ?? undefined;
}

function routeOf(model: ClusterModel, source: Endpoint, target: Target, identity: string | undefined, protocol: Protocol, quiet: boolean): Route {
  const gw = waypointOf(model, target)?.gw;
  let text = '';
  if (!quiet) text = target.service ? `through Service ${target.service.key}` : 'addressed to the pod';
  let useWaypoint = !!gw && identity !== undefined && protocol === 'TCP';
  if (useWaypoint && source.type === 'workload' && gatewayOfPod(model, source.workload)?.key === gw!.key) useWaypoint = false;
  if (useWaypoint && isIngressGatewayPod(model, source)) {
    // docs/policy-semantics.md#authz-11: ingress gateways skip the waypoint unless the Service or namespace opts in.
    const nsLabels = model.namespaces.get(target.service!.namespace)?.labels ?? {};
    const optIn = target.service!.labels[INGRESS_USE_WAYPOINT_LABEL] === 'true' || nsLabels[INGRESS_USE_WAYPOINT_LABEL] === 'true';
    if (!optIn) {
      useWaypoint = false;
      if (!quiet) text += ` (the ingress gateway skips waypoint ${gw!.key}: no ${INGRESS_USE_WAYPOINT_LABEL}="true")`;
    }
  }
  const wpPod = useWaypoint ? waypointPod(model, gw!) : undefined;
  if (!useWaypoint || !wpPod) {
    if (!quiet && gw && identity === undefined) text += ` (a plaintext caller is not redirected to waypoint ${gw.key})`;
    return { gw, text };
  }
  return { gw, wpPod, text: quiet ? '' : `${text} via waypoint ${gw!.key}` };
}

function policiesOfWaypoint(model: ClusterModel, gw: GatewayModel, service: ServiceModel): AuthorizationPolicyModel[] {
  const cache = indexOf(model).waypointPolicies;
  const key = `${gw.key}|${service.key}`;
  let policies = cache.get(key);
  if (!policies) {
    policies = waypointPolicies(model.authorizationPolicies, gw, service, model.rootNamespace);
    cache.set(key, policies);
  }
  return policies;
}

function evaluateBackend(model: ClusterModel, request: AnalyzeRequest, source: Endpoint, target: Target, backend: Backend, protocol: Protocol): { hops: HopResult[]; route: string } {
  const destination = workloadEndpoint(model, backend.workload);
  const identity = meshIdentity(model, source);
  const { gw, wpPod, text: route } = routeOf(model, source, target, identity, protocol, false);
  if (!wpPod) {
    const hop = evaluateHop({ model, description: 'caller -> destination', source, destination, identity, appPort: backend.appPort, protocol, request });
    return { hops: [hop], route };
  }
  const waypoint = workloadEndpoint(model, wpPod);
  const hop1 = evaluateHop({
    model,
    description: `caller -> waypoint ${wpPod.key}`,
    source,
    destination: waypoint,
    waypoint: { gateway: gw!, policies: policiesOfWaypoint(model, gw!, target.service!) },
    identity,
    appPort: backend.appPort,
    protocol,
    request,
  });
  // docs/policy-semantics.md#authz-9: after the waypoint, the destination sees the waypoint's identity.
  const hop2 = evaluateHop({
    model,
    description: `waypoint ${wpPod.key} -> destination`,
    source: waypoint,
    destination,
    identity: identityOf(model.trustDomain, wpPod.namespace, wpPod.serviceAccount),
    appPort: backend.appPort,
    protocol,
    request,
  });
  return { hops: [hop1, hop2], route };
}

function finish(request: AnalyzeRequest, protocol: Protocol, targetDescription: string, hops: HopResult[], route: string): RequestResult {
  const layers = LAYERS.map(l => aggregateLayer(l, hops));
  const decidedBy = firstDenying(layers);
  return {
    allowed: decidedBy === null,
    decidedBy,
    layers,
    explanation: explain({ from: request.from, to: targetDescription, port: request.port, protocol, layers, route }),
    hops,
  };
}

interface Prepared {
  protocol: Protocol;
  source: Endpoint;
  target: Target;
}

function prepare(model: ClusterModel, request: AnalyzeRequest): Prepared {
  const protocol = request.protocol ?? 'TCP';
  if (!PROTOCOLS.includes(protocol)) throw new AnalyzerInputError(`--protocol: unknown protocol ${JSON.stringify(protocol)} (TCP, UDP or SCTP)`);
  if (typeof request.port === 'number' && !(Number.isInteger(request.port) && request.port >= 1 && request.port <= 65535)) {
    throw new AnalyzerInputError(`--port: ${request.port} is not a port number (1-65535)`);
  }
  const source = resolveSource(model, request.from);
  const target = resolveTarget(model, request.to, request.port, protocol, request.addressing ?? 'service');
  return { protocol, source, target };
}

function externalHop(model: ClusterModel, request: AnalyzeRequest, { source, target, protocol }: Prepared): HopResult {
  return evaluateHop({
    model,
    description: 'caller -> external',
    source,
    destination: { type: 'external', ip: target.external! },
    identity: undefined,
    appPort: request.port as number,
    protocol,
    request,
  });
}

/** Analyzes one request. Throws AnalyzerInputError for unknown endpoints, bad ports or malformed manifests. */
export function analyzeRequest(model: ClusterModel, request: AnalyzeRequest): RequestResult {
  assertAnalyzable(model);
  const prepared = prepare(model, request);
  const { protocol, source, target } = prepared;
  if (target.external) {
    return finish(request, protocol, target.description, [externalHop(model, request, prepared)], 'leaving the cluster');
  }
  if (target.backends.length === 0) {
    const why = target.skipped.length > 0
      ? `${target.description} selects ${target.skipped.join(', ')} but none has its target port`
      : `${target.description} selects no workload in the manifests`;
    const layers: LayerResult[] = [
      { layer: 'L3/L4', verdict: 'deny', policies: [], reason: `${why}, so nothing answers` },
      notApplicable('mTLS', 'no backend'),
      notApplicable('L7', 'no backend'),
    ];
    return { allowed: false, decidedBy: 'L3/L4', layers, explanation: `denied at L3/L4: ${layers[0].reason}`, hops: [] };
  }
  // Any backend may get the connection: the answer is "allowed" only if every backend allows.
  const results = target.backends.map(b => {
    const { hops, route } = evaluateBackend(model, request, source, target, b, protocol);
    return finish(request, protocol, target.backends.length > 1 ? `${target.description} (backend ${b.workload.key})` : target.description, hops, route);
  });
  return results.find(r => !r.allowed) ?? results[0];
}

/** A resolved destination, reusable for many callers (the matrix resolves each once). */
export type ResolvedTarget = Target;

/** Resolves `to` once; throws AnalyzerInputError like analyzeRequest. */
export function resolveTargetFor(model: ClusterModel, request: Omit<AnalyzeRequest, 'from'>): ResolvedTarget {
  return resolveTarget(model, request.to, request.port, request.protocol ?? 'TCP', request.addressing ?? 'service');
}

/** Verdict only for one caller workload and a resolved destination (the matrix's inner loop). */
export function isAllowedFrom(model: ClusterModel, from: WorkloadModel, target: ResolvedTarget, request: Omit<AnalyzeRequest, 'from' | 'to'>, run: QuietRun): boolean {
  if (target.backends.length === 0) return false;
  const source = workloadEndpoint(model, from);
  const protocol = request.protocol ?? 'TCP';
  return target.backends.every(b => backendAllows(model, request, source, target, b, protocol, run));
}

// ---------------------------------------------------------------- verdicts only
// The same decisions as evaluateBackend and evaluateHop, without reasons or
// per-request objects, over per-model caches (matched peers as bitsets, `from`
// verdicts per caller, mTLS modes): what the matrix and bulk probing ask.

type WorkloadEndpoint = Extract<Endpoint, { type: 'workload' }>;
const NO_HTTP: HttpAttributes = {};

function mtlsMode(model: ClusterModel, workload: WorkloadModel, port: number): EffectiveMtls['mode'] {
  const cache = indexOf(model).mtlsModes;
  const key = workload.index * 65536 + port;
  let mode = cache.get(key);
  if (mode === undefined) {
    mode = effectiveMtls(model.peerAuthentications, workload, port, model.rootNamespace).mode;
    cache.set(key, mode);
  }
  return mode;
}

/** `evaluateHop`'s verdict: no layer denies. `waypoint` holds the policies when the destination is a waypoint. */
function hopAllows(
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
  const req: AuthorizationRequest = {
    identity: hbone ? identity : undefined,
    sourceIp: source.type === 'workload' ? source.workload.ip : source.ip,
    destinationIp: dest.ip,
    port: appPort,
    method: request.method,
    path: request.path,
    host: request.host,
    headers: request.headers,
  };
  // A workload source's identity here is its mesh identity or none: two cache slots per workload.
  const sources = 2 * model.workloads.length;
  const key = source.type === 'workload' ? 2 * source.workload.index + (hbone ? 1 : 0) : sources;
  return authorizationAllows(waypoint ?? ztunnelPoliciesFor(model, dest), waypoint ? 'waypoint' : 'ztunnel', req, key, sources, indexOf(model).fromVerdicts);
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

function firstHopMayPass(model: ClusterModel, from: WorkloadModel, to: WorkloadModel, port: number, protocol: Protocol, wpPod: WorkloadModel | undefined): boolean {
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
  return requests.map((r, i) =>
    isAllowedFrom(model, source, ready.targets[i], { port, protocol, method: r.method, path: r.path, host: r.host, headers: r.headers, addressing: r.addressing ?? 'service' }, ready.runs[i]),
  );
}
