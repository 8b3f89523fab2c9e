import { CellComponent, EgressRule } from '../model/types';
import { analyzeEgress, AnalyzerInputError, ClusterModel, egressAllowed } from '../analyzer';
import { sampleAddress } from '../net/ip';
import { STAND_IN_PUBLIC_ADDRESS } from '../analyzer/egress';
import { compareText } from '../order';
import { KubeObject } from '../compiler';
import { catalogAllowsEgress, EgressProbe, routedHosts } from './egressOracle';
import { CatalogCaller } from './oracle';
import { rogueAttempts, SimulatedCaller, SimulationResult } from './simulate';
import { podKey, Simulation } from './simulation';
import { EXTRA_METHODS, UNDECLARED_PATH, Violation, samplePaths } from './verify';

/** The cloud metadata address: never reachable (cells.egress.deny by default). */
export const METADATA_ADDRESS = '169.254.169.254';
/** A host no catalog declares (the reserved .example TLD). */
export const UNDECLARED_HOST = 'cellplane-undeclared-probe.example';

export const DOMAIN_FRONTING_NOTE =
  'TLS to an external host is passed through: the egress waypoint checks the caller, the port and the SNI, not the HTTP Host inside the encrypted stream, so a declared caller can reach another site behind the same front (domain fronting); not verified, and not counted as verified';
/** docs/policy-semantics.md#egress-5 */
export const CIDR_LABELS_NOTE =
  "a network (cidr) entry is enforced at L3/L4 by pod labels: a pod in the cell that copies the component's labels reaches the network too; rogue probes against networks use a pod without component labels";

export function evaluateEgress(cluster: ClusterModel, pod: KubeObject, probe: EgressProbe) {
  return analyzeEgress(cluster, { from: podKey(pod), ...probe });
}

function componentCaller(sim: Simulation, ref: string): CellComponent {
  const caller = sim.model.components.find(c => c.ref === ref);
  if (!caller || !sim.model.cells.find(c => c.ref === caller.cell)?.environments.includes(sim.environment)) {
    throw new AnalyzerInputError(`${ref} is not a component of a cell deployed to ${sim.environment}`);
  }
  return caller;
}

/** Evaluates one request from a component, a rogue pod (in every disguise) or the gateway to outside the cluster. */
export function simulateEgress(sim: Simulation, from: SimulatedCaller, probe: EgressProbe): SimulationResult {
  if ('rogue' in from) {
    const results = rogueAttempts(sim, from.rogue).map(a => ({ ...evaluateEgress(a.cluster, a.pod, probe), impersonating: a.impersonating }));
    const depth = (r: SimulationResult) => ({ 'edge-auth': 0, 'L3/L4': 1, mTLS: 2, L7: 3 }[r.decidedBy ?? 'L3/L4']);
    return results.find(r => r.allowed) ?? results.reduce((best, r) => (depth(r) > depth(best) ? r : best));
  }
  if ('gateway' in from) throw new AnalyzerInputError('the external gateway makes no calls outside the cluster; give --from or --rogue');
  return evaluateEgress(sim.cluster(), sim.componentPod(componentCaller(sim, from.component)), probe);
}

/**
 * `simulateEgress(sim, from, probe).allowed` for many probes, without the
 * explanations: the caller's pods (a rogue pod in every disguise) are resolved
 * once. The graph's reach and the blast radius ask every caller about every
 * destination.
 */
export function egressVerdicts(sim: Simulation, from: SimulatedCaller): (probe: EgressProbe) => boolean {
  if ('gateway' in from) throw new AnalyzerInputError('the external gateway makes no calls outside the cluster; give --from or --rogue');
  const pods =
    'rogue' in from
      ? rogueAttempts(sim, from.rogue).map(a => ({ cluster: a.cluster, from: podKey(a.pod) }))
      : [{ cluster: sim.cluster(), from: podKey(sim.componentPod(componentCaller(sim, from.component))) }];
  return probe => pods.some(p => egressAllowed(p.cluster, { from: p.from, ...probe }));
}

/** Where it always was for its callers; it lives with the address helpers so the analyzer uses it too. */
export { sampleAddress };

export function describeEgressProbe(p: EgressProbe): string {
  const where = p.host ? `${p.host}${p.ip ? ` (${p.ip})` : ''}` : p.ip!;
  const http = p.protocol === 'HTTP' ? ` ${[p.method, p.path].filter(Boolean).join(' ')}` : '';
  const sni = p.sni ? ` with SNI ${p.sni}` : '';
  return `${where}:${p.port} (${p.protocol}${http}${sni})`;
}

/** The probes around one declared entry: it, its neighbouring port, and for a host the ways around its policy. */
function probesOf(entry: EgressRule, declaredPorts: Set<string>): EgressProbe[] {
  const probes: EgressProbe[] = [];
  // A platform service is checked by verify/platform.ts.
  if (entry.kind === 'platform') return probes;
  if (entry.kind === 'host') {
    for (const port of entry.ports) {
      const method = entry.protocol === 'HTTP' ? entry.methods?.[0] ?? 'GET' : undefined;
      const declaredPath = entry.paths ? samplePaths(entry.paths[0])[0] : '/';
      const path = entry.protocol === 'HTTP' ? declaredPath : undefined;
      probes.push({ host: entry.host.replace(/^\*\./, 'probe.'), port, protocol: entry.protocol, ...(method ? { method, path } : {}) });
      if (entry.protocol === 'HTTP' && entry.methods) {
        const other = EXTRA_METHODS.find(m => !entry.methods!.includes(m));
        if (other) probes.push({ host: entry.host.replace(/^\*\./, 'probe.'), port, protocol: 'HTTP', method: other, path });
      }
      if (entry.protocol === 'HTTP' && entry.paths)
        probes.push({ host: entry.host.replace(/^\*\./, 'probe.'), port, protocol: 'HTTP', method, path: UNDECLARED_PATH });
      if (entry.protocol === 'TLS') probes.push({ host: entry.host.replace(/^\*\./, 'probe.'), port, protocol: 'TLS', sni: UNDECLARED_HOST });
      // The host's address dialled directly: no ServiceEntry, no waypoint, only the pod's own L3/L4.
      probes.push({ ip: STAND_IN_PUBLIC_ADDRESS, port, protocol: 'TCP' });
      if (!declaredPorts.has(`${entry.host}:${port + 1}`))
        probes.push({ host: entry.host.replace(/^\*\./, 'probe.'), port: port + 1, protocol: entry.protocol, ...(method ? { method, path } : {}) });
    }
  } else {
    const address = sampleAddress(entry.cidr, entry.except);
    for (const port of entry.ports) {
      if (address) probes.push({ ip: address, port, protocol: 'TCP' });
      if (address && !entry.ports.includes(port + 1)) probes.push({ ip: address, port: port + 1, protocol: 'TCP' });
      for (const e of entry.except ?? []) {
        const carved = sampleAddress(e);
        if (carved) probes.push({ ip: carved, port, protocol: 'TCP' });
      }
    }
  }
  return probes;
}

export interface EgressVerifyResult {
  checks: number;
  violations: Violation[];
  notes: string[];
}

/**
 * Checks that the manifests let every component reach exactly the hosts and
 * networks it declared (docs/egress.md, "What verify checks"): each declared
 * entry from its component, and from every other component and every cell's
 * rogue pod; the entry's neighbouring port; the host's address dialled
 * directly; an undeclared host and the metadata address from everyone. Runs
 * only when some component of the environment declares egress.
 */
export function verifyEgress(sim: Simulation): EgressVerifyResult {
  const present = new Set(sim.model.cells.filter(c => c.environments.includes(sim.environment)).map(c => c.ref));
  const components = sim.model.components.filter(c => present.has(c.cell));
  const declaring = components.filter(c => c.egress?.length);
  if (declaring.length === 0) return { checks: 0, violations: [], notes: [] };
  const routed = routedHosts({ ...sim.model, components }, sim.settings.mesh.enabled);
  const declaredPorts = new Set(declaring.flatMap(c => (c.egress ?? []).flatMap(e => (e.kind === 'host' ? e.ports.map(p => `${e.host}:${p}`) : []))));
  const byKey = new Map<string, EgressProbe>();
  for (const c of declaring) for (const e of c.egress!) for (const p of probesOf(e, declaredPorts)) byKey.set(describeEgressProbe(p), p);
  byKey.set(describeEgressProbe({ host: UNDECLARED_HOST, port: 443, protocol: 'TLS' }), { host: UNDECLARED_HOST, port: 443, protocol: 'TLS' });
  byKey.set(describeEgressProbe({ ip: METADATA_ADDRESS, port: 80, protocol: 'TCP' }), { ip: METADATA_ADDRESS, port: 80, protocol: 'TCP' });
  const probes = [...byKey.entries()].sort(([a], [b]) => compareText(a, b)).map(([, p]) => p);
  const hostProbes = probes.filter(p => p.host);
  const violations: Violation[] = [];
  let checks = 0;
  const check = (label: string, caller: CatalogCaller, cluster: ClusterModel, pod: KubeObject, component: CellComponent | undefined, list: EgressProbe[]) => {
    for (const probe of list) {
      checks++;
      const expected = catalogAllowsEgress(component, probe, routed);
      // Verdict only; the full evaluation only for a violation's explanation.
      if (egressAllowed(cluster, { from: podKey(pod), ...probe }) !== expected) {
        const result = evaluateEgress(cluster, pod, probe);
        violations.push({
          caller: label,
          from: caller,
          callee: describeEgressProbe(probe),
          endpoint: 'egress',
          expected,
          actual: result.allowed,
          explanation: result.explanation,
        });
      }
    }
  };
  const cluster = sim.cluster();
  for (const c of components) check(c.ref, { kind: 'component', ref: c.ref }, cluster, sim.componentPod(c), c, probes);
  for (const cellRef of [...present].sort(compareText)) {
    for (const attempt of rogueAttempts(sim, cellRef)) {
      const label = `a rogue pod in ${cellRef}${attempt.impersonating ? ` wearing ${attempt.impersonating}'s labels` : ''}`;
      // A disguise passes label-based L3/L4; hosts are still checked by principal at the waypoint.
      check(label, { kind: 'rogue', cell: cellRef }, attempt.cluster, attempt.pod, undefined, attempt.impersonating ? hostProbes : probes);
    }
  }
  const notes: string[] = [];
  if (!sim.settings.mesh.enabled && declaring.some(c => c.egress!.some(e => e.kind === 'host'))) {
    notes.push(
      'mesh disabled: external hosts cannot be enforced (no egress waypoint), so host entries are refused by validation and compile to nothing; a model holding them is checked as if they were absent',
    );
  }
  if (sim.settings.mesh.enabled && declaring.some(c => c.egress!.some(e => e.kind === 'host' && e.protocol === 'TLS'))) notes.push(DOMAIN_FRONTING_NOTE);
  if (declaring.some(c => c.egress!.some(e => e.kind === 'cidr'))) notes.push(CIDR_LABELS_NOTE);
  const flavour = sim.settings.environments.find(e => e.name === sim.environment)?.networkPolicy;
  if (flavour === 'kubernetes' && routed.size > 0) {
    notes.push(
      'external hosts are enforced at L7 only (plain NetworkPolicy has no FQDN selector: the egress waypoint may connect to any public address on the declared ports)',
    );
  }
  return { checks, violations, notes };
}
