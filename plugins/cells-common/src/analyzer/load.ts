/** Manifests (plain objects) -> the cluster model. Malformed objects are reported, never guessed. */
import { parseServiceEntry } from './serviceEntry';
import { readStringMap } from '../labels';
import { parseAuthorizationPolicy, AuthorizationPolicyModel } from './authorization';
import { parseCiliumPolicy, CiliumPolicyModel } from './cilium';
import {
  AMBIENT_LABEL,
  AnalyzerOptions,
  ClusterModel,
  ContainerPort,
  GATEWAY_NAME_LABEL,
  GatewayModel,
  HBONE_PORT,
  HttpRouteModel,
  isPlainObject,
  isValidPortName,
  isValidPortNumber,
  NAMESPACE_NAME_LABEL,
  NamespaceModel,
  ProblemSink,
  readList,
  readProtocol,
  ServiceModel,
  ServicePortModel,
  WAYPOINT_CLASS,
  WorkloadModel,
} from './model';
import { parsePeerAuthentication, PeerAuthenticationModel } from './mtls';
import { parseNetworkPolicy, NetworkPolicyModel } from './networkPolicy';

export interface LoadOptions extends AnalyzerOptions {
  /** Where each manifest came from (same order), e.g. `cells.yaml#3`; used in problems. */
  sources?: readonly (string | undefined)[];
}

const WORKLOAD_TEMPLATE_KINDS: Record<string, string> = {
  'apps/Deployment': 'Deployment',
  'apps/StatefulSet': 'StatefulSet',
  'apps/DaemonSet': 'DaemonSet',
  'apps/ReplicaSet': 'ReplicaSet',
  'batch/Job': 'Job',
  'batch/CronJob': 'CronJob',
};

interface Pending {
  workload: Omit<WorkloadModel, 'index'>;
  owner?: { kind: string; name: string };
  object: string;
  source?: string;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function readPodSpec(spec: unknown, field: string, sink: ProblemSink): { serviceAccount: string; ports: ContainerPort[] } | undefined {
  if (!isPlainObject(spec)) {
    sink.add(field, 'is required');
    return undefined;
  }
  const sa = spec.serviceAccountName ?? spec.serviceAccount;
  if (sa !== undefined && sa !== null && (typeof sa !== 'string' || sa === '')) {
    sink.add(`${field}.serviceAccountName`, 'must be a non-empty string');
  }
  const ports: ContainerPort[] = [];
  const containers = readList(spec.containers, `${field}.containers`, sink);
  if (!containers || containers.length === 0) sink.add(`${field}.containers`, 'needs at least one container');
  const sidecars = (readList(spec.initContainers, `${field}.initContainers`, sink) ?? []).filter(c => isPlainObject(c) && c.restartPolicy === 'Always');
  const all = [
    ...(containers ?? []).map((c, i) => [c, `${field}.containers[${i}]`] as const),
    ...sidecars.map((c, i) => [c, `${field}.initContainers[${i}]`] as const),
  ];
  for (const [container, at] of all) {
    if (!isPlainObject(container)) {
      sink.add(at, 'must be an object');
      continue;
    }
    (readList(container.ports, `${at}.ports`, sink) ?? []).forEach((p, j) => {
      const pat = `${at}.ports[${j}]`;
      if (!isPlainObject(p) || !isValidPortNumber(p.containerPort)) {
        sink.add(`${pat}.containerPort`, 'must be a port number 1-65535');
        return;
      }
      const protocol = readProtocol(p.protocol, `${pat}.protocol`, sink);
      if (p.name !== undefined && (typeof p.name !== 'string' || !isValidPortName(p.name))) {
        sink.add(`${pat}.name`, `invalid port name ${JSON.stringify(p.name)}`);
        return;
      }
      if (protocol) ports.push({ name: p.name as string | undefined, port: p.containerPort, protocol });
    });
  }
  if (!sink.ok) return undefined;
  return { serviceAccount: typeof sa === 'string' ? sa : 'default', ports };
}

function readService(
  obj: Record<string, unknown>,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  sink: ProblemSink,
): ServiceModel | undefined {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  let selector: Record<string, string> | undefined;
  if (spec.selector !== undefined && spec.selector !== null) {
    const { map, problems } = readStringMap(spec.selector, 'spec.selector');
    problems.forEach(p => sink.add(p.field, p.message));
    if (Object.keys(map).length > 0) selector = map;
  }
  const ports: ServicePortModel[] = [];
  (readList(spec.ports, 'spec.ports', sink) ?? []).forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (!isPlainObject(p) || !isValidPortNumber(p.port)) {
      sink.add(`${at}.port`, 'must be a port number 1-65535');
      return;
    }
    const protocol = readProtocol(p.protocol, `${at}.protocol`, sink);
    let targetPort: number | string = p.port;
    if (p.targetPort !== undefined && p.targetPort !== null) {
      if (isValidPortNumber(p.targetPort)) targetPort = p.targetPort;
      else if (typeof p.targetPort === 'string' && isValidPortName(p.targetPort)) targetPort = p.targetPort;
      else {
        sink.add(`${at}.targetPort`, `must be a port number or name (got ${JSON.stringify(p.targetPort)})`);
        return;
      }
    }
    if (p.name !== undefined && typeof p.name !== 'string') sink.add(`${at}.name`, 'must be a string');
    if (protocol) ports.push({ name: p.name as string | undefined, port: p.port, targetPort, protocol });
  });
  if (!sink.ok) return undefined;
  return { key: `${namespace}/${name}`, namespace, name, labels, selector, ports };
}

function readHttpRoute(obj: Record<string, unknown>, namespace: string, name: string, sink: ProblemSink): HttpRouteModel | undefined {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const ref = (r: unknown, at: string, defaultKind: string) => {
    if (!isPlainObject(r) || typeof r.name !== 'string') {
      sink.add(at, 'needs a name');
      return undefined;
    }
    return {
      kind: typeof r.kind === 'string' ? r.kind : defaultKind,
      namespace: typeof r.namespace === 'string' ? r.namespace : namespace,
      name: r.name,
      port: typeof r.port === 'number' ? r.port : undefined,
    };
  };
  const parentRefs = (readList(spec.parentRefs, 'spec.parentRefs', sink) ?? [])
    .map((r, i) => ref(r, `spec.parentRefs[${i}]`, 'Gateway'))
    .filter(<T>(x: T | undefined): x is T => x !== undefined);
  const backendRefs = (readList(spec.rules, 'spec.rules', sink) ?? []).flatMap((rule, i) =>
    (readList(isPlainObject(rule) ? rule.backendRefs : undefined, `spec.rules[${i}].backendRefs`, sink) ?? [])
      .map((r, j) => ref(r, `spec.rules[${i}].backendRefs[${j}]`, 'Service'))
      .filter(<T>(x: T | undefined): x is T => x !== undefined),
  );
  if (!sink.ok) return undefined;
  return { key: `${namespace}/${name}`, namespace, name, parentRefs, backendRefs };
}

/**
 * Builds the cluster model from any manifests. Unknown kinds are skipped with a
 * note; malformed objects become problems (naming object and field) and are left out.
 */
export function loadCluster(manifests: readonly unknown[], options: LoadOptions = {}): ClusterModel {
  const model: ClusterModel = {
    namespaces: new Map(),
    workloads: [],
    workloadsByKey: new Map(),
    services: [],
    servicesByKey: new Map(),
    serviceAccounts: new Set(),
    gateways: new Map(),
    httpRoutes: [],
    networkPolicies: [] as NetworkPolicyModel[],
    ciliumPolicies: [] as CiliumPolicyModel[],
    peerAuthentications: [] as PeerAuthenticationModel[],
    authorizationPolicies: [] as AuthorizationPolicyModel[],
    serviceEntries: [],
    problems: [],
    notes: [],
    trustDomain: options.trustDomain ?? 'cluster.local',
    rootNamespace: options.rootNamespace ?? 'istio-system',
  };
  const pending: Pending[] = [];
  const present = new Set<string>(); // `ns/Kind/name` of everything read, for owner lookups
  const seen = new Set<string>();
  const referencedNamespaces = new Set<string>();
  let order = 0;

  const visit = (value: unknown, source: string | undefined, label: string) => {
    if (!isPlainObject(value)) {
      model.problems.push({ object: label, field: '', message: 'is not an object', ...(source ? { source } : {}) });
      return;
    }
    const kind = value.kind;
    const apiVersion = value.apiVersion;
    const metadata = value.metadata;
    const name = isPlainObject(metadata) ? metadata.name : undefined;
    if (typeof kind !== 'string' || typeof apiVersion !== 'string') {
      model.problems.push({ object: label, field: typeof kind !== 'string' ? 'kind' : 'apiVersion', message: 'is required', ...(source ? { source } : {}) });
      return;
    }
    if (kind === 'List' || kind.endsWith('List')) {
      (Array.isArray(value.items) ? value.items : []).forEach((item, i) => visit(item, source, `${label} item ${i}`));
      return;
    }
    if (typeof name !== 'string' || name === '') {
      model.problems.push({ object: `${kind} (${label})`, field: 'metadata.name', message: 'is required', ...(source ? { source } : {}) });
      return;
    }
    const meta = metadata as Record<string, unknown>;
    const clusterScoped = kind === 'Namespace' || kind === 'CiliumClusterwideNetworkPolicy';
    const nsValue = meta.namespace;
    if (nsValue !== undefined && nsValue !== null && typeof nsValue !== 'string') {
      model.problems.push({ object: `${kind} ${name}`, field: 'metadata.namespace', message: 'must be a string', ...(source ? { source } : {}) });
      return;
    }
    const namespace = clusterScoped ? '' : (nsValue as string | undefined) || 'default';
    const objectName = clusterScoped ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;
    const sink = new ProblemSink(objectName, source);
    const group = groupOf(apiVersion);
    const id = `${group}/${kind}/${namespace}/${name}`;
    if (seen.has(id)) {
      sink.add('metadata.name', 'appears twice in the input');
      model.problems.push(...sink.problems);
      return;
    }
    seen.add(id);
    present.add(`${namespace}/${kind}/${name}`);
    if (!clusterScoped) referencedNamespaces.add(namespace);
    const { map: labels, problems: labelProblems } = readStringMap(meta.labels, 'metadata.labels');
    labelProblems.forEach(p => sink.add(p.field, p.message));
    const owners = (Array.isArray(meta.ownerReferences) ? meta.ownerReferences : []).filter(
      (o): o is Record<string, unknown> => isPlainObject(o) && o.controller === true && typeof o.kind === 'string' && typeof o.name === 'string',
    );
    const owner = owners[0] ? { kind: owners[0].kind as string, name: owners[0].name as string } : undefined;
    const position = order++;

    const templateKind = WORKLOAD_TEMPLATE_KINDS[`${group}/${kind}`];
    switch (true) {
      case group === '' && kind === 'Namespace':
        if (sink.ok) model.namespaces.set(name, { name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name }, implied: false });
        break;
      case group === '' && kind === 'Pod': {
        const pod = readPodSpec(value.spec, 'spec', sink);
        const status = isPlainObject(value.status) ? value.status : {};
        if (isPlainObject(value.spec) && value.spec.hostNetwork === true) {
          model.notes.push(`${objectName}: hostNetwork pods use the node's address; the analyzer treats it as a pod`);
        }
        if (pod && sink.ok) {
          pending.push({
            workload: {
              key: `${namespace}/${name}`,
              kind,
              namespace,
              name,
              labels,
              ...pod,
              ip: typeof status.podIP === 'string' ? status.podIP : undefined,
              synthesized: false,
            },
            owner,
            object: objectName,
            source,
          });
        }
        break;
      }
      case templateKind !== undefined: {
        const spec = isPlainObject(value.spec) ? value.spec : undefined;
        const jobSpec = isPlainObject(spec?.jobTemplate) && isPlainObject(spec!.jobTemplate.spec) ? spec!.jobTemplate.spec : undefined;
        const holder = kind === 'CronJob' ? jobSpec : spec;
        const field = kind === 'CronJob' ? 'spec.jobTemplate.spec.template' : 'spec.template';
        const template = holder?.template;
        if (!isPlainObject(template)) {
          sink.add(field, 'is required');
          break;
        }
        const tmeta = isPlainObject(template.metadata) ? template.metadata : {};
        const { map: podLabels, problems } = readStringMap(tmeta.labels, `${field}.metadata.labels`);
        problems.forEach(p => sink.add(p.field, p.message));
        const pod = readPodSpec(template.spec, `${field}.spec`, sink);
        if (pod && sink.ok) {
          pending.push({
            workload: { key: `${namespace}/${name}`, kind, namespace, name, labels: podLabels, ...pod, synthesized: false },
            owner,
            object: objectName,
            source,
          });
        }
        break;
      }
      case group === '' && kind === 'ServiceAccount':
        model.serviceAccounts.add(`${namespace}/${name}`);
        break;
      case group === '' && kind === 'Service': {
        const svc = readService(value, namespace, name, labels, sink);
        if (svc) {
          model.services.push(svc);
          model.servicesByKey.set(svc.key, svc);
        }
        break;
      }
      case group === 'networking.k8s.io' && kind === 'NetworkPolicy': {
        const p = parseNetworkPolicy(value, namespace, name, sink);
        if (p) model.networkPolicies.push(p);
        break;
      }
      case group === 'cilium.io' && (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy'): {
        const p = parseCiliumPolicy(value, kind, clusterScoped ? undefined : namespace, name, sink, model.notes);
        if (p) model.ciliumPolicies.push(p);
        break;
      }
      case group === 'security.istio.io' && kind === 'PeerAuthentication': {
        const p = parsePeerAuthentication(value, namespace, name, position, sink);
        if (p) model.peerAuthentications.push(p);
        break;
      }
      case group === 'security.istio.io' && kind === 'AuthorizationPolicy': {
        const p = parseAuthorizationPolicy(value, namespace, name, position, sink);
        if (p) model.authorizationPolicies.push(p);
        break;
      }
      case group === 'gateway.networking.k8s.io' && kind === 'Gateway': {
        const spec = isPlainObject(value.spec) ? value.spec : {};
        if (typeof spec.gatewayClassName !== 'string' || spec.gatewayClassName === '') {
          sink.add('spec.gatewayClassName', 'is required');
          break;
        }
        const gw: GatewayModel = {
          key: `${namespace}/${name}`,
          namespace,
          name,
          className: spec.gatewayClassName,
          labels,
          isWaypoint: spec.gatewayClassName === WAYPOINT_CLASS,
        };
        if (sink.ok) model.gateways.set(gw.key, gw);
        break;
      }
      case group === 'networking.istio.io' && kind === 'ServiceEntry': {
        const entry = parseServiceEntry(value, namespace, name, labels, sink);
        if (entry) model.serviceEntries.push(entry);
        break;
      }
      case group === 'gateway.networking.k8s.io' && kind === 'HTTPRoute': {
        const route = readHttpRoute(value, namespace, name, sink);
        if (route) model.httpRoutes.push(route);
        break;
      }
      default:
        model.notes.push(`${objectName} (${apiVersion}): kind not analyzed, ignored`);
    }
    model.problems.push(...sink.problems);
  };

  manifests.forEach((m, i) => {
    const source = options.sources?.[i];
    visit(m, source, source ?? `document ${i + 1}`);
  });

  // A controller-owned object whose owner is also in the input is the same workload twice.
  const ownedByPresent = (p: Pending) => {
    if (!p.owner) return false;
    if (present.has(`${p.workload.namespace}/${p.owner.kind}/${p.owner.name}`)) return true;
    const hash = p.workload.labels['pod-template-hash'];
    return (
      p.owner.kind === 'ReplicaSet' &&
      hash !== undefined &&
      p.owner.name.endsWith(`-${hash}`) &&
      present.has(`${p.workload.namespace}/Deployment/${p.owner.name.slice(0, -hash.length - 1)}`)
    );
  };
  for (const p of pending) {
    if (ownedByPresent(p)) {
      model.notes.push(`${p.object}: counted as part of its owner ${p.owner!.kind} ${p.owner!.name}`);
      continue;
    }
    if (model.workloadsByKey.has(p.workload.key)) {
      model.problems.push({
        object: p.object,
        field: 'metadata.name',
        message: `another workload is also named ${p.workload.key}; workloads are addressed by namespace/name`,
        ...(p.source ? { source: p.source } : {}),
      });
      continue;
    }
    const workload: WorkloadModel = { ...p.workload, index: model.workloads.length };
    model.workloads.push(workload);
    model.workloadsByKey.set(workload.key, workload);
  }

  // docs/policy-semantics.md#authz-10: Istio deploys a waypoint's pods; add them when the input has none.
  for (const gw of model.gateways.values()) {
    if (!gw.isWaypoint) continue;
    const hasPods = model.workloads.some(w => w.namespace === gw.namespace && w.labels[GATEWAY_NAME_LABEL] === gw.name);
    if (hasPods) continue;
    let key = `${gw.namespace}/${gw.name}`;
    if (model.workloadsByKey.has(key)) key = `${key}-waypoint`;
    const workload: WorkloadModel = {
      key,
      kind: 'Waypoint',
      namespace: gw.namespace,
      name: key.slice(gw.namespace.length + 1),
      labels: { [GATEWAY_NAME_LABEL]: gw.name, [AMBIENT_LABEL]: 'none' },
      serviceAccount: gw.name,
      ports: [{ name: 'mesh', port: HBONE_PORT, protocol: 'TCP' }],
      synthesized: true,
      index: model.workloads.length,
    };
    model.workloads.push(workload);
    model.workloadsByKey.set(key, workload);
    model.notes.push(`Gateway ${gw.key}: no waypoint pods in the input, assumed ${key} as Istio deploys it`);
  }

  for (const ns of referencedNamespaces) {
    if (!model.namespaces.has(ns)) {
      const implied: NamespaceModel = { name: ns, labels: { [NAMESPACE_NAME_LABEL]: ns }, implied: true };
      model.namespaces.set(ns, implied);
    }
  }
  return model;
}
