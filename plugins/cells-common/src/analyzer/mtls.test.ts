import { loadCluster } from './load';
import { analyzeRequest } from './request';
import { ambientNamespace, analyze, layer, namespace, networkPolicy, peerAuthentication, pod } from './testFixtures';

const base = [
  ambientNamespace('mesh'),
  namespace('plain'),
  namespace('istio-system'),
  pod('mesh/client', { serviceAccount: 'client' }),
  pod('mesh/rogue', { serviceAccount: 'rogue' }),
  pod('mesh/server', { serviceAccount: 'server' }),
  pod('plain/legacy'),
];
const run = (extra: object[], from: string, to = 'mesh/server', port = 8080) => analyze([...base, ...(extra as never[])], { from, to, port });

// One describe per rule of docs/policy-semantics.md, named by its anchor (netpol-1 is #netpol-1).
describe('ambient-1: the namespace label istio.io/dataplane-mode=ambient enrols pods with a SPIFFE identity', () => {
  it('an enrolled caller reaches an enrolled pod over mTLS with its service-account identity', () => {
    const r = run([], 'mesh/client');
    expect(layer(r, 'mTLS')).toMatchObject({ verdict: 'allow' });
    expect(layer(r, 'mTLS').reason).toContain('cluster.local/ns/mesh/sa/client');
    expect(r.hops[0].port).toBe(15008);
  });
  it('a pod without serviceAccountName gets the default service account', () => {
    const model = loadCluster([...base, pod('mesh/anon')]);
    const r = analyzeRequest(model, { from: 'mesh/anon', to: 'mesh/server', port: 8080 });
    expect(layer(r, 'mTLS').reason).toContain('cluster.local/ns/mesh/sa/default');
  });
  it('the trust domain is an option', () => {
    const model = loadCluster(base, { trustDomain: 'artemis.example' });
    const r = analyzeRequest(model, { from: 'mesh/client', to: 'mesh/server', port: 8080 });
    expect(layer(r, 'mTLS').reason).toContain('artemis.example/ns/mesh/sa/client');
  });
  it('a destination outside ambient has no mTLS or ztunnel policy (not applicable), and traffic uses the app port', () => {
    const r = run([], 'mesh/client', 'plain/legacy');
    expect(layer(r, 'mTLS').verdict).toBe('not-applicable');
    expect(layer(r, 'L7').verdict).toBe('not-applicable');
    expect(r.hops[0].port).toBe(8080);
  });
  it('a pod labelled istio.io/dataplane-mode=none opts out of its ambient namespace', () => {
    const out = pod('mesh/out', { labels: { app: 'out', 'istio.io/dataplane-mode': 'none' } });
    const r = analyze([...base, out], { from: 'mesh/client', to: 'mesh/out', port: 8080 });
    expect(layer(r, 'mTLS').verdict).toBe('not-applicable');
  });
  it('UDP is not carried by ztunnel: no HBONE, no mTLS', () => {
    const r = analyze(base, { from: 'mesh/client', to: 'mesh/server', port: 8080, protocol: 'UDP' });
    expect(r.hops[0].port).toBe(8080);
    expect(layer(r, 'mTLS').verdict).toBe('not-applicable');
  });
});

describe('ambient-2: NetworkPolicies in an ambient namespace see port 15008, not the app port', () => {
  const onAppPort = networkPolicy('mesh/app-port', {
    podSelector: { matchLabels: { app: 'server' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 8080 }] }],
  });
  const onHbone = networkPolicy('mesh/hbone', {
    podSelector: { matchLabels: { app: 'server' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 15008 }] }],
  });
  const hboneFromAll = networkPolicy('mesh/hbone-all', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ ports: [{ port: 15008 }] }] });
  it('allowing the app port alone blocks meshed callers (they arrive on 15008)', () => {
    const r = run([onAppPort], 'mesh/client');
    expect(r.allowed).toBe(false);
    expect(layer(r, 'L3/L4').reason).toContain('15008');
  });
  it('allowing 15008 from the peer admits it', () => {
    expect(run([onHbone], 'mesh/client').allowed).toBe(true);
    expect(run([onHbone], 'mesh/rogue').allowed).toBe(false);
  });
  it('allowing 15008 from everywhere opens the pod to every meshed pod, rogue included', () => {
    expect(run([hboneFromAll], 'mesh/rogue').allowed).toBe(true);
  });
  it('a plaintext caller from outside the mesh is seen on the app port', () => {
    const fromLegacy = networkPolicy('mesh/legacy', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'plain' } } }], ports: [{ port: 8080 }] }],
    });
    const r = run([fromLegacy], 'plain/legacy');
    expect(layer(r, 'L3/L4').verdict).toBe('allow');
    expect(r.hops[0].port).toBe(8080);
  });
});

describe('ambient-3: STRICT mTLS denies any connection without an identity', () => {
  const nsStrict = peerAuthentication('mesh/strict', { mtls: { mode: 'STRICT' } });
  it('namespace STRICT: a plaintext caller is denied at mTLS, naming the policy', () => {
    const r = run([nsStrict], 'plain/legacy');
    expect(r).toMatchObject({ allowed: false, decidedBy: 'mTLS' });
    expect(layer(r, 'mTLS').policies).toEqual(['mesh/strict']);
    expect(r.explanation).toMatch(/^denied at mTLS: .*plaintext/);
  });
  it('namespace STRICT: a meshed caller passes', () => {
    expect(run([nsStrict], 'mesh/client').allowed).toBe(true);
  });
  it('mesh-wide STRICT in istio-system applies to every namespace', () => {
    const r = run([peerAuthentication('istio-system/default', { mtls: { mode: 'STRICT' } })], 'plain/legacy');
    expect(r.decidedBy).toBe('mTLS');
  });
  it('without PeerAuthentication (PERMISSIVE) plaintext is accepted', () => {
    const r = run([], 'plain/legacy');
    expect(r.allowed).toBe(true);
    expect(layer(r, 'mTLS').reason).toContain('PERMISSIVE');
  });
  it('a namespace PERMISSIVE overrides a mesh STRICT; UNSET inherits it', () => {
    const mesh = peerAuthentication('istio-system/default', { mtls: { mode: 'STRICT' } });
    expect(run([mesh, peerAuthentication('mesh/p', { mtls: { mode: 'PERMISSIVE' } })], 'plain/legacy').allowed).toBe(true);
    expect(run([mesh, peerAuthentication('mesh/p', { mtls: { mode: 'UNSET' } })], 'plain/legacy').allowed).toBe(false);
  });
  it('a workload policy overrides the namespace; a port-level mode overrides both for that port', () => {
    const wl = peerAuthentication('mesh/server', { selector: { matchLabels: { app: 'server' } }, mtls: { mode: 'PERMISSIVE' } });
    expect(run([nsStrict, wl], 'plain/legacy').allowed).toBe(true);
    const port = peerAuthentication('mesh/server', { selector: { matchLabels: { app: 'server' } }, portLevelMtls: { '9090': { mode: 'PERMISSIVE' } } });
    expect(run([nsStrict, port], 'plain/legacy', 'mesh/server', 9090).allowed).toBe(true);
    expect(run([nsStrict, port], 'plain/legacy', 'mesh/server', 8080).allowed).toBe(false);
  });
  it('the oldest of two namespace policies wins', () => {
    const older = peerAuthentication('mesh/a-permissive', { mtls: { mode: 'PERMISSIVE' } }, '2024-01-01T00:00:00Z');
    const newer = peerAuthentication('mesh/b-strict', { mtls: { mode: 'STRICT' } }, '2025-01-01T00:00:00Z');
    expect(run([newer, older], 'plain/legacy').allowed).toBe(true);
  });
  it('an unknown mode is reported, not guessed', () => {
    const model = loadCluster([...base, peerAuthentication('mesh/x', { mtls: { mode: 'STRICTEST' } })]);
    expect(model.problems[0]).toMatchObject({ object: 'PeerAuthentication mesh/x', field: 'spec.mtls.mode' });
  });
});

describe('ambient-4: HBONE leaves from the source pod, so NetworkPolicy peers still work on 15008', () => {
  it("an egress rule at the caller to the server's pods on 15008 admits the call", () => {
    const egress = networkPolicy('mesh/client-egress', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'server' } } }], ports: [{ port: 15008 }] }],
    });
    expect(run([egress], 'mesh/client').allowed).toBe(true);
    expect(run([egress], 'mesh/client', 'mesh/rogue').allowed).toBe(false);
  });
  it('an ingress peer selecting the caller by namespace and pod works on 15008', () => {
    const p = networkPolicy('mesh/p', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mesh' } }, podSelector: { matchLabels: { app: 'client' } } }],
          ports: [{ port: 15008 }],
        },
      ],
    });
    expect(run([p], 'mesh/client').allowed).toBe(true);
    expect(run([p], 'mesh/rogue').allowed).toBe(false);
  });
});

describe('ambient-5: kubelet probes arrive SNATed from 169.254.7.127; default-deny ingress must admit that /32', () => {
  const denyAll = networkPolicy('mesh/deny', { podSelector: {}, policyTypes: ['Ingress'] });
  const probes = networkPolicy('mesh/probes', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '169.254.7.127/32' } }], ports: [{ port: 8080 }] }] });
  const strict = peerAuthentication('mesh/strict', { mtls: { mode: 'STRICT' } });
  it('default-deny without the probe rule blocks the probe', () => {
    const r = run([denyAll], '169.254.7.127');
    expect(r).toMatchObject({ allowed: false, decidedBy: 'L3/L4' });
  });
  it('admitting the /32 on the probe port lets probes through, even under STRICT', () => {
    const r = run([denyAll, probes, strict], '169.254.7.127');
    expect(r.allowed).toBe(true);
    expect(layer(r, 'mTLS').verdict).toBe('not-applicable');
  });
  it('the /32 admits nothing else: a neighbour address and other ports stay denied', () => {
    expect(run([denyAll, probes], '169.254.7.128').allowed).toBe(false);
    expect(run([denyAll, probes], '169.254.7.127', 'mesh/server', 9090).allowed).toBe(false);
  });
  it('the IPv6 probe address is recognised too', () => {
    const v6 = networkPolicy('mesh/probes6', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128' } }] }] });
    expect(run([denyAll, v6, strict], 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff').allowed).toBe(true);
  });
});
