import { parseEntityRef } from '@backstage/catalog-model';

/*
 * The names of compiled objects (docs/compiler.md, "Object names"). Kubernetes
 * names are unique per kind and namespace, and component names are DNS labels,
 * which never contain a '.'. So:
 * - an object of one component is named after it (`<component>`), or
 *   `<component>.<part>` when the component has several of a kind;
 * - an object of the whole cell in a kind that also holds component objects
 *   (NetworkPolicy, CiliumNetworkPolicy) is named `cell.<part>`;
 * - the cell's other objects are alone in their kind (one Role, RoleBinding,
 *   PeerAuthentication, waypoint Gateway).
 * No component can take a cell-wide name, and no two components share one.
 * Service and ServiceAccount names cannot hold a '.', so there the names other
 * objects already take (`default`, the waypoint's) are refused as component names.
 */

/** The cell-wide objects' names. */
export const CELL_OBJECT_NAMES = {
  /** NetworkPolicy or CiliumNetworkPolicy: every pod of the namespace, both directions. */
  defaultDeny: 'cell.default-deny',
  /** NetworkPolicy or CiliumNetworkPolicy: egress to the cluster DNS. */
  allowDns: 'cell.allow-dns',
  /** NetworkPolicy or CiliumNetworkPolicy of the waypoint's pods. */
  waypointPolicy: 'cell.waypoint',
  /** Role and RoleBinding of the cell's owner. */
  deployer: 'cell-deployer',
  /** PeerAuthentication: strict mTLS for the namespace. */
  strictMtls: 'default',
} as const;

/** The ztunnel-enforced AuthorizationPolicy that admits only the waypoint. */
export function waypointOnlyName(component: string): string {
  return `${component}.waypoint-only`;
}

/** The HTTPRoute of a public endpoint. */
export function routeName(component: string, endpoint: string): string {
  return `${component}.${endpoint}`;
}

/** The AuthorizationPolicy that guards a public endpoint's front door (istio), or its SecurityPolicy (envoy-gateway). */
export function frontDoorName(component: string, endpoint: string): string {
  return `${component}.${endpoint}.front-door`;
}

export { reservedComponentNames } from '../validation/membership';

/** What a compiled object is for; the one place that tells, e.g. for apply order. */
export type CompiledObjectRole =
  | 'namespace'
  | 'service-account'
  | 'service'
  | 'deployer-role'
  | 'deployer-binding'
  | 'default-deny'
  | 'allow-dns'
  | 'waypoint-l4'
  | 'component-l4'
  | 'strict-mtls'
  | 'waypoint'
  | 'component-l7'
  | 'waypoint-only'
  | 'public-route'
  | 'front-door'
  | 'front-door-keys'
  | 'rate-limit';

const L4_KINDS = ['NetworkPolicy', 'CiliumNetworkPolicy'];

/** The role of an object the compiler made, from its kind and name; undefined for anything else. */
export function compiledObjectRole(o: { kind: string; metadata: { name: string } }): CompiledObjectRole | undefined {
  const name = o.metadata.name;
  const isComponentName = !name.includes('.');
  switch (o.kind) {
    case 'Namespace':
      return 'namespace';
    case 'ServiceAccount':
      return 'service-account';
    case 'Service':
      return 'service';
    case 'Role':
      return name === CELL_OBJECT_NAMES.deployer ? 'deployer-role' : undefined;
    case 'RoleBinding':
      return name === CELL_OBJECT_NAMES.deployer ? 'deployer-binding' : undefined;
    case 'PeerAuthentication':
      return name === CELL_OBJECT_NAMES.strictMtls ? 'strict-mtls' : undefined;
    case 'Gateway':
      return 'waypoint';
    case 'HTTPRoute':
      return 'public-route';
    case 'RequestAuthentication':
      return 'front-door-keys';
    case 'SecurityPolicy':
      return 'front-door';
    case 'BackendTrafficPolicy':
      return 'rate-limit';
    case 'AuthorizationPolicy':
      if (isComponentName) return 'component-l7';
      if (name.endsWith('.front-door')) return 'front-door';
      return name.endsWith('.waypoint-only') ? 'waypoint-only' : undefined;
    default:
      if (!L4_KINDS.includes(o.kind)) return undefined;
      if (name === CELL_OBJECT_NAMES.defaultDeny) return 'default-deny';
      if (name === CELL_OBJECT_NAMES.allowDns) return 'allow-dns';
      if (name === CELL_OBJECT_NAMES.waypointPolicy) return 'waypoint-l4';
      return isComponentName ? 'component-l4' : undefined;
  }
}

/** `Kind namespace/name` of every object that shares its kind, namespace and name with an earlier one. */
export function duplicateObjects(objects: readonly { kind: string; metadata: { name: string; namespace?: string } }[]): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const o of objects) {
    const key = `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
  }
  return duplicates;
}

/**
 * The file of a cell's manifests in a folder of one environment: `<cell>.yaml`
 * for a cell of the default catalog namespace, `<namespace>.<cell>.yaml` for
 * others. Cell names hold no '.', so two cells never share a file.
 */
export function cellFileName(cellRef: string): string {
  const { namespace, name } = parseEntityRef(cellRef);
  return namespace === 'default' ? `${name}.yaml` : `${namespace}.${name}.yaml`;
}

/** The file of an environment's platform egress objects beside its cell files: `_` is in no cell file name, so it never meets one. */
export const EGRESS_FILE_NAME = '_egress.yaml';
