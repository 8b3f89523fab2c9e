/**
 * A seeded generator of random CiliumNetworkPolicy clusters for the
 * differential test against Cilium's own policy engine (tools/cilium-oracle):
 * namespaces with labels, pods with labels, service accounts, IPs and named
 * ports, a few addresses outside the cluster, and policies with endpoint
 * selectors, from/to endpoints with and without namespace keys (and the
 * `k8s:`/`any:` sources), match expressions, service-account and
 * namespace-label selectors, entities, CIDR peers with `except`, port
 * numbers, ranges, names, `0`/ANY, ingressDeny/egressDeny and
 * enableDefaultDeny, and every form of the rule lists (absent, `[]`, `[{}]`,
 * rules). The same seed always gives the same cluster.
 */
import { Dice } from '../random';
import type { NetpolProtocol, Probe } from '../netpol/generator';

type Obj = Record<string, any>;

export interface CiliumCluster {
  id: string;
  seed: number;
  namespaces: Obj[];
  pods: Obj[];
  /** Addresses outside the cluster (CIDR identities for Cilium). */
  externals: string[];
  policies: Obj[];
  probes: Probe[];
}

const POD_KEYS = ['app', 'tier'];
const POD_VALUES = ['a', 'b', 'c'];
const NS_KEYS = ['team', 'env'];
const NS_VALUES = ['a', 'prod'];
const ACCOUNTS = ['default', 'sa-a', 'sa-b'];
const EXTERNALS = ['203.0.113.7', '198.51.100.9'];
const PORT_POOL: readonly Probe[] = [
  { port: 80, protocol: 'TCP' },
  { port: 53, protocol: 'UDP' },
  { port: 8080, protocol: 'TCP' },
  { port: 5000, protocol: 'SCTP' },
];
const PORT_NAMES = ['http', 'dns', 'web'];
const PROTOCOLS: readonly NetpolProtocol[] = ['TCP', 'UDP', 'SCTP'];
const UNDECLARED_PORT = 7777;

function labels(d: Dice, keys: readonly string[], values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of d.some(keys, d.int(0, keys.length))) out[k] = d.pick(values);
  return out;
}

/** A label key as a policy may write it: bare, or with the k8s: or any: source. */
function sourced(d: Dice, key: string): string {
  return d.pick(['', '', 'k8s:', 'any:']) + key;
}

function podSelectorTerms(d: Dice, namespaces: string[], withNamespace: boolean): Obj {
  if (d.chance(0.2)) return {};
  const matchLabels: Record<string, string> = {};
  const matchExpressions: Obj[] = [];
  for (const key of d.some(POD_KEYS, d.int(0, 2))) {
    if (d.chance(0.7)) matchLabels[sourced(d, key)] = d.pick(POD_VALUES);
    else {
      const operator = d.pick(['In', 'NotIn', 'Exists', 'DoesNotExist']);
      matchExpressions.push(
        operator === 'In' || operator === 'NotIn'
          ? { key: sourced(d, key), operator, values: d.some(POD_VALUES, d.int(1, 2)) }
          : { key: sourced(d, key), operator },
      );
    }
  }
  if (d.chance(0.2)) matchLabels[sourced(d, 'io.cilium.k8s.policy.serviceaccount')] = d.pick(ACCOUNTS);
  if (withNamespace && d.chance(0.4)) {
    if (d.chance(0.7)) matchLabels[sourced(d, 'io.kubernetes.pod.namespace')] = d.pick(namespaces);
    else matchExpressions.push({ key: 'k8s:io.kubernetes.pod.namespace', operator: d.pick(['In', 'NotIn']), values: d.some(namespaces, 1) });
  }
  if (withNamespace && d.chance(0.15)) matchLabels[`k8s:io.cilium.k8s.namespace.labels.${d.pick(NS_KEYS)}`] = d.pick(NS_VALUES);
  const out: Obj = {};
  if (Object.keys(matchLabels).length > 0) out.matchLabels = matchLabels;
  if (matchExpressions.length > 0) out.matchExpressions = matchExpressions;
  return out;
}

function portsEntry(d: Dice, deny: boolean): Obj {
  const ports = Array.from({ length: d.int(1, 2) }, () => {
    const protocol = d.pick([...PROTOCOLS, 'ANY']);
    switch (d.int(0, 4)) {
      case 0:
        return { port: '0', protocol };
      case 1:
        if (!deny) return { port: d.pick(PORT_NAMES), protocol: d.pick(['TCP', 'UDP']) };
        return { port: String(d.pick(PORT_POOL).port), protocol };
      case 2: {
        const start = d.pick([53, 80, 8000]);
        return { port: String(start), endPort: start + d.pick([1, 100]), protocol };
      }
      default: {
        const p = d.pick(PORT_POOL);
        return d.chance(0.8) ? { port: String(p.port), protocol: p.protocol } : { port: String(p.port), protocol };
      }
    }
  });
  return { ports };
}

function cidrPeer(d: Dice): Obj {
  const cidr = d.pick(['203.0.113.0/24', '203.0.113.7/32', '198.51.100.0/24', '0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16']);
  if (d.chance(0.5)) return { cidr: [cidr] };
  const inside: Record<string, string[]> = { '0.0.0.0/0': ['203.0.113.0/24'], '203.0.113.0/24': ['203.0.113.7/32'], '10.0.0.0/8': ['10.1.0.0/16'] };
  const except = inside[cidr] ?? [];
  return { cidrSet: [except.length > 0 && d.chance(0.7) ? { cidr, except } : { cidr }] };
}

function entry(d: Dice, namespaces: string[], direction: 'ingress' | 'egress', deny: boolean): Obj {
  const p = direction === 'ingress' ? 'from' : 'to';
  const out: Obj = {};
  const kind = d.int(0, 6);
  if (kind <= 2) out[`${p}Endpoints`] = Array.from({ length: d.int(1, 2) }, () => podSelectorTerms(d, namespaces, true));
  else if (kind === 3) out[`${p}Entities`] = d.some(['world', 'cluster', 'all', 'host'], d.int(1, 2));
  else if (kind === 4) {
    const c = cidrPeer(d);
    if (c.cidr) out[`${p}CIDR`] = c.cidr;
    else out[`${p}CIDRSet`] = c.cidrSet;
  }
  // kind 5, 6: no peer (ports only, or an empty rule).
  if (kind === 5 || d.chance(0.5)) out.toPorts = [portsEntry(d, deny)];
  return out;
}

function ruleList(d: Dice, namespaces: string[], direction: 'ingress' | 'egress', deny: boolean): Obj[] | undefined {
  const form = d.int(0, deny ? 6 : 5);
  if (form <= 1 || (deny && form <= 3)) return undefined;
  if (form === 2) return [];
  if (form === 3) return [{}];
  return Array.from({ length: d.int(1, 2) }, () => entry(d, namespaces, direction, deny));
}

function rule(d: Dice, namespaces: string[]): Obj {
  const out: Obj = { endpointSelector: podSelectorTerms(d, namespaces, d.chance(0.1)) };
  for (const [key, direction, deny] of [
    ['ingress', 'ingress', false],
    ['ingressDeny', 'ingress', true],
    ['egress', 'egress', false],
    ['egressDeny', 'egress', true],
  ] as const) {
    const list = ruleList(d, namespaces, direction, deny);
    if (list) out[key] = list;
  }
  if (!['ingress', 'ingressDeny', 'egress', 'egressDeny'].some(k => out[k]?.length > 0) && !d.chance(0.05)) {
    out[d.pick(['ingress', 'egress'])] = [entry(d, namespaces, 'ingress', false)];
  }
  if (d.chance(0.25)) {
    const edd: Obj = {};
    if (d.chance(0.6)) edd.ingress = d.chance(0.5);
    if (d.chance(0.6)) edd.egress = d.chance(0.5);
    out.enableDefaultDeny = edd;
  }
  return out;
}

function pod(d: Dice, namespace: string, index: number, nsIndex: number): Obj {
  const ports = d.some(PORT_POOL, d.int(0, 3));
  const names = d.some(PORT_NAMES, ports.length);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${index}`, namespace, labels: labels(d, POD_KEYS, POD_VALUES) },
    spec: {
      serviceAccountName: d.pick(ACCOUNTS),
      containers: [
        { name: 'c', image: 'x', ports: ports.map((p, i) => ({ ...(d.chance(0.75) ? { name: names[i] } : {}), containerPort: p.port, protocol: p.protocol })) },
      ],
    },
    status: { podIP: `10.${d.pick([0, 1])}.${nsIndex}.${index + 1}` },
  };
}

function probesFor(pods: Obj[], policies: Obj[]): Probe[] {
  const numbers = new Set<number>([UNDECLARED_PORT]);
  for (const p of pods) for (const cp of p.spec.containers[0].ports) numbers.add(cp.containerPort);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const o = value as Obj;
      if (typeof o.port === 'string' && /^\d+$/.test(o.port) && o.port !== '0') {
        const n = Number(o.port);
        numbers.add(n);
        if (n > 1) numbers.add(n - 1);
        if (typeof o.endPort === 'number') {
          numbers.add(o.endPort);
          numbers.add(o.endPort + 1);
        }
      }
      Object.values(o).forEach(visit);
    }
  };
  visit(policies);
  return [...numbers].sort((a, b) => a - b).flatMap(port => PROTOCOLS.map(protocol => ({ port, protocol })));
}

/** One random cluster; `seed` decides everything. */
export function generateCiliumCluster(seed: number): CiliumCluster {
  const d = Dice.seeded(seed);
  const namespaces = Array.from({ length: d.int(1, 3) }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: `ns-${i}`, labels: labels(d, NS_KEYS, NS_VALUES) },
  }));
  const names = namespaces.map(n => n.metadata.name);
  const pods = namespaces.flatMap((ns, n) => Array.from({ length: d.int(1, 3) }, (_, i) => pod(d, ns.metadata.name, i, n)));
  const policies = Array.from({ length: d.int(0, 4) }, (_, i) => {
    const spec = rule(d, names);
    const namespace = d.pick(names);
    // Now and then clusterwide: selectors then reach every namespace.
    if (d.chance(0.15)) return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `ccnp-${i}` }, spec };
    return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: `cnp-${i}`, namespace }, spec };
  });
  const externals = d.some(EXTERNALS, d.int(0, 2));
  return { id: `seed-${seed}`, seed, namespaces, pods, externals, policies, probes: probesFor(pods, policies) };
}
