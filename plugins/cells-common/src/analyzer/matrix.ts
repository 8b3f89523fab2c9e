/** Every ordered workload pair for one port/protocol (and optionally method/path). */
import { ClusterModel, Protocol } from './model';
import { AnalyzeRequest, analyzeRequest, AnalyzerInputError, assertAnalyzable } from './request';

export interface MatrixRequest {
  /** Destination port (container port), a number or a port name resolved per destination. */
  port: number | string;
  protocol?: Protocol;
  method?: string;
  path?: string;
  host?: string;
  addressing?: 'service' | 'pod';
  /** Include the waypoint workloads the analyzer synthesized (default false). */
  includeSynthesized?: boolean;
}

export interface MatrixPair {
  from: string;
  to: string;
  allowed: boolean;
  decidedBy?: string | null;
}

export interface MatrixResult {
  pairs: MatrixPair[];
}

/**
 * The reachability matrix. A destination without the named port yields
 * `allowed: false` for every caller (nothing listens there).
 */
export function analyzeMatrix(model: ClusterModel, request: MatrixRequest): MatrixResult {
  assertAnalyzable(model);
  const workloads = model.workloads.filter(w => request.includeSynthesized || !w.synthesized);
  const pairs: MatrixPair[] = [];
  for (const to of workloads) {
    for (const from of workloads) {
      if (from === to) continue;
      const single: AnalyzeRequest = {
        from: from.key,
        to: to.key,
        port: request.port,
        protocol: request.protocol,
        method: request.method,
        path: request.path,
        host: request.host,
        addressing: request.addressing,
      };
      try {
        const r = analyzeRequest(model, single);
        pairs.push({ from: from.key, to: to.key, allowed: r.allowed, decidedBy: r.decidedBy });
      } catch (e) {
        if (!(e instanceof AnalyzerInputError) || typeof request.port !== 'string') throw e;
        pairs.push({ from: from.key, to: to.key, allowed: false, decidedBy: null });
      }
    }
  }
  // Stable order for readers and diffs: by caller, then callee.
  pairs.sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1));
  return { pairs };
}
