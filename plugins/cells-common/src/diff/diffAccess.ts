import { CallGrant, CellComponent, CellModel, EndpointSpec } from '../model/types';
import { CellsSettings } from '../settings/settings';
import { KubeObject } from '../compiler';
import { ClusterModel, RequestResult, WorkloadModel } from '../analyzer';
import { CNI_DEPENDENT_SHORT } from '../analyzer/explain';
import { createSimulation, podKey, Simulation } from '../verify/simulation';
import { gatewayToken } from '../verify/frontDoor';
import { evaluate } from '../verify/simulate';
import { Probe, probesFor } from '../verify/verify';
import { relevantNamespaces, scopedCluster } from './scope';
import { diffEgress } from './diffEgress';
import { diffPlatform } from './diffPlatform';
import {
  admittingLayer,
  callersOf,
  compareText,
  clusterFor,
  componentLabel,
  FirstHopFilter,
  isL7,
  judgeProbes,
  mayReach,
  presentComponents,
  ProbeCaller,
  probeKey,
} from './probing';

/** One request that a change newly allows or no longer allows. */
export interface AccessChange {
  /** `<cell>/<component>`, `gateway` or `rogue:<cell>`. */
  from: string;
  /** `<cell>/<component>` */
  to: string;
  port: number;
  method?: string;
  path?: string;
  /** The layer that decides the request after (added) or before (removed) the change. */
  layer: string | null;
  /** The policies of that layer that admit the request, as `<namespace>/<name>`. */
  policies?: string[];
  /** e.g. "houston/capcom may now POST /uplink on orion/comms-system". */
  text: string;
}

/** What a change newly allows and no longer allows. */
export interface AccessDiffView {
  added: AccessChange[];
  removed: AccessChange[];
}

/** One side of an access diff: a catalog, its settings, and optionally the manifests to judge instead of compiling it. */
export interface AccessInput {
  model: CellModel;
  settings: CellsSettings;
  /** The manifests as they are (e.g. edited by hand); absent: the model compiled with the settings. */
  objects?: KubeObject[];
}

export interface AccessDiffOptions {
  environment: string;
  /** Cell entity refs: only requests whose caller or callee is in one of them (the cells that changed). */
  cells?: string[];
}

interface SideEndpoint {
  component: CellComponent;
  endpoint: EndpointSpec;
}

/** One side, simulated: its callers and endpoints by the names both sides share. */
class Side {
  readonly sim: Simulation;
  readonly endpoints = new Map<string, SideEndpoint>();
  private loaded?: { callers: Map<string, ProbeCaller>; cluster: ClusterModel; filter: FirstHopFilter; relevant?: Set<string> };
  private readonly workloads = new Map<string, (WorkloadModel | undefined)[]>();
  private readonly namespaces = new Map<string, string>();
  private grantsByCallee?: Map<string, CallGrant[]>;

  constructor(input: AccessInput, environment: string, private readonly scope?: string[]) {
    this.sim = createSimulation(input.model, input.settings, environment, input.objects);
    for (const component of presentComponents(this.sim)) {
      for (const endpoint of component.endpoints) {
        this.endpoints.set(endpointKey(componentLabel(this.sim, component), endpoint), { component, endpoint });
      }
    }
  }

  /**
   * Loaded on first use. With a scope, only the namespaces that can exchange
   * anything with it (scope.ts); callers and callees elsewhere are denied
   * everything on this side.
   */
  private load() {
    if (!this.loaded) {
      const relevant = this.scope ? relevantNamespaces(this.sim, this.scope) : undefined;
      const callers = callersOf(this.sim, cell => !relevant || relevant.has(this.namespaceOf(cell)));
      const rogues = callers.filter(c => c.kind === 'rogue').flatMap(c => c.pods);
      const cluster = relevant ? scopedCluster(this.sim, relevant, rogues) : clusterFor(this.sim, callers);
      this.loaded = { callers: new Map(callers.map(c => [c.label, c])), cluster, filter: new FirstHopFilter(cluster), relevant };
    }
    return this.loaded;
  }

  callerLabels(): string[] {
    return [...this.load().callers.keys()];
  }

  cellOfCaller(label: string): string | undefined {
    return this.load().callers.get(label)?.cell;
  }

  /** The namespace of a cell here (computed once: it is a hash). */
  private namespaceOf(cellRef: string): string {
    let ns = this.namespaces.get(cellRef);
    if (ns === undefined) this.namespaces.set(cellRef, (ns = this.sim.namespaceOf(cellRef)));
    return ns;
  }

  /** The caller and the endpoint, when both exist and can matter on this side. */
  private pair(callerLabel: string, key: string): { caller: ProbeCaller; target: SideEndpoint } | undefined {
    const { callers, relevant } = this.load();
    const caller = callers.get(callerLabel);
    const target = this.endpoints.get(key);
    if (!caller || !target || (relevant && !relevant.has(this.namespaceOf(target.component.cell)))) return undefined;
    return { caller, target };
  }

  /** Can the caller's requests reach the endpoint's pod through the network at all? */
  mayReach(callerLabel: string, key: string): boolean {
    const pair = this.pair(callerLabel, key);
    if (!pair) return false;
    const { filter } = this.load();
    const pods = (label: string, objects: () => KubeObject[]) => {
      let found = this.workloads.get(label);
      if (!found) this.workloads.set(label, (found = objects().map(p => filter.workload(p))));
      return found;
    };
    const calleePod = pods(`callee ${key}`, () => [this.sim.componentPod(pair.target.component)])[0];
    return mayReach(
      filter,
      pods(callerLabel, () => pair.caller.pods),
      calleePod,
      pair.target.endpoint,
    );
  }

  /** The analyzer's full answer for a request it allows. */
  explain(pod: KubeObject, key: string, probe: Probe): RequestResult {
    const { component, endpoint } = this.endpoints.get(key)!;
    // As judgeProbes asks: the gateway carries what the front door requires.
    const fromGateway = podKey(pod) === podKey(this.sim.gatewayObjects()[1]);
    return evaluate(this.load().cluster, pod, component, endpoint, this.sim, fromGateway ? { ...probe, token: gatewayToken(this.sim, endpoint) } : probe);
  }

  /** Verify's probes for the endpoint; `probesFor` reads only the settings and the grants, so it gets the callee's grants only. */
  probes(key: string): Probe[] {
    const e = this.endpoints.get(key);
    if (!e) return [];
    if (!this.grantsByCallee) {
      this.grantsByCallee = new Map();
      for (const g of this.sim.model.grants) this.grantsByCallee.set(g.callee, [...(this.grantsByCallee.get(g.callee) ?? []), g]);
    }
    const grants = this.grantsByCallee.get(e.component.ref) ?? [];
    return probesFor({ ...this.sim, model: { ...this.sim.model, grants } }, e.component, e.endpoint);
  }

  /** Per probe, the caller's pod that gets through (undefined: denied, or the caller or endpoint is not on this side). */
  judge(callerLabel: string, key: string, probes: Probe[]): (KubeObject | undefined)[] {
    const pair = this.pair(callerLabel, key);
    if (!pair) return probes.map(() => undefined);
    const { cluster, filter } = this.load();
    return judgeProbes(this.sim, cluster, pair.caller, pair.target.component, pair.target.endpoint, probes, filter);
  }
}

/** An endpoint is the same on both sides when its component, name, port and protocol are. */
function endpointKey(label: string, endpoint: EndpointSpec): string {
  return `${label}\u0000${endpoint.name}\u0000${endpoint.port}\u0000${endpoint.protocol}`;
}

function callerText(label: string): string {
  if (label === 'gateway') return 'the external gateway';
  if (label.startsWith('rogue:')) return `a rogue pod in ${label.slice('rogue:'.length)}`;
  return label;
}

function describe(from: string, to: string, port: number, probe: Probe, l7: boolean, added: boolean): string {
  const may = `${callerText(from)} may ${added ? 'now' : 'no longer'}`;
  if (probe.direct) return `${may} connect to port ${port} of ${to}'s pod directly, skipping its waypoint`;
  if (l7 && probe.method && probe.path) return `${may} ${probe.method} ${probe.path} on ${to}`;
  return `${may} connect to port ${port} of ${to}`;
}

function compareChanges(a: AccessChange, b: AccessChange): number {
  return (
    compareText(a.from, b.from) ||
    compareText(a.to, b.to) ||
    a.port - b.port ||
    compareText(a.method ?? '', b.method ?? '') ||
    compareText(a.path ?? '', b.path ?? '') ||
    compareText(a.text, b.text)
  );
}

/**
 * The access difference between two catalogs (or two sets of manifests): every
 * request whose verdict changed, newly allowed (`added`) or no longer allowed
 * (`removed`). The requests are those `verify` asks: every caller (components,
 * the external gateway, a rogue pod in every cell) against every endpoint of
 * both sides, with the declared operations of both catalogs and the probes
 * around them, each judged by the analyzer on both sides. A component present
 * on one side only counts as denied everything on the other.
 */
export function diffAccess(before: AccessInput, after: AccessInput, options: AccessDiffOptions): AccessDiffView {
  const sides = [new Side(before, options.environment, options.cells), new Side(after, options.environment, options.cells)] as const;
  const inScope = options.cells ? new Set(options.cells) : undefined;
  const cellOfEndpoint = (key: string) => sides.map(s => s.endpoints.get(key)?.component.cell).filter(Boolean) as string[];
  const cellOfCaller = (label: string) => sides.map(s => s.cellOfCaller(label)).filter(Boolean) as string[];

  const endpointKeys = [...new Set(sides.flatMap(s => [...s.endpoints.keys()]))].sort();
  const callerLabels = [...new Set(sides.flatMap(s => s.callerLabels()))].sort();
  const callersInScope = callerLabels.filter(l => !inScope || cellOfCaller(l).some(c => inScope.has(c)));
  const added: AccessChange[] = [];
  const removed: AccessChange[] = [];

  for (const key of endpointKeys) {
    const [label, , port] = key.split('\u0000');
    const calleeInScope = !inScope || cellOfEndpoint(key).some(c => inScope.has(c));
    // Callers the network stops on both sides are denied everything on both: no probe to ask.
    const callers = (calleeInScope ? callerLabels : callersInScope).filter(c => sides.some(s => s.mayReach(c, key)));
    if (callers.length === 0) continue;
    // The declared operations of both catalogs and verify's probes around them, once each.
    const probes = new Map<string, Probe>();
    for (const side of sides) for (const p of side.probes(key)) if (!probes.has(probeKey(p))) probes.set(probeKey(p), p);
    const list = [...probes.values()];
    const endpoint = (sides[1].endpoints.get(key) ?? sides[0].endpoints.get(key))!;
    const l7 = sides.some(s => s.endpoints.has(key) && isL7(s.sim, endpoint.endpoint));
    for (const caller of callers) {
      const [was, now] = sides.map(s => s.judge(caller, key, list));
      list.forEach((probe, i) => {
        if (!was[i] === !now[i]) return;
        const isAdded = !!now[i];
        const result = isAdded ? sides[1].explain(now[i]!, key, probe) : sides[0].explain(was[i]!, key, probe);
        const { layer, policies } = admittingLayer(result);
        // Allowed only where the CNI matches pod addresses by ipBlock (docs/policy-semantics.md#netpol-9): say so.
        const caveat = result.layers.some(l => l.verdict === 'allow' && l.caveat) ? ` (${CNI_DEPENDENT_SHORT})` : '';
        const showHttp = l7 && !probe.direct && probe.method && probe.path;
        (isAdded ? added : removed).push({
          from: caller,
          to: label,
          port: Number(port),
          ...(showHttp ? { method: probe.method, path: probe.path } : {}),
          layer,
          policies,
          text: describe(caller, label, Number(port), probe, l7, isAdded) + caveat,
        });
      });
    }
  }
  // Outside the cluster (docs/egress.md): every entry either side declares.
  const egress = diffEgress([sides[0].sim, sides[1].sim], options.cells);
  added.push(...egress.added);
  removed.push(...egress.removed);
  // Platform services (docs/egress.md): calls to them and their scrapes.
  const platform = diffPlatform([sides[0].sim, sides[1].sim], options.cells);
  added.push(...platform.added);
  removed.push(...platform.removed);
  return { added: added.sort(compareChanges), removed: removed.sort(compareChanges) };
}
