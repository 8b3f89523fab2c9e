/** Every ordered workload pair for one port/protocol (and optionally method/path). */
import { ClusterModel, WorkloadModel } from './model';
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

/** The workloads a matrix lists, sorted by key in code-unit order (callers first by key, then callees). */
export function matrixWorkloads(model: ClusterModel, includeSynthesized = false): WorkloadModel[] {
  return model.workloads.filter(w => includeSynthesized || !w.synthesized).sort((a, b) => Number(a.key > b.key) - Number(a.key < b.key)); // code-unit order, -1/0/1
}

/**
 * Verdicts for every ordered pair of `workloads`: `allowed[i * n + j]` is 1
 * when workloads[i] may make the request of workloads[j] (never for i = j).
 * Each destination is resolved once; the caller-independent hop (waypoint ->
 * destination) is computed once. A destination without the named port is
 * unreachable for every caller.
 */
export function verdictMatrix(model: ClusterModel, workloads: readonly WorkloadModel[], request: Omit<MatrixRequest, 'includeSynthesized'>): Uint8Array {
  const n = workloads.length;
  const allowed = new Uint8Array(n * n);
  const run: QuietRun = { secondHops: new Map() };
  const common = {
    port: request.port,
    protocol: request.protocol,
    method: request.method,
    path: request.path,
    host: request.host,
    addressing: request.addressing,
  };
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
  return allowed;
}

/** Refuses a protocol or port number the analyzer cannot ask about. */
export function checkMatrixRequest(request: Pick<MatrixRequest, 'port' | 'protocol'>): void {
  if (request.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(request.protocol)) {
    throw new AnalyzerInputError(`--protocol: unknown protocol ${JSON.stringify(request.protocol)} (TCP, UDP or SCTP)`);
  }
  if (typeof request.port === 'number' && !(Number.isInteger(request.port) && request.port >= 1 && request.port <= 65535)) {
    throw new AnalyzerInputError(`--port: ${request.port} is not a port number (1-65535)`);
  }
}

/**
 * The reachability matrix: the same evaluation as analyzeRequest for every
 * ordered pair, verdicts only.
 */
export function analyzeMatrix(model: ClusterModel, request: MatrixRequest): MatrixResult {
  assertAnalyzable(model);
  checkMatrixRequest(request);
  const workloads = matrixWorkloads(model, request.includeSynthesized);
  const n = workloads.length;
  const allowed = verdictMatrix(model, workloads, request);
  const pairs: MatrixPair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) pairs.push({ from: workloads[i].key, to: workloads[j].key, allowed: allowed[i * n + j] === 1 });
    }
  }
  return { pairs };
}
