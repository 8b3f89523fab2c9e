import { AuthorizationRequest, evaluateAuthorization, EnforcementPoint, istioStringMatches } from './authorization';
import { loadCluster } from './load';
import { analyzeRequest } from './request';
import { ambientNamespace, analyze, authorizationPolicy, deployment, layer, networkPolicy, pod, service, waypoint } from './testFixtures';

const CAPCOM = 'cluster.local/ns/houston/sa/capcom';
const ROGUE = 'cluster.local/ns/orion/sa/adversary';

/** Parses policies (as manifests in namespace orion) and evaluates them at one enforcement point. */
function decide(specs: object[], req: Partial<AuthorizationRequest>, at: EnforcementPoint = 'waypoint') {
  const model = loadCluster(specs.map((spec, i) => authorizationPolicy(`orion/p${i}`, spec as never)));
  expect(model.problems).toEqual([]);
  return evaluateAuthorization(model.authorizationPolicies, at, { port: 8080, ...req }, 'test');
}
const verdict = (specs: object[], req: Partial<AuthorizationRequest>, at: EnforcementPoint = 'waypoint') => decide(specs, req, at).verdict;
const from = (source: object) => ({ from: [{ source }] });

// One describe per rule of docs/policy-semantics.md, named by its anchor (netpol-1 is #netpol-1).
describe('authz-1: CUSTOM, then DENY, then ALLOW; no ALLOW policy means allowed', () => {
  it('no policy at all: allowed', () => {
    expect(verdict([], { identity: ROGUE })).toBe('allow');
  });
  it('ALLOW policies exist and none matches: denied with RBAC: access denied', () => {
    const r = decide([{ action: 'ALLOW', rules: [from({ principals: [CAPCOM] })] }], { identity: ROGUE });
    expect(r.verdict).toBe('deny');
    expect(r.reason).toContain('RBAC: access denied');
  });
  it('DENY beats a matching ALLOW', () => {
    const allow = { action: 'ALLOW', rules: [{}] };
    const deny = { action: 'DENY', rules: [from({ principals: [ROGUE] })] };
    expect(verdict([allow, deny], { identity: ROGUE })).toBe('deny');
    expect(verdict([allow, deny], { identity: CAPCOM })).toBe('allow');
  });
  it('a matching CUSTOM policy is decided by an external authorizer the analyzer cannot see: counted as denied', () => {
    const custom = { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }] };
    const r = decide([custom, { action: 'ALLOW', rules: [{}] }], { identity: CAPCOM, method: 'GET', path: '/admin/x' });
    expect(r.verdict).toBe('deny');
    expect(r.reason).toContain('external authorizer opa');
    expect(verdict([custom, { action: 'ALLOW', rules: [{}] }], { identity: CAPCOM, method: 'GET', path: '/public' })).toBe('allow');
  });
  it('only DENY policies that do not match: allowed', () => {
    expect(verdict([{ action: 'DENY', rules: [from({ principals: [ROGUE] })] }], { identity: CAPCOM })).toBe('allow');
  });
});

describe('authz-2: ALLOW without rules allows nothing; rules: [{}] allows everything; DENY rules: [{}] denies all', () => {
  it('ALLOW with no rules (allow-nothing)', () => {
    expect(verdict([{ action: 'ALLOW' }], { identity: CAPCOM })).toBe('deny');
    expect(verdict([{}], { identity: CAPCOM })).toBe('deny');
  });
  it('ALLOW with rules: [{}] (allow-all), even for plaintext', () => {
    expect(verdict([{ rules: [{}] }], { identity: undefined })).toBe('allow');
  });
  it('DENY with rules: [{}] denies everyone', () => {
    expect(verdict([{ action: 'DENY', rules: [{}] }, { rules: [{}] }], { identity: CAPCOM })).toBe('deny');
  });
  it.each(['DENY', 'CUSTOM'])("%s without rules is refused, as Istio's admission check refuses it (found by tools/authz-oracle)", action => {
    const model = loadCluster([authorizationPolicy('orion/p', { action, ...(action === 'CUSTOM' ? { provider: { name: 'opa' } } : {}) } as never)]);
    expect(model.problems.map(p => p.field)).toEqual(['spec.rules']);
  });
});

describe('authz-3: rules ORed; from/to/when ANDed; entries ORed; fields ANDed; values ORed; notX', () => {
  const twoRules = { rules: [from({ principals: [CAPCOM] }), { to: [{ operation: { methods: ['GET'] } }] }] };
  it('rules are ORed', () => {
    expect(verdict([twoRules], { identity: ROGUE, method: 'GET', path: '/' })).toBe('allow');
    expect(verdict([twoRules], { identity: CAPCOM, method: 'POST', path: '/' })).toBe('allow');
    expect(verdict([twoRules], { identity: ROGUE, method: 'POST', path: '/' })).toBe('deny');
  });
  it('from and to in one rule are ANDed', () => {
    const p = { rules: [{ ...from({ principals: [CAPCOM] }), to: [{ operation: { methods: ['POST'] } }] }] };
    expect(verdict([p], { identity: CAPCOM, method: 'POST', path: '/' })).toBe('allow');
    expect(verdict([p], { identity: CAPCOM, method: 'GET', path: '/' })).toBe('deny');
    expect(verdict([p], { identity: ROGUE, method: 'POST', path: '/' })).toBe('deny');
  });
  it('entries inside from are ORed; fields inside one source are ANDed', () => {
    const ored = { rules: [{ from: [{ source: { principals: [CAPCOM] } }, { source: { namespaces: ['orion'] } }] }] };
    expect(verdict([ored], { identity: ROGUE })).toBe('allow');
    const anded = { rules: [from({ principals: [CAPCOM], namespaces: ['orion'] })] };
    expect(verdict([anded], { identity: CAPCOM })).toBe('deny');
  });
  it('values inside a field are ORed', () => {
    const p = { rules: [from({ principals: [ROGUE, CAPCOM] })] };
    expect(verdict([p], { identity: CAPCOM })).toBe('allow');
  });
  it('a notX field matches only if no value matches', () => {
    const p = { rules: [from({ notPrincipals: [ROGUE] })] };
    expect(verdict([p], { identity: CAPCOM })).toBe('allow');
    expect(verdict([p], { identity: ROGUE })).toBe('deny');
  });
  it('when is ANDed with from', () => {
    const p = { rules: [{ ...from({ namespaces: ['houston'] }), when: [{ key: 'destination.port', values: ['8080'] }] }] };
    expect(verdict([p], { identity: CAPCOM, port: 8080 })).toBe('allow');
    expect(verdict([p], { identity: CAPCOM, port: 9090 })).toBe('deny');
  });
});

describe('authz-4: a plaintext connection never matches principals/namespaces but does match notPrincipals/notNamespaces', () => {
  it.each([
    [{ principals: ['*'] }, 'deny'],
    [{ namespaces: ['*'] }, 'deny'],
    [{ notPrincipals: [CAPCOM] }, 'allow'],
    [{ notNamespaces: ['houston'] }, 'allow'],
  ])('ALLOW from %j with no identity: %s', (source, expected) => {
    expect(verdict([{ rules: [from(source)] }], { identity: undefined })).toBe(expected);
  });
  it('DENY notPrincipals ["*"] (deny plaintext) denies a plaintext caller only', () => {
    const p = { action: 'DENY', rules: [from({ notPrincipals: ['*'] })] };
    expect(verdict([p], { identity: undefined })).toBe('deny');
    expect(verdict([p], { identity: CAPCOM })).toBe('allow');
  });
});

describe('authz-5: exact, "*" = present, prefix*, *suffix; Istio adds spiffe:// to a principal', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['*', 'x', true],
    ['*', '', false],
    ['ab*', 'abc', true],
    ['ab*', 'xab', false],
    ['*bc', 'abc', true],
    ['*bc', 'bcx', false],
  ])('pattern %s vs %s: %s', (pattern, value, expected) => {
    expect(istioStringMatches(pattern, value)).toBe(expected);
  });
  it('a principal suffix pattern matches identities of any namespace with that service account', () => {
    expect(verdict([{ rules: [from({ principals: ['*/sa/capcom'] })] }], { identity: CAPCOM })).toBe('allow');
  });
  it('a principal written with spiffe:// never matches: Istio prefixes it again (found by tools/authz-oracle)', () => {
    expect(verdict([{ rules: [from({ principals: [`spiffe://${CAPCOM}`] })] }], { identity: CAPCOM })).toBe('deny');
    // The dangerous direction: a DENY written that way denies nobody.
    const deny = { action: 'DENY', rules: [from({ principals: [`spiffe://${ROGUE}`] })] };
    expect(verdict([deny], { identity: ROGUE })).toBe('allow');
    expect(verdict([{ action: 'DENY', rules: [from({ notPrincipals: [`spiffe://${CAPCOM}`] })] }], { identity: CAPCOM })).toBe('deny');
  });
  it('the request may name its identity with or without spiffe://', () => {
    expect(verdict([{ rules: [from({ principals: [CAPCOM] })] }], { identity: `spiffe://${CAPCOM}` })).toBe('allow');
  });
  it("'*' in the middle of a value is reported", () => {
    const model = loadCluster([authorizationPolicy('orion/bad', { rules: [from({ principals: ['cluster.local/*/sa/x'] })] })]);
    expect(model.problems[0].field).toBe('spec.rules[0].from[0].source.principals[0]');
  });
});

describe('authz-6: paths ignore the query; /a does not match /a/b; /a/* matches /a/b but not /a', () => {
  const p = (paths: string[]) => [{ rules: [{ to: [{ operation: { paths } }] }] }];
  it.each([
    [['/uplink'], '/uplink?x=1', 'allow'],
    [['/uplink'], '/uplink/burst', 'deny'],
    [['/uplink/*'], '/uplink/burst', 'allow'],
    [['/uplink/*'], '/uplink', 'deny'],
    [['/uplink', '/uplink/*'], '/uplink', 'allow'],
  ])('paths %j, request %s: %s', (paths, path, expected) => {
    expect(verdict(p(paths), { identity: CAPCOM, method: 'POST', path })).toBe(expected);
  });
  it('a request naming no path cannot satisfy an ALLOW path (fail closed) but does trigger a DENY path', () => {
    expect(verdict(p(['/uplink']), { identity: CAPCOM })).toBe('deny');
    const deny = { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] };
    expect(verdict([deny], { identity: CAPCOM })).toBe('deny');
    expect(verdict([deny], { identity: CAPCOM, method: 'GET', path: '/public' })).toBe('allow');
  });
});

describe("authz-7: serviceAccounts without a namespace mean the policy's namespace", () => {
  it('"adversary" in a policy of orion means orion/adversary', () => {
    expect(verdict([{ rules: [from({ serviceAccounts: ['adversary'] })] }], { identity: ROGUE })).toBe('allow');
    expect(verdict([{ rules: [from({ serviceAccounts: ['capcom'] })] }], { identity: CAPCOM })).toBe('deny');
  });
  it('"houston/capcom" names another namespace', () => {
    expect(verdict([{ rules: [from({ serviceAccounts: ['houston/capcom'] })] }], { identity: CAPCOM })).toBe('allow');
  });
});

describe('authz-8: targetRefs are enforced by the waypoint only; selector/none by ztunnel, which knows only L4', () => {
  it('at ztunnel an ALLOW rule with methods/paths is dropped, so the policy denies everything', () => {
    const p = { rules: [{ ...from({ principals: [CAPCOM] }), to: [{ operation: { methods: ['POST'] } }] }] };
    const r = decide([p], { identity: CAPCOM }, 'ztunnel');
    expect(r.verdict).toBe('deny');
    expect(r.reason).toContain('ztunnel drops');
  });
  it('at ztunnel a DENY rule loses its L7 parts and becomes broader', () => {
    const p = { action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] };
    expect(verdict([p], { identity: CAPCOM, method: 'GET', path: '/' }, 'ztunnel')).toBe('deny');
    expect(verdict([p], { identity: CAPCOM, method: 'GET', path: '/' }, 'waypoint')).toBe('allow');
  });
  it('ztunnel ignores CUSTOM policies', () => {
    const custom = { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] };
    expect(verdict([custom], { identity: CAPCOM }, 'ztunnel')).toBe('allow');
  });

  // End to end: the same policy attached two ways to a pod-addressed call (no waypoint in the path).
  const cluster = [
    ambientNamespace('orion'),
    pod('orion/comms', { labels: { app: 'comms' }, serviceAccount: 'comms' }),
    pod('orion/crew', { labels: { app: 'crew' }, serviceAccount: 'crew' }),
    service('orion/comms', { app: 'comms' }),
  ];
  const l7Rule = { rules: [{ ...from({ principals: ['cluster.local/ns/orion/sa/crew'] }), to: [{ operation: { methods: ['GET'] } }] }] };
  it('a selector policy with HTTP rules is enforced at ztunnel (and blocks even the intended caller)', () => {
    const sel = authorizationPolicy('orion/comms', { selector: { matchLabels: { app: 'comms' } }, ...l7Rule });
    const r = analyze([...cluster, sel], { from: 'orion/crew', to: 'orion/comms', port: 8080, method: 'GET', path: '/' });
    expect(r).toMatchObject({ allowed: false, decidedBy: 'L7' });
    expect(layer(r, 'L7').reason).toContain('ztunnel');
  });
  it('a targetRefs policy is not enforced without a waypoint in the path', () => {
    const ref = authorizationPolicy('orion/comms', { targetRefs: [{ kind: 'Service', group: '', name: 'comms' }], ...l7Rule });
    const r = analyze([...cluster, ref], { from: 'orion/crew', to: 'orion/comms', port: 8080, method: 'POST', path: '/' });
    expect(r.allowed).toBe(true);
  });
  it('selector and targetRefs together are reported', () => {
    const both = authorizationPolicy('orion/x', { selector: { matchLabels: { app: 'comms' } }, targetRefs: [{ kind: 'Service', name: 'comms' }] });
    expect(loadCluster([both]).problems[0].field).toBe('spec.selector');
  });
});

/** Orion with a waypoint, as the compiler emits it. */
const orion = [
  ambientNamespace('orion', { 'istio.io/use-waypoint': 'waypoint' }),
  ambientNamespace('houston'),
  waypoint('orion/waypoint'),
  deployment('orion/comms-system'),
  deployment('orion/adversary'),
  deployment('houston/capcom'),
  service('orion/comms-system', { app: 'comms-system' }),
  authorizationPolicy('orion/comms-system', {
    targetRefs: [{ kind: 'Service', group: '', name: 'comms-system' }],
    action: 'ALLOW',
    rules: [{ from: [{ source: { principals: [CAPCOM] } }], to: [{ operation: { methods: ['POST'], paths: ['/uplink', '/uplink/*'] } }] }],
  }),
];

describe("authz-9: behind a waypoint the destination's ztunnel sees the waypoint's identity", () => {
  const onlyCapcom = authorizationPolicy('orion/comms-l4', { selector: { matchLabels: { app: 'comms-system' } }, rules: [from({ principals: [CAPCOM] })] });
  const onlyWaypoint = authorizationPolicy('orion/comms-l4', {
    selector: { matchLabels: { app: 'comms-system' } },
    rules: [from({ principals: ['cluster.local/ns/orion/sa/waypoint'] })],
  });
  it("an L4 policy admitting only the caller's identity blocks waypoint traffic", () => {
    const r = analyze([...orion, onlyCapcom], { from: 'houston/capcom', to: 'orion/comms-system', port: 8080, method: 'POST', path: '/uplink' });
    expect(r).toMatchObject({ allowed: false, decidedBy: 'L7' });
    expect(layer(r, 'L7').reason).toContain('cluster.local/ns/orion/sa/waypoint');
  });
  it("an L4 policy admitting the waypoint's service account lets it through", () => {
    const r = analyze([...orion, onlyWaypoint], { from: 'houston/capcom', to: 'orion/comms-system', port: 8080, method: 'POST', path: '/uplink' });
    expect(r.allowed).toBe(true);
    expect(r.hops.map(h => h.description)).toEqual(['caller -> waypoint orion/waypoint', 'waypoint orion/waypoint -> destination']);
  });
});

describe('authz-10: a waypoint is a Gateway of class istio-waypoint, used via istio.io/use-waypoint', () => {
  it('Istio deploys its pods with the gateway-name label and a service account named after it', () => {
    const model = loadCluster(orion);
    expect(model.workloadsByKey.get('orion/waypoint')).toMatchObject({
      kind: 'Waypoint',
      synthesized: true,
      serviceAccount: 'waypoint',
      labels: expect.objectContaining({ 'gateway.networking.k8s.io/gateway-name': 'waypoint' }),
    });
  });
  it('pods of the waypoint in the input are used instead of a synthesized one', () => {
    const wpPod = pod('orion/waypoint-7c9', { labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }, serviceAccount: 'waypoint' });
    const model = loadCluster([...orion, wpPod]);
    expect(model.workloads.filter(w => w.synthesized)).toEqual([]);
    const r = analyzeRequest(model, { from: 'houston/capcom', to: 'orion/comms-system', port: 8080, method: 'POST', path: '/uplink' });
    expect(r.hops[0].to).toBe('orion/waypoint-7c9');
  });
  it('the targetRefs policy is enforced at the waypoint with the caller identity (SPOOF ID denied, capcom allowed)', () => {
    const spoof = analyze(orion, { from: 'orion/adversary', to: 'orion/comms-system', port: 8080, method: 'POST', path: '/uplink' });
    expect(spoof).toMatchObject({ allowed: false, decidedBy: 'L7' });
    expect(spoof.explanation).toMatch(
      /^denied at L7: .*orion\/comms-system allows POST \/uplink, POST \/uplink\/\* only from cluster\.local\/ns\/houston\/sa\/capcom.*the caller is cluster\.local\/ns\/orion\/sa\/adversary/,
    );
    const ok = analyze(orion, { from: 'houston/capcom', to: 'orion/comms-system', port: 8080, method: 'POST', path: '/uplink/burst' });
    expect(ok.allowed).toBe(true);
  });
  it('a Gateway-targeted policy applies to all traffic through that waypoint', () => {
    const denyAll = authorizationPolicy('orion/lockdown', {
      targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }],
      action: 'DENY',
      rules: [{}],
    });
    const r = analyze([...orion, denyAll], { from: 'houston/capcom', to: 'orion/comms-system', port: 8080, method: 'POST', path: '/uplink' });
    expect(layer(r, 'L7').policies).toEqual(['orion/lockdown']);
  });
  it('a Service labelled istio.io/use-waypoint=none opts out of the namespace waypoint', () => {
    const optOut = service('orion/comms-system', { app: 'comms-system' }, { labels: { 'istio.io/use-waypoint': 'none' } });
    const r = analyze([...orion.filter(o => !(o.kind === 'Service')), optOut], {
      from: 'orion/adversary',
      to: 'orion/comms-system',
      port: 8080,
      method: 'POST',
      path: '/uplink',
    });
    expect(r.hops).toHaveLength(1);
    expect(r.allowed).toBe(true);
  });
  it('pod-addressed traffic skips the waypoint (and its L7 policy)', () => {
    const r = analyze(orion, { from: 'orion/adversary', to: 'orion/comms-system', port: 8080, method: 'POST', path: '/uplink', addressing: 'pod' });
    expect(r.hops).toHaveLength(1);
    expect(r.allowed).toBe(true);
  });
  it('a NetworkPolicy admitting 15008 on the destination only from its waypoint stops pod-addressed bypass', () => {
    const onlyWaypoint = networkPolicy('orion/comms-ingress', {
      podSelector: { matchLabels: { app: 'comms-system' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } }], ports: [{ port: 15008 }] }],
    });
    const bypass = analyze([...orion, onlyWaypoint], {
      from: 'orion/adversary',
      to: 'orion/comms-system',
      port: 8080,
      method: 'POST',
      path: '/uplink',
      addressing: 'pod',
    });
    expect(bypass).toMatchObject({ allowed: false, decidedBy: 'L3/L4' });
    const viaWaypoint = analyze([...orion, onlyWaypoint], { from: 'houston/capcom', to: 'orion/comms-system', port: 8080, method: 'POST', path: '/uplink' });
    expect(viaWaypoint.allowed).toBe(true);
  });
});

describe("found by the L7 differential test (tools/authz-oracle): what Istio's translation in Envoy decides", () => {
  const p = (operation: object) => [{ rules: [{ to: [{ operation }] }] }];
  it.each([
    // Envoy normalises the path before RBAC: `..`, `.` and escaped unreserved characters, also in their escaped forms.
    [['/admin'], '/public/../admin', 'allow'],
    [['/admin'], '/public/%2e%2e/admin', 'allow'],
    [['/admin'], '/%61dmin', 'allow'],
    [['/admin'], '/admin?x=1', 'allow'],
    [['/public/*'], '/public/../admin', 'deny'],
    [['/public/*'], '/public/%2E%2E/admin', 'deny'],
    // What Envoy keeps: double slashes (Istio does not merge them by default) and escaped slashes.
    [['/a/b'], '/a//b', 'deny'],
    [['/a/b'], '/a%2Fb', 'deny'],
    // Path templates: {*} one segment, {**} any number (Envoy's uri_template).
    [['/api/{*}/x'], '/api/v1/x', 'allow'],
    [['/api/{*}/x'], '/api/v1/v2/x', 'deny'],
    [['/api/{**}'], '/api/v1/v2', 'allow'],
    [['/api/{**}'], '/api', 'deny'],
  ])('ALLOW paths %j, request %s: %s', (paths, path, expected) => {
    expect(verdict(p({ paths }), { identity: CAPCOM, method: 'GET', path })).toBe(expected);
  });
  it('a DENY on /admin also stops /public/../admin and its escaped forms', () => {
    const deny = [{ action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }];
    for (const path of ['/public/../admin', '/public/%2e%2e/admin', '/%61dmin', '/./admin'])
      expect(verdict(deny, { identity: CAPCOM, method: 'GET', path })).toBe('deny');
  });
  it.each([
    [['x-user'], undefined, 'allow'],
    [['x-user'], { 'x-user': 'alice' }, 'deny'],
    [['x-user'], { 'X-User': 'alice' }, 'deny'],
    [['x-user'], { 'x-user': 'bob' }, 'allow'],
  ])('a DENY with when request.headers[%s] = alice, request headers %j: %s', (_, headers, expected) => {
    const deny = { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-user]', values: ['alice'] }] }] };
    expect(verdict([deny], { identity: CAPCOM, method: 'GET', path: '/', headers: headers as never })).toBe(expected);
  });
  it('an ALLOW with when request.headers[...] notValues matches a request without the header', () => {
    const allow = { rules: [{ when: [{ key: 'request.headers[x-user]', notValues: ['bob'] }] }] };
    expect(verdict([allow], { identity: CAPCOM, method: 'GET', path: '/' })).toBe('allow');
    expect(verdict([allow], { identity: CAPCOM, method: 'GET', path: '/', headers: { 'x-user': 'bob' } })).toBe('deny');
  });
  it.each([
    ['orion', true],
    ['or*', true],
    ['*ion', true],
    ['*', true],
    ['houston', false],
  ])('namespaces [%s] for orion/sa/adversary: %s (Istio matches .*/ns/<value>/.* on the URI)', (ns, expected) => {
    expect(verdict([{ rules: [from({ namespaces: [ns] })] }], { identity: ROGUE })).toBe(expected ? 'allow' : 'deny');
  });
  it('a templated path is accepted; braces elsewhere are refused as Istio refuses them', () => {
    const ok = loadCluster([authorizationPolicy('orion/p', { rules: [{ to: [{ operation: { paths: ['/api/{*}/x', '/{**}/y'] } }] }] } as never)]);
    expect(ok.problems).toEqual([]);
    const bad = loadCluster([
      authorizationPolicy('orion/p', { rules: [{ to: [{ operation: { paths: ['/a/{id}'], notPaths: ['/api/{**}/{*}'] } }] }] } as never),
    ]);
    expect(bad.problems.map(q => q.field)).toEqual(['spec.rules[0].to[0].operation.paths[0]', 'spec.rules[0].to[0].operation.notPaths[0]']);
  });
  it('serviceAccounts together with principals or namespaces in one source is refused, as Istio refuses it', () => {
    const model = loadCluster([authorizationPolicy('orion/p', { rules: [from({ serviceAccounts: ['capcom'], notNamespaces: ['x'] })] } as never)]);
    expect(model.problems.map(q => q.field)).toEqual(['spec.rules[0].from[0].source']);
  });
  it('an unknown condition key is refused, as Istio refuses it', () => {
    const model = loadCluster([authorizationPolicy('orion/p', { rules: [{ when: [{ key: 'request.header[x-user]', values: ['a'] }] }] } as never)]);
    expect(model.problems.map(q => q.field)).toEqual(['spec.rules[0].when[0].key']);
  });
});
