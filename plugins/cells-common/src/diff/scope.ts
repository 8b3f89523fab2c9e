/**
 * Which namespaces can matter to the requests into and out of some cells.
 * The access diff of one changed cell asks about requests between that cell
 * and every other; loading the whole cluster for that costs more than the
 * answer. A request between namespaces A and B reads only the objects of A,
 * B, the mesh root namespace and cluster-scoped ones (policies apply to the
 * pods of their own namespace), and its first hop must pass the NetworkPolicies
 * of the scope's pods. When every pod of the scope is isolated in both
 * directions, only namespaces that some peer of those policies selects can
 * exchange anything with it; the others are denied everything, and need not
 * be loaded. Anything this reasoning does not cover falls back to everything.
 */
import { ClusterModel, loadCluster, parseCidr } from '../analyzer';
import { USE_WAYPOINT_NAMESPACE_LABEL } from '../analyzer/model';
import { Direction, ipBlockMayHoldPods, networkPolicySelects } from '../analyzer/networkPolicy';
import { CompiledSelector, NAMESPACE_NAME_LABEL } from '../labels';
import { KubeObject } from '../compiler';
import { Simulation, withUnknownAddresses } from '../verify/simulation';
import { presentCells, rogueDisguises } from './probing';

const CILIUM_KINDS = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

function labelsOf(o: KubeObject): Record<string, string> {
  return ((o.metadata as { labels?: Record<string, string> }).labels ?? {}) as Record<string, string>;
}

/**
 * The namespaces whose objects and pods can change the verdict of a request
 * into or out of `scopeCells`, or undefined for all of them: with Cilium
 * policies (they can admit by entity or CIDR), a waypoint in another
 * namespace, pods with IP addresses (an ipBlock might cover them), a scope
 * pod that some direction leaves open, a rule that admits every peer, an
 * ipBlock that may cover pod addresses, or a malformed object in the scope.
 */
export function relevantNamespaces(sim: Simulation, scopeCells: string[]): Set<string> | undefined {
  const cells = presentCells(sim).filter(c => scopeCells.includes(c.ref));
  const scope = new Set(cells.map(c => sim.namespaceOf(c.ref)));
  for (const o of sim.objects) {
    if (CILIUM_KINDS.has(o.kind) || labelsOf(o)[USE_WAYPOINT_NAMESPACE_LABEL] !== undefined) return undefined;
    if (typeof (o as { status?: { podIP?: unknown } }).status?.podIP === 'string') return undefined;
  }
  const inScope = sim.objects.filter(o => !o.metadata.namespace || scope.has(o.metadata.namespace));
  const pods = sim.model.components.filter(c => cells.some(cell => cell.ref === c.cell)).map(c => sim.componentPod(c));
  const rogues = cells.flatMap(c => rogueDisguises(sim, c.ref));
  const cluster = loadCluster([...inScope, ...pods, ...rogues], { trustDomain: sim.settings.mesh.trustDomain });
  if (cluster.problems.length > 0) return undefined;

  const podRanges = sim.settings.cluster.podCIDRs.map(c => parseCidr(c)!);
  const selectors: CompiledSelector[] = [];
  for (const workload of cluster.workloads.filter(w => scope.has(w.namespace))) {
    for (const direction of ['ingress', 'egress'] as Direction[]) {
      const isolating = cluster.networkPolicies.filter(p => p.isolates[direction] && networkPolicySelects(p, workload));
      if (isolating.length === 0) return undefined;
      for (const rule of isolating.flatMap(p => p[direction])) {
        if (!rule.peers) return undefined;
        for (const peer of rule.peers) {
          // The simulated pods may have any address: an ipBlock that can hold one may admit a pod of any namespace.
          if (peer.kind === 'ipBlock' && ipBlockMayHoldPods(peer, podRanges)) return undefined;
          // No namespaceSelector: the policy's own namespace.
          if (peer.kind === 'pods' && peer.namespaceSelector) selectors.push(peer.namespaceSelector);
        }
      }
    }
  }
  const relevant = new Set([...scope, cluster.rootNamespace, sim.settings.gateway.namespace]);
  const namespaces = new Set([
    ...sim.objects.map(o => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace)).filter((n): n is string => !!n),
    ...presentCells(sim).map(c => sim.namespaceOf(c.ref)),
  ]);
  for (const ns of namespaces) {
    // As the analyzer sees a namespace: its object's labels, or only its name label when it has none.
    const labels = namespaceLabels(cluster, ns);
    if (selectors.some(s => s.matches(labels))) relevant.add(ns);
  }
  return relevant;
}

function namespaceLabels(cluster: ClusterModel, ns: string): Record<string, string> {
  return cluster.namespaces.get(ns)?.labels ?? { [NAMESPACE_NAME_LABEL]: ns };
}

/** The simulation's cluster with only the objects and pods of the given namespaces (and cluster-scoped objects). */
export function scopedCluster(sim: Simulation, namespaces: Set<string>, extraPods: KubeObject[]): ClusterModel {
  const inside = (o: KubeObject) => !o.metadata.namespace || namespaces.has(o.metadata.namespace);
  const present = new Set(
    presentCells(sim)
      .filter(c => namespaces.has(sim.namespaceOf(c.ref)))
      .map(c => c.ref),
  );
  const pods = sim.model.components.filter(c => present.has(c.cell)).map(c => sim.componentPod(c));
  return withUnknownAddresses(
    loadCluster([...sim.objects, ...pods, ...sim.gatewayObjects(), ...extraPods].filter(inside), { trustDomain: sim.settings.mesh.trustDomain }),
    sim.settings.cluster.podCIDRs,
  );
}
