import { CallGrant, Cell, CellComponent, CellModel } from '../model/types';
import { cellNamespace } from '../settings/naming';
import { CellsSettings, NetworkPolicyFlavour } from '../settings/settings';
import { CELL_LABEL, ENVIRONMENT_LABEL, GATEWAY_NAME_LABEL, MANAGED_BY, SOURCE_ANNOTATION } from '../labels/keys';

/** A Kubernetes object as plain data. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export { CELL_LABEL, ENVIRONMENT_LABEL, MANAGED_BY, SOURCE_ANNOTATION };
export const WAYPOINT_POD_LABEL = GATEWAY_NAME_LABEL;
export const HBONE_PORT = 15008;
/** Where istio-cni SNATs kubelet probes to ambient pods (docs/policy-semantics.md#ambient-5). */
export const PROBE_SOURCE_CIDR = '169.254.7.127/32';

/** Everything a policy module needs to write one cell in one environment. */
export interface CellContext {
  settings: CellsSettings;
  cell: Cell;
  environment: string;
  namespace: string;
  flavour: NetworkPolicyFlavour;
  components: CellComponent[];
  /** Grants whose callee is in this cell. */
  inbound: CallGrant[];
  /** Grants whose caller is a component of this cell. */
  outbound: CallGrant[];
  component(ref: string): CellComponent;
  /** Namespace of any cell in this environment. */
  namespaceOf(cellRef: string): string;
  /** SPIFFE principal (without spiffe://) of a component in this environment. */
  principalOf(caller: CallGrant['caller']): string;
  waypointPrincipal: string;
}

/** Labels and the source annotation every object of the cell carries. */
export function meta(ctx: CellContext, name: string, source: string, extraLabels: Record<string, string> = {}) {
  const labels: Record<string, string> = {
    [MANAGED_BY]: 'cellplane',
    [CELL_LABEL]: ctx.cell.name,
    [ENVIRONMENT_LABEL]: ctx.environment,
    ...extraLabels,
  };
  return {
    name,
    namespace: ctx.namespace,
    labels,
    annotations: { [SOURCE_ANNOTATION]: source },
  };
}

export function podLabels(ctx: CellContext, component: CellComponent): Record<string, string> {
  return { [ctx.settings.podLabelKey]: component.name };
}

/** Builds the per-cell contexts of one environment over the whole model. */
export function contextsFor(model: CellModel, settings: CellsSettings, environment: string): CellContext[] {
  const env = settings.environments.find(e => e.name === environment);
  if (!env) return [];
  const cellsHere = model.cells.filter(c => c.environments.includes(environment));
  const cellByRef = new Map(model.cells.map(c => [c.ref, c]));
  const componentByRef = new Map(model.components.map(c => [c.ref, c]));
  // The namespace name costs a SHA-256 (OpenChoreo scheme): once per cell, not per grant.
  const namespaceCache = new Map<string, string>();
  const namespaceOf = (cellRef: string) => {
    let namespace = namespaceCache.get(cellRef);
    if (namespace === undefined) {
      namespace = cellNamespace(settings, cellByRef.get(cellRef)!, environment);
      namespaceCache.set(cellRef, namespace);
    }
    return namespace;
  };
  const present = new Set(cellsHere.map(c => c.ref));
  // A call only exists in an environment where both ends are deployed.
  const grants = model.grants.filter(
    g => present.has(componentByRef.get(g.callee)!.cell) && (g.caller.kind === 'gateway' || present.has(componentByRef.get(g.caller.ref)!.cell)),
  );
  const principalOf = (caller: CallGrant['caller']) => {
    if (caller.kind === 'gateway') return settings.gateway.principal;
    const c = componentByRef.get(caller.ref)!;
    return `${settings.mesh.trustDomain}/ns/${namespaceOf(c.cell)}/sa/${c.name}`;
  };
  // Index grants by the callee's and the caller's cell: one pass, not one per cell.
  const inboundByCell = new Map<string, CallGrant[]>();
  const outboundByCell = new Map<string, CallGrant[]>();
  const push = (map: Map<string, CallGrant[]>, key: string, grant: CallGrant) => {
    const list = map.get(key);
    if (list) list.push(grant);
    else map.set(key, [grant]);
  };
  for (const grant of grants) {
    push(inboundByCell, componentByRef.get(grant.callee)!.cell, grant);
    if (grant.caller.kind === 'component') push(outboundByCell, componentByRef.get(grant.caller.ref)!.cell, grant);
  }
  return cellsHere.map(cell => {
    const namespace = namespaceOf(cell.ref);
    return {
      settings,
      cell,
      environment,
      namespace,
      flavour: env.networkPolicy,
      components: cell.components.map(ref => componentByRef.get(ref)!),
      inbound: inboundByCell.get(cell.ref) ?? [],
      outbound: outboundByCell.get(cell.ref) ?? [],
      component: (ref: string) => componentByRef.get(ref)!,
      namespaceOf,
      principalOf,
      waypointPrincipal: `${settings.mesh.trustDomain}/ns/${namespace}/sa/${settings.mesh.waypointName}`,
    };
  });
}
