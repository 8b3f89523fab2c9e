/** Small builders for analyzer tests: plain manifests, the way users write them. */
import { loadCluster } from './load';
import { AnalyzeRequest, analyzeRequest, RequestResult } from './request';

type Obj = Record<string, unknown>;

export function namespace(name: string, labels: Record<string, string> = {}): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function ambientNamespace(name: string, labels: Record<string, string> = {}): Obj {
  return namespace(name, { 'istio.io/dataplane-mode': 'ambient', ...labels });
}

export interface PodOptions {
  labels?: Record<string, string>;
  serviceAccount?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  ip?: string;
}

/** A Pod named `ns/name` with label app=<name> unless labels are given. */
export function pod(key: string, options: PodOptions = {}): Obj {
  const [ns, name] = key.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: options.labels ?? { app: name } },
    spec: {
      ...(options.serviceAccount ? { serviceAccountName: options.serviceAccount } : {}),
      containers: [{ name: 'main', image: 'x', ports: options.ports ?? [{ name: 'http', containerPort: 8080 }] }],
    },
    ...(options.ip ? { status: { podIP: options.ip } } : {}),
  };
}

export function deployment(key: string, options: PodOptions = {}): Obj {
  const [ns, name] = key.split('/');
  const labels = options.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: options.serviceAccount ?? name,
          containers: [{ name: 'main', image: 'x', ports: options.ports ?? [{ name: 'http', containerPort: 8080 }] }],
        },
      },
    },
  };
}

export function service(key: string, selector: Record<string, string>, options: { labels?: Record<string, string>; ports?: Obj[] } = {}): Obj {
  const [ns, name] = key.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: options.labels ?? {} },
    spec: { selector, ports: options.ports ?? [{ name: 'http', port: 8080, targetPort: 8080 }] },
  };
}

export function networkPolicy(key: string, spec: Obj): Obj {
  const [ns, name] = key.split('/');
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

export function ciliumPolicy(key: string, spec: Obj): Obj {
  const [ns, name] = key.split('/');
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: ns }, spec };
}

export function ciliumClusterwidePolicy(name: string, spec: Obj): Obj {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

export function peerAuthentication(key: string, spec: Obj, creationTimestamp?: string): Obj {
  const [ns, name] = key.split('/');
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace: ns, ...(creationTimestamp ? { creationTimestamp } : {}) },
    spec,
  };
}

export function authorizationPolicy(key: string, spec: Obj): Obj {
  const [ns, name] = key.split('/');
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec };
}

export function gateway(key: string, gatewayClassName: string, labels: Record<string, string> = {}): Obj {
  const [ns, name] = key.split('/');
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: ns, labels },
    spec: {
      gatewayClassName,
      listeners: gatewayClassName === 'istio-waypoint' ? [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] : [{ name: 'http', port: 80, protocol: 'HTTP' }],
    },
  };
}

export function waypoint(key: string): Obj {
  return gateway(key, 'istio-waypoint');
}

/** Loads the manifests (failing the test on any problem) and analyzes one request. */
export function analyze(manifests: Obj[], request: AnalyzeRequest): RequestResult {
  const model = loadCluster(manifests);
  if (model.problems.length > 0) {
    throw new Error(`fixture has problems: ${JSON.stringify(model.problems)}`);
  }
  return analyzeRequest(model, request);
}

/** The verdict of one layer of a result. */
export function layer(result: RequestResult, name: 'L3/L4' | 'mTLS' | 'L7') {
  return result.layers.find(l => l.layer === name)!;
}
