import { loadCluster } from './load';
import { analyze, ciliumClusterwidePolicy, ciliumPolicy, layer, namespace, networkPolicy, pod } from './testFixtures';

const base = [
  namespace('a', { team: 'a' }),
  namespace('b', { team: 'b' }),
  pod('a/client', { serviceAccount: 'capcom' }),
  pod('a/other'),
  pod('a/server'),
  pod('b/client', { labels: { app: 'client' } }),
  pod('b/server', { labels: { app: 'server' } }),
];

function run(policies: object[], from: string, to: string, extra: { method?: string; path?: string; port?: number } = {}) {
  return analyze([...base, ...(policies as never[])], { from, to, port: extra.port ?? 8080, method: extra.method, path: extra.path });
}
const allowed = (policies: object[], from: string, to: string, extra = {}) => run(policies, from, to, extra).allowed;
const server = { matchLabels: { app: 'server' } };

// One describe per rule of docs/policy-semantics.md, named by its anchor (netpol-1 is #netpol-1).
describe("cilium-1: endpointSelector is limited to the policy's namespace", () => {
  it('endpointSelector {} with deny-all ingress isolates only pods of its namespace', () => {
    const p = ciliumPolicy('a/all', { endpointSelector: {}, ingress: [{}] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(false);
    expect(allowed([p], 'a/client', 'b/server')).toBe(true);
  });
  it('naming another namespace in endpointSelector does not escape the policy namespace', () => {
    const p = ciliumPolicy('a/sneaky', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }, ingress: [{}] });
    expect(allowed([p], 'a/client', 'b/server')).toBe(true);
  });
  it.each([
    // Cilium writes the policy's namespace over the k8s: match label: the policy selects its own namespace's pods (found by tools/cilium-oracle).
    [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }, false],
    // Without the k8s: source, or as an expression, the key stays and is ANDed with the policy's namespace: nothing is selected.
    [{ matchLabels: { 'io.kubernetes.pod.namespace': 'b' } }, true],
    [{ matchLabels: { 'any:io.kubernetes.pod.namespace': 'b' } }, true],
    [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['b'] }] }, true],
  ])("endpointSelector %j in a policy of namespace a: a/server's ingress allowed %s", (endpointSelector, expected) => {
    const p = ciliumPolicy('a/deny-all', { endpointSelector, ingress: [{}] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(expected);
  });
  it('a clusterwide policy selects pods in every namespace', () => {
    const p = ciliumClusterwidePolicy('servers', { endpointSelector: server, ingress: [{}] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(false);
    expect(allowed([p], 'a/client', 'b/server')).toBe(false);
    expect(allowed([p], 'a/server', 'a/client')).toBe(true);
  });
});

describe('cilium-2: fromEndpoints without a namespace key means this namespace', () => {
  it('fromEndpoints [{}] admits its own namespace, not everywhere', () => {
    const p = ciliumPolicy('a/p', { endpointSelector: server, ingress: [{ fromEndpoints: [{}] }] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
    expect(allowed([p], 'b/client', 'a/server')).toBe(false);
  });
  it('a k8s:io.kubernetes.pod.namespace key opens another namespace', () => {
    const p = ciliumPolicy('a/p', {
      endpointSelector: server,
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b', app: 'client' } }] }],
    });
    expect(allowed([p], 'b/client', 'a/server')).toBe(true);
    expect(allowed([p], 'a/client', 'a/server')).toBe(false);
  });
  it('a namespace-label key (io.cilium.k8s.namespace.labels.*) also lifts the restriction', () => {
    const p = ciliumPolicy('a/p', {
      endpointSelector: server,
      ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'b' } }] }],
    });
    expect(allowed([p], 'b/client', 'a/server')).toBe(true);
    expect(allowed([p], 'a/client', 'a/server')).toBe(false);
  });
  it('in a clusterwide policy fromEndpoints [{}] means every namespace', () => {
    const p = ciliumClusterwidePolicy('servers', { endpointSelector: server, ingress: [{ fromEndpoints: [{}] }] });
    expect(allowed([p], 'b/client', 'a/server')).toBe(true);
    expect(allowed([p], '198.51.100.1', 'a/server')).toBe(false);
  });
  it('egress toEndpoints without a namespace key means this namespace too', () => {
    const p = ciliumPolicy('a/p', { endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'server' } }] }] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
    expect(allowed([p], 'a/client', 'b/server')).toBe(false);
  });
});

describe('cilium-3: a direction is default-deny only when a selecting rule has a non-empty list (opposite of Kubernetes)', () => {
  it('ingress: [{}] is deny-all ingress', () => {
    const p = ciliumPolicy('a/p', { endpointSelector: server, ingress: [{}] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(false);
  });
  it('ingress: [] enforces nothing (here the rule is valid thanks to its egress list)', () => {
    const p = ciliumPolicy('a/p', { endpointSelector: server, ingress: [], egress: [{}] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
    expect(allowed([p], 'a/server', 'a/client')).toBe(false);
  });
  it('the same shapes mean the opposite in a Kubernetes NetworkPolicy', () => {
    const k8s = networkPolicy('a/p', { podSelector: server, policyTypes: ['Ingress'], ingress: [{}] });
    expect(allowed([k8s], 'a/client', 'a/server')).toBe(true);
  });
  it('a rule with all four lists empty is rejected (reported as a problem)', () => {
    const model = loadCluster([...base, ciliumPolicy('a/empty', { endpointSelector: server, ingress: [] })]);
    expect(model.problems).toEqual([expect.objectContaining({ object: 'CiliumNetworkPolicy a/empty', field: 'spec' })]);
  });
  it('a rule with only toPorts (no peers) admits every peer on those ports', () => {
    const p = ciliumPolicy('a/p', { endpointSelector: server, ingress: [{ toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] });
    expect(allowed([p], 'b/client', 'a/server')).toBe(true);
    expect(allowed([p], '198.51.100.1', 'a/server')).toBe(true);
    expect(allowed([p], 'b/client', 'a/server', { port: 9090 })).toBe(false);
  });
});

describe('cilium-4: enableDefaultDeny defaults to true for a direction that has rules', () => {
  const rule = { endpointSelector: server, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }] };
  it('by default, peers not listed are denied', () => {
    expect(allowed([ciliumPolicy('a/p', rule)], 'a/other', 'a/server')).toBe(false);
  });
  it('enableDefaultDeny.ingress: false only adds allows, it does not isolate', () => {
    const p = ciliumPolicy('a/p', { ...rule, enableDefaultDeny: { ingress: false } });
    expect(allowed([p], 'a/other', 'a/server')).toBe(true);
  });
  it('its allows still count when another policy isolates the pod', () => {
    const p = ciliumPolicy('a/p', { ...rule, enableDefaultDeny: { ingress: false } });
    const isolate = networkPolicy('a/deny', { podSelector: server, policyTypes: ['Ingress'] });
    expect(allowed([p, isolate], 'a/client', 'a/server')).toBe(true);
    expect(allowed([p, isolate], 'a/other', 'a/server')).toBe(false);
  });
});

describe("cilium-5: ingressDeny/egressDeny win over every allow, Cilium's or Kubernetes'", () => {
  const deny = ciliumPolicy('a/deny-client', { endpointSelector: server, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }] });
  it('over a Cilium allow', () => {
    const allow = ciliumPolicy('a/allow', { endpointSelector: server, ingress: [{ fromEntities: ['all'] }] });
    const r = run([allow, deny], 'a/client', 'a/server');
    expect(r.allowed).toBe(false);
    expect(layer(r, 'L3/L4').policies).toEqual(['a/deny-client']);
    expect(allowed([allow, deny], 'a/other', 'a/server')).toBe(true);
  });
  it('over a Kubernetes allow', () => {
    const allow = networkPolicy('a/allow', { podSelector: server, ingress: [{}] });
    expect(allowed([allow, deny], 'a/client', 'a/server')).toBe(false);
  });
  it('egressDeny with ports denies only those ports', () => {
    const e = ciliumPolicy('a/no-8080', {
      endpointSelector: { matchLabels: { app: 'client' } },
      egressDeny: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: '8080' }] }] }],
      egress: [{ toEntities: ['all'] }],
    });
    expect(allowed([e], 'a/client', 'a/server')).toBe(false);
    expect(allowed([e], 'a/client', 'a/server', { port: 9090 })).toBe(true);
  });
});

describe("cilium-6: replies to an allowed connection are not subject to the other side's policy", () => {
  it('a caller with deny-all ingress still gets its answers', () => {
    const p = ciliumPolicy('a/client-closed', { endpointSelector: { matchLabels: { app: 'client' } }, ingress: [{}] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
  });
  it('a server with deny-all egress still answers', () => {
    const p = ciliumPolicy('a/server-mute', { endpointSelector: server, egress: [{}] });
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
    expect(allowed([p], 'a/server', 'a/client')).toBe(false);
  });
});

describe('cilium-7: HTTP rules reject unmatched requests with 403; disallowed sources are dropped at L3/L4', () => {
  const p = ciliumPolicy('a/http', {
    endpointSelector: server,
    ingress: [
      {
        fromEndpoints: [{ matchLabels: { app: 'client' } }],
        toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public/.*' }] } }],
      },
    ],
  });
  it('a matching method and path pass', () => {
    expect(allowed([p], 'a/client', 'a/server', { method: 'GET', path: '/public/x?y=1' })).toBe(true);
  });
  it('an allowed source with another method gets HTTP 403 from the proxy', () => {
    const r = run([p], 'a/client', 'a/server', { method: 'POST', path: '/public/x' });
    expect(r.allowed).toBe(false);
    expect(layer(r, 'L3/L4').reason).toContain('HTTP 403');
  });
  it('the path regex must match the whole path', () => {
    expect(allowed([p], 'a/client', 'a/server', { method: 'GET', path: '/x/public/y' })).toBe(false);
  });
  it('a source that is not allowed is dropped, not answered with 403', () => {
    const r = run([p], 'a/other', 'a/server', { method: 'GET', path: '/public/x' });
    expect(r.allowed).toBe(false);
    expect(layer(r, 'L3/L4').reason).not.toContain('403');
    expect(layer(r, 'L3/L4').reason).toContain('isolated');
  });
  it('a request naming no method or path cannot be shown to pass an HTTP rule (fail closed)', () => {
    expect(allowed([p], 'a/client', 'a/server')).toBe(false);
  });
});

describe('cilium-8: io.cilium.k8s.policy.serviceaccount selects peers by service account', () => {
  const p = ciliumPolicy('a/p', {
    endpointSelector: server,
    ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'capcom' } }] }],
  });
  it('the pod running as capcom is admitted', () => {
    expect(allowed([p], 'a/client', 'a/server')).toBe(true);
  });
  it('a pod with the same labels but another service account is not', () => {
    const twin = pod('a/twin', { labels: { app: 'client' }, serviceAccount: 'adversary' });
    expect(analyze([...base, twin, p], { from: 'a/twin', to: 'a/server', port: 8080 }).allowed).toBe(false);
  });
  it('the k8s: prefix on the key is accepted', () => {
    const q = ciliumPolicy('a/q', {
      endpointSelector: server,
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.policy.serviceaccount': 'capcom' } }] }],
    });
    expect(allowed([q], 'a/client', 'a/server')).toBe(true);
    expect(allowed([q], 'a/other', 'a/server')).toBe(false);
  });
});

describe('Cilium entities and CIDRs', () => {
  it('fromEntities world admits external addresses but not pods; cluster the opposite', () => {
    const world = ciliumPolicy('a/w', { endpointSelector: server, ingress: [{ fromEntities: ['world'] }] });
    const cluster = ciliumPolicy('a/c', { endpointSelector: server, ingress: [{ fromEntities: ['cluster'] }] });
    expect(allowed([world], '198.51.100.1', 'a/server')).toBe(true);
    expect(allowed([world], 'b/client', 'a/server')).toBe(false);
    expect(allowed([cluster], 'b/client', 'a/server')).toBe(true);
    expect(allowed([cluster], '198.51.100.1', 'a/server')).toBe(false);
  });
  it('fromCIDRSet except carves out', () => {
    const p = ciliumPolicy('a/p', { endpointSelector: server, ingress: [{ fromCIDRSet: [{ cidr: '198.51.100.0/24', except: ['198.51.100.128/25'] }] }] });
    expect(allowed([p], '198.51.100.1', 'a/server')).toBe(true);
    expect(allowed([p], '198.51.100.200', 'a/server')).toBe(false);
  });
  it('a numeric toPorts port is reported (the CRD wants a string)', () => {
    const model = loadCluster([...base, ciliumPolicy('a/p', { endpointSelector: server, ingress: [{ toPorts: [{ ports: [{ port: 8080 }] }] }] })]);
    expect(model.problems[0]).toMatchObject({ field: 'spec.ingress[0].toPorts[0].ports[0].port' });
  });
  it('fromRequires cannot be ignored without widening access, so it is reported', () => {
    const model = loadCluster([...base, ciliumPolicy('a/p', { endpointSelector: server, ingress: [{ fromRequires: [{}] }] })]);
    expect(model.problems[0].field).toBe('spec.ingress[0].fromRequires');
  });
});
