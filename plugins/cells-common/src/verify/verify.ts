import { CellComponent, EndpointSpec } from '../model/types';
import { KubeObject } from '../compiler';
import { ClusterModel, RequestResult } from '../analyzer';
import { CatalogCaller, catalogAllows } from './oracle';
import { evaluate, rogueAttempts } from './simulate';
import { Simulation } from './simulation';

export interface Violation {
  caller: string;
  callee: string;
  endpoint: string;
  method?: string;
  path?: string;
  direct?: boolean;
  /** What the catalog declares. */
  expected: boolean;
  /** What the manifests allow. */
  actual: boolean;
  explanation: string;
}

export interface VerifyReport {
  environment: string;
  /** Requests evaluated. */
  checks: number;
  violations: Violation[];
  /** What the check could not cover, and why. */
  notes: string[];
}

/** One request shape against an endpoint (shared with the access diff and the blast radius). */
export interface Probe {
  method?: string;
  path?: string;
  direct?: boolean;
}

export const EXTRA_METHODS = ['GET', 'POST', 'DELETE'];
export const UNDECLARED_PATH = '/cellplane-undeclared-probe';

/** A concrete path each pattern matches, and for a prefix its boundary, which it must not. */
export function samplePaths(pattern: string): string[] {
  if (pattern.endsWith('*')) return [`${pattern.slice(0, -1)}probe`, pattern.slice(0, -2) || '/'];
  if (pattern.startsWith('*')) return [`/probe${pattern.slice(1)}`];
  return [pattern, `${pattern}/probe`];
}

/**
 * Every declared operation on the endpoint, the operations next to them (other
 * methods, other paths, prefix boundaries) and a request straight to the pod
 * that skips the waypoint.
 */
export function probesFor(sim: Simulation, callee: CellComponent, endpoint: EndpointSpec): Probe[] {
  const l7 = sim.settings.mesh.enabled && (endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC');
  const direct: Probe[] = sim.settings.mesh.enabled && endpoint.protocol !== 'UDP' ? [{ direct: true, method: 'GET', path: '/' }] : [];
  if (!l7) return [{}, ...direct];
  const grants = sim.model.grants.filter(g => g.callee === callee.ref && g.endpoint === endpoint.name);
  const methods = new Set([...EXTRA_METHODS, ...grants.flatMap(g => g.methods ?? [])]);
  const paths = new Set(['/', UNDECLARED_PATH, ...grants.flatMap(g => (g.paths ?? []).flatMap(samplePaths))]);
  const probes: Probe[] = [];
  for (const method of [...methods].sort()) for (const path of [...paths].sort()) probes.push({ method, path });
  return [...probes, ...direct];
}

function expectedFor(sim: Simulation, caller: CatalogCaller, callee: CellComponent, endpoint: EndpointSpec, probe: Probe): boolean {
  // Addressing a pod directly skips the waypoint; the cell admits only its waypoint there.
  if (probe.direct) return false;
  const l7 = sim.settings.mesh.enabled && (endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC');
  return catalogAllows(sim.model, caller, { callee: callee.ref, endpoint: endpoint.name, method: probe.method, path: probe.path }, l7);
}

/**
 * Checks that the manifests allow exactly what the catalog declares, no more,
 * no less: every component pair, the gateway and a rogue pod in every cell
 * against every endpoint, with the declared operations and the probes around
 * them. The manifests are judged by the analyzer, independently of the compiler.
 */
export function verifySimulation(sim: Simulation): VerifyReport {
  const present = new Set(sim.model.cells.filter(c => c.environments.includes(sim.environment)).map(c => c.ref));
  const components = sim.model.components.filter(c => present.has(c.cell));
  const targets = components.flatMap(callee => callee.endpoints.map(endpoint => ({ callee, endpoint, probes: probesFor(sim, callee, endpoint) })));
  const violations: Violation[] = [];
  let checks = 0;

  const check = (label: string, caller: CatalogCaller, run: (t: (typeof targets)[number], p: Probe) => RequestResult, skip?: (callee: CellComponent) => boolean) => {
    for (const target of targets) {
      if (skip?.(target.callee)) continue;
      for (const probe of target.probes) {
        const expected = expectedFor(sim, caller, target.callee, target.endpoint, probe);
        const result = run(target, probe);
        checks++;
        if (result.allowed !== expected) {
          violations.push({
            caller: label,
            callee: target.callee.ref,
            endpoint: target.endpoint.name,
            ...(probe.method ? { method: probe.method } : {}),
            ...(probe.path ? { path: probe.path } : {}),
            ...(probe.direct ? { direct: true } : {}),
            expected,
            actual: result.allowed,
            explanation: result.explanation,
          });
        }
      }
    }
  };

  const cluster: ClusterModel = sim.cluster();
  for (const caller of components) {
    const pod = sim.componentPod(caller);
    check(caller.ref, { kind: 'component', ref: caller.ref }, (t, p) => evaluate(cluster, pod, t.callee, t.endpoint, sim, p));
  }
  const gatewayPod: KubeObject = sim.gatewayObjects()[1];
  check('the external gateway', { kind: 'gateway' }, (t, p) => evaluate(cluster, gatewayPod, t.callee, t.endpoint, sim, p));
  const notes: string[] = [];
  if (!sim.settings.mesh.enabled) {
    notes.push(
      'mesh disabled: L3/L4 knows pods only by their labels, so a pod that copies a component\'s labels passes as that component; rogue probes use a pod without component labels (enable cells.mesh for identity-based denial)',
    );
  }
  for (const cellRef of present) {
    const attempts = rogueAttempts(sim, cellRef).filter(a => sim.settings.mesh.enabled || !a.impersonating);
    for (const attempt of attempts) {
      const label = `a rogue pod in ${cellRef}${attempt.impersonating ? ` wearing ${attempt.impersonating}'s labels` : ''}`;
      check(label, { kind: 'rogue', cell: cellRef }, (t, p) => evaluate(attempt.cluster, attempt.pod, t.callee, t.endpoint, sim, p));
    }
  }
  return { environment: sim.environment, checks, violations, notes };
}

export function formatViolation(v: Violation): string {
  const op = v.direct ? 'addressing the pod directly' : [v.method, v.path].filter(Boolean).join(' ') || 'a connection';
  const verdict = v.actual ? 'ALLOWED but the catalog does not declare it' : 'DENIED but the catalog declares it';
  return `${v.caller} -> ${v.callee} (${v.endpoint}) ${op}: ${verdict}. ${v.explanation}`;
}
