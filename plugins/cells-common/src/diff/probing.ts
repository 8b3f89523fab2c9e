/**
 * Asking the analyzer about many requests of a simulation at once: the
 * callers (components, the external gateway, rogue pods), which endpoints
 * speak HTTP, and the verdict of each probe. Shared by the access diff, the
 * blast radius and the attack presets.
 */
import { CellComponent, CellModel, EndpointSpec } from '../model/types';
import { ClusterModel, RequestResult } from '../analyzer';
import { evaluateNetworkPolicies, networkPolicySelects, NetworkPolicyModel } from '../analyzer/networkPolicy';
import { Endpoint, GATEWAY_NAME_LABEL, HBONE_PORT, Protocol, USE_WAYPOINT_NAMESPACE_LABEL, WorkloadModel } from '../analyzer/model';
import { assertAnalyzable, isAllowedFrom, QuietRun, ResolvedTarget, resolveTargetFor } from '../analyzer/request';
import { KubeObject } from '../compiler';
import { Simulation } from '../verify/simulation';
import { Probe } from '../verify/verify';
import { gatewayToken } from '../verify/frontDoor';

/** Someone who makes requests, with the pods it may use (a rogue tries several). */
export interface ProbeCaller {
  /** `<cell>/<component>`, `gateway` or `rogue:<cell>` */
  label: string;
  kind: 'component' | 'gateway' | 'rogue';
  /** Component entity ref (components only). */
  ref?: string;
  /** Cell entity ref (components and rogues). */
  cell?: string;
  pods: KubeObject[];
}

/** Plain code-unit order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The cells of the simulation that are deployed to its environment. */
export function presentCells(sim: Simulation) {
  return sim.model.cells.filter(c => c.environments.includes(sim.environment));
}

export function presentComponents(sim: Simulation): CellComponent[] {
  const present = new Set(presentCells(sim).map(c => c.ref));
  return sim.model.components.filter(c => present.has(c.cell));
}

const cellNames = new WeakMap<CellModel, Map<string, string>>();

/** `<cell>/<component>`, as the CLI and the REST API name a component. */
export function componentLabel(sim: Simulation, component: CellComponent): string {
  let names = cellNames.get(sim.model);
  if (!names) cellNames.set(sim.model, (names = new Map(sim.model.cells.map(c => [c.ref, c.name]))));
  return `${names.get(component.cell) ?? component.cell}/${component.name}`;
}

/** Does the analyzer see methods and paths on this endpoint (a waypoint applies L7 rules)? */
export function isL7(sim: Simulation, endpoint: EndpointSpec): boolean {
  return sim.settings.mesh.enabled && (endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC');
}

/**
 * The pods a rogue in the cell tries: the same disguises as `rogueAttempts`
 * (no component labels, and each component's labels of its cell), but as pods
 * for one shared cluster: a rogue pod is only ever a source, so the others
 * change no verdict, and one cluster load replaces one per disguise. Without
 * the mesh, L3/L4 knows pods only by their labels, so a disguised rogue would
 * simply be that component; like verify, only the unlabelled pod counts then.
 */
/** A model's components by cell, in the model's order (built once per model). */
const componentsByCell = new WeakMap<CellModel, Map<string, CellComponent[]>>();

function componentsOfCell(model: CellModel, cellRef: string): CellComponent[] {
  let byCell = componentsByCell.get(model);
  if (!byCell) {
    byCell = new Map();
    for (const c of model.components) {
      const list = byCell.get(c.cell);
      if (list) list.push(c);
      else byCell.set(c.cell, [c]);
    }
    componentsByCell.set(model, byCell);
  }
  return byCell.get(cellRef) ?? [];
}

export function rogueDisguises(sim: Simulation, cellRef: string): KubeObject[] {
  const disguises: (CellComponent | undefined)[] = [undefined];
  if (sim.settings.mesh.enabled) disguises.push(...componentsOfCell(sim.model, cellRef));
  return disguises.map(d => sim.roguePod(cellRef, d));
}

/** Every caller of every cell, per simulation: the blast radius asks for them on each call. Read them, never change them. */
const everyCaller = new WeakMap<Simulation, ProbeCaller[]>();

/** Every caller of the simulation (of the cells the filter keeps): components, the external gateway and a rogue pod in every cell. */
export function callersOf(sim: Simulation, cellFilter?: (cellRef: string) => boolean): ProbeCaller[] {
  if (cellFilter) return callersIn(sim, cellFilter);
  let callers = everyCaller.get(sim);
  if (!callers) everyCaller.set(sim, (callers = callersIn(sim, () => true)));
  return callers;
}

function callersIn(sim: Simulation, cellFilter: (cellRef: string) => boolean): ProbeCaller[] {
  const components = presentComponents(sim)
    .filter(c => cellFilter(c.cell))
    .map((c): ProbeCaller => ({ label: componentLabel(sim, c), kind: 'component', ref: c.ref, cell: c.cell, pods: [sim.componentPod(c)] }));
  const gateway: ProbeCaller = { label: 'gateway', kind: 'gateway', pods: [sim.gatewayObjects()[1]] };
  const rogues = presentCells(sim)
    .filter(c => cellFilter(c.ref))
    .map((c): ProbeCaller => ({ label: `rogue:${c.name}`, kind: 'rogue', cell: c.ref, pods: rogueDisguises(sim, c.ref) }));
  return [...components, gateway, ...rogues];
}

/** The simulation's cluster with the given callers' extra (rogue) pods loaded. */
export function clusterFor(sim: Simulation, callers: ProbeCaller[]): ClusterModel {
  return sim.cluster(callers.filter(c => c.kind === 'rogue').flatMap(c => c.pods));
}

export function probeKey(probe: Probe): string {
  return `${probe.direct ? 'direct' : 'service'} ${probe.method ?? ''} ${probe.path ?? ''}`;
}

/**
 * A cheap first look at L3/L4, with the analyzer's NetworkPolicy evaluation:
 * can any request from a pod to an endpoint get onto the network at all? Its
 * first hop goes to the callee's waypoint (HBONE) or to the callee's pod (HBONE
 * or the app port); when NetworkPolicies deny every one of those, no method,
 * path or addressing gets through, and the full evaluation is skipped. The
 * policies selecting a pod are looked up in its own namespace only, so the cost
 * grows with the pods asked about, not with the cluster. With Cilium policies
 * the network may read HTTP, so nothing is skipped then.
 */
export class FirstHopFilter {
  private readonly active: boolean;
  private readonly toWaypoint = new Map<number, boolean>();
  private waypointsByNamespace?: Map<string, WorkloadModel[]>;
  private sharedWaypoints: WorkloadModel[] = [];
  private policiesByNamespace?: Map<string, NetworkPolicyModel[]>;
  private readonly selected: (NetworkPolicyModel[] | undefined)[] = [];

  constructor(private readonly cluster: ClusterModel) {
    this.active = cluster.ciliumPolicies.length === 0 && cluster.problems.length === 0;
  }

  private endpointOf(workload: WorkloadModel): Endpoint {
    return { type: 'workload', workload, namespace: this.cluster.namespaces.get(workload.namespace)! };
  }

  /** The NetworkPolicies selecting a workload, from its own namespace's (docs/policy-semantics.md#netpol-2), computed once. */
  private selecting(workload: WorkloadModel): NetworkPolicyModel[] {
    if (!this.policiesByNamespace) {
      this.policiesByNamespace = new Map();
      for (const p of this.cluster.networkPolicies) this.policiesByNamespace.set(p.namespace, [...(this.policiesByNamespace.get(p.namespace) ?? []), p]);
    }
    let list = this.selected[workload.index];
    if (!list) {
      list = (this.policiesByNamespace.get(workload.namespace) ?? []).filter(p => networkPolicySelects(p, workload));
      this.selected[workload.index] = list;
    }
    return list;
  }

  /** The analyzer's NetworkPolicy verdict (no Cilium here): egress at the source and ingress at the destination. */
  private passes(source: WorkloadModel, destination: WorkloadModel, port: number, protocol: Protocol): boolean {
    const flow = { source: this.endpointOf(source), destination: this.endpointOf(destination), port, protocol, destinationPorts: destination.ports };
    const admits = (v: { isolatedBy: string[]; allowedBy: string[] }) => v.isolatedBy.length === 0 || v.allowedBy.length > 0;
    return (
      admits(evaluateNetworkPolicies(this.selecting(source), 'egress', flow)) && admits(evaluateNetworkPolicies(this.selecting(destination), 'ingress', flow))
    );
  }

  /**
   * The waypoint pods a request to the callee may go through: every waypoint
   * of its namespace, and of any namespace a `use-waypoint-namespace` label
   * names. More than the analyzer picks (it picks one by the Service's and the
   * namespace's labels), which only makes the filter skip less; and no
   * per-callee lookup of its Service is needed.
   */
  private waypointsOf(callee: WorkloadModel): WorkloadModel[] {
    if (!this.waypointsByNamespace) {
      const byNamespace = new Map<string, WorkloadModel[]>();
      for (const w of this.cluster.workloads) {
        const name = w.labels[GATEWAY_NAME_LABEL];
        if (name === undefined || !this.cluster.gateways.get(`${w.namespace}/${name}`)?.isWaypoint) continue;
        byNamespace.set(w.namespace, [...(byNamespace.get(w.namespace) ?? []), w]);
      }
      const elsewhere = new Set<string>();
      for (const labels of [...this.cluster.services.map(x => x.labels), ...[...this.cluster.namespaces.values()].map(n => n.labels)]) {
        const ns = labels[USE_WAYPOINT_NAMESPACE_LABEL];
        if (ns !== undefined) elsewhere.add(ns);
      }
      this.sharedWaypoints = [...elsewhere].flatMap(ns => byNamespace.get(ns) ?? []);
      this.waypointsByNamespace = byNamespace;
    }
    return [...(this.waypointsByNamespace.get(callee.namespace) ?? []), ...this.sharedWaypoints];
  }

  workload(pod: KubeObject): WorkloadModel | undefined {
    return this.cluster.workloadsByKey.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
  }

  /** False only when the network stops every request from the pod to the port of the callee's pod. */
  mayReach(source: WorkloadModel | undefined, callee: WorkloadModel | undefined, port: number, protocol: Protocol): boolean {
    if (!this.active || !source || !callee) return true;
    if (this.passes(source, callee, port, protocol) || (protocol === 'TCP' && this.passes(source, callee, HBONE_PORT, 'TCP'))) return true;
    if (protocol !== 'TCP') return false;
    return this.waypointsOf(callee).some(w => {
      const key = source.index * 1048576 + w.index;
      let verdict = this.toWaypoint.get(key);
      if (verdict === undefined) {
        verdict = this.passes(source, w, HBONE_PORT, 'TCP');
        this.toWaypoint.set(key, verdict);
      }
      return verdict;
    });
  }
}

/** Can any of the caller's pods get a request onto the network towards the endpoint? */
export function mayReach(
  filter: FirstHopFilter,
  callerPods: (WorkloadModel | undefined)[],
  calleePod: WorkloadModel | undefined,
  endpoint: EndpointSpec,
): boolean {
  const protocol = endpoint.protocol === 'UDP' ? 'UDP' : 'TCP';
  return callerPods.some(p => filter.mayReach(p, calleePod, endpoint.port, protocol));
}

const quietRuns = new WeakMap<ClusterModel, Map<string, QuietRun>>();

/** The matrix's verdict-only evaluation state for one probe shape on one cluster. */
function quietRun(cluster: ClusterModel, key: string): QuietRun {
  let runs = quietRuns.get(cluster);
  if (!runs) quietRuns.set(cluster, (runs = new Map()));
  let run = runs.get(key);
  if (!run) runs.set(key, (run = { secondHops: new Map() }));
  return run;
}

/**
 * Which probes from the caller to the endpoint the analyzer allows: for each,
 * the caller's pod that gets through (undefined: every pod is denied). This
 * is the request `evaluate` asks, verdict only (the matrix's evaluation);
 * `evaluate` gives the full answer for the few that matter. Pods the first-hop
 * filter rules out are not asked.
 */
export function judgeProbes(
  sim: Simulation,
  cluster: ClusterModel,
  caller: ProbeCaller,
  callee: CellComponent,
  endpoint: EndpointSpec,
  probes: Probe[],
  filter?: FirstHopFilter,
): (KubeObject | undefined)[] {
  assertAnalyzable(cluster);
  const verdicts: (KubeObject | undefined)[] = probes.map(() => undefined);
  const calleePod = sim.componentPod(callee);
  const calleeKey = `${calleePod.metadata.namespace}/${calleePod.metadata.name}`;
  const protocol = endpoint.protocol === 'UDP' ? 'UDP' : 'TCP';
  const l7 = endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC';
  const targets = new Map<string, ResolvedTarget>();
  const calleeWorkload = filter?.workload(calleePod);
  // The gateway carries what the endpoint's front door requires: these probes ask about the operations, not the door.
  const token = caller.kind === 'gateway' ? { token: gatewayToken(sim, endpoint) } : {};
  for (const pod of caller.pods) {
    if (filter && !filter.mayReach(filter.workload(pod), calleeWorkload, endpoint.port, protocol)) continue;
    const source = cluster.workloadsByKey.get(`${pod.metadata.namespace}/${pod.metadata.name}`)!;
    probes.forEach((probe, i) => {
      if (verdicts[i]) return;
      const addressing = probe.direct ? 'pod' : 'service';
      let target = targets.get(addressing);
      if (!target) targets.set(addressing, (target = resolveTargetFor(cluster, { to: calleeKey, port: endpoint.port, protocol, addressing })));
      // As `evaluate` puts it: method and path only where the endpoint speaks HTTP.
      const request = {
        port: endpoint.port,
        protocol,
        addressing,
        ...(l7 && probe.method ? { method: probe.method } : {}),
        ...(l7 && probe.path ? { path: probe.path } : {}),
        ...token,
      } as const;
      if (isAllowedFrom(cluster, source, target, request, quietRun(cluster, `${endpoint.port} ${protocol} ${probeKey(probe)}`))) verdicts[i] = pod;
    });
  }
  return verdicts;
}

/** The layer that admitted an allowed request (the deepest one that allowed it) and its policies. */
export function admittingLayer(result: RequestResult): { layer: string | null; policies: string[] } {
  const allowing = result.layers.filter(l => l.verdict === 'allow');
  const last = allowing[allowing.length - 1];
  return last ? { layer: last.layer, policies: [...last.policies].sort() } : { layer: null, policies: [] };
}
