import { CellComponent, EndpointSpec, HTTP_METHODS } from '../model/types';
import { grantsTo } from '../model/grantIndex';
import { AnalyzerInputError, ClusterModel, containsPathTemplate, normalizeRequestPath, pathMatches } from '../analyzer';
import { callersOf, clusterFor, compareText, FirstHopFilter, isL7, judgeProbes, presentComponents, ProbeCaller } from '../diff/probing';
import { SimulatedCaller } from './simulate';
import { platformReach } from './platformReach';
import { Simulation } from './simulation';
import { Probe, probesFor, samplePaths, UNDECLARED_PATH } from './verify';
import { EgressReach, egressReach } from './egressReach';

/** One endpoint a caller may reach, or one caller that may reach an endpoint. */
export interface Reach {
  /** Component entity ref, `gateway`, or `rogue:<cell ref>`. */
  component: string;
  endpoint: string;
  port: number;
  /** Allowed methods and paths (undefined: all). */
  methods?: string[];
  paths?: string[];
}

export interface BlastRadius {
  /** What the identity may reach. */
  reaches: Reach[];
  /** Who may reach it (components, `gateway`, and `rogue:<cell ref>` should a rogue pod get in). */
  reachedBy: Reach[];
  /** The declared hosts and networks outside the cluster it may reach (a rogue pod too: e.g. one wearing a component's labels reaches its networks). */
  egress: EgressReach[];
}

/** Per simulation, each L7 endpoint's probes and declared path patterns: the same for every caller. */
const probesBySim = new WeakMap<Simulation, Map<string, { probes: Probe[]; patterns: string[] }>>();

function reachProbes(sim: Simulation, callee: CellComponent, endpoint: EndpointSpec): { probes: Probe[]; patterns: string[] } {
  let byEndpoint = probesBySim.get(sim);
  if (!byEndpoint) probesBySim.set(sim, (byEndpoint = new Map()));
  const key = `${callee.ref}\u0000${endpoint.name}`;
  let found = byEndpoint.get(key);
  if (!found) {
    const declared = probesFor(sim, callee, endpoint).filter(p => !p.direct);
    const methods = [...new Set([...HTTP_METHODS, ...declared.map(p => p.method!)])];
    const paths = [...new Set(declared.map(p => p.path!))];
    found = {
      probes: methods.flatMap(method => paths.map(path => ({ method, path }))),
      patterns: [...new Set(grantsTo(sim.model.grants, callee.ref, endpoint.name).flatMap(g => g.paths ?? []))],
    };
    byEndpoint.set(key, found);
  }
  return found;
}

/**
 * What the caller may do on the endpoint, by asking the analyzer: every method
 * on the paths of verify's probes (the declared operations, the paths next to
 * them, an undeclared one). Methods and paths are summarised per endpoint;
 * `undefined` only when the analyzer allows every method (or any path).
 */
function reachOn(
  sim: Simulation,
  cluster: ClusterModel,
  filter: FirstHopFilter,
  caller: ProbeCaller,
  callee: CellComponent,
  endpoint: EndpointSpec,
): Omit<Reach, 'component'> | undefined {
  const base = { endpoint: endpoint.name, port: endpoint.port };
  if (!isL7(sim, endpoint)) {
    return judgeProbes(sim, cluster, caller, callee, endpoint, [{}], filter)[0] ? base : undefined;
  }
  const { probes, patterns } = reachProbes(sim, callee, endpoint);
  const verdicts = judgeProbes(sim, cluster, caller, callee, endpoint, probes, filter);
  const allowed = probes.filter((_, i) => verdicts[i]);
  if (allowed.length === 0) return undefined;
  const allowedMethods = [...new Set(allowed.map(p => p.method!))].sort();
  const allowedPaths = new Set(allowed.map(p => p.path!));
  const everyMethod = HTTP_METHODS.every(m => allowedMethods.includes(m));
  const anyPath = allowedPaths.has(UNDECLARED_PATH) && allowedPaths.has('/');
  // Each declared pattern whose concrete path is allowed, then allowed paths no such pattern names.
  const reachedPatterns = patterns.filter(p => allowedPaths.has(samplePaths(p)[0]));
  const covered = new Set(reachedPatterns.map(p => samplePaths(p)[0]));
  // A reached template (an OpenAPI operation's `/a/{*}`) names every path it matches, e.g. the operation's example.
  const templates = reachedPatterns.filter(containsPathTemplate);
  const loose = [...allowedPaths].filter(p => !covered.has(p) && !templates.some(t => pathMatches(t, normalizeRequestPath(p))));
  return {
    ...base,
    ...(everyMethod ? {} : { methods: allowedMethods }),
    ...(anyPath ? {} : { paths: [...reachedPatterns, ...loose].sort() }),
  };
}

function callerOf(sim: Simulation, from: SimulatedCaller, callers: ProbeCaller[]): ProbeCaller {
  let found: ProbeCaller | undefined;
  let what: string;
  if ('component' in from) {
    found = callers.find(c => c.kind === 'component' && c.ref === from.component);
    what = `${from.component} is not a component`;
  } else if ('rogue' in from) {
    found = callers.find(c => c.kind === 'rogue' && c.cell === from.rogue);
    what = `${from.rogue} is not a cell`;
  } else {
    found = callers.find(c => c.kind === 'gateway');
    what = 'the external gateway is not';
  }
  if (!found) throw new AnalyzerInputError(`${what} deployed to ${sim.environment}`);
  return found;
}

const byReach = (a: Reach, b: Reach) => compareText(a.component, b.component) || a.port - b.port || compareText(a.endpoint, b.endpoint);

/** How a caller appears among those that reach a component. */
function reachName(caller: ProbeCaller): string {
  if (caller.kind === 'component') return caller.ref!;
  return caller.kind === 'gateway' ? 'gateway' : `rogue:${caller.cell}`;
}

/**
 * If this identity were compromised: everything it may reach (per endpoint,
 * the methods and paths the analyzer allows), and, for a component, everything
 * that may reach it. Judged by the analyzer on the simulation's manifests.
 */
export function blastRadius(sim: Simulation, from: SimulatedCaller): BlastRadius {
  const callers = callersOf(sim);
  const caller = callerOf(sim, from, callers);
  const cluster = clusterFor(sim, callers);
  const filter = new FirstHopFilter(cluster);
  const components = presentComponents(sim);
  const reaches: Reach[] = [];
  for (const callee of components) {
    for (const endpoint of callee.endpoints) {
      const reach = reachOn(sim, cluster, filter, caller, callee, endpoint);
      if (reach) reaches.push({ component: callee.ref, ...reach });
    }
  }
  const reachedBy: Reach[] = [];
  if (caller.kind === 'component') {
    const self = components.find(c => c.ref === caller.ref)!;
    for (const other of callers) {
      const name = reachName(other);
      for (const endpoint of self.endpoints) {
        const reach = reachOn(sim, cluster, filter, other, self, endpoint);
        if (reach) reachedBy.push({ component: name, ...reach });
      }
    }
  }
  // Outside the cells: hosts and networks, then the platform services it may call.
  const egress = 'gateway' in from ? [] : [...egressReach(sim, from), ...platformReach(sim, from)];
  return { reaches: reaches.sort(byReach), reachedBy: reachedBy.sort(byReach), egress };
}
