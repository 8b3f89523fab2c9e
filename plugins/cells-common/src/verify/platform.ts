import { CellComponent } from '../model/types';
import { analyzeEgress, analyzeRequest, AnalyzerInputError, ClusterModel, RequestResult } from '../analyzer';
import { KubeObject } from '../compiler';
import { compareText } from '../order';
import { PlatformService } from '../settings/platform';
import { sampleAddress } from './egress';
import { catalogAllowsPlatformCall, catalogAllowsScrape, ScrapeProbe } from './platformOracle';
import { podKey, ROGUE_SERVICE_ACCOUNT, Simulation } from './simulation';
import { rogueAttempts, SimulatedCaller, SimulationResult } from './simulate';
import { UNDECLARED_PATH, Violation } from './verify';

export const MESHED_SERVICE_PORTS_NOTE =
  "a platform service in the mesh is reached over HBONE (15008), which carries every port: Cellplane limits which components reach it, and the service's own policies must limit the port";
/** docs/policy-semantics.md#egress-5 */
export const PLATFORM_LABELS_NOTE =
  "a call to a platform service is admitted at L3/L4 by the caller's pod labels: a pod in the cell that copies a declaring component's labels reaches the service too; rogue probes use a pod without component labels";
export const SCRAPER_LABELS_NOTE =
  "mesh disabled: a scrape is admitted at L3/L4 by the scraper's pod labels on the metrics port, whatever the method and path, and a pod that copies those labels scrapes too";

function service(sim: Simulation, name: string, role: PlatformService['role']): PlatformService {
  const found = sim.settings.platform.services.find(s => s.name === name && s.role === role);
  if (!found) {
    const names = sim.settings.platform.services.filter(s => s.role === role).map(s => s.name);
    throw new AnalyzerInputError(
      `${name} is not a platform service that ${role === 'called' ? 'components call' : 'scrapes'} (cells.platform.services: ${names.join(', ') || 'none'})`,
    );
  }
  return found;
}

function componentOf(sim: Simulation, ref: string): CellComponent {
  const c = sim.model.components.find(x => x.ref === ref);
  if (!c || !sim.model.cells.find(x => x.ref === c.cell)?.environments.includes(sim.environment)) {
    throw new AnalyzerInputError(`${ref} is not a component of a cell deployed to ${sim.environment}`);
  }
  return c;
}

/** The scraper's pod with its own service account instead of the scraper's (labels are free to copy, identities are not). */
function impostorOf(scraperPod: KubeObject): KubeObject {
  const spec = scraperPod.spec as Record<string, unknown>;
  return {
    ...scraperPod,
    metadata: { ...scraperPod.metadata, name: `cell.rogue-as.${scraperPod.metadata.name}` },
    spec: { ...spec, serviceAccountName: ROGUE_SERVICE_ACCOUNT },
  };
}

/** A scraper's request to a component, addressed to its Service like any mesh call (through the cell's waypoint). */
export function evaluateScrape(
  cluster: ClusterModel,
  from: KubeObject,
  sim: Simulation,
  component: CellComponent,
  probe: Omit<ScrapeProbe, 'scraper'>,
): RequestResult {
  return analyzeRequest(cluster, {
    from: podKey(from),
    to: `${sim.namespaceOf(component.cell)}/${component.name}`,
    port: probe.port,
    protocol: 'TCP',
    method: probe.method,
    path: probe.path,
    addressing: 'service',
  });
}

/** A call from a pod to a platform service: to its pod, or to an address of its network. */
export function evaluatePlatformCall(cluster: ClusterModel, from: KubeObject, sim: Simulation, target: PlatformService, port: number): RequestResult {
  const targetPod = sim.platformPod(target.name);
  if (targetPod) return analyzeRequest(cluster, { from: podKey(from), to: podKey(targetPod), port, protocol: 'TCP', addressing: 'pod' });
  const ip = sampleAddress(target.cidrs![0]);
  if (!ip) throw new AnalyzerInputError(`${target.name}: no IPv4 address to probe in ${target.cidrs![0]}`);
  return analyzeEgress(cluster, { from: podKey(from), ip, port, protocol: 'TCP' });
}

/** `simulate --from-platform <scraper> --to <component>`: one scrape, judged by the analyzer. */
export function simulateScrape(sim: Simulation, scraper: string, to: string, request: { port?: number; method?: string; path?: string }): SimulationResult {
  const s = service(sim, scraper, 'scrapes');
  const component = componentOf(sim, to);
  const pod = sim.platformPod(s.name)!;
  const port = request.port ?? component.metrics?.port ?? component.endpoints[0]?.port;
  if (port === undefined) throw new AnalyzerInputError(`${to} serves no endpoint to scrape`);
  return evaluateScrape(sim.cluster(), pod, sim, component, {
    port,
    method: request.method ?? 'GET',
    path: request.path ?? component.metrics?.path ?? '/metrics',
  });
}

/** `simulate --to-platform <name> --port <p>`: a component's (or a rogue pod's) call to a platform service. */
export function simulatePlatformCall(sim: Simulation, from: SimulatedCaller, name: string, port: number): SimulationResult {
  const target = service(sim, name, 'called');
  if ('gateway' in from) throw new AnalyzerInputError('the external gateway calls no platform service; give --from or --rogue');
  if ('rogue' in from) {
    const attempts = rogueAttempts(sim, from.rogue).map(a => ({
      ...evaluatePlatformCall(a.cluster, a.pod, sim, target, port),
      impersonating: a.impersonating,
    }));
    // The most successful attempt, as for every rogue question: allowed if any disguise is.
    return attempts.find(r => r.allowed) ?? attempts[0];
  }
  return evaluatePlatformCall(sim.cluster(), sim.componentPod(componentOf(sim, from.component)), sim, target, port);
}

export interface PlatformVerifyResult {
  checks: number;
  violations: Violation[];
  notes: string[];
}

/**
 * Checks that the manifests admit exactly the platform access the catalog
 * declares (docs/egress.md, "Platform services"): each scraper may GET the
 * metrics path on the metrics port of the components that name it, and
 * nothing else of them; each component reaches a called service on its
 * declared ports only, and every other component and each cell's rogue pod
 * (without component labels) reach it not at all.
 */
export function verifyPlatform(sim: Simulation): PlatformVerifyResult {
  const services = sim.settings.platform.services;
  if (services.length === 0) return { checks: 0, violations: [], notes: [] };
  const mesh = sim.settings.mesh.enabled;
  const present = sim.model.cells
    .filter(c => c.environments.includes(sim.environment))
    .map(c => c.ref)
    .sort(compareText);
  const components = sim.model.components.filter(c => present.includes(c.cell));
  const cluster = sim.cluster();
  const violations: Violation[] = [];
  let checks = 0;
  const record = (
    label: string,
    from: Violation['from'],
    callee: string,
    endpoint: string,
    expected: boolean,
    result: RequestResult,
    op: { method?: string; path?: string },
  ) => {
    checks++;
    if (result.allowed !== expected) {
      violations.push({ caller: label, from, callee, endpoint, ...op, expected, actual: result.allowed, explanation: result.explanation });
    }
  };
  for (const scraper of services.filter(s => s.role === 'scrapes' && s.namespace)) {
    const pod = sim.platformPod(scraper.name)!;
    // With the mesh, a pod beside the scraper wearing its labels but not its identity scrapes nothing.
    const impostor = mesh ? impostorOf(pod) : undefined;
    const impostorCluster = impostor && sim.cluster([impostor]);
    for (const c of components.filter(x => x.metrics)) {
      const { port, path } = c.metrics!;
      const others = c.endpoints.filter(e => e.port !== port && e.protocol === 'HTTP').map(e => e.port);
      const probes = [
        { port, method: 'GET', path },
        { port, method: 'POST', path },
        { port, method: 'GET', path: UNDECLARED_PATH },
        ...others.map(p => ({ port: p, method: 'GET', path })),
      ];
      for (const probe of probes) {
        const expected = catalogAllowsScrape(c, { scraper: scraper.name, ...probe }, mesh);
        record(
          `platform:${scraper.name}`,
          { kind: 'platform', name: scraper.name },
          c.ref,
          `port ${probe.port}`,
          expected,
          evaluateScrape(cluster, pod, sim, c, probe),
          probe,
        );
      }
      if (impostor) {
        const probe = { port, method: 'GET', path };
        const label = `a pod in ${scraper.namespace} wearing ${scraper.name}'s labels`;
        record(label, { kind: 'platform', name: scraper.name }, c.ref, `port ${port}`, false, evaluateScrape(impostorCluster!, impostor, sim, c, probe), probe);
      }
    }
  }
  for (const target of services.filter(s => s.role === 'called')) {
    const ports = [...target.ports, target.ports[target.ports.length - 1] + 1];
    for (const c of components) {
      for (const port of ports) {
        const expected = catalogAllowsPlatformCall(c, target, port, mesh);
        record(
          c.ref,
          { kind: 'component', ref: c.ref },
          `platform:${target.name}`,
          `port ${port}`,
          expected,
          evaluatePlatformCall(cluster, sim.componentPod(c), sim, target, port),
          {},
        );
      }
    }
    for (const cellRef of present) {
      const attempt = rogueAttempts(sim, cellRef)[0]; // no component labels (docs/policy-semantics.md#egress-5)
      for (const port of ports) {
        record(
          `a rogue pod in ${cellRef}`,
          { kind: 'rogue', cell: cellRef },
          `platform:${target.name}`,
          `port ${port}`,
          false,
          evaluatePlatformCall(attempt.cluster, attempt.pod, sim, target, port),
          {},
        );
      }
    }
  }
  const notes: string[] = [];
  const calls = components.some(c => c.egress?.some(e => e.kind === 'platform'));
  if (mesh && services.some(s => s.role === 'called' && s.mesh) && calls) notes.push(MESHED_SERVICE_PORTS_NOTE);
  if (calls) notes.push(PLATFORM_LABELS_NOTE);
  if (!mesh && components.some(c => c.metrics)) notes.push(SCRAPER_LABELS_NOTE);
  return { checks, violations, notes };
}
