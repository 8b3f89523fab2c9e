/** Every ordered workload pair for one port/protocol (and optionally method/path). */
import { ClusterModel } from './model';
import { AnalyzeRequest, AnalyzerInputError, assertAnalyzable, isAllowedFrom, QuietRun, ResolvedTarget, resolveTargetFor } from './request';

/** A request without its ends: the matrix asks it of every ordered pair. */
export interface MatrixRequest extends Omit<AnalyzeRequest, 'from' | 'to'> {
  /** Include the waypoint workloads the analyzer synthesized (default false). */
  includeSynthesized?: boolean;
}

export interface MatrixPair {
  from: string;
  to: string;
  allowed: boolean;
}

export interface MatrixResult {
  pairs: MatrixPair[];
}

/**
 * The reachability matrix: the same evaluation as analyzeRequest for every
 * ordered pair, verdicts only. Each destination is resolved once and the
 * caller-independent hop (waypoint -> destination) is computed once.
 * A destination without the named port is unreachable for every caller.
 */
export function analyzeMatrix(model: ClusterModel, request: MatrixRequest): MatrixResult {
  assertAnalyzable(model);
  if (request.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(request.protocol)) {
    throw new AnalyzerInputError(`--protocol: unknown protocol ${JSON.stringify(request.protocol)} (TCP, UDP or SCTP)`);
  }
  if (typeof request.port === 'number' && !(Number.isInteger(request.port) && request.port >= 1 && request.port <= 65535)) {
    throw new AnalyzerInputError(`--port: ${request.port} is not a port number (1-65535)`);
  }
  // Sorted once so the pairs come out ordered by caller, then callee.
  const workloads = model.workloads
    .filter(w => request.includeSynthesized || !w.synthesized)
    .sort((a, b) => Number(a.key > b.key) - Number(a.key < b.key)); // code-unit order, -1/0/1
  const n = workloads.length;
  const allowed = new Uint8Array(n * n);
  const run: QuietRun = { secondHops: new Map() };
  const common = { port: request.port, protocol: request.protocol, method: request.method, path: request.path, host: request.host, addressing: request.addressing };
  for (let j = 0; j < n; j++) {
    let target: ResolvedTarget;
    try {
      target = resolveTargetFor(model, { ...common, to: workloads[j].key });
    } catch (e) {
      // Only a named port can be missing on some destinations; anything else is the caller's mistake.
      if (e instanceof AnalyzerInputError && typeof request.port === 'string') continue;
      throw e;
    }
    for (let i = 0; i < n; i++) {
      if (i !== j && isAllowedFrom(model, workloads[i], target, common, run)) allowed[i * n + j] = 1;
    }
  }
  const pairs: MatrixPair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) pairs.push({ from: workloads[i].key, to: workloads[j].key, allowed: allowed[i * n + j] === 1 });
    }
  }
  return { pairs };
}
