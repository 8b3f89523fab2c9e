/**
 * Attribution: which catalog node a workload seen on the wire is. Every name
 * comes from the compiler's own contexts (namespaces, principals, pod labels),
 * so attribution follows the naming scheme the manifests were written with.
 */
import { Cell, CellComponent, CellModel } from '../model/types';
import { CellsSettings, PodPeer } from '../settings/settings';
import { CellContext, contextsFor, podLabels } from '../compiler/context';
import { KUBELET_PROBE_ADDRESSES } from '../analyzer/request';
import { TrafficPeer } from './types';

/** A platform service outside every cell, for attribution: where its pods run and, if known, its identity. */
export interface PlatformPeer extends PodPeer {
  name: string;
  /** SPIFFE principal without `spiffe://`. */
  principal?: string;
}

/** What a flow source tells about one end of a call; every field is optional. */
export interface ObservedWorkload {
  namespace?: string;
  pod?: string;
  /** Workload (Deployment) name, e.g. Istio's `source_workload`. */
  workload?: string;
  labels?: Record<string, string>;
  serviceAccount?: string;
  /** SPIFFE principal, with or without `spiffe://`. */
  principal?: string;
  ip?: string;
  /** DNS names of the address (Hubble's `source_names` / `destination_names`). */
  names?: string[];
  /** Cilium's reserved identity (`world`, `host`, `remote-node`, `kube-apiserver`, ...), from a `reserved:` label. */
  reserved?: string;
}

/** The attributed peer, the environment its namespace belongs to, and whether it is a cell's waypoint. */
export interface Attribution {
  peer: TrafficPeer;
  environment?: string;
  /** Set when the workload is the waypoint of this cell (a tunnel hop, not a caller or callee of its own). */
  waypointOf?: string;
}

interface NamespaceEntry {
  cell: Cell;
  environment: string;
  /** Component by name (its pod label value and its service account). */
  components: Map<string, CellComponent>;
  ctx: CellContext;
}

/** Everything attribution looks up, built once per catalog and settings. */
export interface AttributionIndex {
  model: CellModel;
  settings: CellsSettings;
  namespaces: Map<string, NamespaceEntry>;
  /** Principal (no `spiffe://`) -> component, over every environment. */
  principals: Map<string, { component: CellComponent; environment: string }>;
  platform: PlatformPeer[];
  componentsByRef: Map<string, CellComponent>;
}

/** DNS and the mesh control plane from the settings, plus any the caller declares. */
export function platformPeers(settings: CellsSettings, extra: PlatformPeer[] = []): PlatformPeer[] {
  return [
    { name: 'dns', namespace: settings.dns.namespace, podLabels: settings.dns.podLabels },
    { name: 'mesh-control-plane', namespace: settings.mesh.controlPlane.namespace, podLabels: settings.mesh.controlPlane.podLabels },
    ...extra,
  ];
}

export function buildAttributionIndex(model: CellModel, settings: CellsSettings, options: { platform?: PlatformPeer[] } = {}): AttributionIndex {
  const namespaces = new Map<string, NamespaceEntry>();
  const principals = new Map<string, { component: CellComponent; environment: string }>();
  for (const env of settings.environments) {
    for (const ctx of contextsFor(model, settings, env.name)) {
      const components = new Map(ctx.components.map(c => [c.name, c]));
      namespaces.set(ctx.namespace, { cell: ctx.cell, environment: env.name, components, ctx });
      for (const c of ctx.components) principals.set(ctx.principalOf({ kind: 'component', ref: c.ref }), { component: c, environment: env.name });
    }
  }
  return {
    model,
    settings,
    namespaces,
    principals,
    platform: platformPeers(settings, options.platform),
    componentsByRef: new Map(model.components.map(c => [c.ref, c])),
  };
}

/** `td/ns/<namespace>/sa/<account>` parts of a SPIFFE principal, or undefined when it is not one. */
export function parsePrincipal(principal: string): { trustDomain: string; namespace: string; serviceAccount: string; id: string } | undefined {
  const id = principal.startsWith('spiffe://') ? principal.slice('spiffe://'.length) : principal;
  const m = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(id);
  return m ? { trustDomain: m[1], namespace: m[2], serviceAccount: m[3], id } : undefined;
}

function labelsInclude(labels: Record<string, string> | undefined, wanted: Record<string, string>): boolean {
  if (!labels) return false;
  for (const [k, v] of Object.entries(wanted)) if (labels[k] !== v) return false;
  return true;
}

function unknown(w: ObservedWorkload, namespace: string, identity: string | undefined, cell?: string): TrafficPeer {
  const pod = w.pod ?? w.workload;
  return {
    kind: 'workload',
    namespace,
    ...(pod ? { pod } : {}),
    ...(identity ? { identity } : {}),
    ...(w.labels ? { labels: w.labels } : {}),
    ...(cell ? { cell } : {}),
  };
}

function inCellNamespace(
  index: AttributionIndex,
  entry: NamespaceEntry,
  w: ObservedWorkload,
  serviceAccount: string | undefined,
  identity: string | undefined,
): Attribution {
  const { settings } = index;
  const environment = entry.environment;
  const waypoint = settings.mesh.enabled ? settings.mesh.waypointName : undefined;
  if (identity !== undefined) {
    // An identity is proof: its service account names the component (compiler/identity.ts), or the waypoint.
    const found = index.principals.get(identity);
    if (found) return { peer: { kind: 'component', ref: found.component.ref, cell: found.component.cell }, environment };
    if (waypoint && identity === entry.ctx.waypointPrincipal) return { peer: { kind: 'cell', ref: entry.cell.ref }, environment, waypointOf: entry.cell.ref };
    return { peer: unknown(w, entry.ctx.namespace, identity, entry.cell.ref), environment };
  }
  // Labels alone are free to set: a pod is a component only if its service account agrees, when the source reports one.
  const name = w.labels?.[settings.podLabelKey];
  const component = name === undefined ? undefined : entry.components.get(name);
  if (component && labelsInclude(w.labels, podLabels(entry.ctx, component)) && (serviceAccount === undefined || serviceAccount === component.name)) {
    return { peer: { kind: 'component', ref: component.ref, cell: component.cell }, environment };
  }
  if (waypoint && w.labels?.['gateway.networking.k8s.io/gateway-name'] === waypoint && (serviceAccount === undefined || serviceAccount === waypoint)) {
    return { peer: { kind: 'cell', ref: entry.cell.ref }, environment, waypointOf: entry.cell.ref };
  }
  const implied = serviceAccount ? `${settings.mesh.trustDomain}/ns/${entry.ctx.namespace}/sa/${serviceAccount}` : undefined;
  return { peer: unknown(w, entry.ctx.namespace, implied, entry.cell.ref), environment };
}

const RESERVED_PLATFORM: Record<string, string> = { host: 'node', 'remote-node': 'node', 'kube-apiserver': 'kube-apiserver' };

/**
 * The catalog node of one observed end. A SPIFFE principal decides when there
 * is one; without it, the namespace and the pod's labels, checked against its
 * service account when the source reports one; without a namespace, Cilium's
 * reserved identity or the address.
 */
export function attributeWorkload(index: AttributionIndex, w: ObservedWorkload): Attribution {
  const { settings } = index;
  const principal = w.principal ? parsePrincipal(w.principal) : undefined;
  const namespace = principal?.namespace ?? w.namespace;
  const serviceAccount = principal?.serviceAccount ?? w.serviceAccount;
  if (principal && principal.id === settings.gateway.principal) return { peer: { kind: 'gateway' } };
  if (namespace) {
    const entry = index.namespaces.get(namespace);
    if (entry) return inCellNamespace(index, entry, w, serviceAccount, principal?.id);
    if (namespace === settings.gateway.namespace && !principal && labelsInclude(w.labels, settings.gateway.podLabels)) return { peer: { kind: 'gateway' } };
    const platform = index.platform.find(p =>
      p.principal && principal ? p.principal === principal.id : p.namespace === namespace && (principal !== undefined || labelsInclude(w.labels, p.podLabels)),
    );
    if (platform) return { peer: { kind: 'platform', name: platform.name } };
    return { peer: unknown(w, namespace, principal?.id) };
  }
  // istio-cni rewrites kubelet probes to ambient pods to a fixed link-local source.
  if (w.ip && KUBELET_PROBE_ADDRESSES.includes(w.ip)) return { peer: { kind: 'platform', name: 'node' } };
  if (w.reserved && RESERVED_PLATFORM[w.reserved]) return { peer: { kind: 'platform', name: RESERVED_PLATFORM[w.reserved] } };
  const host = w.names?.find(n => n.length > 0)?.replace(/\.$/, '');
  if (host || w.ip) return { peer: { kind: 'external', ...(host ? { host } : {}), ...(w.ip ? { ip: w.ip } : {}) } };
  return { peer: { kind: 'external' } };
}

/** The caller's id in grants' terms: a component's ref, `gateway`, or none (nothing in the catalog grants it anything). */
export function grantCallerId(peer: TrafficPeer): string | undefined {
  if (peer.kind === 'component') return peer.ref;
  if (peer.kind === 'gateway') return 'gateway';
  return undefined;
}

/** The topology's node id of a peer. */
export function nodeId(peer: TrafficPeer): string {
  switch (peer.kind) {
    case 'component':
      return peer.ref;
    case 'cell':
      return peer.ref;
    case 'gateway':
      return 'gateway';
    case 'platform':
      return `platform:${peer.name}`;
    case 'external':
      return `external:${peer.host ?? peer.ip ?? 'unknown'}`;
    default:
      return `workload:${peer.namespace}/${peer.pod ?? (peer.identity ? `sa:${parsePrincipal(peer.identity)?.serviceAccount ?? peer.identity}` : 'unknown')}`;
  }
}
