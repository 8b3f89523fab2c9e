import { CellModel, CellComponent } from '../model/types';
import { CellsSettings } from '../settings/settings';
import { compileCells, KubeObject } from '../compiler';
import { cellNamespace } from '../settings/naming';
import { ClusterModel, loadCluster, parseCidr } from '../analyzer';
import { AMBIENT_LABEL } from '../labels/keys';

/**
 * Service account of the adversary's pod: its own identity, like any pod it
 * could start. Named in the cell-wide `cell.` scheme (compiler/names.ts):
 * component names are DNS labels without a '.', so no component's pod or
 * service account can be the rogue's (a component named `rogue` would
 * otherwise lend the rogue its identity and grants).
 */
export const ROGUE_SERVICE_ACCOUNT = 'cell.rogue';

/** The rogue pod's name, plain or wearing a component's labels: never a component pod's name. */
export function roguePodName(impersonating?: string): string {
  return impersonating ? `cell.rogue-as.${impersonating}` : 'cell.rogue';
}

/**
 * A cell catalog compiled for one environment, plus the pods that would run
 * there: one per component (its label and service account, its ports), the
 * external gateway's pod, and on demand a rogue pod in any cell. The data plane
 * cannot run here; the analyzer judges these manifests instead.
 */
export interface Simulation {
  model: CellModel;
  settings: CellsSettings;
  environment: string;
  /** The compiled objects (possibly altered by a caller, e.g. a widening test). */
  objects: KubeObject[];
  namespaceOf(cellRef: string): string;
  componentPod(component: CellComponent): KubeObject;
  gatewayObjects(): KubeObject[];
  /** A pod with its own service account in the cell, optionally wearing a component's labels. */
  roguePod(cellRef: string, impersonating?: CellComponent): KubeObject;
  /** The pod of a platform service reached by pods (cells.platform.services); undefined for one reached by address. */
  platformPod(name: string): KubeObject | undefined;
  /**
   * Loads objects + component pods + gateway + the given extra pods into the
   * analyzer. The same model for the same extras (read it, never change it): without
   * extras always, with extras while it is among the last loads kept.
   */
  cluster(extra?: KubeObject[]): ClusterModel;
}

/** Cluster loads with extra pods kept per simulation (each one holds a whole environment's model). */
const KEPT_EXTRA_LOADS = 2;

function pod(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  serviceAccount: string,
  ports: { name?: string; containerPort: number; protocol: string }[],
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { serviceAccountName: serviceAccount, containers: [{ name: 'app', image: 'simulated', ports }] },
  };
}

function gatewayIdentity(settings: CellsSettings): { namespace: string; serviceAccount: string } {
  const [, namespace, , serviceAccount] = settings.gateway.principal.split('/').slice(1);
  return { namespace, serviceAccount };
}

/** Every compiled object of one environment: the cells' and the platform egress namespace's. */
export function compiledObjects(model: CellModel, settings: CellsSettings, environment: string): KubeObject[] {
  const result = compileCells(model, settings, { environment });
  return [...result.cells.flatMap(c => c.objects), ...result.egress.flatMap(e => e.objects)];
}

export function createSimulation(model: CellModel, settings: CellsSettings, environment: string, objects?: KubeObject[]): Simulation {
  const compiled = objects ?? compiledObjects(model, settings, environment);
  const cellByRef = new Map(model.cells.map(c => [c.ref, c]));
  // A namespace name costs a SHA-256 (OpenChoreo scheme): once per cell.
  const namespaces = new Map<string, string>();
  const namespaceOf = (cellRef: string) => {
    let namespace = namespaces.get(cellRef);
    if (namespace === undefined) namespaces.set(cellRef, (namespace = cellNamespace(settings, cellByRef.get(cellRef)!, environment)));
    return namespace;
  };
  const present = model.cells.filter(c => c.environments.includes(environment)).map(c => c.ref);
  const components = model.components.filter(c => present.includes(c.cell));
  const componentPod = (c: CellComponent) =>
    pod(
      c.name,
      namespaceOf(c.cell),
      { [settings.podLabelKey]: c.name },
      c.name,
      c.endpoints.map(e => ({ name: e.name, containerPort: e.port, protocol: e.protocol === 'UDP' ? 'UDP' : 'TCP' })),
    );
  const gatewayObjects = (): KubeObject[] => {
    const { namespace, serviceAccount } = gatewayIdentity(settings);
    return [
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: settings.gateway.name, namespace: settings.gateway.namespace },
        spec: { gatewayClassName: settings.gateway.className, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      },
      pod(`${settings.gateway.name}-gateway`, namespace, { ...settings.gateway.podLabels }, serviceAccount, [
        { name: 'http', containerPort: 80, protocol: 'TCP' },
      ]),
    ];
  };
  const roguePod = (cellRef: string, impersonating?: CellComponent) =>
    pod(
      roguePodName(impersonating?.name),
      namespaceOf(cellRef),
      impersonating ? { [settings.podLabelKey]: impersonating.name } : { app: 'cell.rogue' },
      ROGUE_SERVICE_ACCOUNT,
      [],
    );
  const platform = platformObjects(settings, new Set(compiled.filter(o => o.kind === 'Namespace').map(o => o.metadata.name)));
  const base = [...compiled, ...components.map(componentPod), ...gatewayObjects(), ...platform.objects];
  const load = (all: KubeObject[]) => withUnknownAddresses(loadCluster(all, { trustDomain: settings.mesh.trustDomain }), settings.cluster.podCIDRs);
  // Loaded once: at 5,000 components a load is a second, and every simulated request needs one.
  let plain: ClusterModel | undefined;
  // With extra pods (verify's and the blast radius's rogue pods, the same ones each time for a
  // simulation): the last few loads by what the extras are.
  const withExtras = new Map<string, ClusterModel>();
  const loadWith = (extra: KubeObject[]) => {
    const key = JSON.stringify(extra);
    let cluster = withExtras.get(key);
    if (!cluster) {
      cluster = load([...base, ...extra]);
      if (withExtras.size >= KEPT_EXTRA_LOADS) withExtras.delete(withExtras.keys().next().value!);
      withExtras.set(key, cluster);
    }
    return cluster;
  };
  return {
    model,
    settings,
    environment,
    objects: compiled,
    namespaceOf,
    componentPod,
    gatewayObjects,
    roguePod,
    platformPod: name => platform.pods.get(name),
    cluster: (extra = []) => (extra.length === 0 ? (plain ??= load(base)) : loadWith(extra)),
  };
}

/**
 * One pod per platform service reached by pods, with its labels, its service
 * account (from its principal) and its ports, and each namespace once, in the
 * ambient mesh where a service says so. Nothing without platform services, so
 * a simulation without them is the same as before.
 */
function platformObjects(settings: CellsSettings, compiledNamespaces: Set<string>): { objects: KubeObject[]; pods: Map<string, KubeObject> } {
  const pods = new Map<string, KubeObject>();
  const meshed = new Map<string, boolean>();
  for (const s of settings.platform.services) {
    if (!s.namespace || !s.podLabels) continue;
    const [, , ns, , account] = (s.principal ?? '').split('/');
    const serviceAccount = ns === s.namespace && account ? account : s.name;
    pods.set(
      s.name,
      pod(
        s.name,
        s.namespace,
        { ...s.podLabels },
        serviceAccount,
        s.ports.map(p => ({ containerPort: p, protocol: 'TCP' })),
      ),
    );
    meshed.set(s.namespace, (meshed.get(s.namespace) ?? false) || (s.mesh && settings.mesh.enabled));
  }
  // A namespace Cellplane compiles itself keeps its own object (and labels).
  const namespaces = [...meshed.entries()]
    .filter(([name]) => !compiledNamespaces.has(name))
    .map(
      ([name, mesh]): KubeObject => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: mesh ? { [AMBIENT_LABEL]: 'ambient' } : {} },
      }),
    );
  return { objects: [...namespaces, ...pods.values()], pods };
}

/**
 * The simulation's pods have no address yet; any pod address may be theirs.
 * Marked so, an ipBlock that can hold pod addresses may admit them, and the
 * analyzer says it depends on the CNI (docs/policy-semantics.md#netpol-9) instead of denying.
 */
export function withUnknownAddresses(cluster: ClusterModel, podCIDRs?: readonly string[]): ClusterModel {
  // cells.cluster.podCIDRs: where every pod's address lies (egress validation keeps declared networks out of them).
  const ranges = podCIDRs?.map(c => parseCidr(c)).filter((c): c is NonNullable<typeof c> => c !== undefined);
  for (const w of cluster.workloads) {
    if (w.ip !== undefined) continue;
    w.anyAddress = true;
    if (ranges) w.addressRanges = ranges;
  }
  return cluster;
}

/** `ns/name` of a pod object, as the analyzer names workloads. */
export function podKey(podObject: KubeObject): string {
  return `${podObject.metadata.namespace}/${podObject.metadata.name}`;
}
