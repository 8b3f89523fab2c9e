/**
 * Both sides of the CiliumNetworkPolicy differential test: which policies
 * each side refuses, our analyzer's verdicts for a generated cluster through
 * its public API (the matrix for pod pairs, single requests for addresses
 * outside the cluster), and the comparison with Cilium's verdicts. Known
 * differences are rewrites of the cluster, as for NetworkPolicy.
 */
import { analyzeMatrix, analyzeRequest, loadCluster } from '../../analyzer';
import type { CiliumCluster } from './generator';

type Obj = Record<string, any>;

export interface CiliumProbeVerdicts {
  port: number;
  protocol: string;
  /** allowed[i][j]: '1' endpoints[i] may reach endpoints[j], '0' not, '-' not asked. */
  allowed: string[];
}

/** One engine's answer (the oracle's output line has this shape, with rejected as objects). */
export interface CiliumVerdicts {
  id: string;
  endpoints?: string[];
  rejected: string[];
  verdicts?: CiliumProbeVerdicts[];
  error?: string;
}

/** `namespace/name`, or `name` for what has no namespace (a clusterwide policy). */
const refOf = (o: Obj) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** Our analyzer's verdicts over the policies Cilium accepts (and which ones it refuses itself). */
export function analyzerCiliumVerdicts(cluster: CiliumCluster, acceptedByCilium: (p: Obj) => boolean = () => true): CiliumVerdicts {
  const all = loadCluster([...cluster.namespaces, ...cluster.pods, ...cluster.policies]);
  const rejected = [...new Set(all.problems.flatMap(p => cluster.policies.filter(q => p.object === `${q.kind} ${refOf(q)}`).map(refOf)))].sort();
  const model = loadCluster([...cluster.namespaces, ...cluster.pods, ...cluster.policies.filter(acceptedByCilium)]);
  if (model.problems.length > 0) return { id: cluster.id, rejected, error: `the analyzer rejects a policy Cilium accepts: ${JSON.stringify(model.problems)}` };
  const pods = cluster.pods.map(refOf);
  const endpoints = [...pods, ...cluster.externals];
  const index = new Map(pods.map((k, i) => [k, i]));
  const verdicts = cluster.probes.map(({ port, protocol }) => {
    const rows = endpoints.map((_, i) => endpoints.map((__, j): string => (i === j || (i >= pods.length && j >= pods.length) ? '-' : '0')));
    for (const pair of analyzeMatrix(model, { port, protocol, addressing: 'pod' }).pairs) {
      if (pair.allowed) rows[index.get(pair.from)!][index.get(pair.to)!] = '1';
    }
    cluster.externals.forEach((ip, e) => {
      const x = pods.length + e;
      pods.forEach((pod, i) => {
        if (analyzeRequest(model, { from: ip, to: pod, port, protocol, addressing: 'pod' }).allowed) rows[x][i] = '1';
        if (analyzeRequest(model, { from: pod, to: ip, port, protocol }).allowed) rows[i][x] = '1';
      });
    });
    return { port, protocol, allowed: rows.map(r => r.join('')) };
  });
  return { id: cluster.id, endpoints, rejected, verdicts };
}

/** No known Cilium difference so far. */
export const CILIUM_KNOWN_DIFFERENCE_RULES: Record<string, (c: CiliumCluster) => CiliumCluster> = {};

export interface CiliumDisagreement {
  id: string;
  seed: number;
  from?: string;
  to?: string;
  port?: number;
  protocol?: string;
  ours?: boolean;
  oracle?: boolean;
  policy?: string;
  refusedBy?: 'analyzer' | 'cilium';
}

export interface CiliumTally {
  clusters: number;
  policies: number;
  policiesAgreed: number;
  total: number;
  agreed: number;
  explained: Record<string, number>;
  unexplained: CiliumDisagreement[];
  errors: string[];
}

export function emptyCiliumTally(ruleIds: readonly string[] = Object.keys(CILIUM_KNOWN_DIFFERENCE_RULES)): CiliumTally {
  return {
    clusters: 0,
    policies: 0,
    policiesAgreed: 0,
    total: 0,
    agreed: 0,
    explained: Object.fromEntries(ruleIds.map(id => [id, 0])),
    unexplained: [],
    errors: [],
  };
}

/** Compares one cluster: acceptance of each policy, then every ordered pair on every probe. */
export function compareCiliumCluster(
  cluster: CiliumCluster,
  oracle: CiliumVerdicts,
  tally: CiliumTally,
  rules: Record<string, (c: CiliumCluster) => CiliumCluster> = CILIUM_KNOWN_DIFFERENCE_RULES,
): void {
  tally.clusters++;
  if (oracle.error) {
    tally.errors.push(`${cluster.id}: oracle: ${oracle.error}`);
    return;
  }
  const accepted = (p: Obj) => !oracle.rejected.includes(refOf(p));
  const ours = analyzerCiliumVerdicts(cluster, accepted);
  for (const p of cluster.policies) {
    tally.policies++;
    const cilium = oracle.rejected.includes(refOf(p));
    const analyzer = ours.rejected.includes(refOf(p));
    if (cilium === analyzer) tally.policiesAgreed++;
    else tally.unexplained.push({ id: cluster.id, seed: cluster.seed, policy: refOf(p), refusedBy: cilium ? 'cilium' : 'analyzer' });
  }
  if (ours.error) {
    if (!tally.unexplained.some(d => d.id === cluster.id)) tally.errors.push(`${cluster.id}: analyzer: ${ours.error}`);
    return;
  }
  if (JSON.stringify(ours.endpoints) !== JSON.stringify(oracle.endpoints)) {
    tally.errors.push(`${cluster.id}: the engines list different endpoints: ${JSON.stringify(ours.endpoints)} vs ${JSON.stringify(oracle.endpoints)}`);
    return;
  }
  const ids = Object.keys(rules);
  const rewritten = new Map<string, CiliumVerdicts | null>();
  const verdictUnder = (id: string, p: number, i: number, j: number): boolean | undefined => {
    if (!rewritten.has(id)) {
      const changed = rules[id](cluster);
      rewritten.set(id, JSON.stringify(changed) === JSON.stringify(cluster) ? null : analyzerCiliumVerdicts(changed, accepted));
    }
    const v = rewritten.get(id);
    return v && !v.error ? v.verdicts![p].allowed[i][j] === '1' : undefined;
  };
  const endpoints = ours.endpoints!;
  cluster.probes.forEach((probe, p) => {
    const a = ours.verdicts![p];
    const b = oracle.verdicts?.[p];
    if (!b || b.port !== probe.port || b.protocol !== probe.protocol) {
      tally.errors.push(`${cluster.id}: no verdict for probe ${probe.port}/${probe.protocol}`);
      return;
    }
    for (let i = 0; i < endpoints.length; i++) {
      for (let j = 0; j < endpoints.length; j++) {
        if (a.allowed[i][j] === '-') continue;
        tally.total++;
        const mine = a.allowed[i][j] === '1';
        const theirs = b.allowed[i][j] === '1';
        if (mine === theirs) {
          tally.agreed++;
          continue;
        }
        const rule = ids.find(id => verdictUnder(id, p, i, j) === theirs);
        if (rule) tally.explained[rule] = (tally.explained[rule] ?? 0) + 1;
        else
          tally.unexplained.push({
            id: cluster.id,
            seed: cluster.seed,
            from: endpoints[i],
            to: endpoints[j],
            port: probe.port,
            protocol: probe.protocol,
            ours: mine,
            oracle: theirs,
          });
      }
    }
  });
}

export function formatCiliumTally(t: CiliumTally): string {
  const pct = (n: number, of: number) => (of === 0 ? '0' : ((100 * n) / of).toFixed(2));
  const acceptance = t.unexplained.filter(d => d.policy).length;
  return [
    `clusters: ${t.clusters}`,
    `acceptance: ${t.policiesAgreed} / ${t.policies} policies judged alike (accepted by both, or refused by both)`,
    `agreement: ${t.agreed} / ${t.total} pair-probes (${pct(t.agreed, t.total)}%)`,
    `unexplained disagreements: ${t.unexplained.length - acceptance} pair-probes, ${acceptance} policies`,
    ...(t.errors.length > 0 ? [`errors: ${t.errors.length}`] : []),
  ].join('\n');
}

/**
 * A hand-made cluster with the verdicts Cilium's documentation gives: a
 * fromEndpoints `{}` limited to the policy's namespace, a named port, a
 * direction left open when a policy has no rule for it, `toEntities: [world]`
 * for an address outside the cluster, an egressDeny on a CIDR with
 * `enableDefaultDeny.egress: false`. Both engines must give exactly these.
 */
export const CILIUM_SELF_CHECK: { cluster: CiliumCluster; expected: CiliumProbeVerdicts[] } = (() => {
  const pod = (ns: string, name: string, ip: string, ports: Obj[]) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { serviceAccountName: name, containers: [{ name: 'c', image: 'x', ports }] },
    status: { podIP: ip },
  });
  const policy = (ns: string, name: string, spec: Obj) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: ns },
    spec,
  });
  return {
    cluster: {
      id: 'self-check',
      seed: -1,
      namespaces: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { team: 'a' } } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
      ],
      pods: [
        pod('a', 'server', '10.0.0.1', [{ name: 'http', containerPort: 80, protocol: 'TCP' }]),
        pod('a', 'client', '10.0.0.2', []),
        pod('b', 'client', '10.0.1.1', []),
      ],
      externals: ['203.0.113.7'],
      policies: [
        policy('a', 'server-in', {
          endpointSelector: { matchLabels: { app: 'server' } },
          ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
        }),
        policy('b', 'client-out', { endpointSelector: {}, egress: [{ toEntities: ['world'] }] }),
        policy('a', 'client-deny', {
          endpointSelector: { matchLabels: { app: 'client' } },
          egressDeny: [{ toCIDR: ['203.0.113.0/24'] }],
          enableDefaultDeny: { egress: false },
        }),
      ],
      probes: [
        { port: 80, protocol: 'TCP' },
        { port: 8080, protocol: 'TCP' },
      ],
    },
    // Rows and columns: a/server, a/client, b/client, 203.0.113.7.
    expected: [
      { port: 80, protocol: 'TCP', allowed: ['-111', '1-10', '00-1', '011-'] },
      { port: 8080, protocol: 'TCP', allowed: ['-111', '0-10', '00-1', '011-'] },
    ],
  };
})();
