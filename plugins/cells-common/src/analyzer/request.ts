/**
 * One request through every layer, on the path the data plane really takes:
 * direct (pod-addressed, or no waypoint), or caller -> waypoint -> destination
 * for Service-addressed traffic to a destination that uses a waypoint.
 */
import { evaluateAuthorization, AuthorizationPolicyModel, AuthorizationRequest } from './authorization';
import { aggregateLayer, explain, firstDenying, HopResult, LAYERS } from './explain';
import { evaluateL3L4 } from './l3l4';
import {
  ClusterModel,
  Endpoint,
  endpointName,
  GatewayModel,
  HBONE_PORT,
  identityOf,
  isAmbient,
  KUBELET_PROBE_ADDRESSES,
  LayerName,
  LayerResult,
  Protocol,
  PROTOCOLS,
} from './model';
import { indexOf, meshIdentity, policiesOfWaypoint, workloadEndpoint, ztunnelPoliciesFor } from './modelIndex';
import { evaluateMtls } from './mtls';
import type { Flow } from './networkPolicy';
import { AnalyzeRequest, AnalyzerInputError, assertAnalyzable, RequestResult } from './requestInput';
import { Backend, resolveSource, resolveTarget, routeOf, Target } from './route';

// The analysis of one request in pieces: what a request is (requestInput.ts), per-model caches
// (modelIndex.ts), where it goes (route.ts), verdicts only for bulk questions (verdicts.ts).
// What importers used from this module is still exported here.
export { AnalyzerInputError, assertAnalyzable, formatAnalyzerProblem } from './requestInput';
export type { AnalyzeRequest, RequestResult } from './requestInput';
export { KUBELET_PROBE_ADDRESSES } from './model';
export { serviceFor, waypointForService } from './route';
export { isAllowedFrom, mayReach, reachableFrom, requestVerdicts, resolveTargetFor } from './verdicts';
export type { QuietRun, RequestShape, ResolvedTarget } from './verdicts';

// ---------------------------------------------------------------- hops

const notApplicable = (layer: LayerName, reason: string): LayerResult => ({ layer, verdict: 'not-applicable', policies: [], reason });

export interface HopArgs {
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

export function evaluateHop(args: HopArgs): HopResult {
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
    ...(request.sni !== undefined ? { sni: request.sni } : {}),
    ...(request.token !== undefined ? { token: request.token } : {}),
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

function evaluateBackend(
  model: ClusterModel,
  request: AnalyzeRequest,
  source: Endpoint,
  target: Target,
  backend: Backend,
  protocol: Protocol,
): { hops: HopResult[]; route: string } {
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

export function finish(request: AnalyzeRequest, protocol: Protocol, targetDescription: string, hops: HopResult[], route: string): RequestResult {
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
    const why =
      target.skipped.length > 0
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
