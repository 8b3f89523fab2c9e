/**
 * Istio AuthorizationPolicy matching and evaluation, as Istio's translation
 * into Envoy's RBAC filter decides (checked against Istio's builder in a real
 * Envoy by tools/authz-oracle): principals, namespaces and service accounts
 * are matched on the caller's `spiffe://` URI the way the generated matchers
 * do, paths after Envoy's normalisation.
 *
 * Matching is three-valued: 'unknown' when the request does not tell (no
 * method given, no source IP known). An ALLOW rule must match for sure; a
 * DENY or CUSTOM rule that might match counts as matching. Fail closed.
 */
import { conditionHeader } from './authorizationPolicy';
import type { RequestToken } from './token';
import { and3, listMatch, or3, requestPrincipals, tokenConditionValues, tri, Tri } from './requestAuth';
import type { AuthorizationPolicyModel, AuthorizationRuleModel, ConditionModel, OperationModel, SourceModel } from './authorizationPolicy';
import { istioStringMatches, normalizeRequestPath, pathMatches } from '../net/httpPath';

// Pure path matching lives in net/httpPath.ts (the browser entry needs it without the analyzer).
export { istioStringMatches, pathMatches };
import { Cidr, cidrContains, parseCidr } from './ip';
import { LayerResult } from './model';
import { describePolicy } from './authorizationDescription';

export * from './authorizationPolicy';
export { describePolicy } from './authorizationDescription';

// ---------------------------------------------------------------- matching

/** What the enforcement point knows about the request. */
export interface AuthorizationRequest {
  /** SPIFFE identity without `spiffe://`; undefined for plaintext. */
  identity?: string;
  sourceIp?: string;
  destinationIp?: string;
  /** Destination (app) port. */
  port: number;
  method?: string;
  /** The request target as sent (query string, `..`, escapes and all); matched after Envoy's normalisation. */
  path?: string;
  host?: string;
  /** The request's headers beyond method, path and host (names in any case); undefined: none. */
  headers?: Record<string, string>;
  /** The TLS server name the caller sent (a TLS connection to an external host); undefined: not TLS or not known. */
  sni?: string;
  /** The request's bearer token (its signature taken as valid); null: none; undefined: not described. */
  token?: RequestToken | null;
}

export type EnforcementPoint = 'waypoint' | 'ztunnel';

/** The identity as the request names it, without `spiffe://` (a caller may write it either way). */
function stripSpiffe(s: string): string {
  return s.startsWith('spiffe://') ? s.slice('spiffe://'.length) : s;
}

/**
 * A `principals` value against the caller's identity (without `spiffe://`).
 * Istio prefixes the value with `spiffe://` and compares it with the peer's
 * URI SAN, so a value that already starts with `spiffe://` never matches
 * (authz model srcPrincipalGenerator); `*` is any identity.
 */
export function principalMatches(pattern: string, identity: string): boolean {
  return istioStringMatches(pattern, identity);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patternCache = new Map<string, RegExp>();
function cachedRegExp(key: string, build: () => string): RegExp {
  let re = patternCache.get(key);
  if (!re) patternCache.set(key, (re = new RegExp(build())));
  return re;
}

/**
 * A `namespaces` value against the caller's identity: Istio matches the
 * regular expression `.*\/ns\/<value>\/.*` over the whole `spiffe://` URI, every
 * `*` in the value standing for `.*` (srcNamespaceGenerator).
 */
export function namespaceMatches(pattern: string, identity: string): boolean {
  const re = cachedRegExp(`ns|${pattern}`, () => `^.*/ns/${pattern.split('*').map(escapeRegExp).join('.*')}/.*$`);
  return re.test(`spiffe://${identity}`);
}

/**
 * A `serviceAccounts` value (`name` in the policy's namespace, or
 * `namespace/name`): Istio's regular expression
 * `spiffe://.+/ns/<ns>/(.+/|)sa/<name>(/.+)?` over the whole URI.
 */
export function serviceAccountMatches(pattern: string, policyNamespace: string, identity: string): boolean {
  const [ns, sa] = pattern.includes('/') ? [pattern.slice(0, pattern.indexOf('/')), pattern.slice(pattern.indexOf('/') + 1)] : [policyNamespace, pattern];
  const re = cachedRegExp(`sa|${ns}|${sa}`, () => `^spiffe://.+/ns/${escapeRegExp(ns)}/(.+/|)sa/${escapeRegExp(sa)}(/.+)?$`);
  return re.test(`spiffe://${identity}`);
}

/**
 * One field, positive or negative. `attr` undefined means "absent" (a definite
 * no for positive fields, a yes for negative ones); `unknown` means we cannot tell.
 */
function fieldMatch(values: string[] | undefined, attr: string | undefined | null, negate: boolean, match: (p: string, v: string) => boolean): Tri {
  if (!values) return 'yes';
  if (attr === null) return 'unknown';
  const any = attr !== undefined && values.some(p => match(p, attr));
  return tri(negate ? !any : any);
}

function ipMatch(cidrs: Cidr[] | undefined, ip: string | undefined, negate: boolean): Tri {
  if (!cidrs) return 'yes';
  if (ip === undefined) return 'unknown';
  const any = cidrs.some(c => cidrContains(c, ip));
  return tri(negate ? !any : any);
}

interface MatchContext {
  req: AuthorizationRequest;
  at: EnforcementPoint;
  policyNamespace: string;
}

/** At ztunnel, HTTP-only fields of a DENY rule are ignored (docs/policy-semantics.md#authz-8: the rule becomes broader). */
function l7(ctx: MatchContext, field: () => Tri): Tri {
  return ctx.at === 'ztunnel' ? 'yes' : field();
}

function sourceMatches(s: SourceModel, ctx: MatchContext): Tri {
  const { req } = ctx;
  const principal = req.identity !== undefined ? stripSpiffe(req.identity) : undefined;
  const sa = (p: string, v: string) => serviceAccountMatches(p, ctx.policyNamespace, v);
  let r: Tri = 'yes';
  r = and3(r, fieldMatch(s.principals, principal, false, principalMatches));
  r = and3(r, fieldMatch(s.notPrincipals, principal, true, principalMatches));
  r = and3(r, fieldMatch(s.namespaces, principal, false, namespaceMatches));
  r = and3(r, fieldMatch(s.notNamespaces, principal, true, namespaceMatches));
  r = and3(r, fieldMatch(s.serviceAccounts, principal, false, sa));
  r = and3(r, fieldMatch(s.notServiceAccounts, principal, true, sa));
  r = and3(r, ipMatch(s.ipBlocks, req.sourceIp, false));
  r = and3(r, ipMatch(s.notIpBlocks, req.sourceIp, true));
  r = and3(
    r,
    l7(ctx, () => ipMatch(s.remoteIpBlocks, req.sourceIp, false)),
  );
  r = and3(
    r,
    l7(ctx, () => ipMatch(s.notRemoteIpBlocks, req.sourceIp, true)),
  );
  // Request principals come from the token (`iss/sub`); a request that describes none leaves them unknown.
  const requestPrincipal = requestPrincipals(req.token);
  r = and3(
    r,
    l7(ctx, () => listMatch(s.requestPrincipals, requestPrincipal, false, istioStringMatches)),
  );
  r = and3(
    r,
    l7(ctx, () => listMatch(s.notRequestPrincipals, requestPrincipal, true, istioStringMatches)),
  );
  return r;
}

function operationMatches(o: OperationModel, ctx: MatchContext): Tri {
  const { req } = ctx;
  const path = req.path === undefined ? null : normalizeRequestPath(req.path);
  const method = req.method === undefined ? null : req.method;
  const host = req.host === undefined ? null : req.host;
  const portText = String(req.port);
  const portMatch = (p: string, v: string) => p === v;
  let r: Tri = 'yes';
  r = and3(r, fieldMatch(o.ports?.map(String), portText, false, portMatch));
  r = and3(r, fieldMatch(o.notPorts?.map(String), portText, true, portMatch));
  r = and3(
    r,
    l7(ctx, () => fieldMatch(o.methods, method, false, istioStringMatches)),
  );
  r = and3(
    r,
    l7(ctx, () => fieldMatch(o.notMethods, method, true, istioStringMatches)),
  );
  r = and3(
    r,
    l7(ctx, () => fieldMatch(o.paths, path, false, pathMatches)),
  );
  r = and3(
    r,
    l7(ctx, () => fieldMatch(o.notPaths, path, true, pathMatches)),
  );
  const hostMatch = (p: string, v: string) => istioStringMatches(p, v, true);
  r = and3(
    r,
    l7(ctx, () => fieldMatch(o.hosts, host, false, hostMatch)),
  );
  r = and3(
    r,
    l7(ctx, () => fieldMatch(o.notHosts, host, true, hostMatch)),
  );
  return r;
}

/** A request header's value (names compare without case); undefined when the request does not send it. */
function headerValue(req: AuthorizationRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(req.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

function conditionMatches(c: ConditionModel, ctx: MatchContext): Tri {
  const { req } = ctx;
  const principal = req.identity !== undefined ? stripSpiffe(req.identity) : undefined;
  const check = (attr: string | undefined | null, match: (p: string, v: string) => boolean) =>
    and3(fieldMatch(c.values, attr, false, match), fieldMatch(c.notValues, attr, true, match));
  const ipCheck = (ip: string | undefined) => {
    const cidrs = (vals?: string[]) => vals?.map(v => parseCidr(v, true)).filter((x): x is Cidr => !!x);
    return and3(ipMatch(cidrs(c.values), ip, false), ipMatch(cidrs(c.notValues), ip, true));
  };
  const fromToken = tokenConditionValues(c.key, req.token);
  if (fromToken !== undefined) {
    return l7(ctx, () => and3(listMatch(c.values, fromToken, false, istioStringMatches), listMatch(c.notValues, fromToken, true, istioStringMatches)));
  }
  const header = conditionHeader(c.key);
  if (header !== undefined) {
    // Envoy's header matcher: exact, prefix, suffix, or `*` for present (even empty); a missing header matches no value.
    return l7(ctx, () => check(headerValue(req, header), (p, v) => (p === '*' ? true : istioStringMatches(p, v))));
  }
  switch (c.key) {
    case 'source.principal':
      return check(principal, principalMatches);
    case 'source.namespace':
      return check(principal, namespaceMatches);
    case 'source.serviceAccount':
      return check(principal, (p, v) => serviceAccountMatches(p, ctx.policyNamespace, v));
    case 'source.ip':
      return ipCheck(req.sourceIp);
    case 'destination.ip':
      return ipCheck(req.destinationIp);
    case 'destination.port':
      return check(String(req.port), (p, v) => p === v);
    case 'remote.ip':
      return l7(ctx, () => ipCheck(req.sourceIp));
    case 'connection.sni':
      // Envoy's string matcher over the ClientHello's server name; a connection without one matches no value.
      return l7(ctx, () => (req.sni === undefined ? 'unknown' : check(req.sni, (p, v) => istioStringMatches(p, v, true))));
    default:
      // Nested claims, presenter, ...: not described by a request here.
      return l7(ctx, () => 'unknown');
  }
}

/** Evaluates one rule: from AND to AND when; entries inside from/to ORed (docs/policy-semantics.md#authz-3). */
export function ruleMatches(rule: AuthorizationRuleModel, ctx: MatchContext): Tri {
  let r: Tri = 'yes';
  if (rule.from) r = and3(r, rule.from.map(s => sourceMatches(s, ctx)).reduce(or3, 'no'));
  if (r === 'no') return r;
  if (rule.to) r = and3(r, rule.to.map(o => operationMatches(o, ctx)).reduce(or3, 'no'));
  if (r === 'no') return r;
  for (const c of rule.when ?? []) r = and3(r, conditionMatches(c, ctx));
  return r;
}

function policyMatches(policy: AuthorizationPolicyModel, ctx: MatchContext): Tri {
  let r: Tri = 'no';
  for (const rule of policy.rules) {
    // docs/policy-semantics.md#authz-8: at ztunnel an ALLOW rule with HTTP fields is dropped, so it never matches.
    if (ctx.at === 'ztunnel' && policy.action === 'ALLOW' && rule.l7Fields.length > 0) continue;
    r = or3(r, ruleMatches(rule, { ...ctx, policyNamespace: policy.namespace }));
    if (r === 'yes') return r;
  }
  return r;
}

// ---------------------------------------------------------------- evaluation

function describeRequest(req: AuthorizationRequest, at: EnforcementPoint): string {
  const who = req.identity ?? 'a plaintext caller without identity';
  const what = at === 'waypoint' && (req.method || req.path) ? ` (${[req.method ?? 'any method', req.path ?? 'any path'].join(' ')})` : '';
  return `the caller is ${who}${what}`;
}

/**
 * CUSTOM, then DENY, then ALLOW (docs/policy-semantics.md#authz-1) over the policies applying at one
 * enforcement point. `where` names the point for the reason ("waypoint orion/waypoint").
 */
export function evaluateAuthorization(
  policies: readonly AuthorizationPolicyModel[],
  at: EnforcementPoint,
  req: AuthorizationRequest,
  where: string,
  quiet = false,
): LayerResult {
  const ctx: MatchContext = { req, at, policyNamespace: '' };
  const ignored: string[] = [];
  for (const policy of policies) {
    if (policy.action !== 'CUSTOM') continue;
    if (at === 'ztunnel') {
      ignored.push(policy.ref);
      continue;
    }
    const m = policyMatches(policy, ctx);
    if (m !== 'no') {
      return {
        layer: 'L7',
        verdict: 'deny',
        policies: [policy.ref],
        reason: quiet
          ? ''
          : `at ${where}, CUSTOM AuthorizationPolicy ${policy.ref} hands the request to the external authorizer ${
              policy.provider
            }, whose answer the analyzer cannot know, so it counts as denied; ${describeRequest(req, at)}`,
      };
    }
  }
  for (const policy of policies) {
    if (policy.action !== 'DENY') continue;
    const m = policyMatches(policy, ctx);
    if (m === 'yes' || m === 'unknown') {
      const maybe = !quiet && m === 'unknown' ? ' may match (the request does not say enough to rule it out) and so' : '';
      const broader =
        !quiet && at === 'ztunnel' && policy.rules.some(r => r.l7Fields.length > 0) ? ' (ztunnel ignores its HTTP fields, which makes it broader)' : '';
      return {
        layer: 'L7',
        verdict: 'deny',
        policies: [policy.ref],
        reason: quiet ? '' : `at ${where}, DENY AuthorizationPolicy ${policy.ref}${broader}${maybe} denies the request; ${describeRequest(req, at)}`,
      };
    }
  }
  const allows = policies.filter(p => p.action === 'ALLOW');
  const note = ignored.length > 0 ? ` (ztunnel ignores CUSTOM ${ignored.join(', ')})` : '';
  if (allows.length === 0) {
    return {
      layer: 'L7',
      verdict: 'allow',
      policies: policies.filter(p => p.action === 'DENY').map(p => p.ref),
      reason: quiet ? '' : `no ALLOW AuthorizationPolicy applies at ${where}${policies.length > 0 ? ' and no DENY matches' : ''}, so it allows${note}`,
    };
  }
  for (const policy of allows) {
    if (policyMatches(policy, ctx) === 'yes') {
      return {
        layer: 'L7',
        verdict: 'allow',
        policies: [policy.ref],
        reason: quiet ? '' : `at ${where}, AuthorizationPolicy ${policy.ref} allows it; ${describeRequest(req, at)}${note}`,
      };
    }
  }
  const describe = quiet ? '' : allows.map(p => `AuthorizationPolicy ${p.ref} ${describePolicy(p, at)}`).join('; ');
  return {
    layer: 'L7',
    verdict: 'deny',
    policies: allows.map(p => p.ref),
    reason: quiet ? '' : `at ${where}, ${describe}; ${describeRequest(req, at)} (RBAC: access denied)${note}`,
  };
}

// ---------------------------------------------------------------- verdicts in bulk

const TRI_CODE: Record<Tri, number> = { no: 1, yes: 2, unknown: 3 };
const CODE_TRI: Tri[] = ['no', 'no', 'yes', 'unknown'];
/** Per rule, per enforcement point: its `from` verdict for each source (0 = not computed yet). One per model. */
export type FromVerdicts = Map<AuthorizationRuleModel, Partial<Record<EnforcementPoint, Uint8Array>>>;

/** A rule's `from` verdict for a source, computed once per source and enforcement point. */
/** A `from` on request principals depends on the request's token, not only on the source: never cached. */
function tokenDependent(rule: AuthorizationRuleModel): boolean {
  return !!rule.from?.some(s => s.requestPrincipals || s.notRequestPrincipals);
}

function fromCode(rule: AuthorizationRuleModel, ruleCtx: MatchContext, source: number, sources: number, fromVerdicts: FromVerdicts): Tri {
  if (tokenDependent(rule)) return rule.from!.map(s => sourceMatches(s, ruleCtx)).reduce(or3, 'no');
  let byPoint = fromVerdicts.get(rule);
  if (!byPoint) fromVerdicts.set(rule, (byPoint = {}));
  const codes = (byPoint[ruleCtx.at] ??= new Uint8Array(sources));
  let code = codes[source];
  if (!code) {
    code = TRI_CODE[rule.from!.map(s => sourceMatches(s, ruleCtx)).reduce(or3, 'no')];
    if (source < codes.length) codes[source] = code;
  }
  return CODE_TRI[code];
}

/**
 * False when `authorizationAllows` denies every request from this source:
 * some ALLOW policy applies and each of their rules names sources (`from`)
 * this one is not. Bulk callers ask it once per caller and destination, then
 * skip the caller's requests one by one. Same `source` numbering as there.
 */
export function sourceMayBeAllowed(
  policies: readonly AuthorizationPolicyModel[],
  at: EnforcementPoint,
  req: AuthorizationRequest,
  source: number,
  sources: number,
  fromVerdicts: FromVerdicts,
): boolean {
  let allows = 0;
  for (const policy of policies) {
    if (policy.action !== 'ALLOW') continue;
    allows++;
    const ruleCtx: MatchContext = { req, at, policyNamespace: policy.namespace };
    for (const rule of policy.rules) {
      if (at === 'ztunnel' && rule.l7Fields.length > 0) continue;
      // A rule on request principals may admit the source with another request's token.
      if (!rule.from || tokenDependent(rule) || fromCode(rule, ruleCtx, source, sources, fromVerdicts) !== 'no') return true;
    }
  }
  return allows === 0;
}

function policyMatchesFor(policy: AuthorizationPolicyModel, ctx: MatchContext, source: number, sources: number, fromVerdicts: FromVerdicts): Tri {
  let r: Tri = 'no';
  const ruleCtx = { ...ctx, policyNamespace: policy.namespace };
  for (const rule of policy.rules) {
    if (ctx.at === 'ztunnel' && policy.action === 'ALLOW' && rule.l7Fields.length > 0) continue;
    // Most callers are named by no rule: one cached look at `from` rules them out.
    if (rule.from && fromCode(rule, ruleCtx, source, sources, fromVerdicts) === 'no') continue;
    r = or3(r, ruleMatches(rule, ruleCtx));
    if (r === 'yes') return r;
  }
  return r;
}

/**
 * The verdict of `evaluateAuthorization` without its reason, for the matrix
 * and other bulk questions. `source` identifies what `req` says about the
 * caller (its identity and IP) as a number below `sources`: the same number
 * must always come with the same identity and IP in one `fromVerdicts`.
 */
export function authorizationAllows(
  policies: readonly AuthorizationPolicyModel[],
  at: EnforcementPoint,
  req: AuthorizationRequest,
  source: number,
  sources: number,
  fromVerdicts: FromVerdicts,
): boolean {
  const ctx: MatchContext = { req, at, policyNamespace: '' };
  let allows = 0;
  for (const policy of policies) {
    if (policy.action === 'CUSTOM' && at === 'waypoint' && policyMatchesFor(policy, ctx, source, sources, fromVerdicts) !== 'no') return false;
  }
  for (const policy of policies) {
    if (policy.action === 'DENY' && policyMatchesFor(policy, ctx, source, sources, fromVerdicts) !== 'no') return false;
    if (policy.action === 'ALLOW') allows++;
  }
  if (allows === 0) return true;
  for (const policy of policies) {
    if (policy.action === 'ALLOW' && policyMatchesFor(policy, ctx, source, sources, fromVerdicts) === 'yes') return true;
  }
  return false;
}
