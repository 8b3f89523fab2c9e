/**
 * The compiled Artemis example in Cilium mode as one differential cluster per
 * environment: the CiliumNetworkPolicies the compiler produces, the
 * namespaces it produces, and every pod the analyzer sees there (each
 * component's, the waypoints', the external gateway's and a rogue pod in
 * every cell), asked every ordered pair on every port a component serves plus
 * HBONE's 15008. Cilium decides L3/L4 only, so the question put to both sides
 * is the L3/L4 one: the namespaces are not enrolled in the mesh here (with
 * ambient, the analyzer would move app-port traffic to 15008 and add its mTLS
 * and L7 layers, which Cilium does not judge).
 */
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { compareText } from '../../order';
import { HBONE_PORT } from '../../analyzer/model';
import { artemisSimulations } from '../authz/artemis';
import type { CiliumCluster } from './generator';
import type { Probe } from '../netpol/generator';

type Obj = Record<string, any>;

const AMBIENT_LABEL = 'istio.io/dataplane-mode';
const EXTERNAL = '203.0.113.7';

export function artemisCiliumClusters(): CiliumCluster[] {
  const settings = { ...DEFAULT_SETTINGS, environments: DEFAULT_SETTINGS.environments.map(e => ({ ...e, networkPolicy: 'cilium' as const })) };
  return artemisSimulations(settings).map(sim => {
    const present = sim.model.cells.filter(c => c.environments.includes(sim.environment)).map(c => c.ref);
    const rogues = present.map(cellRef => sim.roguePod(cellRef));
    const cluster = sim.cluster(rogues);
    const namespaces = sim.objects
      .filter(o => o.kind === 'Namespace')
      .map(o => {
        const labels = Object.fromEntries(Object.entries((o.metadata.labels ?? {}) as Record<string, string>).filter(([k]) => k !== AMBIENT_LABEL));
        return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.metadata.name, labels } };
      });
    const known = new Set(namespaces.map(n => n.metadata.name));
    for (const w of cluster.workloads) {
      if (!known.has(w.namespace)) {
        known.add(w.namespace);
        namespaces.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: w.namespace, labels: {} } });
      }
    }
    const pods: Obj[] = cluster.workloads.map((w, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
      spec: {
        serviceAccountName: w.serviceAccount,
        containers: [
          { name: 'app', image: 'simulated', ports: w.ports.map(p => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.port, protocol: p.protocol })) },
        ],
      },
      status: { podIP: `10.${Math.floor(i / 250)}.${i % 250}.10` },
    }));
    const policies = sim.objects.filter(o => o.kind === 'CiliumNetworkPolicy' || o.kind === 'CiliumClusterwideNetworkPolicy') as Obj[];
    const ports = new Map<string, Probe>();
    for (const c of sim.model.components) {
      for (const e of c.endpoints) {
        const protocol = e.protocol === 'UDP' ? 'UDP' : 'TCP';
        ports.set(`${e.port}/${protocol}`, { port: e.port, protocol });
      }
    }
    ports.set(`${HBONE_PORT}/TCP`, { port: HBONE_PORT, protocol: 'TCP' });
    const probes = [...ports.values()].sort((a, b) => a.port - b.port || compareText(a.protocol, b.protocol));
    return { id: sim.environment, seed: -1, namespaces, pods, externals: [EXTERNAL], policies, probes };
  });
}
