/**
 * Which observed calls a set of manifests would deny: each allowed edge is
 * replayed as the request `cellplane simulate` makes (the caller's pod, the
 * callee's Service, the method and path when seen) and judged by the
 * analyzer, which names the deciding layer, policy and reason.
 */
import { CellComponent, EndpointSpec } from '../model/types';
import { ClusterModel, RequestResult } from '../analyzer';
import { KubeObject } from '../compiler';
import { isL7 } from '../diff/probing';
import { gatewayToken } from '../verify/frontDoor';
import { evaluate } from '../verify/simulate';
import { podKey, Simulation } from '../verify/simulation';
import { samplePaths } from '../verify/verify';
import { grantCallerId, parsePrincipal } from './attribution';
import { endpointCandidates } from './classify';
import { TrafficEdge, Unjudged, WouldBreak, WouldBreakReport } from './types';

/** A pod, or an address outside the cluster. */
type Caller = KubeObject | string;

type Verdict = { kind: 'allow' } | { kind: 'deny'; result: RequestResult; endpoint: EndpointSpec } | { kind: 'unknown'; reason: string };

/** A pod standing in for an unknown workload: its namespace, labels and service account as observed. */
function observedPod(edge: TrafficEdge, index: number): KubeObject | undefined {
  const src = edge.source;
  if (src.kind !== 'workload') return undefined;
  const identity = src.identity ? parsePrincipal(src.identity) : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `observed-${index}`, namespace: identity?.namespace ?? src.namespace, labels: { ...(src.labels ?? {}) } },
    spec: { serviceAccountName: identity?.serviceAccount ?? 'default', containers: [{ name: 'app', image: 'observed' }] },
  };
}

function denial(result: RequestResult): { layer: WouldBreak['layer']; policies: string[]; reason: string } {
  const layer = result.layers.find(l => l.layer === result.decidedBy) ?? result.layers.find(l => l.verdict === 'deny')!;
  return { layer: layer.layer, policies: layer.policies, reason: layer.reason };
}

/** Judges allowed edges against one simulation (its manifests and pods). */
class Judge {
  private readonly components: Map<string, CellComponent>;
  private readonly pods = new Map<TrafficEdge['source'], KubeObject>();
  private cluster!: ClusterModel;

  constructor(private readonly sim: Simulation, edges: TrafficEdge[]) {
    const present = new Set(sim.model.cells.filter(c => c.environments.includes(sim.environment)).map(c => c.ref));
    this.components = new Map(sim.model.components.filter(c => present.has(c.cell)).map(c => [c.ref, c]));
    // Unknown callers join the cluster once, all together: a load costs a second at 5,000 components.
    const byNode = new Map<string, KubeObject>();
    for (const e of edges) {
      if (e.source.kind !== 'workload') continue;
      let pod = byNode.get(e.from);
      if (!pod) {
        pod = observedPod(e, byNode.size)!;
        byNode.set(e.from, pod);
      }
      this.pods.set(e.source, pod);
    }
    this.cluster = byNode.size ? sim.cluster([...byNode.values()]) : sim.cluster();
  }

  private caller(edge: TrafficEdge): { from: Caller } | { reason: string } {
    const src = edge.source;
    if (src.kind === 'component') {
      const c = this.components.get(src.ref);
      return c ? { from: this.sim.componentPod(c) } : { reason: `${src.ref} is not deployed to ${this.sim.environment}` };
    }
    if (src.kind === 'gateway') return { from: this.sim.gatewayObjects()[1] };
    if (src.kind === 'workload') return { from: this.pods.get(src)! };
    if (src.kind === 'external' && src.ip) return { from: src.ip };
    return {
      reason: src.kind === 'platform' ? `calls from the platform service ${src.name} are not judged` : 'the caller has no address the analyzer can place',
    };
  }

  private evaluate(from: Caller, callee: CellComponent, endpoint: EndpointSpec, request: { method?: string; path?: string }): RequestResult {
    // Metrics do not say whether a call through the gateway carried a token: it is taken to carry what the front door requires.
    const fromGateway = typeof from !== 'string' && podKey(from) === podKey(this.sim.gatewayObjects()[1]);
    return evaluate(this.cluster, from, callee, endpoint, this.sim, fromGateway ? { ...request, token: gatewayToken(this.sim, endpoint) } : request);
  }

  /** The caller's declared operations on the endpoint (one request per grant): what L7 is asked when the source shows no method. */
  private declaredShapes(edge: TrafficEdge, callee: CellComponent, endpoint: EndpointSpec): { method: string; path: string }[] {
    const callerId = grantCallerId(edge.source);
    if (!callerId) return [];
    return this.sim.model.grants
      .filter(
        g => g.callee === callee.ref && g.endpoint === endpoint.name && (g.caller.kind === 'gateway' ? callerId === 'gateway' : g.caller.ref === callerId),
      )
      .map(g => ({ method: g.methods?.[0] ?? 'GET', path: g.paths?.[0] ? samplePaths(g.paths[0])[0] : '/' }));
  }

  private judgeEndpoint(edge: TrafficEdge, from: Caller, callee: CellComponent, endpoint: EndpointSpec): Verdict {
    const l7 = isL7(this.sim, endpoint);
    const result = this.evaluate(from, callee, endpoint, l7 && edge.method ? { method: edge.method, path: edge.path } : {});
    if (result.allowed) return { kind: 'allow' };
    if (!l7 || edge.method || result.decidedBy !== 'L7') return { kind: 'deny', result, endpoint };
    // L7 decides by method and path, which this source does not show: if an operation the caller declared passes, it may be that one.
    const passes = this.declaredShapes(edge, callee, endpoint).some(s => this.evaluate(from, callee, endpoint, s).allowed);
    return passes
      ? { kind: 'unknown', reason: `${endpoint.name} admits this caller only for some methods and paths, and the source does not show which this call used` }
      : { kind: 'deny', result, endpoint };
  }

  judge(edge: TrafficEdge): WouldBreak | Unjudged | undefined {
    const dst = edge.destination;
    if (dst.kind === 'cell')
      return {
        edge,
        reason: `the call went through ${dst.ref}'s waypoint (HBONE): which component it reached is not visible; add Istio's metrics to judge it`,
      };
    if (dst.kind !== 'component') return { edge, reason: 'calls to destinations outside the catalog components are not judged' };
    const callee = this.components.get(dst.ref);
    if (!callee) return { edge, reason: `${dst.ref} is not deployed to ${this.sim.environment}` };
    const caller = this.caller(edge);
    if ('reason' in caller) return { edge, reason: caller.reason };
    const { from } = caller;
    const candidates = endpointCandidates(callee, edge);
    if (candidates.length === 0) return { edge, reason: `${dst.ref} serves no endpoint on ${edge.port ?? edge.protocol}` };
    const verdicts = candidates.map(e => this.judgeEndpoint(edge, from, callee, e));
    const unknown = verdicts.find(v => v.kind === 'unknown');
    if (unknown?.kind === 'unknown') return { edge, reason: unknown.reason };
    const denied = verdicts.filter((v): v is Extract<Verdict, { kind: 'deny' }> => v.kind === 'deny');
    if (denied.length === 0) return undefined;
    if (denied.length < verdicts.length) {
      return {
        edge,
        reason: `the source does not show the port; ${dst.ref} would deny it on ${denied.map(d => d.endpoint.name).join(', ')} and allow it on the others`,
      };
    }
    return { edge, endpoint: denied[0].endpoint.name, ...denial(denied[0].result) };
  }
}

/**
 * The observed allowed calls of `edges` that the simulation's manifests
 * (e.g. the compiled enforce-mode manifests) would deny. Calls the analyzer
 * cannot judge request by request are listed in `unjudged`, with why.
 */
export function wouldBreak(sim: Simulation, edges: TrafficEdge[]): WouldBreakReport {
  const allowed = edges.filter(e => e.allowed && e.environment === sim.environment);
  const judge = new Judge(sim, allowed);
  const report: WouldBreakReport = { environment: sim.environment, checked: allowed.length, wouldBreak: [], unjudged: [] };
  for (const edge of allowed) {
    const r = judge.judge(edge);
    if (!r) continue;
    if ('layer' in r) report.wouldBreak.push(r);
    else report.unjudged.push(r);
  }
  return report;
}

export interface ChangeBreakReport extends WouldBreakReport {
  /** Observed calls the manifests before the change already deny (not the change's doing). */
  alreadyDenied: number;
  /** Observed calls the manifests before the change deny and those after it allow (judged, not left unjudged): what the change mends, as judged before it. */
  noLongerBroken: WouldBreak[];
}

/**
 * The observed calls a change would break: allowed by the manifests before it
 * (or not judgeable then) and denied by those after. `unjudged` lists only the
 * calls the change made unjudgeable: those that could not be judged before
 * either are not the change's news; `noLongerBroken` the denied calls the
 * change lets through. For `cellplane diff --traffic` and the access preview.
 */
export function brokenByChange(before: Simulation, after: Simulation, edges: TrafficEdge[]): ChangeBreakReport {
  const was = wouldBreak(before, edges);
  const now = wouldBreak(after, edges);
  const deniedBefore = new Set(was.wouldBreak.map(w => w.edge));
  const unjudgedBefore = new Set(was.unjudged.map(u => u.edge));
  const notAllowedAfter = new Set([...now.wouldBreak, ...now.unjudged].map(x => x.edge));
  return {
    ...now,
    unjudged: now.unjudged.filter(u => !unjudgedBefore.has(u.edge)),
    wouldBreak: now.wouldBreak.filter(w => !deniedBefore.has(w.edge)),
    alreadyDenied: now.wouldBreak.filter(w => deniedBefore.has(w.edge)).length,
    noLongerBroken: was.wouldBreak.filter(w => !notAllowedAfter.has(w.edge)),
  };
}
