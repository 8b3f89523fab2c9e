/**
 * Where a request goes: its source, the destination's backends (a workload,
 * or every workload a Service selects) and whether it passes through the
 * destination's waypoint on the way.
 */
import type { AuthorizationPolicyModel } from './authorization';
import { isIp } from './ip';
import { compareText } from '../order';
import {
  ClusterModel,
  Endpoint,
  GatewayModel,
  INGRESS_USE_WAYPOINT_LABEL,
  Protocol,
  ServiceModel,
  ServicePortModel,
  USE_WAYPOINT_LABEL,
  USE_WAYPOINT_NAMESPACE_LABEL,
  WAYPOINT_FOR_LABEL,
  WorkloadModel,
} from './model';
import { gatewayOfPod, indexOf, policiesOfWaypoint, waypointPod, workloadEndpoint } from './modelIndex';
import { AnalyzerInputError } from './requestInput';

export function resolveSource(model: ClusterModel, from: string): Endpoint {
  if (isIp(from)) return { type: 'external', ip: from };
  const workload = model.workloadsByKey.get(from);
  if (!workload)
    throw new AnalyzerInputError(`--from: unknown workload "${from}" (expected namespace/name of a Pod or workload in the manifests, or an IP address)`);
  return workloadEndpoint(model, workload);
}

export interface Backend {
  workload: WorkloadModel;
  appPort: number;
}

export interface Target {
  description: string;
  external?: string;
  service?: ServiceModel;
  backends: Backend[];
  /** Backends the Service selects that lack the named target port. */
  skipped: string[];
  /** The Service's waypoint and the policies it applies there, looked up once per target (null: none). */
  waypoint?: { gw: GatewayModel; policies: AuthorizationPolicyModel[] } | null;
}

function resolveNamedPort(workload: WorkloadModel, name: string, protocol: Protocol): number | undefined {
  return workload.ports.find(p => p.name === name && p.protocol === protocol)?.port;
}

function serviceSelects(service: ServiceModel, workload: WorkloadModel): boolean {
  if (!service.selector || service.namespace !== workload.namespace) return false;
  return Object.entries(service.selector).every(([k, v]) => workload.labels[k] === v);
}

function targetPortOf(sp: ServicePortModel, workload: WorkloadModel): number | undefined {
  return typeof sp.targetPort === 'number' ? sp.targetPort : resolveNamedPort(workload, sp.targetPort, sp.protocol);
}

/** The Service through which a workload is reached on `appPort`, if any (first by name). */
export function serviceFor(model: ClusterModel, workload: WorkloadModel, appPort: number, protocol: Protocol): ServiceModel | undefined {
  const cache = indexOf(model).services;
  const key = `${workload.index}|${appPort}|${protocol}`;
  let found = cache.get(key);
  if (found === undefined) {
    found = findService(model, workload, appPort, protocol) ?? null;
    cache.set(key, found);
  }
  return found ?? undefined;
}

function findService(model: ClusterModel, workload: WorkloadModel, appPort: number, protocol: Protocol): ServiceModel | undefined {
  return model.services
    .filter(s => serviceSelects(s, workload) && s.ports.some(sp => sp.protocol === protocol && targetPortOf(sp, workload) === appPort))
    .sort((a, b) => compareText(a.name, b.name))[0];
}

export function resolveTarget(model: ClusterModel, to: string, port: number | string, protocol: Protocol, addressing: 'service' | 'pod'): Target {
  if (isIp(to)) {
    if (typeof port !== 'number') throw new AnalyzerInputError(`--port: a named port needs a workload or Service target, not ${to}`);
    return { description: to, external: to, backends: [], skipped: [] };
  }
  const explicitService = to.startsWith('service:');
  const key = explicitService ? to.slice('service:'.length) : to;
  const workload = explicitService ? undefined : model.workloadsByKey.get(key);
  if (workload) {
    const appPort = typeof port === 'number' ? port : resolveNamedPort(workload, port, protocol);
    if (appPort === undefined) {
      throw new AnalyzerInputError(`--port: ${workload.key} has no ${protocol} container port named "${port}"`);
    }
    const service = addressing === 'pod' ? undefined : serviceFor(model, workload, appPort, protocol);
    return { description: workload.key, service, backends: [{ workload, appPort }], skipped: [] };
  }
  const service = model.servicesByKey.get(key);
  if (!service) {
    throw new AnalyzerInputError(`--to: unknown workload or Service "${to}" (expected namespace/name from the manifests)`);
  }
  const sp = service.ports.find(p => p.protocol === protocol && (typeof port === 'number' ? p.port === port : p.name === port));
  if (!sp) {
    throw new AnalyzerInputError(`--port: Service ${service.key} has no ${protocol} port ${JSON.stringify(port)}`);
  }
  const backends: Backend[] = [];
  const skipped: string[] = [];
  for (const w of model.workloads) {
    if (!serviceSelects(service, w)) continue;
    const appPort = targetPortOf(sp, w);
    if (appPort === undefined) skipped.push(w.key);
    else backends.push({ workload: w, appPort });
  }
  return { description: `Service ${service.key}`, service: addressing === 'pod' ? undefined : service, backends, skipped };
}

/** The waypoint a Service's traffic goes through (Service label first, then its namespace; docs/policy-semantics.md#authz-10). */
export function waypointForService(model: ClusterModel, service: ServiceModel): GatewayModel | undefined {
  const cache = indexOf(model).waypoints;
  let found = cache.get(service.key);
  if (found === undefined) {
    found = findWaypoint(model, service) ?? null;
    cache.set(service.key, found);
  }
  return found ?? undefined;
}

function findWaypoint(model: ClusterModel, service: ServiceModel): GatewayModel | undefined {
  const ns = model.namespaces.get(service.namespace);
  const fromService = service.labels[USE_WAYPOINT_LABEL] !== undefined;
  const labels = fromService ? service.labels : ns?.labels ?? {};
  const name = labels[USE_WAYPOINT_LABEL];
  if (!name || name === 'none') return undefined;
  const gwNamespace = labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? service.namespace;
  const gw = model.gateways.get(`${gwNamespace}/${name}`);
  if (!gw || !gw.isWaypoint) return undefined;
  const waypointFor = gw.labels[WAYPOINT_FOR_LABEL] ?? 'service';
  return waypointFor === 'service' || waypointFor === 'all' ? gw : undefined;
}

// ---------------------------------------------------------------- route

function isIngressGatewayPod(model: ClusterModel, endpoint: Endpoint): boolean {
  if (endpoint.type !== 'workload') return false;
  const gw = gatewayOfPod(model, endpoint.workload);
  return !!gw && !gw.isWaypoint;
}

/** Which way a request from `source` takes to a backend of `target`: through a waypoint pod, or straight. */
export interface Route {
  gw?: GatewayModel;
  /** Set when the request goes through the waypoint. */
  wpPod?: WorkloadModel;
  /** The route in words (empty when quiet). */
  text: string;
}

export function waypointOf(model: ClusterModel, target: Target): { gw: GatewayModel; policies: AuthorizationPolicyModel[] } | undefined {
  if (target.waypoint === undefined) {
    const gw = target.service ? waypointForService(model, target.service) : undefined;
    target.waypoint = gw ? { gw, policies: policiesOfWaypoint(model, gw, target.service!) } : null;
  }
  return target.waypoint ?? undefined;
}

export function routeOf(model: ClusterModel, source: Endpoint, target: Target, identity: string | undefined, protocol: Protocol, quiet: boolean): Route {
  const gw = waypointOf(model, target)?.gw;
  let text = '';
  if (!quiet) text = target.service ? `through Service ${target.service.key}` : 'addressed to the pod';
  let useWaypoint = !!gw && identity !== undefined && protocol === 'TCP';
  if (useWaypoint && source.type === 'workload' && gatewayOfPod(model, source.workload)?.key === gw!.key) useWaypoint = false;
  if (useWaypoint && isIngressGatewayPod(model, source)) {
    // docs/policy-semantics.md#authz-11: ingress gateways skip the waypoint unless the Service or namespace opts in.
    const nsLabels = model.namespaces.get(target.service!.namespace)?.labels ?? {};
    const optIn = target.service!.labels[INGRESS_USE_WAYPOINT_LABEL] === 'true' || nsLabels[INGRESS_USE_WAYPOINT_LABEL] === 'true';
    if (!optIn) {
      useWaypoint = false;
      if (!quiet) text += ` (the ingress gateway skips waypoint ${gw!.key}: no ${INGRESS_USE_WAYPOINT_LABEL}="true")`;
    }
  }
  const wpPod = useWaypoint ? waypointPod(model, gw!) : undefined;
  if (!useWaypoint || !wpPod) {
    if (!quiet && gw && identity === undefined) text += ` (a plaintext caller is not redirected to waypoint ${gw.key})`;
    return { gw, text };
  }
  return { gw, wpPod, text: quiet ? '' : `${text} via waypoint ${gw!.key}` };
}
