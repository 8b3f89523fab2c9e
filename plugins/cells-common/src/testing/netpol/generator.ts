/**
 * A seeded generator of random NetworkPolicy-only clusters for differential
 * tests against an independent engine (tools/netpol-oracle): namespaces with
 * labels, pods with labels, IPs and named container ports, and NetworkPolicies
 * using every policyTypes form, pod and namespace selectors (matchLabels and
 * matchExpressions), named ports, port ranges, ipBlocks with except, and TCP,
 * UDP and SCTP. Every object is valid for the Kubernetes API, so both engines
 * must accept it. The same seed always gives the same cluster.
 */
import { Dice, seededRandom } from '../random';

type Obj = Record<string, any>;
export type NetpolProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface Probe {
  port: number;
  protocol: NetpolProtocol;
}

export interface RandomCluster {
  id: string;
  seed: number;
  namespaces: Obj[];
  pods: Obj[];
  networkPolicies: Obj[];
  /** Every port and protocol asked for every ordered pod pair. */
  probes: Probe[];
}

const POD_KEYS = ['app', 'tier', 'team'];
const POD_VALUES = ['a', 'b', 'c'];
const NS_KEYS = ['team', 'env'];
const NS_VALUES = ['a', 'b', 'prod'];
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const PORT_POOL: readonly Probe[] = [
  { port: 80, protocol: 'TCP' },
  { port: 443, protocol: 'TCP' },
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
  { port: 8080, protocol: 'TCP' },
  { port: 9090, protocol: 'TCP' },
  { port: 5000, protocol: 'SCTP' },
  { port: 5353, protocol: 'UDP' },
];
const PORT_NAMES = ['http', 'dns', 'web', 'metrics', 'sctp'];
const PROTOCOLS: readonly NetpolProtocol[] = ['TCP', 'UDP', 'SCTP'];
/** A port no pod declares, so the probes cover "nothing listens here" too. */
const UNDECLARED_PORT = 7777;

/** A label value; now and then the empty string, which is a valid value. */
function value(d: Dice, values: readonly string[]): string {
  return d.chance(0.08) ? '' : d.pick(values);
}

function labels(d: Dice, keys: readonly string[], values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of d.some(keys, d.int(0, keys.length))) out[k] = value(d, values);
  return out;
}

function selector(d: Dice, keys: readonly string[], values: readonly string[]): Obj {
  if (d.chance(0.25)) return {};
  const out: Obj = {};
  if (d.chance(0.6)) {
    const matchLabels: Record<string, string> = {};
    for (const k of d.some(keys, d.int(1, 2))) matchLabels[k] = value(d, values);
    out.matchLabels = matchLabels;
  }
  if (!out.matchLabels || d.chance(0.4)) {
    out.matchExpressions = d.some(keys, d.int(1, 2)).map(key => {
      const operator = d.pick(['In', 'NotIn', 'Exists', 'DoesNotExist']);
      return operator === 'In' || operator === 'NotIn' ? { key, operator, values: d.some(values, d.int(1, 2)) } : { key, operator };
    });
  }
  return out;
}

function ipv4(text: string): number {
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function ipv4Text(n: number): string {
  return [24, 16, 8, 0].map(shift => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The network of `ip` with `bits` prefix bits, as CIDR text (IPv4, or IPv6 written as fd00:<a>::<b>). */
function cidrAround(ip: string, bits: number): string {
  if (ip.includes(':')) {
    // Pod IPv6 addresses here are fd00:<ns>::<n>; /16 covers them all, /32 one namespace, /128 one pod.
    const [, ns] = ip.split(':');
    if (bits <= 16) return 'fd00::/16';
    if (bits <= 32) return `fd00:${ns}::/32`;
    return `${ip}/128`;
  }
  const size = 2 ** (32 - bits);
  return `${ipv4Text(Math.floor(ipv4(ip) / size) * size)}/${bits}`;
}

function ipBlock(d: Dice, pods: Obj[]): Obj {
  const anchor = d.pick(pods).status.podIP as string;
  const v6 = anchor.includes(':');
  const bits = v6 ? d.pick([16, 32, 128]) : d.pick([0, 8, 16, 24, 32]);
  const block: Obj = { cidr: cidrAround(anchor, bits) };
  // except must lie strictly inside the CIDR: carve out around another pod of the same family when one falls inside.
  const maxBits = v6 ? 128 : 32;
  if (bits < maxBits && d.chance(0.5)) {
    const inside = pods.map(p => p.status.podIP as string).filter(ip => ip.includes(':') === v6 && cidrAround(ip, bits) === block.cidr);
    const exceptBits = v6 ? d.pick([32, 128].filter(b => b > bits)) : d.pick([8, 16, 24, 32].filter(b => b > bits));
    if (inside.length > 0 && exceptBits !== undefined) block.except = [cidrAround(d.pick(inside), exceptBits)];
  }
  return block;
}

function portEntry(d: Dice, pods: Obj[]): Obj {
  const protocol = d.pick(PROTOCOLS);
  const withProtocol = (entry: Obj) => (d.chance(0.3) && protocol === 'TCP' ? entry : { ...entry, protocol });
  const declared = pods.flatMap(p => p.spec.containers[0].ports as Obj[]);
  switch (d.int(0, 3)) {
    case 0:
      return { protocol };
    case 1: {
      const p = declared.length > 0 && d.chance(0.8) ? d.pick(declared) : { containerPort: UNDECLARED_PORT, protocol };
      return d.chance(0.7) ? { port: p.containerPort, protocol: p.protocol ?? 'TCP' } : withProtocol({ port: p.containerPort });
    }
    case 2: {
      const named = declared.filter(p => p.name);
      if (named.length > 0 && d.chance(0.8)) {
        const p = d.pick(named);
        return d.chance(0.8) ? { port: p.name, protocol: p.protocol ?? 'TCP' } : withProtocol({ port: p.name });
      }
      return withProtocol({ port: d.pick(PORT_NAMES) });
    }
    default: {
      const start = d.pick([50, 53, 80, 443, 5000, 8000, 8080]);
      return withProtocol({ port: start, endPort: start + d.pick([0, 1, 100, 1500]) });
    }
  }
}

function peer(d: Dice, pods: Obj[]): Obj {
  switch (d.int(0, 3)) {
    case 0:
      return { podSelector: selector(d, POD_KEYS, POD_VALUES) };
    case 1:
      return { namespaceSelector: selector(d, [...NS_KEYS, NAMESPACE_NAME_LABEL], [...NS_VALUES, 'ns-0', 'ns-1']) };
    case 2:
      return {
        namespaceSelector: selector(d, [...NS_KEYS, NAMESPACE_NAME_LABEL], [...NS_VALUES, 'ns-0', 'ns-1']),
        podSelector: selector(d, POD_KEYS, POD_VALUES),
      };
    default:
      return { ipBlock: ipBlock(d, pods) };
  }
}

/** absent, [], or 1-3 rules. */
function rules(d: Dice, pods: Obj[], peerKey: 'from' | 'to'): Obj[] | undefined {
  const form = d.int(0, 4);
  if (form === 0) return undefined;
  if (form === 1) return [];
  return Array.from({ length: d.int(1, 3) }, () => {
    const rule: Obj = {};
    const peers = d.int(0, 3);
    if (peers === 1) rule[peerKey] = [];
    else if (peers > 1) rule[peerKey] = Array.from({ length: peers - 1 }, () => peer(d, pods));
    const ports = d.int(0, 3);
    if (ports === 1) rule.ports = [];
    else if (ports > 1) rule.ports = Array.from({ length: ports - 1 }, () => portEntry(d, pods));
    return rule;
  });
}

const POLICY_TYPES: readonly (string[] | undefined)[] = [undefined, [], ['Ingress'], ['Egress'], ['Ingress', 'Egress']];

function pod(d: Dice, namespace: string, index: number, nsIndex: number): Obj {
  const ports = d.some(PORT_POOL, d.int(0, 3));
  // Port names are unique in a pod; the same name may stand for different ports on different pods.
  const names = d.some(PORT_NAMES, ports.length);
  const ip = d.chance(0.1) ? `fd00:${nsIndex}::${index + 1}` : `10.${d.pick([0, 0, 1])}.${nsIndex}.${index + 1}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${index}`, namespace, labels: labels(d, POD_KEYS, POD_VALUES) },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'x',
          ports: ports.map((p, i) => ({
            ...(d.chance(0.75) ? { name: names[i] } : {}),
            containerPort: p.port,
            ...(p.protocol === 'TCP' && d.chance(0.5) ? {} : { protocol: p.protocol }),
          })),
        },
      ],
    },
    status: { podIP: ip },
  };
}

/** Every port number the cluster mentions, the edges of its ranges, and one nobody mentions; in every protocol. */
function probesFor(pods: Obj[], policies: Obj[]): Probe[] {
  const numbers = new Set<number>([UNDECLARED_PORT]);
  for (const p of pods) for (const cp of p.spec.containers[0].ports) numbers.add(cp.containerPort);
  for (const policy of policies) {
    for (const rule of [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])]) {
      for (const entry of rule.ports ?? []) {
        if (typeof entry.port !== 'number') continue;
        numbers.add(entry.port);
        if (entry.port > 1) numbers.add(entry.port - 1);
        if (entry.endPort !== undefined) {
          numbers.add(entry.endPort);
          if (entry.endPort < 65535) numbers.add(entry.endPort + 1);
        }
      }
    }
  }
  return [...numbers].sort((a, b) => a - b).flatMap(port => PROTOCOLS.map(protocol => ({ port, protocol })));
}

/** One random cluster; `seed` decides everything. */
export function generateCluster(seed: number): RandomCluster {
  const d = new Dice(seededRandom(seed));
  const namespaces = Array.from({ length: d.int(1, 3) }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: `ns-${i}`, labels: labels(d, NS_KEYS, NS_VALUES) },
  }));
  const pods = namespaces.flatMap((ns, n) => Array.from({ length: d.int(1, 3) }, (_, i) => pod(d, ns.metadata.name, i, n)));
  const networkPolicies = Array.from({ length: d.int(0, 5) }, (_, i) => {
    const spec: Obj = { podSelector: selector(d, POD_KEYS, POD_VALUES) };
    const policyTypes = d.pick(POLICY_TYPES);
    if (policyTypes) spec.policyTypes = policyTypes;
    const ingress = rules(d, pods, 'from');
    if (ingress) spec.ingress = ingress;
    const egress = rules(d, pods, 'to');
    if (egress) spec.egress = egress;
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `np-${i}`, namespace: d.pick(namespaces).metadata.name },
      spec,
    };
  });
  return { id: `seed-${seed}`, seed, namespaces, pods, networkPolicies, probes: probesFor(pods, networkPolicies) };
}
