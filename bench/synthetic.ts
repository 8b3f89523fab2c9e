import { Entity } from '@backstage/catalog-model';

export interface SyntheticOptions {
  /**
   * Egress on every tenth component (the first of each cell): two external
   * hosts from a pool of EGRESS_HOSTS (TLS, HTTP with methods and paths, or TCP
   * on two ports, by host), and on every other one a network with a carve-out;
   * each cell's ceiling lists exactly its components' hosts and 172.16.0.0/12.
   */
  egress?: boolean;
}

/** Distinct external hosts of the egress catalog: 200 at 1,000 components, all 300 from 1,500. */
export const EGRESS_HOSTS = 300;

type EgressEntry = Record<string, string | number | string[] | number[]>;

/** The host entry of pool host `h`: its protocol and port(s) are the host's, so one host port has one protocol catalog-wide. */
function hostEntry(h: number): EgressEntry {
  const host = `api-${h}.partner-${h % 37}.example.com`;
  if (h % 3 === 0) return { host, port: 443, protocol: 'TLS' };
  if (h % 3 === 1) return { host, port: 80, protocol: 'HTTP', methods: ['GET', 'POST'].slice(0, 1 + (h % 2)), paths: [`/v${h % 4}/*`] };
  return { host, ports: [9092, 9093], protocol: 'TCP' };
}

/** The egress of declaring component number `d` (every tenth component). */
function egressOf(d: number): EgressEntry[] {
  const entries = [hostEntry((2 * d) % EGRESS_HOSTS), hostEntry((2 * d + 1) % EGRESS_HOSTS)];
  if (d % 2 === 0) {
    // 172.16.0.0/12 is outside the default cluster ranges (10.42/16, 10.43/16) and the metadata address.
    const net = `172.${16 + ((d >> 8) % 16)}.${d % 256}`;
    entries.push({ cidr: `${net}.0/24`, except: [`${net}.0/28`], port: 5432, protocol: 'TCP' });
  }
  return entries;
}

/**
 * A synthetic catalog: `components` components, 10 per cell, each calling 3
 * others (one in its own cell, two in other cells), all organization-visible.
 */
export function syntheticCatalog(components: number, options: SyntheticOptions = {}): Entity[] {
  const perCell = 10;
  const cells = Math.ceil(components / perCell);
  const name = (i: number) => `svc-${i}`;
  const entities: Entity[] = [];
  for (let c = 0; c < cells; c++) {
    // The cell's first component is the one that declares egress (c * perCell is a multiple of 10).
    const ceiling = options.egress
      ? { egress: { hosts: egressOf(c).flatMap(e => (typeof e.host === 'string' ? [e.host] : [])), cidrs: ['172.16.0.0/12'] } }
      : {};
    entities.push({ apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: `cell-${c}` }, spec: { owner: `group:team-${c}`, cell: ceiling } });
    // The owner is a Group of the catalog: it becomes the subject of the cell's RoleBinding.
    entities.push({ apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: `team-${c}` }, spec: { type: 'team', children: [] } });
  }
  for (let i = 0; i < components; i++) {
    const cell = Math.floor(i / perCell);
    const sameCell = cell * perCell + ((i + 1) % perCell);
    const targets = [Math.min(sameCell, components - 1), (i + 17) % components, (i + 331) % components];
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: name(i) },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: `group:team-${cell}`,
        system: `cell-${cell}`,
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }],
        connections: targets.map((t, k) => ({ to: name(t), endpoint: 'http', methods: ['GET', 'POST'].slice(0, 1 + (k % 2)), paths: [`/api/v${k}/*`] })),
        ...(options.egress && i % 10 === 0 ? { egress: egressOf(i / 10) } : {}),
      },
    });
  }
  return entities;
}
