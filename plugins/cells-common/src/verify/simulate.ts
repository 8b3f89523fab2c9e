import { CellComponent, EndpointSpec } from '../model/types';
import { AnalyzerInputError, analyzeRequest, ClusterModel, RequestResult } from '../analyzer';
import { decideEdgeAuth, EdgeAuthResult } from '../analyzer/edgeAuth';
import type { RequestToken } from '../analyzer/token';
import { KubeObject } from '../compiler';
import { Simulation, podKey } from './simulation';

export type SimulatedCaller = { component: string } | { rogue: string } | { gateway: true };

export interface SimulatedRequest {
  from: SimulatedCaller;
  /** Callee component ref. */
  to: string;
  endpoint?: string;
  method?: string;
  path?: string;
  /** Address the callee's pod directly instead of its Service (skips the waypoint). */
  direct?: boolean;
  /** From the gateway: the bearer token the request carries (its claims; the signature is taken as valid). Absent: none. */
  token?: RequestToken;
}

export interface SimulationResult extends RequestResult {
  /** For a rogue caller: whose labels the decisive attempt wore, if any. */
  impersonating?: string;
}

const DEPTH: Record<string, number> = { 'L3/L4': 1, mTLS: 2, L7: 3 };

export function calleeEndpoint(sim: Simulation, ref: string, endpointName?: string): { component: CellComponent; endpoint: EndpointSpec } {
  const component = sim.model.components.find(c => c.ref === ref);
  if (!component || !sim.model.cells.find(c => c.ref === component.cell)?.environments.includes(sim.environment)) {
    throw new AnalyzerInputError(`${ref} is not a component of a cell deployed to ${sim.environment}`);
  }
  const onlyEndpoint = component.endpoints.length === 1 ? component.endpoints[0] : undefined;
  const endpoint = endpointName ? component.endpoints.find(e => e.name === endpointName) : onlyEndpoint;
  if (!endpoint) {
    throw new AnalyzerInputError(
      endpointName
        ? `${ref} has no endpoint ${endpointName}`
        : `${ref} serves ${component.endpoints.length} endpoints; name one with --endpoint (${component.endpoints.map(e => e.name).join(', ')})`,
    );
  }
  return { component, endpoint };
}

/** A gateway request's verdict with its front door's: the front door refuses before the mesh sees the request. */
export function withEdge(result: RequestResult, edge: EdgeAuthResult): RequestResult {
  if (edge.verdict === 'allow') return { ...result, edge };
  return {
    ...result,
    allowed: false,
    decidedBy: 'edge-auth',
    edge,
    explanation: `Denied at the front door: ${edge.message}. ${result.explanation}`,
  };
}

/** Evaluates one request between pods of the simulation with the analyzer. */
export function evaluate(
  cluster: ClusterModel,
  from: KubeObject | string,
  callee: CellComponent,
  endpoint: EndpointSpec,
  sim: Simulation,
  request: { method?: string; path?: string; direct?: boolean; token?: RequestToken | null },
): RequestResult {
  const l7 = endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC';
  return analyzeRequest(cluster, {
    from: typeof from === 'string' ? from : podKey(from),
    to: `${sim.namespaceOf(callee.cell)}/${callee.name}`,
    port: endpoint.port,
    protocol: endpoint.protocol === 'UDP' ? 'UDP' : 'TCP',
    ...(l7 && request.method ? { method: request.method } : {}),
    ...(l7 && request.path ? { path: request.path } : {}),
    addressing: request.direct ? 'pod' : 'service',
    ...(request.token !== undefined ? { token: request.token } : {}),
  });
}

/** No component labels, then each component's of the cell. */
function disguisesOf(sim: Simulation, cellRef: string): (CellComponent | undefined)[] {
  return [undefined, ...sim.model.components.filter(c => c.cell === cellRef)];
}

/**
 * Per simulation, one cluster with every cell's rogue in every disguise,
 * loaded on the first rogue request: a rogue pod is only ever a source, so
 * the others change no verdict, and at 5,000 components one load per
 * disguise per request took ten seconds.
 */
const rogueClusters = new WeakMap<Simulation, ClusterModel>();
function rogueCluster(sim: Simulation): ClusterModel {
  let cluster = rogueClusters.get(sim);
  if (!cluster) {
    const cells = sim.model.cells.filter(c => c.environments.includes(sim.environment));
    cluster = sim.cluster(cells.flatMap(c => disguisesOf(sim, c.ref).map(d => sim.roguePod(c.ref, d))));
    rogueClusters.set(sim, cluster);
  }
  return cluster;
}

/**
 * The rogue tries as every pod it could pretend to be: with no component
 * labels, and wearing each component's labels of its cell (labels are free to
 * set; the service account's identity is not). The answer is the most
 * successful attempt: allowed if any is, else the one that got furthest.
 */
export function rogueAttempts(sim: Simulation, cellRef: string): { pod: KubeObject; cluster: ClusterModel; impersonating?: string }[] {
  const cell = sim.model.cells.find(c => c.ref === cellRef);
  if (!cell || !cell.environments.includes(sim.environment)) throw new AnalyzerInputError(`${cellRef} is not a cell deployed to ${sim.environment}`);
  const cluster = rogueCluster(sim);
  return disguisesOf(sim, cellRef).map(d => ({ pod: sim.roguePod(cellRef, d), cluster, impersonating: d?.name }));
}

export function simulateRequest(sim: Simulation, request: SimulatedRequest): SimulationResult {
  const { component: callee, endpoint } = calleeEndpoint(sim, request.to, request.endpoint);
  if ('rogue' in request.from) {
    const results = rogueAttempts(sim, request.from.rogue).map(a => ({
      ...evaluate(a.cluster, a.pod, callee, endpoint, sim, request),
      impersonating: a.impersonating,
    }));
    return results.find(r => r.allowed) ?? results.reduce((best, r) => ((DEPTH[r.decidedBy!] ?? 0) > (DEPTH[best.decidedBy!] ?? 0) ? r : best));
  }
  const cluster = sim.cluster();
  if ('gateway' in request.from) {
    const gatewayPod = sim.gatewayObjects()[1];
    // A request from outside always says whether it carries a token, so token conditions are decided, never unknown.
    const result = evaluate(cluster, gatewayPod, callee, endpoint, sim, { ...request, token: request.token ?? null });
    if (endpoint.visibility !== 'public') return result;
    return withEdge(result, decideEdgeAuth(endpoint.auth, sim.settings.gateway.jwtProviders, request.token, endpoint.rateLimit));
  }
  const from = request.from.component;
  const caller = sim.model.components.find(c => c.ref === from);
  if (!caller || !sim.model.cells.find(c => c.ref === caller.cell)?.environments.includes(sim.environment)) {
    throw new AnalyzerInputError(`${from} is not a component of a cell deployed to ${sim.environment}`);
  }
  return evaluate(cluster, sim.componentPod(caller), callee, endpoint, sim, request);
}
