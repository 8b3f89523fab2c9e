import { CellsSettings } from '../settings/settings';
import { HBONE_PORT, PROBE_SOURCE_CIDR } from '../compiler/context';
import { PlatformFlow } from './types';

const labels = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/**
 * What the compiled policies allow by design beside the declared flows, from
 * the settings the cell was compiled with. verify probes the declared
 * endpoints, not these; they are listed so that every allowed port is named.
 */
export function platformFlows(settings: CellsSettings, cellNamespace: string): PlatformFlow[] {
  const dns = settings.dns;
  const flows: PlatformFlow[] = [
    {
      from: `every pod of ${cellNamespace}`,
      to: `${dns.namespace} pods ${labels(dns.podLabels)}`,
      ports: `${dns.port}/TCP, ${dns.port}/UDP`,
      why: 'cluster DNS: every pod resolves names (policy allow-dns)',
    },
  ];
  if (settings.mesh.enabled) {
    const cp = settings.mesh.controlPlane;
    flows.push(
      {
        from: `${PROBE_SOURCE_CIDR} (kubelet health probes, as the ambient mesh rewrites them)`,
        to: 'each component, on its TCP endpoint ports',
        ports: "the endpoints' ports",
        why: 'health probes; without it every pod fails its probes',
      },
      {
        from: "the callers of the register's inbound and internal flows",
        to: `the cell's waypoint (${settings.mesh.waypointName})`,
        ports: `${HBONE_PORT}/TCP`,
        why: 'the mesh tunnel (HBONE) that carries those flows to the waypoint, which applies their L7 rules',
      },
      {
        from: "the callers of the register's outbound flows",
        to: 'the waypoints of the cells they call',
        ports: `${HBONE_PORT}/TCP`,
        why: 'the same tunnel, leaving the cell',
      },
      {
        from: `the cell's waypoint (${settings.mesh.waypointName})`,
        to: "the cell's components",
        ports: `${HBONE_PORT}/TCP`,
        why: 'the waypoint forwards the requests it admitted; a component hears HBONE only from its own waypoint',
      },
      {
        from: `the cell's waypoint (${settings.mesh.waypointName})`,
        to: `${cp.namespace} pods ${labels(cp.podLabels)}`,
        ports: `${cp.port}/TCP`,
        why: 'the waypoint fetches its configuration from the mesh control plane',
      },
    );
  }
  return flows;
}

/** What no pack can prove from manifests, said plainly (the same for every cell). */
export function evidenceLimits(settings: CellsSettings): string[] {
  const limits = [
    "The data plane itself: every verdict here comes from Cellplane's analyzer reading the manifests (NetworkPolicy or CiliumNetworkPolicy, PeerAuthentication, AuthorizationPolicy, the waypoint), not from traffic. Whether the CNI, ztunnel and the waypoint enforce them as documented (their versions, bugs, configuration, an Istio that is not installed) was not tested here.",
    "What runs in the cluster: the manifests judged are the ones compiled from the catalog (or given to the CLI with --manifests); drift between them and a cluster is shown by the portal's reconcile state, not by this pack.",
  ];
  if (settings.mesh.enabled) {
    limits.push(
      "Passthrough TLS: methods and paths are judged as if HTTP and gRPC endpoints receive plain HTTP inside the mesh's mutual TLS, so that the waypoint can read them. A workload that terminates its own TLS on such an endpoint shows the waypoint only TCP: a grant with methods or paths then matches nothing (its calls are denied), and one without them admits any bytes on the port. Manifests cannot show which a workload does.",
    );
  } else {
    limits.push(
      "No mesh (cells.mesh.enabled is false): there is no mutual TLS and no L7 check; L3/L4 rules know pods only by their labels, so a pod that copies a component's labels passes as that component.",
    );
  }
  limits.push(
    'Traffic outside the cell model: host-network pods, node-level traffic and egress to addresses outside the cluster are not part of these flows; the platform flows above are allowed by design and not probed.',
  );
  return limits;
}
