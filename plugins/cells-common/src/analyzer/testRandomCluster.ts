/**
 * Seeded random clusters for property tests of the analyzer's bulk answers
 * (matrix, connlist) against its single-request answer: namespaces in and out
 * of the ambient mesh, waypoints, Services, an ingress gateway, pods with
 * named ports and IPs, and every kind of policy the analyzer reads. Valid by
 * construction (loadCluster reports no problem).
 */
import { seededRandom } from '../testing/random';
import {
  ambientNamespace,
  authorizationPolicy,
  ciliumPolicy,
  gateway,
  namespace,
  networkPolicy,
  peerAuthentication,
  pod,
  service,
  waypoint,
} from './testFixtures';

type Obj = Record<string, unknown>;

const CONTAINER_PORTS = [
  { name: 'http', containerPort: 8080 },
  { name: 'admin', containerPort: 9000 },
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
  { name: 'http', containerPort: 8081 },
  { containerPort: 5432 },
];

const NP_PORTS: Obj[] = [
  { port: 8080 },
  { port: 'http' },
  { port: 15008 },
  { protocol: 'UDP', port: 53 },
  { port: 9000, endPort: 9100 },
  { protocol: 'UDP' },
  { protocol: 'TCP', port: 'admin' },
  { protocol: 'SCTP', port: 7000 },
];

export function randomCluster(seed: number): Obj[] {
  const r = seededRandom(seed);
  const chance = (p: number) => r() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const some = <T>(xs: readonly T[], max: number): T[] => xs.filter(() => chance(max / xs.length));
  const out: Obj[] = [];
  const namespaces = ['a', 'b', 'c'].slice(0, 2 + Math.floor(r() * 2));
  const pods: { key: string; ns: string; labels: Record<string, string>; sa: string }[] = [];
  const services: { ns: string; name: string }[] = [];

  namespaces.forEach((ns, n) => {
    const labels: Record<string, string> = { team: pick(['x', 'y']) };
    const ambient = chance(0.65);
    if (ambient && chance(0.5)) {
      labels['istio.io/use-waypoint'] = 'waypoint';
      out.push(waypoint(`${ns}/waypoint`));
      // Istio deploys the waypoint's pod; without one here the analyzer synthesizes it.
      if (chance(0.5)) out.push(pod(`${ns}/waypoint-pod`, { labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }, serviceAccount: 'waypoint' }));
    }
    out.push(ambient ? ambientNamespace(ns, labels) : namespace(ns, labels));
    const count = 2 + Math.floor(r() * 3);
    for (let k = 0; k < count; k++) {
      const name = `p${k}`;
      const podLabels: Record<string, string> = { app: name, tier: pick(['web', 'api', 'db']) };
      if (ambient && chance(0.1)) podLabels['istio.io/dataplane-mode'] = 'none';
      const sa = pick([name, 'shared']);
      const ports = some(CONTAINER_PORTS, 2).filter(
        (p, i, all) => all.findIndex(q => q.containerPort === p.containerPort || (q.name && q.name === p.name)) === i,
      );
      out.push(
        pod(`${ns}/${name}`, {
          labels: podLabels,
          serviceAccount: sa,
          ports: ports.length ? ports : [{ containerPort: 8080 }],
          ...(chance(0.6) ? { ip: `10.${n}.0.${k + 1}` } : {}),
        }),
      );
      pods.push({ key: `${ns}/${name}`, ns, labels: podLabels, sa });
      if (chance(0.6)) {
        const targetPort = pick<number | string>([8080, 'http', 9000, 8081]);
        const svcLabels: Record<string, string> = chance(0.15) ? { 'istio.io/use-waypoint': 'none' } : {};
        out.push(
          service(
            `${ns}/${name}`,
            { app: name },
            {
              labels: svcLabels,
              ports: [
                { name: 'http', port: 80, targetPort },
                { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
              ],
            },
          ),
        );
        services.push({ ns, name });
      }
    }
  });

  if (chance(0.3)) {
    // A north-south gateway: Istio's class, so its pods speak HBONE with their own identity.
    out.push(namespace('gw', { team: 'x' }), gateway('gw/public', 'istio'));
    out.push(pod('gw/public-gw', { labels: { 'gateway.networking.k8s.io/gateway-name': 'public' }, serviceAccount: 'public' }));
    pods.push({ key: 'gw/public-gw', ns: 'gw', labels: {}, sa: 'public' });
  }

  const selector = (): Obj =>
    pick<Obj>([
      {},
      { matchLabels: { tier: pick(['web', 'api', 'db']) } },
      { matchLabels: { app: pick(['p0', 'p1', 'p2']) } },
      { matchExpressions: [{ key: 'tier', operator: pick(['In', 'NotIn']), values: [pick(['web', 'api'])] }] },
      { matchExpressions: [{ key: 'app', operator: pick(['Exists', 'DoesNotExist']) }] },
    ]);
  const peer = (): Obj =>
    pick<Obj>([
      { podSelector: selector() },
      { namespaceSelector: {} },
      { namespaceSelector: { matchLabels: { team: pick(['x', 'y']) } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': pick(namespaces) } }, podSelector: selector() },
      { ipBlock: { cidr: '10.0.0.0/8', except: chance(0.5) ? ['10.1.0.0/16'] : [] } },
      { ipBlock: { cidr: '10.0.0.0/24' } },
    ]);
  const npRule = (direction: 'from' | 'to'): Obj => ({
    ...(chance(0.7) ? { [direction]: Array.from({ length: 1 + Math.floor(r() * 2) }, peer) } : {}),
    ...(chance(0.7) ? { ports: some(NP_PORTS, 2) } : {}),
  });
  for (let k = 0, count = Math.floor(r() * 5); k < count; k++) {
    const spec: Obj = { podSelector: selector() };
    const types = pick([undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress'], []]);
    if (types) spec.policyTypes = types;
    if (chance(0.7)) spec.ingress = Array.from({ length: Math.floor(r() * 3) }, () => npRule('from'));
    if (chance(0.5)) spec.egress = Array.from({ length: Math.floor(r() * 3) }, () => npRule('to'));
    out.push(networkPolicy(`${pick(namespaces)}/np${k}`, spec));
  }

  const principal = () => {
    const p = pick(pods);
    return `cluster.local/ns/${p.ns}/sa/${p.sa}`;
  };
  const source = (): Obj =>
    pick<Obj>([
      { principals: [principal(), principal()] },
      { namespaces: [pick(namespaces)] },
      { notNamespaces: [pick(namespaces)] },
      { principals: ['cluster.local/ns/gw/sa/public'] },
      { notPrincipals: [principal()] },
      { ipBlocks: ['10.0.0.0/16'] },
    ]);
  const operation = (): Obj =>
    pick<Obj>([
      { methods: ['GET'] },
      { methods: ['GET', 'POST'], paths: ['/api/*', '/health'] },
      { paths: ['/api/*'] },
      { notMethods: ['DELETE'] },
      { ports: [pick(['8080', '9000'])] },
      { notPaths: ['/admin/*'] },
    ]);
  const authzRule = (): Obj => ({
    ...(chance(0.7) ? { from: [{ source: source() }] } : {}),
    ...(chance(0.5) ? { to: [{ operation: operation() }] } : {}),
    ...(chance(0.1) ? { when: [{ key: 'destination.port', values: ['8080'] }] } : {}),
  });
  for (let k = 0, count = Math.floor(r() * 5); k < count; k++) {
    const ns = pick(namespaces);
    const targets = services.filter(s => s.ns === ns);
    const spec: Obj = { action: pick(['ALLOW', 'ALLOW', 'DENY', 'CUSTOM']) };
    if (spec.action === 'CUSTOM') spec.provider = { name: 'ext-authz' };
    if (targets.length && chance(0.5)) spec.targetRefs = [{ kind: 'Service', group: '', name: pick(targets).name }];
    else if (chance(0.6)) spec.selector = { matchLabels: { tier: pick(['web', 'api', 'db']) } };
    // Istio refuses DENY and CUSTOM without rules.
    if (!chance(0.1) || spec.action !== 'ALLOW') spec.rules = Array.from({ length: 1 + Math.floor(r() * 2) }, authzRule);
    out.push(authorizationPolicy(`${ns}/authz${k}`, spec));
  }

  if (chance(0.3)) out.push(peerAuthentication(`${pick(namespaces)}/strict`, { mtls: { mode: 'STRICT' } }));
  if (chance(0.2)) {
    out.push(
      peerAuthentication(`${pick(namespaces)}/per-port`, {
        selector: { matchLabels: { tier: 'api' } },
        mtls: { mode: 'STRICT' },
        portLevelMtls: { 9000: { mode: 'DISABLE' } },
      }),
    );
  }
  if (chance(0.2)) {
    const ns = pick(namespaces);
    out.push(
      ciliumPolicy(`${ns}/cnp`, {
        endpointSelector: { matchLabels: { tier: pick(['web', 'api', 'db']) } },
        ingress: [
          {
            fromEndpoints: [chance(0.5) ? {} : { matchLabels: { tier: 'web' } }],
            toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], ...(chance(0.5) ? { rules: { http: [{ method: 'GET', path: '/api/.*' }] } } : {}) }],
          },
        ],
        ...(chance(0.4) ? { ingressDeny: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '9000', protocol: 'ANY' }] }] }] } : {}),
      }),
    );
  }
  return out;
}
