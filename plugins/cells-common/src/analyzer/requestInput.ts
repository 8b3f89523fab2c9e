/** What a request question is, what its answer holds, and when the input cannot be analyzed at all. */
import type { HopResult } from './explain';
import { ClusterModel, LayerName, LayerResult, Problem, Protocol } from './model';
import type { RequestToken } from './token';
import type { EdgeAuthResult } from './edgeAuth';

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
  /** The TLS server name sent (TLS to an external host): the only part of TLS a waypoint sees. */
  sni?: string;
  /**
   * The bearer token the request carries, as its claims (signature taken as valid); null: none.
   * Undefined: not described, so conditions on request principals and claims stay unknown.
   */
  token?: RequestToken | null;
  /** `pod`: the caller dials the pod IP and skips any waypoint. Default `service` when a Service exposes the port. */
  addressing?: 'service' | 'pod';
}

export interface RequestResult {
  allowed: boolean;
  /** `edge-auth`: the front door refused a request from outside before the mesh saw it (see `edge`). */
  decidedBy: LayerName | 'edge-auth' | null;
  /** Requests through the external gateway to a public endpoint: what its front door decided. */
  edge?: EdgeAuthResult;
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
