import { ClusterModel, analyzeRequest, effectiveMtls } from '../analyzer';
import { KubeObject } from '../compiler';
import { Simulation, podKey } from './simulation';

/** Whether the compiled objects protect a component at each layer. */
export interface ComponentProtection {
  l3l4: boolean;
  mtls: boolean;
  l7: boolean;
}

const PROBE_PATH = '/cellplane-protection-probe';

/**
 * Each component's protection as the analyzer judges the compiled objects: a
 * pod with no component labels and its own identity, inside the component's
 * own cell, asks the component's first endpoint directly and through its
 * Service. L3/L4: the network layer denies it. mTLS: the effective
 * PeerAuthentication is STRICT. L7: an AuthorizationPolicy denies it.
 */
export function protectionOf(sim: Simulation, cluster: ClusterModel, componentRef: string): ComponentProtection {
  const component = sim.model.components.find(c => c.ref === componentRef);
  const endpoint = component?.endpoints[0];
  if (!component || !endpoint) return { l3l4: false, mtls: false, l7: false };
  const namespace = sim.namespaceOf(component.cell);
  const workload = cluster.workloadsByKey.get(`${namespace}/${component.name}`);
  const rogue = podKey(sim.roguePod(component.cell));
  const l7Capable = endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC';
  const ask = (addressing: 'pod' | 'service') =>
    analyzeRequest(cluster, {
      from: rogue,
      to: `${namespace}/${component.name}`,
      port: endpoint.port,
      protocol: endpoint.protocol === 'UDP' ? 'UDP' : 'TCP',
      ...(l7Capable ? { method: 'GET', path: PROBE_PATH } : {}),
      addressing,
    });
  const direct = ask('pod');
  const viaService = ask('service');
  const layer = (r: typeof direct, name: string) => r.layers.find(l => l.layer === name)?.verdict === 'deny';
  return {
    l3l4: layer(direct, 'L3/L4'),
    mtls: workload ? effectiveMtls(cluster.peerAuthentications, workload, endpoint.port, cluster.rootNamespace).mode === 'STRICT' : false,
    l7: l7Capable && (layer(viaService, 'L7') || (!viaService.allowed && viaService.decidedBy === 'L7')),
  };
}

/** The cluster of a simulation with one rogue pod in every cell, for protection probes. */
export function protectionCluster(sim: Simulation): ClusterModel {
  const cells = sim.model.cells.filter(c => c.environments.includes(sim.environment));
  return sim.cluster(cells.map(c => sim.roguePod(c.ref)));
}

/** AuthorizationPolicy principals that match any identity: the compiler must never write one. */
export function wildcardPrincipals(objects: KubeObject[]): number {
  let count = 0;
  for (const o of objects) {
    if (o.kind !== 'AuthorizationPolicy') continue;
    for (const rule of ((o.spec as any)?.rules ?? []) as any[]) {
      for (const from of rule.from ?? []) {
        for (const p of [...(from.source?.principals ?? []), ...(from.source?.notPrincipals ?? [])]) {
          if (typeof p === 'string' && (p === '*' || p.startsWith('*') || p.endsWith('*'))) count++;
        }
      }
    }
  }
  return count;
}
