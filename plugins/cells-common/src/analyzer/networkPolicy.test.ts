import { loadCluster } from './load';
import { analyzeRequest } from './request';
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

/** The cluster with one workload's address marked unknown (any pod address), as the simulation marks its pods. */
function loadClusterWithUnknown(manifests: object[], key: string) {
  const model = loadCluster(manifests);
  model.workloadsByKey.get(key)!.anyAddress = true;
  return model;
}

// One describe per rule of docs/policy-semantics.md, named by its anchor (netpol-1 is #netpol-1).
describe('netpol-1: isolation needs a selecting policy listing the direction in policyTypes', () => {
  it('without any policy everything is allowed', () => {
    expect(allowed([], 'a/client', 'a/server')).toBe(true);
  });
  it('policyTypes [Egress] does not isolate ingress', () => {
    const p = networkPolicy('a/egress-only', { podSelector: serverSelector, policyTypes: ['Egress'] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
    expect(allowed([p], 'a/server', 'a/client')).toBe(false);
  });
  // docs/policy-semantics.md#netpol-1 as the API server defaults it: Ingress always, Egress only when `egress` holds a rule.
  // `nothing` rules admit no peer, so an isolated direction shows as denied.
  const nothingIn = { from: [{ podSelector: { matchLabels: { app: 'nope' } } }] };
  const nothingOut = { to: [{ podSelector: { matchLabels: { app: 'nope' } } }] };
  it.each([
    ['no policyTypes, no ingress, no egress', {}, true, false],
    ['no policyTypes, ingress: []', { ingress: [] }, true, false],
    ['no policyTypes, egress: []', { egress: [] }, true, false],
    ['no policyTypes, ingress: [], egress: []', { ingress: [], egress: [] }, true, false],
    ['no policyTypes, egress with one rule', { egress: [nothingOut] }, true, true],
    ['no policyTypes, egress: [{}]', { egress: [{}] }, true, true],
    ['no policyTypes, ingress: [{}], egress with one rule', { ingress: [{}], egress: [nothingOut] }, true, true],
    ['policyTypes: [], egress: []', { policyTypes: [], egress: [] }, true, false],
    ['policyTypes: [], egress with one rule', { policyTypes: [], egress: [nothingOut] }, true, true],
    ['policyTypes [Egress], egress: []', { policyTypes: ['Egress'], egress: [] }, false, true],
    ['policyTypes [Ingress], egress with one rule', { policyTypes: ['Ingress'], egress: [nothingOut] }, true, false],
    ['policyTypes [Ingress, Egress], nothing else', { policyTypes: ['Ingress', 'Egress'] }, true, true],
    ['policyTypes [Egress], ingress rule ignored', { policyTypes: ['Egress'], ingress: [nothingIn] }, false, true],
  ])('%s %j: ingress isolated %s, egress isolated %s', (_name, spec, ingressIsolated, egressIsolated) => {
    const p = networkPolicy('a/p', { podSelector: serverSelector, ...spec });
    const model = loadCluster([p]);
    expect(model.problems).toEqual([]);
    expect(model.networkPolicies[0].isolates).toEqual({ ingress: ingressIsolated, egress: egressIsolated });
    // Ingress [{}] admits everything even when isolated; otherwise isolation means denied here.
    const ingressOpen = (spec as { ingress?: object[] }).ingress?.some(r => Object.keys(r).length === 0) ?? false;
    expect(allowed([p], 'a/client', 'a/server')).toBe(!ingressIsolated || ingressOpen);
    const egressOpen = (spec as { egress?: object[] }).egress?.some(r => Object.keys(r).length === 0) ?? false;
    expect(allowed([p], 'a/server', 'a/client')).toBe(!egressIsolated || egressOpen);
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

describe('netpol-2: podSelector {} selects every pod of the policy namespace only', () => {
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

describe('netpol-3: ingress: [] allows nothing; ingress: [{}] allows everything', () => {
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

describe('netpol-4: namespaceSelector and podSelector in one peer are ANDed; two peers are ORed', () => {
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

describe("netpol-5: a podSelector-only peer means the policy's namespace; namespaceSelector {} means all", () => {
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

describe('netpol-6: policies are additive; egress at the source and ingress at the destination must both allow', () => {
  const allowClient = networkPolicy('a/allow-client', {
    podSelector: serverSelector,
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
  });
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

describe("netpol-7: named ports resolve against the destination pod's container ports", () => {
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
    const p = networkPolicy('a/p', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 'dns', protocol: 'UDP' }] }],
    });
    expect(allowed([p], 'a/client', 'a/server', 53, 'UDP')).toBe(true);
    // a/other declares no port named dns
    expect(allowed([p], 'a/client', 'a/other', 53, 'UDP')).toBe(false);
  });
});

describe('netpol-8: protocol-only port entries, endPort ranges, and UDP-only isolation', () => {
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

describe('netpol-9: ipBlock.except carves out of the CIDR; over a pod IP the verdict depends on the CNI', () => {
  const p = networkPolicy('a/p', {
    podSelector: serverSelector,
    ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.8/29'] } }] }],
  });
  it('an external address inside the CIDR is admitted, with no caveat', () => {
    const r = analyze([...base, p], { from: '203.0.113.5', to: 'a/server', port: 8080 });
    expect(r.allowed).toBe(true);
    expect(layer(r, 'L3/L4').caveat).toBeUndefined();
    expect(r.explanation).not.toContain('depends on the CNI');
  });
  it('an address in except is not', () => {
    expect(allowed([p], '203.0.113.9', 'a/server')).toBe(false);
  });
  it('an address outside the CIDR is not', () => {
    expect(allowed([p], '198.51.100.1', 'a/server')).toBe(false);
  });

  // Truth table for pods: [source pod IP, allowed, CNI caveat]. No IP: nothing to match.
  it.each([
    ['203.0.113.20', true, true],
    ['203.0.113.9', false, false],
    ['198.51.100.1', false, false],
    [undefined, false, false],
  ])('ingress from a pod with IP %s: allowed %s, depends on the CNI %s', (ip, isAllowed, caveat) => {
    const source = pod('b/inside', { ip });
    const r = analyze([...base, source, p], { from: 'b/inside', to: 'a/server', port: 8080 });
    expect(r.allowed).toBe(isAllowed);
    expect(layer(r, 'L3/L4').caveat !== undefined).toBe(caveat);
    expect(r.explanation.startsWith('allowed (depends on the CNI')).toBe(caveat);
  });

  it('the caveat names the policy, the pod and IP, the CNIs that allow and the one that denies', () => {
    const r = analyze([...base, pod('b/inside', { ip: '203.0.113.20' }), p], { from: 'b/inside', to: 'a/server', port: 8080 });
    expect(r.decidedBy).toBeNull();
    expect(layer(r, 'L3/L4')).toMatchObject({ verdict: 'allow', policies: ['a/p'] });
    const caveat = layer(r, 'L3/L4').caveat!;
    expect(caveat).toContain('a/p');
    expect(caveat).toContain('b/inside (203.0.113.20)');
    expect(caveat).toMatch(/Calico, Antrea and kube-router .* allow it/);
    expect(caveat).toMatch(/Cilium does not and denies it/);
    expect(layer(r, 'L3/L4').reason).toContain(caveat);
  });

  it('the port of the rule still applies to a pod matched by IP', () => {
    const ported = networkPolicy('a/p', { podSelector: serverSelector, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 9090 }] }] });
    const manifests = [...base, pod('b/inside', { ip: '10.1.2.3' }), ported];
    expect(analyze(manifests, { from: 'b/inside', to: 'a/server', port: 8080 }).allowed).toBe(false);
    expect(analyze(manifests, { from: 'b/inside', to: 'a/server', port: 9090 }).allowed).toBe(true);
  });

  it('no caveat when another policy admits the pod by selector as well', () => {
    const bySelector = networkPolicy('a/q', { podSelector: serverSelector, ingress: [{ from: [{ namespaceSelector: {} }] }] });
    const r = analyze([...base, pod('b/inside', { ip: '203.0.113.20' }), p, bySelector], { from: 'b/inside', to: 'a/server', port: 8080 });
    expect(r.allowed).toBe(true);
    expect(layer(r, 'L3/L4').policies).toEqual(['a/p', 'a/q']);
    expect(layer(r, 'L3/L4').caveat).toBeUndefined();
  });

  it('no caveat when one rule of the same policy admits the pod by selector', () => {
    const both = networkPolicy('a/p', {
      podSelector: serverSelector,
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }, { from: [{ podSelector: { matchLabels: { app: 'inside' } } }] }],
    });
    const r = analyze([...base, pod('a/inside', { ip: '10.0.0.1' }), both], { from: 'a/inside', to: 'a/server', port: 8080 });
    expect(r.allowed).toBe(true);
    expect(layer(r, 'L3/L4').caveat).toBeUndefined();
  });

  it('egress ipBlock admits external destinations', () => {
    const e = networkPolicy('a/e', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }],
    });
    expect(allowed([e], 'a/client', '93.184.216.34', 443)).toBe(true);
    expect(allowed([e], 'a/client', '10.1.2.3', 443)).toBe(false);
  });

  it.each([
    ['192.168.1.5', true],
    ['10.1.2.3', false],
  ])('egress ipBlock 0.0.0.0/0 except 10.0.0.0/8 to a pod with IP %s: allowed %s (CNI-dependent when allowed)', (ip, isAllowed) => {
    const e = networkPolicy('a/e', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }],
    });
    const r = analyze([...base, pod('b/dest', { ip }), e], { from: 'a/client', to: 'b/dest', port: 8080 });
    expect(r.allowed).toBe(isAllowed);
    expect(layer(r, 'L3/L4').caveat !== undefined).toBe(isAllowed);
    expect(layer(r, 'L3/L4').caveat?.includes('b/dest (192.168.1.5)') ?? false).toBe(isAllowed);
  });

  // A pod whose address is not known yet (the simulation's) may have any pod address.
  it.each([
    ['10.0.0.0/8', true],
    ['0.0.0.0/0', true],
    ['fd00::/8', true],
    ['169.254.0.0/16', false],
    ['169.254.7.127/32', false],
    ['127.0.0.0/8', false],
    ['fe80::/10', false],
  ])('a pod with no known address and an ipBlock %s: allowed (CNI-dependent) %s', (cidr, isAllowed) => {
    const q = networkPolicy('a/q', { podSelector: serverSelector, ingress: [{ from: [{ ipBlock: { cidr } }] }] });
    // Without the mark, a pod without an address is never covered.
    expect(analyzeRequest(loadCluster([...base, q]), { from: 'b/client', to: 'a/server', port: 8080 }).allowed).toBe(false);
    const r = analyzeRequest(loadClusterWithUnknown([...base, q], 'b/client'), { from: 'b/client', to: 'a/server', port: 8080 });
    expect(r.allowed).toBe(isAllowed);
    expect(layer(r, 'L3/L4').caveat?.includes('may cover the address of b/client (not known here)') ?? false).toBe(isAllowed);
  });

  it('IPv6: a pod address inside an IPv6 block matches; an IPv4 block never matches an IPv6 pod', () => {
    const v6 = networkPolicy('a/p', {
      podSelector: serverSelector,
      ingress: [{ from: [{ ipBlock: { cidr: 'fd00:10::/32' } }, { ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    expect(analyze([...base, pod('b/six', { ip: 'fd00:10::5' }), v6], { from: 'b/six', to: 'a/server', port: 8080 }).allowed).toBe(true);
    expect(analyze([...base, pod('b/six', { ip: 'fd00:11::5' }), v6], { from: 'b/six', to: 'a/server', port: 8080 }).allowed).toBe(false);
  });
});

describe('netpol-10: every namespace carries kubernetes.io/metadata.name', () => {
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
