/**
 * Both sides of the NetworkPolicy differential test: our analyzer's verdicts
 * for a generated cluster (through its public API, as any caller would ask),
 * the comparison with the oracle's verdicts, and the known differences, each
 * a rule over the disagreeing case rather than a list of seeds.
 */
import { analyzeMatrix, loadCluster } from '../../analyzer';
import type { NetpolProtocol, RandomCluster } from './generator';

type Obj = Record<string, any>;

/** allowed[i][j]: '1' when pods[i] may reach pods[j] on the probe, '0' when not, '-' for i === j (not asked). */
export interface ProbeVerdicts {
  port: number;
  protocol: NetpolProtocol;
  allowed: string[];
}

/** One engine's answer for one cluster (the oracle's output line has this shape). */
export interface ClusterVerdicts {
  id: string;
  pods?: string[];
  verdicts?: ProbeVerdicts[];
  error?: string;
}

const keyOf = (o: Obj) => `${o.metadata.namespace}/${o.metadata.name}`;

/**
 * Our analyzer's verdicts: the reachability matrix for each probe, the pods
 * addressed directly (there are no Services). A CNI-dependent allow (an
 * ipBlock over a pod IP) counts as allowed, as the analyzer reports it.
 */
export function analyzerVerdicts(cluster: RandomCluster): ClusterVerdicts {
  const model = loadCluster([...cluster.namespaces, ...cluster.pods, ...cluster.networkPolicies]);
  if (model.problems.length > 0) {
    return { id: cluster.id, error: `the analyzer rejects the cluster: ${JSON.stringify(model.problems)}` };
  }
  const pods = cluster.pods.map(keyOf);
  const index = new Map(pods.map((k, i) => [k, i]));
  const verdicts = cluster.probes.map(({ port, protocol }) => {
    const rows = pods.map((_, i) => pods.map((__, j): string => (i === j ? '-' : '0')));
    for (const pair of analyzeMatrix(model, { port, protocol, addressing: 'pod' }).pairs) {
      if (pair.allowed) rows[index.get(pair.from)!][index.get(pair.to)!] = '1';
    }
    return { port, protocol, allowed: rows.map(r => r.join('')) };
  });
  return { id: cluster.id, pods, verdicts };
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/** A copy of the cluster with `rewrite` applied to every selector of every policy (podSelector and peers'). */
function mapSelectors(cluster: RandomCluster, rewrite: (s: Selector) => Selector): RandomCluster {
  const peer = (p: Obj) => ({
    ...p,
    ...(p.podSelector ? { podSelector: rewrite(p.podSelector) } : {}),
    ...(p.namespaceSelector ? { namespaceSelector: rewrite(p.namespaceSelector) } : {}),
  });
  const rules = (list: Obj[] | undefined, key: 'from' | 'to') => list?.map(r => (r[key] ? { ...r, [key]: r[key].map(peer) } : r));
  return {
    ...cluster,
    networkPolicies: cluster.networkPolicies.map(p => {
      const spec: Obj = { ...p.spec, podSelector: rewrite(p.spec.podSelector) };
      if (p.spec.ingress) spec.ingress = rules(p.spec.ingress, 'from');
      if (p.spec.egress) spec.egress = rules(p.spec.egress, 'to');
      return { ...p, spec };
    }),
  };
}

/** Every non-empty value of `key` on the cluster's pods and namespaces. */
function valuesOf(cluster: RandomCluster, key: string): string[] {
  const values = new Set<string>();
  for (const o of [...cluster.pods, ...cluster.namespaces]) {
    const v = o.metadata.labels?.[key];
    if (v) values.add(v);
  }
  // The name label is on every namespace, whether or not its manifest says so.
  if (key === 'kubernetes.io/metadata.name') for (const n of cluster.namespaces) values.add(n.metadata.name);
  return [...values].sort();
}

/** A label value no generated object carries, so a NotIn list is never empty. */
const NO_SUCH_VALUE = 'no-such-value';

/**
 * The known differences, by id (tools/netpol-oracle/known-differences.json
 * holds the reason and which side matches Kubernetes for each). Each rule
 * rewrites the cluster so that what Kubernetes reads in the rewritten
 * selectors is what cyclonus reads in the original ones. A disagreement is
 * explained by a rule when our analyzer, asked about the rewritten cluster,
 * gives cyclonus's answer for that pair and probe: the quirk accounts for all
 * of it, and a bug of ours elsewhere in the same decision still shows.
 */
export const KNOWN_DIFFERENCE_RULES: Record<string, (cluster: RandomCluster) => RandomCluster> = {
  // cyclonus: NotIn fails when the key is absent, i.e. it reads NotIn as "Exists and NotIn".
  'cyclonus-notin-without-key': cluster =>
    mapSelectors(cluster, s => {
      const expressions = s.matchExpressions ?? [];
      if (!expressions.some(e => e.operator === 'NotIn')) return s;
      return { ...s, matchExpressions: expressions.flatMap(e => (e.operator === 'NotIn' ? [{ key: e.key, operator: 'Exists' }, e] : [e])) };
    }),
  // cyclonus: matchLabels {k: ""} compares labels[k] with "", so it also holds when k is absent:
  // "k is absent or empty", which is NotIn(k, every other value k has in the cluster).
  'cyclonus-empty-match-label-without-key': cluster =>
    mapSelectors(cluster, s => {
      const empty = Object.entries(s.matchLabels ?? {}).filter(([, v]) => v === '');
      if (empty.length === 0) return s;
      const matchLabels = Object.fromEntries(Object.entries(s.matchLabels!).filter(([, v]) => v !== ''));
      const extra = empty.map(([key]) => ({ key, operator: 'NotIn', values: [...valuesOf(cluster, key), NO_SUCH_VALUE] }));
      return { ...s, matchLabels, matchExpressions: [...(s.matchExpressions ?? []), ...extra] };
    }),
};

export interface Disagreement {
  cluster: string;
  seed: number;
  from: string;
  to: string;
  port: number;
  protocol: NetpolProtocol;
  ours: boolean;
  oracle: boolean;
}

export interface Tally {
  clusters: number;
  /** Pair-probes compared (ordered pod pairs, self excluded, times probes). */
  total: number;
  agreed: number;
  /** Disagreements explained by each known difference (the first rule that applies). */
  explained: Record<string, number>;
  unexplained: Disagreement[];
  /** Clusters one engine could not evaluate: always a failure. */
  errors: string[];
}

export function emptyTally(ruleIds: readonly string[] = Object.keys(KNOWN_DIFFERENCE_RULES)): Tally {
  return { clusters: 0, total: 0, agreed: 0, explained: Object.fromEntries(ruleIds.map(id => [id, 0])), unexplained: [], errors: [] };
}

/**
 * Compares the two engines on one cluster and adds the outcome to `tally`.
 * A disagreement is explained by the first rule (alone, then all together)
 * under which our analyzer gives the oracle's answer.
 */
export function compareCluster(
  cluster: RandomCluster,
  ours: ClusterVerdicts,
  oracle: ClusterVerdicts,
  tally: Tally,
  rules: Record<string, (cluster: RandomCluster) => RandomCluster> = KNOWN_DIFFERENCE_RULES,
): void {
  tally.clusters++;
  for (const [who, v] of [
    ['analyzer', ours],
    ['oracle', oracle],
  ] as const) {
    if (v.error) {
      tally.errors.push(`${cluster.id}: ${who}: ${v.error}`);
      return;
    }
  }
  const pods = cluster.pods.map(keyOf);
  if (JSON.stringify(ours.pods) !== JSON.stringify(pods) || JSON.stringify(oracle.pods) !== JSON.stringify(pods)) {
    tally.errors.push(`${cluster.id}: the engines list different pods: ${JSON.stringify(ours.pods)} vs ${JSON.stringify(oracle.pods)}`);
    return;
  }
  // Each rule alone, then all of them at once (a pair may meet both quirks); computed when first needed.
  const ids = Object.keys(rules);
  const explanations: [string, () => RandomCluster][] = ids.map(id => [id, () => rules[id](cluster)]);
  if (ids.length > 1) explanations.push([ids.join('+'), () => ids.reduce((c, id) => rules[id](c), cluster)]);
  const rewritten = new Map<string, ClusterVerdicts | null>();
  const verdictUnder = (id: string, rewrite: () => RandomCluster, p: number, i: number, j: number): boolean | undefined => {
    if (!rewritten.has(id)) {
      const changed = rewrite();
      // A rule that changes nothing cannot explain anything here.
      rewritten.set(id, JSON.stringify(changed.networkPolicies) === JSON.stringify(cluster.networkPolicies) ? null : analyzerVerdicts(changed));
    }
    const v = rewritten.get(id);
    return v && !v.error ? v.verdicts![p].allowed[i][j] === '1' : undefined;
  };
  cluster.probes.forEach((probe, p) => {
    const a = ours.verdicts![p];
    const b = oracle.verdicts![p];
    if (!b || b.port !== probe.port || b.protocol !== probe.protocol || a.port !== probe.port || a.protocol !== probe.protocol) {
      tally.errors.push(`${cluster.id}: no verdict for probe ${probe.port}/${probe.protocol}`);
      return;
    }
    for (let i = 0; i < pods.length; i++) {
      for (let j = 0; j < pods.length; j++) {
        if (i === j) continue;
        tally.total++;
        const mine = a.allowed[i][j] === '1';
        const theirs = b.allowed[i][j] === '1';
        if (mine === theirs) {
          tally.agreed++;
          continue;
        }
        const rule = explanations.find(([id, rewrite]) => verdictUnder(id, rewrite, p, i, j) === theirs)?.[0];
        if (rule) tally.explained[rule] = (tally.explained[rule] ?? 0) + 1;
        else
          tally.unexplained.push({
            cluster: cluster.id,
            seed: cluster.seed,
            from: pods[i],
            to: pods[j],
            port: probe.port,
            protocol: probe.protocol,
            ours: mine,
            oracle: theirs,
          });
      }
    }
  });
}

export interface KnownDifference {
  id: string;
  rule: string;
  reason: string;
  /** The engine whose verdict Kubernetes gives. */
  kubernetes: 'cellplane' | 'cyclonus';
  evidence: string;
}

/** Problems with the known-differences file: every entry needs a rule here, and every rule an entry. */
export function checkKnownDifferences(entries: readonly KnownDifference[], rules: Record<string, unknown> = KNOWN_DIFFERENCE_RULES): string[] {
  const problems: string[] = [];
  const ids = entries.map(e => e.id);
  for (const e of entries) {
    if (!(e.id in rules)) problems.push(`${e.id}: listed in the file but no rule implements it`);
    for (const field of ['rule', 'reason', 'evidence'] as const) if (!e[field]) problems.push(`${e.id}: ${field} is missing`);
    if (e.kubernetes !== 'cellplane' && e.kubernetes !== 'cyclonus') problems.push(`${e.id}: kubernetes must be "cellplane" or "cyclonus"`);
  }
  for (const id of Object.keys(rules)) if (!ids.includes(id)) problems.push(`${id}: implemented but not listed in the file`);
  return problems;
}

/** The agreement figure and the per-difference counts, as the run prints them. */
export function formatTally(tally: Tally, known: readonly KnownDifference[]): string {
  const pct = (n: number) => (tally.total === 0 ? '0' : ((100 * n) / tally.total).toFixed(2));
  const lines = [
    `clusters: ${tally.clusters}`,
    `agreement: ${tally.agreed} / ${tally.total} pair-probes (${pct(tally.agreed)}%)`,
    'known differences (disagreements each explains):',
    ...known.map(k => `  ${k.id}: ${tally.explained[k.id] ?? 0} (${pct(tally.explained[k.id] ?? 0)}%); Kubernetes agrees with ${k.kubernetes}`),
    // Disagreements only the rules together explain.
    ...Object.entries(tally.explained)
      .filter(([id, n]) => n > 0 && !known.some(k => k.id === id))
      .map(([id, n]) => `  ${id}: ${n} (${pct(n)}%); these need the rules together`),
    `unexplained disagreements: ${tally.unexplained.length}`,
  ];
  if (tally.errors.length > 0) lines.push(`errors: ${tally.errors.length}`);
  return lines.join('\n');
}

/**
 * A hand-made cluster with the verdicts Kubernetes gives, worked out from the
 * API reference: both engines must give exactly these before the random
 * clusters mean anything. It pins the defaulting (`egress: []` without
 * policyTypes isolates no egress), named ports resolved on the destination,
 * and an ipBlock with except over pod IPs.
 */
export const SELF_CHECK: { cluster: RandomCluster; expected: ProbeVerdicts[] } = (() => {
  const pod = (ns: string, name: string, ip: string, ports: Obj[]) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { containers: [{ name: 'c', image: 'x', ports }] },
    status: { podIP: ip },
  });
  const policy = (ns: string, name: string, spec: Obj) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
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
        pod('a', 'server', '10.0.0.1', [
          { name: 'http', containerPort: 80 },
          { name: 'dns', containerPort: 53, protocol: 'UDP' },
        ]),
        pod('a', 'client', '10.0.0.2', []),
        pod('b', 'client', '10.0.1.1', []),
      ],
      networkPolicies: [
        policy('a', 'server-in', {
          podSelector: { matchLabels: { app: 'server' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'http' }] }],
          egress: [],
        }),
        policy('b', 'client-out', {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.2/32'] } }] }],
        }),
      ],
      probes: [
        { port: 80, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
    },
    // Rows and columns: a/server, a/client, b/client.
    expected: [
      { port: 80, protocol: 'TCP', allowed: ['-11', '1-1', '00-'] },
      { port: 53, protocol: 'UDP', allowed: ['-11', '0-1', '00-'] },
    ],
  };
})();
