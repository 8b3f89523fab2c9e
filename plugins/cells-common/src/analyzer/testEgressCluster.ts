/** Test fixture shared by the egress and connection-list tests (not shipped: imported from tests only). */
import { loadCluster } from './load';
import { ambientNamespace, authorizationPolicy, namespace, networkPolicy, pod, waypoint } from './testFixtures';

export type Obj = Record<string, unknown>;

const serviceEntry = (key: string, hosts: string[], ports: { number: number; protocol: string }[], labels: Record<string, string> = {}): Obj => {
  const [ns, name] = key.split('/');
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name, namespace: ns, labels },
    spec: { hosts, location: 'MESH_EXTERNAL', resolution: 'DNS', ports: ports.map(p => ({ ...p, name: `p-${p.number}` })) },
  };
};
const toWaypoint = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'egress' } },
      podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'egress' } },
    },
  ],
  ports: [{ protocol: 'TCP', port: 15008 }],
};
const fromApp = (app: string) => ({
  from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app' } }, podSelector: { matchLabels: { app } } }],
  ports: [{ protocol: 'TCP', port: 15008 }],
});

/**
 * A cell `app` whose pods leave only through the egress waypoint of namespace
 * `egress` (as Cellplane compiles it): `caller` declared api.example.com (TLS
 * 443 and 8443, HTTP GET /v1/*) and a database network; `other` declared
 * nothing; `rogue` wears caller's labels under its own account;
 * `plain/outsider` is outside the mesh with no policy.
 */
export function egressCluster(extra: Obj[] = []) {
  return loadCluster([
    ambientNamespace('app'),
    ambientNamespace('egress', { 'istio.io/use-waypoint': 'egress' }),
    namespace('plain'),
    pod('app/caller', { serviceAccount: 'caller' }),
    pod('app/other', { serviceAccount: 'other' }),
    pod('app/rogue', { serviceAccount: 'rogue', labels: { app: 'caller' } }),
    pod('plain/outsider', { serviceAccount: 'outsider' }),
    waypoint('egress/egress'),
    serviceEntry(
      'egress/api',
      ['api.example.com'],
      [
        { number: 443, protocol: 'TLS' },
        { number: 80, protocol: 'HTTP' },
        { number: 8443, protocol: 'TLS' },
      ],
    ),
    authorizationPolicy('egress/api', {
      targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'api' }],
      action: 'ALLOW',
      rules: [
        {
          from: [{ source: { principals: ['cluster.local/ns/app/sa/caller'] } }],
          to: [{ operation: { ports: ['443', '8443'] } }],
          when: [{ key: 'connection.sni', values: ['api.example.com'] }],
        },
        { from: [{ source: { principals: ['cluster.local/ns/app/sa/caller'] } }], to: [{ operation: { ports: ['80'], methods: ['GET'], paths: ['/v1/*'] } }] },
      ],
    }),
    networkPolicy('app/default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy('app/caller', {
      podSelector: { matchLabels: { app: 'caller' } },
      policyTypes: ['Egress'],
      egress: [toWaypoint, { to: [{ ipBlock: { cidr: '10.20.0.0/16', except: ['10.20.9.0/24'] } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    }),
    networkPolicy('app/other', { podSelector: { matchLabels: { app: 'other' } }, policyTypes: ['Egress'], egress: [toWaypoint] }),
    networkPolicy('egress/waypoint', {
      podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'egress' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [fromApp('caller'), fromApp('other')],
      egress: [
        {
          to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'] } }],
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'TCP', port: 80 },
          ],
        },
      ],
    }),
    ...extra,
  ]);
}
