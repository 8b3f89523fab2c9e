import fs from 'node:fs';
import path from 'node:path';
import {
  analyzerVerdicts,
  checkKnownDifferences,
  ClusterVerdicts,
  compareCluster,
  emptyTally,
  formatTally,
  KNOWN_DIFFERENCE_RULES,
  KnownDifference,
  SELF_CHECK,
} from './compare';
import { RandomCluster } from './generator';

type Obj = Record<string, any>;

const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (key: string, labels: Record<string, string>, ip: string) => {
  const [namespace, name] = key.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 80 }] }] },
    status: { podIP: ip },
  };
};
const policy = (key: string, spec: Obj) => {
  const [namespace, name] = key.split('/');
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
};

function cluster(networkPolicies: Obj[]): RandomCluster {
  return {
    id: 'hand-made',
    seed: 0,
    namespaces: [ns('x', { team: 'a' }), ns('y')],
    pods: [pod('x/web', { app: 'web' }, '10.0.0.1'), pod('x/db', { app: 'db', tier: 'data' }, '10.0.0.2'), pod('y/cli', {}, '10.0.1.1')],
    networkPolicies,
    probes: [
      { port: 80, protocol: 'TCP' },
      { port: 80, protocol: 'UDP' },
    ],
  };
}

/** A copy of the verdicts with one pair-probe flipped. */
function flipped(v: ClusterVerdicts, probe: number, i: number, j: number): ClusterVerdicts {
  const verdicts = v.verdicts!.map((p, k) => {
    if (k !== probe) return p;
    const allowed = [...p.allowed];
    const row = allowed[i].split('');
    row[j] = row[j] === '1' ? '0' : '1';
    allowed[i] = row.join('');
    return { ...p, allowed };
  });
  return { ...v, verdicts };
}

describe("the analyzer's side of the differential test", () => {
  it('without policies every pair is allowed on every probe; the diagonal is not asked', () => {
    const v = analyzerVerdicts(cluster([]));
    expect(v.pods).toEqual(['x/web', 'x/db', 'y/cli']);
    expect(v.verdicts!.map(p => p.allowed)).toEqual([
      ['-11', '1-1', '11-'],
      ['-11', '1-1', '11-'],
    ]);
  });

  it('a policy admitting TCP 80 into x/db from its namespace only shows in the matrix', () => {
    const v = analyzerVerdicts(
      cluster([policy('x/db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'http' }] }] })]),
    );
    // Column 1 (x/db): only x/web on TCP; nobody on UDP.
    expect(v.verdicts![0].allowed).toEqual(['-11', '1-1', '10-']);
    expect(v.verdicts![1].allowed).toEqual(['-01', '1-1', '10-']);
  });

  it('an ipBlock over a pod IP counts as allowed (the CNI-dependent verdict)', () => {
    const v = analyzerVerdicts(
      cluster([policy('x/db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.1.0/24' } }] }] })]),
    );
    expect(v.verdicts![0].allowed).toEqual(['-01', '1-1', '11-']);
  });

  it('reports a cluster the analyzer rejects instead of guessing', () => {
    const v = analyzerVerdicts(cluster([policy('x/bad', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: '80' }] }] })]));
    expect(v.error).toMatch(/the analyzer rejects the cluster/);
  });
});

describe('comparing the engines', () => {
  const notIn = policy('x/notin', {
    podSelector: { matchLabels: { app: 'db' } },
    ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['data'] }] } }] }],
  });

  it('counts every ordered pair (not the diagonal) per probe, and agreement', () => {
    const c = cluster([notIn]);
    const ours = analyzerVerdicts(c);
    const tally = emptyTally();
    compareCluster(c, ours, ours, tally);
    expect(tally).toMatchObject({ clusters: 1, total: 12, agreed: 12, unexplained: [], errors: [] });
  });

  it('a disagreement a known difference explains is counted under it, not failed', () => {
    const c = cluster([notIn]);
    const ours = analyzerVerdicts(c);
    // x/web (no tier label) -> x/db: Kubernetes says NotIn holds, cyclonus says it does not.
    expect(ours.verdicts![0].allowed[0][1]).toBe('1');
    const tally = emptyTally();
    compareCluster(c, ours, flipped(ours, 0, 0, 1), tally);
    expect(tally.explained['cyclonus-notin-without-key']).toBe(1);
    expect(tally.unexplained).toEqual([]);
    expect(tally.agreed).toBe(11);
  });

  it('a disagreement no rule explains is reported with everything needed to reproduce it', () => {
    const c = cluster([]);
    const ours = analyzerVerdicts(c);
    const tally = emptyTally();
    compareCluster(c, ours, flipped(ours, 1, 2, 0), tally);
    expect(tally.unexplained).toEqual([{ cluster: 'hand-made', seed: 0, from: 'y/cli', to: 'x/web', port: 80, protocol: 'UDP', ours: true, oracle: false }]);
    expect(Object.values(tally.explained).every(n => n === 0)).toBe(true);
  });

  it('an engine error or a different pod list fails the cluster', () => {
    const c = cluster([]);
    const ours = analyzerVerdicts(c);
    const tally = emptyTally();
    compareCluster(c, ours, { id: c.id, error: 'cyclonus panicked: boom' }, tally);
    compareCluster(c, ours, { ...ours, pods: ['x/web', 'y/cli', 'x/db'] }, tally);
    expect(tally.errors).toEqual(['hand-made: oracle: cyclonus panicked: boom', expect.stringContaining('the engines list different pods')]);
    expect(tally.total).toBe(0);
  });

  it('prints the agreement figure and the count per known difference', () => {
    const tally = {
      ...emptyTally(),
      clusters: 2,
      total: 200,
      agreed: 197,
      explained: { 'cyclonus-notin-without-key': 3, 'cyclonus-empty-match-label-without-key': 0 },
    };
    const known = [
      { id: 'cyclonus-notin-without-key', kubernetes: 'cellplane' },
      { id: 'cyclonus-empty-match-label-without-key', kubernetes: 'cellplane' },
    ] as KnownDifference[];
    const text = formatTally(tally, known);
    expect(text).toContain('agreement: 197 / 200 pair-probes (98.50%)');
    expect(text).toContain('cyclonus-notin-without-key: 3 (1.50%); Kubernetes agrees with cellplane');
    expect(text).toContain('unexplained disagreements: 0');
  });
});

describe('the known-difference rules', () => {
  const notInRule = KNOWN_DIFFERENCE_RULES['cyclonus-notin-without-key'];
  const emptyRule = KNOWN_DIFFERENCE_RULES['cyclonus-empty-match-label-without-key'];

  it('rewrite NotIn as cyclonus reads it: the key must exist', () => {
    const c = cluster([
      policy('x/p', {
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['data'] }] },
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] } }] }],
      }),
    ]);
    const rewritten = notInRule(c).networkPolicies[0].spec;
    expect(rewritten.podSelector.matchExpressions).toEqual([
      { key: 'tier', operator: 'Exists' },
      { key: 'tier', operator: 'NotIn', values: ['data'] },
    ]);
    // Untouched where there is no NotIn, and the input is not changed.
    expect(rewritten.ingress[0].from[0].namespaceSelector).toEqual({ matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] });
    expect(c.networkPolicies[0].spec.podSelector.matchExpressions).toHaveLength(1);
  });

  it('rewrite matchLabels {k: ""} as cyclonus reads it: k absent or empty', () => {
    const c = cluster([
      policy('x/p', { podSelector: { matchLabels: { tier: '', app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: '' } } }] }] }),
    ]);
    const rewritten = emptyRule(c).networkPolicies[0].spec;
    expect(rewritten.podSelector).toEqual({
      matchLabels: { app: 'db' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['data', 'no-such-value'] }],
    });
    expect(rewritten.ingress[0].from[0].namespaceSelector).toEqual({
      matchLabels: {},
      matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a', 'no-such-value'] }],
    });
  });

  it.each([
    // [policy, probe, from, to]: x/web has no tier label, x/db has tier=data, y/cli no labels.
    [
      'NotIn on a key the source lacks',
      {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] } }] }],
      },
      0,
      1,
      'cyclonus-notin-without-key',
    ],
    [
      '{tier: ""} and a source without tier',
      { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: '' } } }] }] },
      0,
      1,
      'cyclonus-empty-match-label-without-key',
    ],
  ])('explains a flip caused by %s, and nothing else', (_name, spec, from, to, rule) => {
    const c = cluster([policy('x/p', spec as Obj)]);
    const ours = analyzerVerdicts(c);
    const oracle = analyzerVerdicts(KNOWN_DIFFERENCE_RULES[rule as string](c));
    // The quirk changes exactly this pair here; the oracle is played by the rewritten cluster.
    expect(oracle.verdicts![0].allowed[from as number][to as number]).not.toBe(ours.verdicts![0].allowed[from as number][to as number]);
    const tally = emptyTally();
    compareCluster(c, ours, oracle, tally);
    expect(tally.unexplained).toEqual([]);
    expect(tally.explained[rule as string]).toBeGreaterThan(0);
    // A flip elsewhere, that no rewrite reproduces, stays unexplained.
    const other = emptyTally();
    compareCluster(c, ours, flipped(oracle, 1, 2, 0), other);
    expect(other.unexplained).toHaveLength(1);
  });

  it('a disagreement only the rules together reproduce is counted under their combination', () => {
    // Rule a adds a policy admitting only app=web into x/db; rule b retargets it to app=nope. Only both deny web -> db.
    const rules = {
      a: (c: RandomCluster) => ({
        ...c,
        networkPolicies: [
          ...c.networkPolicies,
          policy('x/only-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
        ],
      }),
      b: (c: RandomCluster) => ({ ...c, networkPolicies: c.networkPolicies.map(p => JSON.parse(JSON.stringify(p).replace('"app":"web"', '"app":"nope"'))) }),
    };
    const c = cluster([]);
    const ours = analyzerVerdicts(c);
    const tally = emptyTally(Object.keys(rules));
    compareCluster(c, ours, flipped(ours, 0, 0, 1), tally, rules);
    expect(tally.explained).toEqual({ a: 0, b: 0, 'a+b': 1 });
    expect(formatTally(tally, [])).toContain('a+b: 1');
  });

  it('a flip where the quirky selector is present but does not change the verdict is not explained', () => {
    // x/db carries tier, so NotIn is read the same way by both; flipping x/db -> x/web is some other cause.
    const c = cluster([
      policy('x/p', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] } }] }],
      }),
    ]);
    const ours = analyzerVerdicts(c);
    const tally = emptyTally();
    compareCluster(c, ours, flipped(ours, 0, 1, 0), tally);
    expect(tally.unexplained).toHaveLength(1);
  });

  it('the known-differences file and the rules match one to one, each with its reason and side', () => {
    const file = path.resolve(__dirname, '../../../../../tools/netpol-oracle/known-differences.json');
    const entries = JSON.parse(fs.readFileSync(file, 'utf8')) as KnownDifference[];
    expect(checkKnownDifferences(entries)).toEqual([]);
    expect(checkKnownDifferences([...entries, { id: 'nobody', rule: 'r', reason: 'r', kubernetes: 'cyclonus', evidence: 'e' }])).toEqual([
      'nobody: listed in the file but no rule implements it',
    ]);
    expect(checkKnownDifferences(entries.slice(1))).toEqual([`${entries[0].id}: implemented but not listed in the file`]);
  });
});

describe('the self-check both engines must pass first', () => {
  it('our analyzer gives the verdicts worked out by hand', () => {
    const v = analyzerVerdicts(SELF_CHECK.cluster);
    expect(v.pods).toEqual(['a/server', 'a/client', 'b/client']);
    expect(v.verdicts).toEqual(SELF_CHECK.expected);
  });
});
