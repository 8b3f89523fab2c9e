/**
 * Both sides of the L7 differential test: which policies each side accepts,
 * the analyzer's L7 verdict for each request (through its public parsing and
 * its waypoint evaluation, both the explained and the verdict-only path), the
 * comparison with the real Envoy's answers, and the known differences, each a
 * rewrite of the case rather than a list of seeds.
 */
import { loadCluster } from '../../analyzer';
import { authorizationAllows, AuthorizationRequest, evaluateAuthorization } from '../../analyzer/authorization';
import type { AuthzCase, L7Request } from './generator';

type Obj = Record<string, any>;

/** The oracle's answer for a case: what Istio refused, and Envoy's verdict per request ('1' allowed, '0' denied). */
export interface OracleAnswer {
  id: string;
  /** `namespace/name` of the policies Istio's admission check refuses. */
  rejected: string[];
  /** Why, per refused policy. */
  reasons?: Record<string, string>;
  /** Rules Istio's builder leaves out, `namespace/name#index`. */
  skipped: string[];
  verdicts: string;
  error?: string;
}

export interface AnalyzerAnswer {
  rejected: string[];
  reasons: Record<string, string>;
  /** Empty when the analyzer could not evaluate (it refused a policy Istio stores). */
  verdicts: string;
  error?: string;
}

const refOf = (p: Obj) => `${p.metadata.namespace}/${p.metadata.name}`;

export function toAuthorizationRequest(r: L7Request): AuthorizationRequest {
  return {
    identity: r.principal,
    port: r.port,
    method: r.method,
    path: r.path,
    host: r.host,
    headers: r.headers,
    ...(r.sni !== undefined ? { sni: r.sni } : {}),
  };
}

/**
 * The analyzer's side: the policies it refuses, and over the policies Istio
 * stores, its verdict for each request at the waypoint. The explained and the
 * verdict-only evaluations must agree with each other, or it is an error.
 */
export function analyzerAnswer(c: AuthzCase, storedByIstio: (p: Obj) => boolean): AnalyzerAnswer {
  const all = loadCluster(c.policies);
  const reasons: Record<string, string> = {};
  for (const p of all.problems) {
    const policy = c.policies.find(q => p.object === `AuthorizationPolicy ${refOf(q)}`);
    if (policy) reasons[refOf(policy)] = `${p.field}: ${p.message}`;
  }
  const rejected = Object.keys(reasons).sort();
  const kept = c.policies.filter(storedByIstio);
  const model = loadCluster(kept);
  if (model.problems.length > 0) return { rejected, reasons, verdicts: '' };
  const policies = model.authorizationPolicies;
  let verdicts = '';
  for (const [i, r] of c.requests.entries()) {
    const req = toAuthorizationRequest(r);
    const explained = evaluateAuthorization(policies, 'waypoint', req, 'the waypoint').verdict === 'allow';
    const bulk = authorizationAllows(policies, 'waypoint', req, i, c.requests.length, new Map());
    if (explained !== bulk)
      return { rejected, reasons, verdicts: '', error: `request ${i}: evaluateAuthorization says ${explained} but authorizationAllows says ${bulk}` };
    verdicts += explained ? '1' : '0';
  }
  return { rejected, reasons, verdicts };
}

/** A case rewritten so that the analyzer reads it as the oracle does (a known difference). */
export type CaseRewrite = (c: AuthzCase) => AuthzCase;

/** No known L7 difference so far: every disagreement found was an analyzer bug, fixed. */
export const KNOWN_DIFFERENCE_RULES: Record<string, CaseRewrite> = {};

export interface L7Disagreement {
  id: string;
  seed: number;
  request?: L7Request;
  ours?: boolean;
  oracle?: boolean;
  /** For acceptance disagreements: the policy and which side refuses it. */
  policy?: string;
  refusedBy?: 'analyzer' | 'istio';
  message?: string;
}

export interface L7Tally {
  cases: number;
  policies: number;
  policiesAgreed: number;
  requests: number;
  agreed: number;
  explained: Record<string, number>;
  unexplained: L7Disagreement[];
  errors: string[];
}

export function emptyL7Tally(ruleIds: readonly string[] = Object.keys(KNOWN_DIFFERENCE_RULES)): L7Tally {
  return {
    cases: 0,
    policies: 0,
    policiesAgreed: 0,
    requests: 0,
    agreed: 0,
    explained: Object.fromEntries(ruleIds.map(id => [id, 0])),
    unexplained: [],
    errors: [],
  };
}

/**
 * Compares one case. Acceptance first: a policy one side refuses and the
 * other stores is a disagreement. Then, over the policies Istio stores, each
 * request; a disagreement is explained by the first rule (alone, then all
 * together) under whose rewrite the analyzer gives Envoy's answer.
 */
export function compareCase(c: AuthzCase, oracle: OracleAnswer, tally: L7Tally, rules: Record<string, CaseRewrite> = KNOWN_DIFFERENCE_RULES): void {
  tally.cases++;
  if (oracle.error) {
    tally.errors.push(`${c.id}: oracle: ${oracle.error}`);
    return;
  }
  const stored = (p: Obj) => !oracle.rejected.includes(refOf(p));
  const ours = analyzerAnswer(c, stored);
  if (ours.error) {
    tally.errors.push(`${c.id}: analyzer: ${ours.error}`);
    return;
  }
  for (const p of c.policies) {
    tally.policies++;
    const istio = oracle.rejected.includes(refOf(p));
    const analyzer = ours.rejected.includes(refOf(p));
    if (istio === analyzer) tally.policiesAgreed++;
    else {
      const message = istio ? oracle.reasons?.[refOf(p)] : ours.reasons[refOf(p)];
      tally.unexplained.push({ id: c.id, seed: c.seed, policy: refOf(p), refusedBy: istio ? 'istio' : 'analyzer', message });
    }
  }
  if (!ours.verdicts) return;
  if (oracle.verdicts.length !== c.requests.length) {
    tally.errors.push(`${c.id}: the oracle answered ${oracle.verdicts.length} of ${c.requests.length} requests`);
    return;
  }
  const ids = Object.keys(rules);
  const explanations: [string, CaseRewrite][] = ids.map(id => [id, rules[id]]);
  if (ids.length > 1) explanations.push([ids.join('+'), x => ids.reduce((acc, id) => rules[id](acc), x)]);
  const rewritten = new Map<string, string>();
  const verdictUnder = (id: string, rewrite: CaseRewrite, i: number): boolean | undefined => {
    if (!rewritten.has(id)) {
      const changed = rewrite(c);
      rewritten.set(id, JSON.stringify(changed) === JSON.stringify(c) ? '' : analyzerAnswer(changed, stored).verdicts);
    }
    const v = rewritten.get(id)!;
    return v ? v[i] === '1' : undefined;
  };
  c.requests.forEach((request, i) => {
    tally.requests++;
    const mine = ours.verdicts[i] === '1';
    const theirs = oracle.verdicts[i] === '1';
    if (mine === theirs) {
      tally.agreed++;
      return;
    }
    const rule = explanations.find(([id, rewrite]) => verdictUnder(id, rewrite, i) === theirs)?.[0];
    if (rule) tally.explained[rule] = (tally.explained[rule] ?? 0) + 1;
    else tally.unexplained.push({ id: c.id, seed: c.seed, request, ours: mine, oracle: theirs });
  });
}

export interface L7KnownDifference {
  id: string;
  rule: string;
  reason: string;
  /** The side Istio's documentation takes. */
  istio: 'cellplane' | 'envoy';
  evidence: string;
}

export function checkL7KnownDifferences(entries: readonly L7KnownDifference[], rules: Record<string, unknown> = KNOWN_DIFFERENCE_RULES): string[] {
  const problems: string[] = [];
  for (const e of entries) {
    if (!(e.id in rules)) problems.push(`${e.id}: listed in the file but no rule implements it`);
    for (const field of ['rule', 'reason', 'evidence'] as const) if (!e[field]) problems.push(`${e.id}: ${field} is missing`);
  }
  for (const id of Object.keys(rules)) if (!entries.some(e => e.id === id)) problems.push(`${id}: implemented but not listed in the file`);
  return problems;
}

export function formatL7Tally(t: L7Tally, known: readonly L7KnownDifference[]): string {
  const pct = (n: number, of: number) => (of === 0 ? '0' : ((100 * n) / of).toFixed(2));
  const acceptance = t.unexplained.filter(d => d.policy);
  return [
    `policy sets: ${t.cases}`,
    `acceptance: ${t.policiesAgreed} / ${t.policies} policies judged alike (stored by Istio's admission check or refused by both)`,
    `agreement: ${t.agreed} / ${t.requests} requests (${pct(t.agreed, t.requests)}%)`,
    'known differences (disagreements each explains):',
    ...known.map(k => `  ${k.id}: ${t.explained[k.id] ?? 0}; Istio's documentation agrees with ${k.istio}`),
    `unexplained disagreements: ${t.unexplained.length - acceptance.length} requests, ${acceptance.length} policies`,
    ...(t.errors.length > 0 ? [`errors: ${t.errors.length}`] : []),
  ].join('\n');
}

/**
 * A hand-made case with the verdicts Istio's documentation gives (rules 3, 5,
 * 6, a DENY condition on a header, path normalisation): the oracle must give
 * exactly these before its other answers count, and so must the analyzer.
 */
export const L7_SELF_CHECK: { case: AuthzCase; expected: string } = (() => {
  const capcom = 'cluster.local/ns/houston/sa/capcom';
  const target = { targetRefs: [{ kind: 'Service', group: '', name: 'telemetry' }] };
  const policy = (name: string, spec: Obj) => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: 'orion' },
    spec: { ...target, ...spec },
  });
  const get = (path: string, principal: string | null = capcom, headers: Record<string, string> = {}, method = 'GET'): L7Request => ({
    ...(principal ? { principal } : {}),
    method,
    path,
    port: 8080,
    host: 'telemetry',
    headers,
  });
  return {
    case: {
      id: 'self-check',
      seed: -1,
      policies: [
        policy('allow-capcom', { rules: [{ from: [{ source: { principals: [capcom] } }], to: [{ operation: { methods: ['GET'], paths: ['/api/*'] } }] }] }),
        policy('deny-mallory', { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-user]', values: ['mallory'] }] }] }),
      ],
      requests: [
        get('/api/x'),
        get('/api'),
        get('/api/../admin'),
        get('/api/x?y=1'),
        get('/api/x', capcom, { 'x-user': 'mallory' }),
        get('/api/x', 'cluster.local/ns/houston/sa/crew'),
        get('/api/x', null),
        get('/api/x', capcom, {}, 'POST'),
        get('/%61pi/x'),
      ],
    },
    expected: '100100001',
  };
})();
