/**
 * Per-model caches of what the layers ask again and again about one cluster
 * model (the policies that apply to a workload, its endpoint and identity,
 * the Service and waypoint that reach it), filled on first use.
 */
import { AuthorizationPolicyModel, FromVerdicts, waypointPolicies, ztunnelPolicies } from './authorization';
import { L3L4Index } from './l3l4';
import { ClusterModel, Endpoint, GATEWAY_NAME_LABEL, GatewayModel, identityOf, isAmbient, ServiceModel, WorkloadModel } from './model';
import { effectiveMtls, EffectiveMtls } from './mtls';

export interface ModelIndex {
  model: ClusterModel;
  l3l4: L3L4Index;
  /** AuthorizationPolicy rules' `from` verdicts per caller (authorizationAllows). */
  fromVerdicts: FromVerdicts;
  ztunnel: (AuthorizationPolicyModel[] | undefined)[];
  waypointPods: Map<string, WorkloadModel | undefined>;
  /** `workloadIndex|port|protocol` -> the Service reaching it there (null: none). */
  services: Map<string, ServiceModel | null>;
  /** Service key -> its waypoint (null: none). */
  waypoints: Map<string, GatewayModel | null>;
  /** `gateway|service` -> the policies that waypoint enforces for that Service. */
  waypointPolicies: Map<string, AuthorizationPolicyModel[]>;
  endpoints: (Endpoint | undefined)[];
  gatewayOfPod: (GatewayModel | null | undefined)[];
  /** Mesh identity per workload (null: plaintext). */
  identities: (string | null | undefined)[];
  authzByNamespace?: Map<string, AuthorizationPolicyModel[]>;
  /** `workloadIndex * 65536 + port` -> effective PeerAuthentication mode. */
  mtlsModes: Map<number, EffectiveMtls['mode']>;
}
const indexes = new WeakMap<ClusterModel, ModelIndex>();

// Bulk questions ask about one model many times in a row. (A one-entry memo: it keeps at most
// the last model analyzed alive; WeakRef.deref costs more than the WeakMap lookup it would save.)
let last: ModelIndex | undefined;

export function indexOf(model: ClusterModel): ModelIndex {
  if (last?.model === model) return last;
  let index = indexes.get(model);
  if (!index) {
    index = {
      model,
      l3l4: new L3L4Index(model),
      fromVerdicts: new Map(),
      ztunnel: [],
      waypointPods: new Map(),
      services: new Map(),
      waypoints: new Map(),
      waypointPolicies: new Map(),
      endpoints: [],
      gatewayOfPod: [],
      identities: [],
      mtlsModes: new Map(),
    };
    indexes.set(model, index);
  }
  last = index;
  return index;
}

export function ztunnelPoliciesFor(model: ClusterModel, workload: WorkloadModel): AuthorizationPolicyModel[] {
  const index = indexOf(model);
  let list = index.ztunnel[workload.index];
  if (!list) {
    if (!index.authzByNamespace) {
      index.authzByNamespace = new Map();
      for (const p of model.authorizationPolicies) index.authzByNamespace.set(p.namespace, [...(index.authzByNamespace.get(p.namespace) ?? []), p]);
    }
    // Only the workload's own and the root namespace's policies can apply; in input order, as ztunnelPolicies keeps it.
    const own = index.authzByNamespace.get(workload.namespace) ?? [];
    const root = workload.namespace === model.rootNamespace ? [] : index.authzByNamespace.get(model.rootNamespace) ?? [];
    const order = (p: AuthorizationPolicyModel) => p.order;
    const candidates = root.length === 0 ? own : [...own, ...root].sort((a, b) => order(a) - order(b));
    list = ztunnelPolicies(candidates, workload, model.rootNamespace);
    index.ztunnel[workload.index] = list;
  }
  return list;
}

export function waypointPod(model: ClusterModel, gw: GatewayModel): WorkloadModel | undefined {
  const index = indexOf(model);
  if (!index.waypointPods.has(gw.key)) {
    const pods = model.workloads.filter(w => w.namespace === gw.namespace && w.labels[GATEWAY_NAME_LABEL] === gw.name);
    index.waypointPods.set(gw.key, pods.find(p => !p.synthesized) ?? pods[0]);
  }
  return index.waypointPods.get(gw.key);
}

export function policiesOfWaypoint(model: ClusterModel, gw: GatewayModel, service: ServiceModel): AuthorizationPolicyModel[] {
  const cache = indexOf(model).waypointPolicies;
  const key = `${gw.key}|${service.key}`;
  let policies = cache.get(key);
  if (!policies) {
    policies = waypointPolicies(model.authorizationPolicies, gw, service, model.rootNamespace);
    cache.set(key, policies);
  }
  return policies;
}

export function mtlsMode(model: ClusterModel, workload: WorkloadModel, port: number): EffectiveMtls['mode'] {
  const cache = indexOf(model).mtlsModes;
  const key = workload.index * 65536 + port;
  let mode = cache.get(key);
  if (mode === undefined) {
    mode = effectiveMtls(model.peerAuthentications, workload, port, model.rootNamespace).mode;
    cache.set(key, mode);
  }
  return mode;
}

// ---------------------------------------------------------------- endpoints

export function workloadEndpoint(model: ClusterModel, workload: WorkloadModel): Endpoint {
  const cache = indexOf(model).endpoints;
  let endpoint = cache[workload.index];
  if (!endpoint) {
    endpoint = { type: 'workload', workload, namespace: model.namespaces.get(workload.namespace)! };
    cache[workload.index] = endpoint;
  }
  return endpoint;
}

/** The Gateway a pod serves, if it is a gateway pod (label set by Gateway API implementations). */
export function gatewayOfPod(model: ClusterModel, workload: WorkloadModel): GatewayModel | undefined {
  const cache = indexOf(model).gatewayOfPod;
  let gw = cache[workload.index];
  if (gw === undefined) {
    const name = workload.labels[GATEWAY_NAME_LABEL];
    gw = (name === undefined ? undefined : model.gateways.get(`${workload.namespace}/${name}`)) ?? null;
    cache[workload.index] = gw;
  }
  return gw ?? undefined;
}

/**
 * Does the endpoint speak HBONE with an identity? Ambient-enrolled pods do
 * (via ztunnel), waypoints do, and so do Istio's own gateway deployments.
 */
export function meshIdentity(model: ClusterModel, endpoint: Endpoint): string | undefined {
  if (endpoint.type !== 'workload') return undefined;
  const { workload, namespace } = endpoint;
  const cache = indexOf(model).identities;
  let identity = cache[workload.index];
  if (identity === undefined) {
    const gw = gatewayOfPod(model, workload);
    const meshed = isAmbient(workload, namespace) || gw?.isWaypoint === true || gw?.className === 'istio';
    identity = meshed ? identityOf(model.trustDomain, workload.namespace, workload.serviceAccount) : null;
    cache[workload.index] = identity;
  }
  return identity ?? undefined;
}
