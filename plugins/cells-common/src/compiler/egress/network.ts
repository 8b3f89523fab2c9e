import { CILIUM_NAMESPACE_KEY, NAMESPACE_NAME_LABEL } from '../../labels/keys';
import { compareText } from '../../order';
import { isWildcardHost } from '../../validation/network';
import { restricting } from '../applyPhase';
import { HBONE_PORT, WAYPOINT_POD_LABEL } from '../context';
import { allSources, EgressContext, egressMeta, KubeObject } from './context';

/** The L3/L4 objects of the egress namespace, and what they cannot enforce. */
export interface EgressNetworkPolicies {
  objects: KubeObject[];
  /** Limits of the flavour a reader must know (plain NetworkPolicy has no FQDNs). */
  warnings: string[];
}

export const EGRESS_OBJECT_NAMES = { defaultDeny: 'egress.default-deny', waypointPolicy: 'egress.waypoint' } as const;

/** Every pod that declared a host, once: only they may reach the egress waypoint. */
function callerPods(ctx: EgressContext) {
  const pods = new Map<string, { namespace: string; podLabels: Record<string, string> }>();
  for (const h of ctx.hosts) for (const c of h.callers) pods.set(`${c.namespace}|${JSON.stringify(c.podLabels)}`, c);
  return [...pods.entries()].sort(([a], [b]) => compareText(a, b)).map(([, p]) => p);
}

function worldPorts(ctx: EgressContext): number[] {
  return [...new Set(ctx.hosts.flatMap(h => [...h.ports.keys()]))].sort((a, b) => a - b);
}

/** The world minus the cluster's own ranges and every never-allowed network (IPv4; the IPv6 world is not opened). */
function worldExcept(ctx: EgressContext): string[] {
  const { cluster, egress } = ctx.settings;
  return [...new Set([...cluster.podCIDRs, ...cluster.serviceCIDRs, ...egress.deny].filter(c => !c.includes(':')))].sort(compareText);
}

function kubernetesPolicies(ctx: EgressContext): KubeObject[] {
  const sources = allSources(ctx);
  const { controlPlane } = ctx.settings.mesh;
  const dns = ctx.settings.dns;
  const pods = (namespace: string, labels: Record<string, string>) => ({
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
    podSelector: { matchLabels: { ...labels } },
  });
  return [
    restricting({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: egressMeta(ctx, EGRESS_OBJECT_NAMES.defaultDeny, sources),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: egressMeta(ctx, EGRESS_OBJECT_NAMES.waypointPolicy, sources),
      spec: {
        podSelector: { matchLabels: { [WAYPOINT_POD_LABEL]: ctx.settings.egress.waypointName } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          ...callerPods(ctx).map(p => ({ from: [pods(p.namespace, p.podLabels)], ports: [{ protocol: 'TCP', port: HBONE_PORT }] })),
          // Cells in audit: every pod of their namespaces (docs/rollout.md).
          ...(ctx.audited.length
            ? [
                {
                  from: ctx.audited.map(a => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: a.namespace } } })),
                  ports: [{ protocol: 'TCP', port: HBONE_PORT }],
                },
              ]
            : []),
        ],
        egress: [
          { to: [pods(controlPlane.namespace, controlPlane.podLabels)], ports: [{ protocol: 'TCP', port: controlPlane.port }] },
          {
            to: [pods(dns.namespace, dns.podLabels)],
            ports: [
              { protocol: 'TCP', port: dns.port },
              { protocol: 'UDP', port: dns.port },
            ],
          },
          // No FQDN selector in NetworkPolicy: the host is enforced by the waypoint's L7 policy only (docs/policy-semantics.md#egress-4).
          { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: worldExcept(ctx) } }], ports: worldPorts(ctx).map(port => ({ protocol: 'TCP', port })) },
        ],
      },
    },
  ];
}

function ciliumPolicies(ctx: EgressContext): KubeObject[] {
  const sources = allSources(ctx);
  const { controlPlane } = ctx.settings.mesh;
  const dns = ctx.settings.dns;
  const endpoints = (namespace: string, labels: Record<string, string>) => ({ matchLabels: { [CILIUM_NAMESPACE_KEY]: namespace, ...labels } });
  return [
    restricting({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: egressMeta(ctx, EGRESS_OBJECT_NAMES.defaultDeny, sources),
      spec: { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [{}], egress: [{}] },
    }),
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: egressMeta(ctx, EGRESS_OBJECT_NAMES.waypointPolicy, sources),
      spec: {
        endpointSelector: { matchLabels: { [WAYPOINT_POD_LABEL]: ctx.settings.egress.waypointName } },
        ingress: [
          ...callerPods(ctx).map(p => ({
            fromEndpoints: [endpoints(p.namespace, p.podLabels)],
            toPorts: [{ ports: [{ port: String(HBONE_PORT), protocol: 'TCP' }] }],
          })),
          // Cells in audit: every pod of their namespaces (docs/rollout.md).
          ...(ctx.audited.length
            ? [
                {
                  fromEndpoints: ctx.audited.map(a => endpoints(a.namespace, {})),
                  toPorts: [{ ports: [{ port: String(HBONE_PORT), protocol: 'TCP' }] }],
                },
              ]
            : []),
        ],
        egress: [
          {
            toEndpoints: [endpoints(controlPlane.namespace, controlPlane.podLabels)],
            toPorts: [{ ports: [{ port: String(controlPlane.port), protocol: 'TCP' }] }],
          },
          // toFQDNs learns addresses only from lookups that pass Cilium's DNS proxy (docs/policy-semantics.md#cilium-9).
          {
            toEndpoints: [endpoints(dns.namespace, dns.podLabels)],
            toPorts: [{ ports: [{ port: String(dns.port), protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
          ...ctx.hosts.map(h => ({
            toFQDNs: [isWildcardHost(h.host) ? { matchPattern: h.host } : { matchName: h.host }],
            toPorts: [{ ports: [...h.ports.keys()].sort((a, b) => a - b).map(port => ({ port: String(port), protocol: 'TCP' })) }],
          })),
        ],
      },
    },
  ];
}

export const FQDN_L7_ONLY_WARNING =
  "plain Kubernetes NetworkPolicy has no FQDN selector: the egress waypoint may open connections to any public address on the declared ports, and external hosts are enforced at L7 only (by the waypoint's AuthorizationPolicies); use Cilium for FQDN enforcement at L3/L4";

/** The egress waypoint's L3/L4: 15008 only from declaring pods; out to istiod, DNS and the declared hosts' ports. */
export function egressNetworkPolicies(ctx: EgressContext): EgressNetworkPolicies {
  if (ctx.flavour === 'cilium') return { objects: ciliumPolicies(ctx), warnings: [] };
  return { objects: kubernetesPolicies(ctx), warnings: [FQDN_L7_ONLY_WARNING] };
}
