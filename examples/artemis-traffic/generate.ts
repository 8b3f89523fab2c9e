/*
 * Writes the recorded Artemis traffic of this folder, one scenario in two
 * formats (run from the repo root; the outputs are committed):
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs examples/artemis-traffic/generate.ts
 *
 * - istio-metrics.om: Istio's metrics as Prometheus would have scraped them
 *   hourly for 7 days (OpenMetrics, for `promtool tsdb create-blocks-from
 *   openmetrics`): waypoint `istio_requests_total`, ztunnel
 *   `istio_tcp_connections_opened_total` / `_failed_total`.
 * - hubble-flows.jsonl: the last 10 minutes as `hubble observe -o jsonpb`
 *   prints them (Cilium under Istio ambient: HBONE to the waypoints).
 *
 * The story: the declared calls happen; kennedy's pad-operations calls
 * launch-control, which nobody declared; mission-relay never reads
 * service-module-monitor's propulsion status, which is granted; a rogue pod in
 * houston (`debug-shell`, service account `default`) tries flight-director and
 * comms-system and is denied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildCellModel, cellNamespace, DEFAULT_SETTINGS } from '@cellplane/cells-common';
import { artemisEntities } from '../../plugins/cells-common/src/testing/artemis';
import { seededRandom } from '../../plugins/cells-common/src/testing/random';

const ENV = 'development';
/** The end of the recording (the tools can shift it to "now"). */
export const END = Date.parse('2026-11-30T00:00:00Z');
const HOUR = 3_600_000;
const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: [ENV], knownEnvironments: [ENV] });
const random = seededRandom(24);

function cellOf(component: string): string {
  const c = model.components.find(x => x.name === component);
  if (!c) throw new Error(`no component ${component}`);
  return model.cells.find(x => x.ref === c.cell)!.name;
}
function ns(cell: string): string {
  return cellNamespace(DEFAULT_SETTINGS, model.cells.find(c => c.name === cell)!, ENV);
}

// ------------------------------------------------------------ Istio metrics

type Workload = { name: string; namespace: string; account: string };
const componentWorkload = (name: string): Workload => ({ name, namespace: ns(cellOf(name)), account: name });
const rogue: Workload = { name: 'debug-shell', namespace: ns('houston'), account: 'default' };
const gateway: Workload = { name: 'external-istio', namespace: 'gateway-system', account: 'external-istio' };

function istioLabels(reporter: string, src: Workload, dst: Workload, protocol: string, code?: string, flags = '-'): string {
  const labels: [string, string][] = [
    ['reporter', reporter],
    ['source_workload', src.name],
    ['source_canonical_service', src.name],
    ['source_canonical_revision', 'latest'],
    ['source_workload_namespace', src.namespace],
    ['source_principal', `spiffe://cluster.local/ns/${src.namespace}/sa/${src.account}`],
    ['source_app', src.name],
    ['source_version', 'unknown'],
    ['source_cluster', 'Kubernetes'],
    ['destination_service', `${dst.name}.${dst.namespace}.svc.cluster.local`],
    ['destination_service_namespace', dst.namespace],
    ['destination_service_name', dst.name],
    ['destination_workload', dst.name],
    ['destination_canonical_service', dst.name],
    ['destination_canonical_revision', 'latest'],
    ['destination_workload_namespace', dst.namespace],
    ['destination_principal', `spiffe://cluster.local/ns/${dst.namespace}/sa/${dst.account}`],
    ['destination_app', dst.name],
    ['destination_version', 'unknown'],
    ['destination_cluster', 'Kubernetes'],
    ['request_protocol', protocol],
    ...(code
      ? ([
          ['response_code', code],
          ['grpc_response_status', ''],
        ] as [string, string][])
      : []),
    ['response_flags', flags],
    ['connection_security_policy', 'mutual_tls'],
  ];
  return labels.map(([k, v]) => `${k}="${v}"`).join(',');
}

/** Hourly samples of a counter that grows by about `perHour` in the hours `active` says. */
function counter(name: string, labels: string, perHour: number, active: (hoursAgo: number) => boolean = () => true, jitter = true): string[] {
  const lines: string[] = [];
  let value = 0;
  for (let h = 168; h >= 0; h--) {
    if (h < 168 && active(h)) value += jitter ? Math.max(1, Math.round(perHour * (0.6 + 0.8 * random()))) : perHour;
    lines.push(`${name}{${labels}} ${value} ${(END - h * HOUR) / 1000}`);
  }
  return lines;
}

/** Every caller -> callee pair the catalog grants (by component name), but the unused one. */
function declaredPairs(): [string, string][] {
  const name = (ref: string) => model.components.find(c => c.ref === ref)!.name;
  const pairs = new Set<string>();
  for (const g of model.grants) pairs.add(`${g.caller.kind === 'gateway' ? 'gateway' : name(g.caller.ref)}>${name(g.callee)}`);
  pairs.delete('mission-relay>service-module-monitor');
  return [...pairs].sort().map(p => p.split('>') as [string, string]);
}

export function istioMetrics(): string {
  const requests: string[] = [];
  for (const [caller, callee] of declaredPairs()) {
    const src = caller === 'gateway' ? gateway : componentWorkload(caller);
    requests.push(...counter('istio_requests_total', istioLabels('waypoint', src, componentWorkload(callee), 'http', '200'), 5 + Math.round(random() * 60)));
  }
  // Nobody declared it; it started three days ago.
  requests.push(
    ...counter(
      'istio_requests_total',
      istioLabels('waypoint', componentWorkload('pad-operations'), componentWorkload('launch-control'), 'http', '200'),
      6,
      h => h < 72,
    ),
  );
  // The rogue pod's attempts, on the second day before the end, refused at the waypoint.
  requests.push(
    ...counter('istio_requests_total', istioLabels('waypoint', rogue, componentWorkload('flight-director'), 'http', '403'), 4, h => h >= 30 && h < 33),
  );
  const opened: string[] = [];
  const failed: string[] = [];
  const tcp = (src: Workload, dst: Workload) => istioLabels('destination', src, dst, 'tcp');
  opened.push(...counter('istio_tcp_connections_opened_total', tcp(componentWorkload('madrid'), componentWorkload('telemetry-monitor')), 3));
  // ztunnel counts every connection it accepts as opened, then refuses the rogue's by policy.
  opened.push(...counter('istio_tcp_connections_opened_total', tcp(rogue, componentWorkload('comms-system')), 2, h => h >= 30 && h < 32, false));
  failed.push(
    ...counter(
      'istio_tcp_connections_failed_total',
      istioLabels('destination', rogue, componentWorkload('comms-system'), 'tcp', undefined, 'DENY'),
      2,
      h => h >= 30 && h < 32,
      false,
    ),
  );
  return [
    '# HELP istio_requests Total requests handled by an Istio proxy.',
    '# TYPE istio_requests counter',
    ...requests,
    '# HELP istio_tcp_connections_opened Total TCP connections opened.',
    '# TYPE istio_tcp_connections_opened counter',
    ...opened,
    '# HELP istio_tcp_connections_failed Total TCP connections that failed.',
    '# TYPE istio_tcp_connections_failed counter',
    ...failed,
    '# EOF',
    '',
  ].join('\n');
}

// ------------------------------------------------------------ Hubble flows

interface Pod {
  name: string;
  namespace: string;
  account: string;
  labels: string[];
  ip: string;
  id: number;
  identity: number;
  node: string;
  workload?: string;
}

let nextIp = 10;
function pod(name: string, namespace: string, account: string, labels: string[], workload?: string): Pod {
  const id = nextIp++;
  return {
    name,
    namespace,
    account,
    labels,
    ip: `10.244.${1 + (id % 3)}.${id}`,
    id: 1000 + id,
    identity: 20000 + id * 7,
    node: `artemis-worker${(id % 3) + 1}`,
    workload,
  };
}
function componentPod(component: string, suffix: string): Pod {
  return pod(`${component}-${suffix}`, ns(cellOf(component)), component, [`k8s:backstage.io/kubernetes-id=${component}`, `k8s:app=${component}`], component);
}
function waypointPod(cell: string, suffix: string): Pod {
  return pod(
    `waypoint-${suffix}`,
    ns(cell),
    'waypoint',
    ['k8s:gateway.networking.k8s.io/gateway-name=waypoint', 'k8s:gateway.istio.io/managed=istio.io-mesh-controller'],
    'waypoint',
  );
}

const pods = {
  capcom: componentPod('capcom', '6c9f7d8b5-x2k4p'),
  flightDirector: componentPod('flight-director', '7b4c9f6d8-q8d2w'),
  padOperations: componentPod('pad-operations', '84d7c5b9f-r5t2z'),
  commsSystem: componentPod('comms-system', '59c8d7f4b-h7j2n'),
  launchControl: componentPod('launch-control', '6f7b8c9d5-k3m8p'),
  orionWaypoint: waypointPod('orion', '5f6d8c7b9-mz4rt'),
  kennedyWaypoint: waypointPod('kennedy', '7c8d9e6f5-p2w9x'),
  houstonWaypoint: waypointPod('houston', '6b7c8d9f4-t4n7q'),
  rogue: pod('debug-shell', ns('houston'), 'default', ['k8s:run=debug-shell', 'k8s:istio.io/dataplane-mode=none']),
  dns: pod('coredns-5d78c9869d-4xq2m', 'kube-system', 'coredns', ['k8s:k8s-app=kube-dns'], 'coredns'),
};

function endpoint(p: Pod) {
  return {
    ID: p.id,
    identity: p.identity,
    cluster_name: 'artemis',
    namespace: p.namespace,
    labels: [
      ...p.labels,
      `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${p.namespace}`,
      'k8s:io.cilium.k8s.policy.cluster=artemis',
      `k8s:io.cilium.k8s.policy.serviceaccount=${p.account}`,
      `k8s:io.kubernetes.pod.namespace=${p.namespace}`,
    ].sort(),
    pod_name: p.name,
    ...(p.workload ? { workloads: [{ name: p.workload, kind: 'Deployment' }] } : {}),
  };
}

function iso(ms: number, nanos: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${String(ms % 1000).padStart(3, '0')}${String(nanos).padStart(6, '0')}Z`);
}

let uuidCounter = 0;
function uuid(): string {
  const hex = (uuidCounter++ * 2654435761 + 0x9e3779b9).toString(16).padStart(12, '0').slice(-12);
  return `7d5c${hex.slice(0, 4)}-1f2e-4a6b-9c3d-${hex}`;
}

/** One policy-verdict flow (event type 5) of a new connection, at the node that enforced it. */
function verdict(ms: number, src: Pod, dst: Pod, sport: number, dport: number, direction: 'EGRESS' | 'INGRESS', dropped: boolean): object {
  const at = direction === 'EGRESS' ? src : dst;
  const time = iso(ms, Math.floor(random() * 999_999));
  const udp = dport === 53;
  return {
    flow: {
      time,
      uuid: uuid(),
      emitter: { name: 'Hubble', version: '1.20.2' },
      verdict: dropped ? 'DROPPED' : 'FORWARDED',
      ...(dropped ? { drop_reason: 133 } : {}),
      ethernet: { source: '1a:2b:3c:4d:5e:6f', destination: '6f:5e:4d:3c:2b:1a' },
      IP: { source: src.ip, destination: dst.ip, ipVersion: 'IPv4' },
      l4: udp ? { UDP: { source_port: sport, destination_port: dport } } : { TCP: { source_port: sport, destination_port: dport, flags: { SYN: true } } },
      source: endpoint(src),
      destination: endpoint(dst),
      Type: 'L3_L4',
      node_name: at.node,
      node_labels: [`kubernetes.io/hostname=${at.node}`],
      event_type: { type: 5 },
      traffic_direction: direction,
      policy_match_type: dropped ? 0 : 2,
      ...(dropped ? { drop_reason_desc: 'POLICY_DENIED' } : {}),
      is_reply: false,
      Summary: udp ? 'UDP' : 'TCP Flags: SYN',
    },
    node_name: at.node,
    time,
  };
}

function hubbleFlows(): string {
  const lines: object[] = [
    {
      node_status: { state: 'NODE_CONNECTED', node_names: ['artemis-worker1', 'artemis-worker2', 'artemis-worker3'], message: 'Connected' },
      time: iso(END - 600_000, 0),
    },
  ];
  const connection = (ms: number, src: Pod, dst: Pod, dport: number, dropped = false) => {
    const sport = 32768 + Math.floor(random() * 28000);
    lines.push(verdict(ms, src, dst, sport, dport, 'EGRESS', false));
    lines.push(verdict(ms + 1, src, dst, sport, dport, 'INGRESS', dropped));
  };
  for (let s = 0; s < 600; s += 20) {
    const t = END - 600_000 + s * 1000;
    // Service-addressed calls go to the callee's waypoint over HBONE, then from it to the pod.
    connection(t, pods.capcom, pods.orionWaypoint, 15008);
    connection(t + 3, pods.orionWaypoint, pods.commsSystem, 15008);
    connection(t + 5, pods.flightDirector, pods.houstonWaypoint, 15008);
    if (s % 60 === 0) connection(t + 7, pods.padOperations, pods.kennedyWaypoint, 15008);
    if (s % 60 === 0) connection(t + 9, pods.kennedyWaypoint, pods.launchControl, 15008);
    if (s % 120 === 0) connection(t + 11, pods.capcom, pods.dns, 53);
  }
  // The rogue pod is outside the mesh: it dials flight-director's pod port in plaintext, the cell's policy drops it.
  for (let i = 0; i < 4; i++) connection(END - 300_000 + i * 61_000, pods.rogue, pods.flightDirector, 8080, true);
  lines.push({ lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: '3', cpu: 1 }, time: iso(END - 1000, 0) });
  return `${lines.map(l => JSON.stringify(l)).join('\n')}\n`;
}

if (require.main === module) {
  // `--metrics-to FILE` writes only the metrics, to a file of the caller's own:
  // tests run in parallel, and one rewriting a file another's promtool has
  // mapped into memory kills that promtool with SIGBUS.
  const at = process.argv.indexOf('--metrics-to');
  if (at > 0) {
    fs.writeFileSync(process.argv[at + 1], istioMetrics());
  } else {
    const dir = __dirname;
    fs.writeFileSync(path.join(dir, 'istio-metrics.om'), istioMetrics());
    fs.writeFileSync(path.join(dir, 'hubble-flows.jsonl'), hubbleFlows());
    console.log(`wrote ${path.join(dir, 'istio-metrics.om')} and hubble-flows.jsonl`);
  }
}
