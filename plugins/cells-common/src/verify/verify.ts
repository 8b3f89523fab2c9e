import { CallGrant, CellComponent, EndpointSpec } from '../model/types';
import { grantsTo } from '../model/grantIndex';
import { KubeObject } from '../compiler';
import { ClusterModel, containsPathTemplate, LayerName, Protocol, requestVerdicts, RequestShape } from '../analyzer';
import { CatalogCaller, catalogAllows } from './oracle';
import { evaluate } from './simulate';
import { podKey, Simulation } from './simulation';
import { verifyEgress } from './egress';
import { verifyPlatform } from './platform';
import { frontDoorOpens, gatewayToken, verifyFrontDoor } from './frontDoor';

export interface Violation {
  caller: string;
  /** The caller in catalog terms (`caller` is its label), or a platform service (a scraper, verify/platform.ts). */
  from: CatalogCaller | { kind: 'platform'; name: string };
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

/** A request the manifests allow (recorded with `recordAllowed`): what the evidence pack's register lists. */
export interface AllowedRequest {
  /** As in violations: a component ref, `the external gateway`, or `a rogue pod in ...`. */
  label: string;
  caller: CatalogCaller;
  callee: string;
  endpoint: string;
  method?: string;
  path?: string;
  direct?: boolean;
  /** Whether the catalog declares it (false: it is also a violation). */
  expected: boolean;
  /** The layers that admitted it and their policies (`<namespace>/<name>`); layers that do not apply are left out. */
  layers: { layer: LayerName; policies: string[] }[];
}

export interface VerifyReport {
  environment: string;
  /** Requests evaluated. */
  checks: number;
  violations: Violation[];
  /** What the check could not cover, and why. */
  notes: string[];
  /** Every allowed request, in the order checked; only with `recordAllowed`. */
  allowed?: AllowedRequest[];
  /** Requests allowed, and the denied ones by the layer that denied them; only with `countLayers`. */
  counts?: { allowed: number; deniedBy: Record<LayerName, number> };
}

export interface VerifyOptions {
  /** Only the endpoints of this cell's components (from every caller, the gateway and every rogue pod). */
  cell?: string;
  /** With `cell`: also the cell's own callers (its components and its rogue pod) against every other endpoint. */
  outbound?: boolean;
  /** Keep every allowed request in `allowed`. */
  recordAllowed?: boolean;
  /** Count the allowed requests and the denied ones by layer (evaluates every request in full: slower). */
  countLayers?: boolean;
}

/** One request shape against an endpoint (shared with the access diff and the blast radius). */
export interface Probe {
  method?: string;
  path?: string;
  direct?: boolean;
}

export const EXTRA_METHODS = ['GET', 'POST', 'DELETE'];
/** Methods probed when the calls grant all of EXTRA_METHODS, in this order. */
const UNGRANTED_METHODS = ['PUT', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'];
export const UNDECLARED_PATH = '/cellplane-undeclared-probe';

/** A concrete path each pattern matches, and for a prefix its boundary, which it must not. */
export function samplePaths(pattern: string): string[] {
  // An OpenAPI operation's template (`/a/{*}`): a filled segment, an empty one, and one level below.
  if (containsPathTemplate(pattern)) {
    const filled = pattern.replace(/\{\*\*\}/g, 'probe/deep').replace(/\{\*\}/g, 'probe');
    return [filled, pattern.replace(/\{\*\*?\}/g, ''), `${filled}/probe`];
  }
  if (pattern.endsWith('*')) return [`${pattern.slice(0, -1)}probe`, pattern.slice(0, -2) || '/'];
  if (pattern.startsWith('*')) return [`/probe${pattern.slice(1)}`];
  return [pattern, `${pattern}/probe`];
}

/**
 * Request targets a waypoint normalises before its policy reads them, made
 * from a path the endpoint serves (the inputs the L7 differential test found
 * the analyzer wrong on): a walk back to an undeclared path with `..` and with
 * its escaped form `%2e%2e`, the path with an escaped first letter, and with a
 * query string. Each means, to the waypoint, the path it normalises to.
 */
export function normalisedPaths(path: string): string[] {
  if (!path.startsWith('/') || path.length < 2 || path.includes('?')) return [];
  const depth = path.split('/').length - 1;
  const up = (dots: string) => `${path}/${`${dots}/`.repeat(depth)}${UNDECLARED_PATH.slice(1)}`;
  const first = path[1];
  const escaped = /[A-Za-z]/.test(first) ? [`/%${first.charCodeAt(0).toString(16)}${path.slice(2)}`] : [];
  return [up('..'), up('%2e%2e'), ...escaped, `${path}?cellplane=probe`];
}

/**
 * Every declared operation on the endpoint, the operations next to them (other
 * methods, other paths, prefix boundaries), the operations the endpoint says
 * it serves, and a request straight to the pod that skips the waypoint.
 */
export function probesFor(sim: Simulation, callee: CellComponent, endpoint: EndpointSpec): Probe[] {
  const l7 = sim.settings.mesh.enabled && (endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC');
  const direct: Probe[] = sim.settings.mesh.enabled && endpoint.protocol !== 'UDP' ? [{ direct: true, method: 'GET', path: '/' }] : [];
  if (!l7) return [{}, ...direct];
  const grants = grantsTo(sim.model.grants, callee.ref, endpoint.name);
  const served = endpoint.operations ?? [];
  const granted = new Set(grants.flatMap(g => g.methods ?? []));
  const methods = new Set([...EXTRA_METHODS, ...granted, ...served.map(o => o.method)]);
  // When the calls to it grant every method probed so far (say one grants DELETE
  // and GET, another POST and GET), probe one more that none grants: without it
  // a rule that lost its methods would go unnoticed.
  if (grants.every(g => g.methods) && [...methods].every(m => granted.has(m))) {
    methods.add(UNGRANTED_METHODS.find(m => !methods.has(m)) ?? 'PATCH');
  }
  const paths = new Set(['/', UNDECLARED_PATH, ...grants.flatMap(g => (g.paths ?? []).flatMap(samplePaths)), ...served.map(o => o.path)]);
  const probes: Probe[] = [];
  for (const method of [...methods].sort()) for (const path of [...paths].sort()) probes.push({ method, path });
  return [...probes, ...direct];
}

/**
 * The probes `verify` asks: `probesFor`'s, and for each path they name, the
 * spellings of it (and of a walk from it to an undeclared path) that the
 * waypoint normalises, with every method they use.
 */
export function verifyProbesFor(sim: Simulation, callee: CellComponent, endpoint: EndpointSpec): Probe[] {
  const probes = probesFor(sim, callee, endpoint);
  const l7 = probes.filter(p => !p.direct && p.method && p.path);
  const methods = [...new Set(l7.map(p => p.method!))];
  const paths = [...new Set(l7.map(p => p.path!))].filter(p => p !== '/' && p !== UNDECLARED_PATH);
  const extra = [...new Set(paths.flatMap(normalisedPaths))].sort();
  return [...probes, ...methods.flatMap(method => extra.map(path => ({ method, path })))];
}

/** `grants`: those of the caller to this endpoint (catalogAllows looks at no other). */
function expectedFor(sim: Simulation, grants: CallGrant[], caller: CatalogCaller, callee: CellComponent, endpoint: EndpointSpec, probe: Probe): boolean {
  // Addressing a pod directly skips the waypoint; the cell admits only its waypoint there.
  if (probe.direct || grants.length === 0) return false;
  const l7 = sim.settings.mesh.enabled && (endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC');
  return catalogAllows({ ...sim.model, grants }, caller, { callee: callee.ref, endpoint: endpoint.name, method: probe.method, path: probe.path }, l7);
}

/** A callee's endpoint with its probes, each as `evaluate` asks the analyzer (for the verdict-only path). */
function targetOf(sim: Simulation, callee: CellComponent, endpoint: EndpointSpec) {
  const probes = verifyProbesFor(sim, callee, endpoint);
  const l7 = endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC';
  const shapes: RequestShape[] = probes.map(p => ({
    ...(l7 && p.method ? { method: p.method } : {}),
    ...(l7 && p.path ? { path: p.path } : {}),
    addressing: p.direct ? 'pod' : 'service',
  }));
  const protocol: Protocol = endpoint.protocol === 'UDP' ? 'UDP' : 'TCP';
  // The gateway's probes carry what the front door requires, so they test the operations; verifyFrontDoor tests the door.
  const token = gatewayToken(sim, endpoint);
  const gatewayShapes: RequestShape[] = shapes.map(s => ({ ...s, token }));
  return { callee, endpoint, probes, shapes, gatewayShapes, token, to: `${sim.namespaceOf(callee.cell)}/${callee.name}`, protocol };
}

/**
 * Checks that the manifests allow exactly what the catalog declares, no more,
 * no less: every component pair, the gateway and a rogue pod in every cell
 * against every endpoint, with the declared operations and the probes around
 * them. The manifests are judged by the analyzer, independently of the compiler.
 *
 * `options.cell` checks only the endpoints of that cell's components (from
 * every caller, the gateway and every rogue pod): a cell's compliance in a
 * large catalog without the whole environment's callers x endpoints. With
 * `outbound`, the cell's own callers are also checked against every other
 * endpoint: every request into, out of and within the cell.
 */
export function verifySimulation(sim: Simulation, options: VerifyOptions = {}): VerifyReport {
  const present = new Set(sim.model.cells.filter(c => c.environments.includes(sim.environment)).map(c => c.ref));
  const components = sim.model.components.filter(c => present.has(c.cell));
  const scoped = options.cell !== undefined;
  const callees = scoped && !options.outbound ? components.filter(c => c.cell === options.cell) : components;
  const targets = callees.flatMap(callee => callee.endpoints.map(endpoint => targetOf(sim, callee, endpoint)));
  const everyTarget = targets.map((_, i) => i);
  const cellTargets = scoped ? everyTarget.filter(i => targets[i].callee.cell === options.cell) : everyTarget;
  const allowed: AllowedRequest[] | undefined = options.recordAllowed ? [] : undefined;
  const counts = options.countLayers ? { allowed: 0, deniedBy: { 'L3/L4': 0, mTLS: 0, L7: 0 } } : undefined;
  const violations: Violation[] = [];
  let checks = 0;
  let cniDependent = 0;

  // Per caller (component ref or `gateway`), per target: its grants, the only ones that can make a request expected.
  const targetIndex = new Map(targets.map((t, i) => [`${t.callee.ref}|${t.endpoint.name}`, i]));
  const grantsOf = new Map<string, Map<number, CallGrant[]>>();
  for (const g of sim.model.grants) {
    const t = targetIndex.get(`${g.callee}|${g.endpoint}`);
    if (t === undefined) continue;
    const callerKey = g.caller.kind === 'gateway' ? 'gateway' : g.caller.ref;
    const byTarget = grantsOf.get(callerKey) ?? new Map<number, CallGrant[]>();
    grantsOf.set(callerKey, byTarget.set(t, [...(byTarget.get(t) ?? []), g]));
  }
  // Every probe is judged verdict-only; the full evaluation (its explanation, any CNI caveat) is
  // made for the requests the report speaks of: those allowed and those expected.
  const check = (label: string, caller: CatalogCaller, cluster: ClusterModel, pod: KubeObject, callerCell?: string) => {
    const from = podKey(pod);
    const callerGrants = caller.kind === 'rogue' ? undefined : grantsOf.get(caller.kind === 'component' ? caller.ref : 'gateway');
    for (const t of options.outbound && callerCell === options.cell ? everyTarget : cellTargets) {
      const target = targets[t];
      const grants = callerGrants?.get(t) ?? [];
      const gateway = caller.kind === 'gateway';
      const verdicts = requestVerdicts(cluster, from, target.to, target.endpoint.port, target.protocol, gateway ? target.gatewayShapes : target.shapes);
      if (grants.length === 0 && !verdicts.includes(true) && !counts) {
        // Nothing expected, nothing allowed: no violation and nothing to count.
        checks += target.probes.length;
        continue;
      }
      for (let i = 0; i < target.probes.length; i++) {
        const probe = target.probes[i];
        // A closed front door (a provider the settings lack) admits no one: the catalog's grant is not expected to pass
        // (judged where the analyzer reads the door: Istio's policies; see verifyFrontDoor for Envoy Gateway).
        const closed = gateway && sim.settings.gateway.implementation === 'istio' && !frontDoorOpens(sim, target.endpoint);
        const expected = expectedFor(sim, grants, caller, target.callee, target.endpoint, probe) && !closed;
        checks++;
        if (!verdicts[i] && !expected && !counts) continue;
        const result = evaluate(cluster, pod, target.callee, target.endpoint, sim, gateway ? { ...probe, token: target.token } : probe);
        if (counts) {
          if (result.allowed) counts.allowed++;
          // evaluate() asks the mesh only: its decider is a mesh layer, never edge-auth.
          else counts.deniedBy[(result.decidedBy as LayerName | null) ?? 'L3/L4']++;
          if (!verdicts[i] && !expected) continue;
        }
        if (result.allowed && result.layers.some(l => l.caveat)) cniDependent++;
        if (result.allowed && allowed) {
          allowed.push({
            label,
            caller,
            callee: target.callee.ref,
            endpoint: target.endpoint.name,
            ...(probe.method ? { method: probe.method } : {}),
            ...(probe.path ? { path: probe.path } : {}),
            ...(probe.direct ? { direct: true } : {}),
            expected,
            layers: result.layers.filter(l => l.verdict === 'allow').map(l => ({ layer: l.layer, policies: l.policies })),
          });
        }
        if (result.allowed !== expected) {
          violations.push({
            caller: label,
            from: caller,
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
    check(caller.ref, { kind: 'component', ref: caller.ref }, cluster, sim.componentPod(caller), caller.cell);
  }
  const gatewayPod: KubeObject = sim.gatewayObjects()[1];
  check('the external gateway', { kind: 'gateway' }, cluster, gatewayPod);
  const frontDoor = verifyFrontDoor(sim, cluster, gatewayPod, options.cell !== undefined ? cellTargets.map(i => targets[i]) : targets, counts);
  checks += frontDoor.checks;
  violations.push(...frontDoor.violations);
  const notes: string[] = [...frontDoor.notes];
  if (!sim.settings.mesh.enabled) {
    notes.push(
      "mesh disabled: L3/L4 knows pods only by their labels, so a pod that copies a component's labels passes as that component; rogue probes use a pod without component labels (enable cells.mesh for identity-based denial)",
    );
  }
  // The rogue's attempts (as rogueAttempts: no component labels, then each component's of its
  // cell, the latter only with the mesh), all in one cluster: a rogue pod is only ever a source,
  // so the others change no verdict, and one load replaces one per attempt.
  const attempts = [...present].flatMap(cellRef =>
    [undefined, ...(sim.settings.mesh.enabled ? sim.model.components.filter(c => c.cell === cellRef) : [])].map(d => ({
      cellRef,
      pod: sim.roguePod(cellRef, d),
      impersonating: d?.name,
    })),
  );
  const rogueCluster = sim.cluster(attempts.map(a => a.pod));
  for (const attempt of attempts) {
    const label = `a rogue pod in ${attempt.cellRef}${attempt.impersonating ? ` wearing ${attempt.impersonating}'s labels` : ''}`;
    check(label, { kind: 'rogue', cell: attempt.cellRef }, rogueCluster, attempt.pod, attempt.cellRef);
  }
  // Outside the cluster (whole-environment runs; a cell-scoped run checks the cell's endpoints).
  if (!scoped) {
    const egress = verifyEgress(sim);
    checks += egress.checks;
    violations.push(...egress.violations);
    notes.push(...egress.notes);
    const platform = verifyPlatform(sim);
    checks += platform.checks;
    violations.push(...platform.violations);
    notes.push(...platform.notes);
  }
  if (cniDependent > 0) {
    notes.push(
      `${cniDependent} request(s) are allowed only because an ipBlock may cover a pod's address: Calico, Antrea and kube-router match pod IPs by ipBlock (allowed), Cilium does not (denied); counted as allowed`,
    );
  }
  return { environment: sim.environment, checks, violations, notes, ...(allowed ? { allowed } : {}), ...(counts ? { counts } : {}) };
}

export function formatViolation(v: Violation): string {
  const op = v.direct ? 'addressing the pod directly' : [v.method, v.path].filter(Boolean).join(' ') || 'a connection';
  const verdict = v.actual ? 'ALLOWED but the catalog does not declare it' : 'DENIED but the catalog declares it';
  return `${v.caller} -> ${v.callee} (${v.endpoint}) ${op}: ${verdict}. ${v.explanation}`;
}
