import { loadCluster } from './load';
import { analyze, layer, namespace, networkPolicy, pod } from './testFixtures';

/** Two plain (non-ambient) namespaces: a (team=a) and b (team=b). */
const base = [
  namespace('a', { team: 'a' }),
  namespace('b', { team: 'b' }),
  pod('a/client'),
  pod('a/other'),
  pod('a/server', {
    ports: [
      { name: 'http', containerPort: 8080 },
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
    ],
  }),
  pod('b/client', { labels: { app: 'client' } }),
  pod('b/other'),
];

function allowed(policies: object[], from: string, to: string, port: number | string = 8080, protocol?: 'TCP' | 'UDP') {
  const r = analyze([...base, ...(policies as never[])], { from, to, port, protocol });
  if (r.decidedBy !== null) expect(r.decidedBy).toBe('L3/L4');
  return r.allowed;
}

const serverSelector = { matchLabels: { app: 'server' } };

describe('K8s rule 1: isolation needs a selecting policy listing the direction in policyTypes', () => {
  it('without any policy everything is allowed', () => {
    expect(allowed([], 'a/client', 'a/server')).toBe(true);
  });
  it('policyTypes [Egress] does not isolate ingress', () => {
    const p = networkPolicy('a/egress-only', { podSelector: serverSelector, policyTypes: ['Egress'] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
    expect(allowed([p], 'a/server', 'a/client')).toBe(false);
  });
  it('policyTypes left out means [Ingress] when there is no egress section', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(false);
    expect(allowed([p], 'a/server', 'a/client')).toBe(true);
  });
  it('policyTypes left out adds Egress when an egress section is present', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, egress: [] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(false);
    expect(allowed([p], 'a/server', 'a/client')).toBe(false);
  });
  it('rules for a direction not in policyTypes are ignored', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, policyTypes: ['Egress'], ingress: [] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
  });
  it('a policy whose podSelector matches nothing isolates nothing', () => {
    const p = networkPolicy('a/p', { podSelector: { matchLabels: { app: 'nope' } }, policyTypes: ['Ingress', 'Egress'] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
  });
  it('the layer names the isolating policy when it denies', () => {
    const p = networkPolicy('a/deny-server', { podSelector: serverSelector, policyTypes: ['Ingress'] });
    const r = analyze([...base, p], { from: 'a/client', to: 'a/server', port: 8080 });
    expect(layer(r, 'L3/L4')).toMatchObject({ verdict: 'deny', policies: ['a/deny-server'] });
    expect(r.explanation).toMatch(/^denied at L3\/L4: ingress: a\/server is isolated for ingress by a\/deny-server/);
  });
});

describe('K8s rule 2: podSelector {} selects every pod of the policy namespace only', () => {
  const denyAll = networkPolicy('a/deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
  it('isolates every pod in its namespace', () => {
    expect(allowed([denyAll], 'a/client', 'a/server')).toBe(false);
    expect(allowed([denyAll], 'a/server', 'a/other')).toBe(false);
  });
  it('does not reach pods of other namespaces', () => {
    expect(allowed([denyAll], 'b/client', 'b/other')).toBe(true);
    expect(allowed([denyAll], 'a/client', 'b/other')).toBe(true);
  });
});

describe('K8s rule 3: ingress: [] allows nothing; ingress: [{}] allows everything', () => {
  it('ingress: [] with Ingress in policyTypes allows nothing', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, policyTypes: ['Ingress'], ingress: [] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(false);
    expect(allowed([p], 'b/client', 'a/server')).toBe(false);
  });
  it('ingress: [{}] allows every source, in every namespace and outside the cluster', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, policyTypes: ['Ingress'], ingress: [{}] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
    expect(allowed([p], 'b/other', 'a/server')).toBe(true);
    expect(allowed([p], '198.51.100.7', 'a/server')).toBe(true);
  });
  it('egress: [{}] allows every destination; egress: [] none', () => {
    const open = networkPolicy('a/p', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{}] });
    const closed = networkPolicy('a/p', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [] });
    expect(allowed([open], 'a/client', 'b/other')).toBe(true);
    expect(allowed([closed], 'a/client', 'b/other')).toBe(false);
  });
});

describe('K8s rule 4: namespaceSelector and podSelector in one peer are ANDed; two peers are ORed', () => {
  const anded = networkPolicy('a/p', {
    podSelector: serverSelector,
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { app: 'client' } } }] }],
  });
  const ored = networkPolicy('a/p', {
    podSelector: serverSelector,
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'client' } } }] }],
  });
  it('one peer: only pods matching both (b/client)', () => {
    expect(allowed([anded], 'b/client', 'a/server')).toBe(true);
    expect(allowed([anded], 'b/other', 'a/server')).toBe(false);
    expect(allowed([anded], 'a/client', 'a/server')).toBe(false);
  });
  it('two peers: pods matching either', () => {
    expect(allowed([ored], 'b/other', 'a/server')).toBe(true);
    expect(allowed([ored], 'a/client', 'a/server')).toBe(true);
    expect(allowed([ored], 'a/other', 'a/server')).toBe(false);
  });
});

describe("K8s rule 5: a podSelector-only peer means the policy's namespace; namespaceSelector {} means all", () => {
  it('podSelector alone does not match same-labelled pods in other namespaces', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
    expect(allowed([p], 'b/client', 'a/server')).toBe(false);
  });
  it('namespaceSelector: {} alone matches every pod of every namespace', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ from: [{ namespaceSelector: {} }] }] });
    expect(allowed([p], 'b/other', 'a/server')).toBe(true);
    expect(allowed([p], 'a/other', 'a/server')).toBe(true);
    // but not addresses outside the cluster
    expect(allowed([p], '198.51.100.7', 'a/server')).toBe(false);
  });
});

describe('K8s rule 6: policies are additive; egress at the source and ingress at the destination must both allow', () => {
  const allowClient = networkPolicy('a/allow-client', { podSelector: serverSelector, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] });
  const allowOther = networkPolicy('a/allow-other', { podSelector: serverSelector, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'other' } } }] }] });
  it('the union of two policies admits both sources', () => {
    expect(allowed([allowClient, allowOther], 'a/client', 'a/server')).toBe(true);
    expect(allowed([allowClient, allowOther], 'a/other', 'a/server')).toBe(true);
    expect(allowed([allowClient, allowOther], 'b/other', 'a/server')).toBe(false);
  });
  it('ingress allowed but the source egress denies: denied, reason names egress', () => {
    const egressDeny = networkPolicy('a/client-egress', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'] });
    const r = analyze([...base, allowClient, egressDeny], { from: 'a/client', to: 'a/server', port: 8080 });
    expect(r.allowed).toBe(false);
    expect(layer(r, 'L3/L4').reason).toMatch(/^egress:/);
    expect(layer(r, 'L3/L4').policies).toEqual(['a/client-egress']);
  });
  it('egress allowed but the destination ingress denies: denied, reason names ingress', () => {
    const egressOk = networkPolicy('a/client-egress', { podSelector: { matchLabels: { app: 'client' } }, egress: [{ to: [{ podSelector: serverSelector }] }] });
    const ingressDeny = networkPolicy('a/server-ingress', { podSelector: serverSelector, ingress: [] });
    const r = analyze([...base, egressOk, ingressDeny], { from: 'a/client', to: 'a/server', port: 8080 });
    expect(r.allowed).toBe(false);
    expect(layer(r, 'L3/L4').reason).toMatch(/^ingress:/);
  });
  it('both directions allowing: allowed and both policies listed', () => {
    const egressOk = networkPolicy('a/client-egress', { podSelector: { matchLabels: { app: 'client' } }, egress: [{ to: [{ podSelector: serverSelector }] }] });
    const r = analyze([...base, egressOk, allowClient], { from: 'a/client', to: 'a/server', port: 8080 });
    expect(r.allowed).toBe(true);
    expect(layer(r, 'L3/L4').policies).toEqual(['a/client-egress', 'a/allow-client']);
  });
});

describe("K8s rule 7: named ports resolve against the destination pod's container ports", () => {
  it('a named port admits its number and nothing else', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ ports: [{ port: 'http' }] }] });
    expect(allowed([p], 'a/client', 'a/server', 8080)).toBe(true);
    expect(allowed([p], 'a/client', 'a/server', 9090)).toBe(false);
  });
  it('a request may name the port; it resolves on the destination', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ ports: [{ port: 8080 }] }] });
    expect(allowed([p], 'a/client', 'a/server', 'http')).toBe(true);
  });
  it('a name with the wrong protocol matches nothing', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ ports: [{ port: 'http', protocol: 'UDP' }] }] });
    expect(allowed([p], 'a/client', 'a/server', 8080)).toBe(false);
    expect(allowed([p], 'a/client', 'a/server', 8080, 'UDP')).toBe(false);
  });
  it('in an egress rule the name resolves on the destination, not the source', () => {
    const p = networkPolicy('a/p', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'dns', protocol: 'UDP' }] }] });
    expect(allowed([p], 'a/client', 'a/server', 53, 'UDP')).toBe(true);
    // a/other declares no port named dns
    expect(allowed([p], 'a/client', 'a/other', 53, 'UDP')).toBe(false);
  });
});

describe('K8s rule 8: protocol-only port entries, endPort ranges, and UDP-only isolation', () => {
  it('a port entry with only a protocol admits every port of that protocol', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ ports: [{ protocol: 'UDP' }] }] });
    expect(allowed([p], 'a/client', 'a/server', 53, 'UDP')).toBe(true);
    expect(allowed([p], 'a/client', 'a/server', 5353, 'UDP')).toBe(true);
  });
  it('allowing only UDP still isolates the pod for TCP', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ ports: [{ protocol: 'UDP' }] }] });
    expect(allowed([p], 'a/client', 'a/server', 8080, 'TCP')).toBe(false);
  });
  it('endPort makes an inclusive range', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] });
    expect(allowed([p], 'a/client', 'a/server', 8000)).toBe(true);
    expect(allowed([p], 'a/client', 'a/server', 8080)).toBe(true);
    expect(allowed([p], 'a/client', 'a/server', 8081)).toBe(false);
  });
  it('protocol defaults to TCP', () => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ ports: [{ port: 53 }] }] });
    expect(allowed([p], 'a/client', 'a/server', 53, 'TCP')).toBe(true);
    expect(allowed([p], 'a/client', 'a/server', 53, 'UDP')).toBe(false);
  });
});

describe('K8s rule 9: ipBlock.except carves out of the CIDR; ipBlock is for cluster-external addresses', () => {
  const p = networkPolicy('a/p', {
    podSelector: serverSelector,
    ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.8/29'] } }] }],
  });
  it('an external address inside the CIDR is admitted', () => {
    expect(allowed([p], '203.0.113.5', 'a/server')).toBe(true);
  });
  it('an address in except is not', () => {
    expect(allowed([p], '203.0.113.9', 'a/server')).toBe(false);
  });
  it('an address outside the CIDR is not', () => {
    expect(allowed([p], '198.51.100.1', 'a/server')).toBe(false);
  });
  it('a pod whose IP falls inside the CIDR is not admitted by ipBlock (never widened to pods)', () => {
    const inside = pod('a/inside', { ip: '203.0.113.20' });
    const r = analyze([...base, inside, p], { from: 'a/inside', to: 'a/server', port: 8080 });
    expect(r.allowed).toBe(false);
  });
  it('egress ipBlock admits external destinations', () => {
    const e = networkPolicy('a/e', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] });
    expect(allowed([e], 'a/client', '93.184.216.34', 443)).toBe(true);
    expect(allowed([e], 'a/client', '10.1.2.3', 443)).toBe(false);
  });
});

describe('K8s rule 10: every namespace carries kubernetes.io/metadata.name', () => {
  const byName = networkPolicy('a/p', {
    podSelector: serverSelector,
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }] }],
  });
  it('selects a namespace by name even when its manifest omits the label', () => {
    expect(allowed([byName], 'b/other', 'a/server')).toBe(true);
    expect(allowed([byName], 'a/other', 'a/server')).toBe(false);
  });
  it('an implied namespace (no Namespace object) carries the label too', () => {
    const model = loadCluster([pod('c/x'), pod('a/server')]);
    expect(model.namespaces.get('c')).toMatchObject({ implied: true, labels: { 'kubernetes.io/metadata.name': 'c' } });
    const p = networkPolicy('a/p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'c' } } }] }] });
    expect(analyze([pod('c/x'), pod('a/server'), p], { from: 'c/x', to: 'a/server', port: 8080 }).allowed).toBe(true);
    expect(analyze([pod('d/x'), pod('a/server'), p], { from: 'd/x', to: 'a/server', port: 8080 }).allowed).toBe(false);
  });
});
