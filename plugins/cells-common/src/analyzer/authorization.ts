/**
 * Istio AuthorizationPolicy (security.istio.io/v1): parsing, attachment
 * (waypoint for targetRefs, ztunnel for selector/none) and matching.
 *
 * Matching is three-valued: 'unknown' when the request does not tell (no
 * method given, no source IP known). An ALLOW rule must match for sure; a
 * DENY or CUSTOM rule that might match counts as matching. Fail closed.
 */
import { CompiledSelector, readStringMap, selectorFromMap } from '../labels';
import { Cidr, cidrContains, parseCidr } from './ip';
import { isPlainObject, LayerResult, ProblemSink, WorkloadModel } from './model';

export type AuthorizationAction = 'ALLOW' | 'DENY' | 'CUSTOM' | 'AUDIT';
type Tri = 'yes' | 'no' | 'unknown';

export interface SourceModel {
  principals?: string[];
  notPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  serviceAccounts?: string[];
  notServiceAccounts?: string[];
  ipBlocks?: Cidr[];
  notIpBlocks?: Cidr[];
  remoteIpBlocks?: Cidr[];
  notRemoteIpBlocks?: Cidr[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
}

export interface OperationModel {
  hosts?: string[];
  notHosts?: string[];
  ports?: number[];
  notPorts?: number[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

export interface ConditionModel {
  key: string;
  values?: string[];
  notValues?: string[];
}

export interface AuthorizationRuleModel {
  from?: SourceModel[];
  to?: OperationModel[];
  when?: ConditionModel[];
  /** The HTTP-only fields the rule uses; ztunnel cannot enforce them (docs/policy-semantics.md#authz-8). */
  l7Fields: string[];
}

export interface TargetRef {
  group: string;
  kind: string;
  name: string;
}

export interface AuthorizationPolicyModel {
  ref: string;
  namespace: string;
  name: string;
  action: AuthorizationAction;
  provider?: string;
  selector?: CompiledSelector;
  targetRefs?: TargetRef[];
  /** Undefined or empty: the policy has no rules (ALLOW: allows nothing; DENY: denies nothing). */
  rules: AuthorizationRuleModel[];
  order: number;
}

const SOURCE_STRING_FIELDS = [
  'principals',
  'notPrincipals',
  'namespaces',
  'notNamespaces',
  'serviceAccounts',
  'notServiceAccounts',
  'requestPrincipals',
  'notRequestPrincipals',
] as const;
const SOURCE_IP_FIELDS = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;
const SOURCE_L7 = new Set(['remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals']);
const OPERATION_L7 = new Set(['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths']);
/** Condition keys ztunnel understands; every other key is HTTP-level. */
export const L4_CONDITION_KEYS = new Set([
  'source.ip',
  'source.namespace',
  'source.principal',
  'destination.ip',
  'destination.port',
]);

function readValues(value: unknown, field: string, sink: ProblemSink, checkWildcard = true): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    sink.add(field, 'must be a list of strings');
    return undefined;
  }
  const values = value as string[];
  if (values.length === 0) return undefined;
  if (checkWildcard) {
    values.forEach((v, i) => {
      const inner = v.length > 1 ? v.slice(1, -1) : '';
      if (inner.includes('*') || (v.startsWith('*') && v.endsWith('*') && v !== '*')) {
        sink.add(`${field}[${i}]`, `"${v}": '*' is allowed only alone, as a prefix or as a suffix`);
      }
    });
  }
  return values;
}

function readPorts(value: unknown, field: string, sink: ProblemSink): number[] | undefined {
  const values = readValues(value, field, sink, false);
  if (!values) return undefined;
  const out: number[] = [];
  values.forEach((v, i) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > 65535) sink.add(`${field}[${i}]`, `"${v}" is not a port number`);
    else out.push(n);
  });
  return out;
}

function readCidrs(value: unknown, field: string, sink: ProblemSink): Cidr[] | undefined {
  const values = readValues(value, field, sink, false);
  if (!values) return undefined;
  const out: Cidr[] = [];
  values.forEach((v, i) => {
    const c = parseCidr(v, true);
    if (!c) sink.add(`${field}[${i}]`, `"${v}" is not an IP address or CIDR`);
    else out.push(c);
  });
  return out;
}

function parseRule(value: unknown, field: string, sink: ProblemSink): AuthorizationRuleModel | undefined {
  if (!isPlainObject(value)) {
    sink.add(field, 'must be an object');
    return undefined;
  }
  const rule: AuthorizationRuleModel = { l7Fields: [] };
  if (value.from !== undefined && value.from !== null) {
    if (!Array.isArray(value.from)) sink.add(`${field}.from`, 'must be a list');
    else if (value.from.length > 0) {
      rule.from = value.from.map((entry, i) => {
        const at = `${field}.from[${i}].source`;
        const src = isPlainObject(entry) ? entry.source : undefined;
        const source: SourceModel = {};
        if (!isPlainObject(src) || Object.keys(src).length === 0) {
          sink.add(at, 'must be a non-empty source');
          return source;
        }
        for (const key of Object.keys(src)) {
          if (!(SOURCE_STRING_FIELDS as readonly string[]).includes(key) && !(SOURCE_IP_FIELDS as readonly string[]).includes(key)) {
            sink.add(`${at}.${key}`, 'unknown source field');
          }
        }
        for (const key of SOURCE_STRING_FIELDS) {
          const v = readValues(src[key], `${at}.${key}`, sink);
          if (v) {
            source[key] = v;
            if (SOURCE_L7.has(key)) rule.l7Fields.push(key);
          }
        }
        for (const key of SOURCE_IP_FIELDS) {
          const v = readCidrs(src[key], `${at}.${key}`, sink);
          if (v) {
            source[key] = v;
            if (SOURCE_L7.has(key)) rule.l7Fields.push(key);
          }
        }
        return source;
      });
    }
  }
  if (value.to !== undefined && value.to !== null) {
    if (!Array.isArray(value.to)) sink.add(`${field}.to`, 'must be a list');
    else if (value.to.length > 0) {
      rule.to = value.to.map((entry, i) => {
        const at = `${field}.to[${i}].operation`;
        const op = isPlainObject(entry) ? entry.operation : undefined;
        const operation: OperationModel = {};
        if (!isPlainObject(op) || Object.keys(op).length === 0) {
          sink.add(at, 'must be a non-empty operation');
          return operation;
        }
        for (const key of Object.keys(op)) {
          if (!['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'].includes(key)) {
            sink.add(`${at}.${key}`, 'unknown operation field');
          }
        }
        for (const key of ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const) {
          const v = readValues(op[key], `${at}.${key}`, sink);
          if (v) {
            operation[key] = v;
            if (OPERATION_L7.has(key)) rule.l7Fields.push(key);
          }
        }
        for (const key of ['ports', 'notPorts'] as const) {
          const v = readPorts(op[key], `${at}.${key}`, sink);
          if (v) operation[key] = v;
        }
        return operation;
      });
    }
  }
  if (value.when !== undefined && value.when !== null) {
    if (!Array.isArray(value.when)) sink.add(`${field}.when`, 'must be a list');
    else {
      rule.when = value.when.map((c, i) => {
        const at = `${field}.when[${i}]`;
        if (!isPlainObject(c) || typeof c.key !== 'string' || c.key === '') {
          sink.add(`${at}.key`, 'must be a non-empty string');
          return { key: '' };
        }
        const values = readValues(c.values, `${at}.values`, sink);
        const notValues = readValues(c.notValues, `${at}.notValues`, sink);
        if (!values && !notValues) sink.add(at, 'needs values or notValues');
        if (!L4_CONDITION_KEYS.has(c.key)) rule.l7Fields.push(`when ${c.key}`);
        return { key: c.key, values, notValues };
      });
    }
  }
  return rule;
}

function readTargetRef(value: unknown, field: string, policyNamespace: string, sink: ProblemSink): TargetRef | undefined {
  if (!isPlainObject(value) || typeof value.kind !== 'string' || typeof value.name !== 'string') {
    sink.add(field, 'needs kind and name');
    return undefined;
  }
  if (!['Service', 'Gateway', 'GatewayClass', 'ServiceEntry'].includes(value.kind)) {
    sink.add(`${field}.kind`, `unsupported kind ${JSON.stringify(value.kind)} (Service, Gateway, GatewayClass, ServiceEntry)`);
    return undefined;
  }
  if (value.namespace !== undefined && value.namespace !== policyNamespace) {
    sink.add(`${field}.namespace`, 'a targetRef must be in the policy namespace');
    return undefined;
  }
  return { group: typeof value.group === 'string' ? value.group : '', kind: value.kind, name: value.name };
}

export function parseAuthorizationPolicy(
  obj: Record<string, unknown>,
  namespace: string,
  name: string,
  order: number,
  sink: ProblemSink,
): AuthorizationPolicyModel | undefined {
  const spec = obj.spec ?? {};
  if (!isPlainObject(spec)) {
    sink.add('spec', 'must be an object');
    return undefined;
  }
  const action = (spec.action ?? 'ALLOW') as AuthorizationAction;
  if (!['ALLOW', 'DENY', 'CUSTOM', 'AUDIT'].includes(action)) {
    sink.add('spec.action', `unknown action ${JSON.stringify(spec.action)} (ALLOW, DENY, CUSTOM, AUDIT)`);
  }
  let provider: string | undefined;
  if (action === 'CUSTOM') {
    if (!isPlainObject(spec.provider) || typeof spec.provider.name !== 'string') {
      sink.add('spec.provider.name', 'CUSTOM needs a provider name');
    } else provider = spec.provider.name;
  }
  let selector: CompiledSelector | undefined;
  if (spec.selector !== undefined && spec.selector !== null) {
    if (!isPlainObject(spec.selector)) sink.add('spec.selector', 'must be an object with matchLabels');
    else {
      const { map, problems } = readStringMap(spec.selector.matchLabels, 'spec.selector.matchLabels');
      problems.forEach(p => sink.add(p.field, p.message));
      selector = selectorFromMap(map);
    }
  }
  let targetRefs: TargetRef[] | undefined;
  const refs = [
    ...(spec.targetRef !== undefined && spec.targetRef !== null ? [spec.targetRef] : []),
    ...(Array.isArray(spec.targetRefs) ? spec.targetRefs : []),
  ];
  if (spec.targetRefs !== undefined && spec.targetRefs !== null && !Array.isArray(spec.targetRefs)) {
    sink.add('spec.targetRefs', 'must be a list');
  }
  if (refs.length > 0) {
    targetRefs = [];
    refs.forEach((r, i) => {
      const t = readTargetRef(r, `spec.targetRefs[${i}]`, namespace, sink);
      if (t) targetRefs!.push(t);
    });
    if (selector) sink.add('spec.selector', 'cannot be combined with targetRefs');
  }
  const rules: AuthorizationRuleModel[] = [];
  if (spec.rules !== undefined && spec.rules !== null) {
    if (!Array.isArray(spec.rules)) sink.add('spec.rules', 'must be a list');
    else
      spec.rules.forEach((r, i) => {
        const rule = parseRule(r, `spec.rules[${i}]`, sink);
        if (rule) rules.push(rule);
      });
  }
  if (!sink.ok) return undefined;
  return { ref: `${namespace}/${name}`, namespace, name, action, provider, selector, targetRefs, rules, order };
}

// ---------------------------------------------------------------- attachment

/** Policies ztunnel enforces for a destination workload: no targetRefs, selector matching or none (docs/policy-semantics.md#authz-8). */
export function ztunnelPolicies(
  policies: readonly AuthorizationPolicyModel[],
  workload: WorkloadModel,
  rootNamespace: string,
): AuthorizationPolicyModel[] {
  return policies.filter(
    p =>
      !p.targetRefs &&
      (p.namespace === workload.namespace || p.namespace === rootNamespace) &&
      (!p.selector || p.selector.matches(workload.labels)),
  );
}

/** Policies a waypoint enforces for traffic to `service` (targetRefs to the Service, the waypoint or its class). */
export function waypointPolicies(
  policies: readonly AuthorizationPolicyModel[],
  waypoint: { namespace: string; name: string },
  service: { namespace: string; name: string } | undefined,
  rootNamespace: string,
): AuthorizationPolicyModel[] {
  return policies.filter(p =>
    (p.targetRefs ?? []).some(
      t =>
        (t.kind === 'Gateway' && p.namespace === waypoint.namespace && t.name === waypoint.name) ||
        (t.kind === 'Service' && service && p.namespace === service.namespace && t.name === service.name) ||
        (t.kind === 'GatewayClass' && p.namespace === rootNamespace && t.name === 'istio-waypoint'),
    ),
  );
}

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
  path?: string;
  host?: string;
}

export type EnforcementPoint = 'waypoint' | 'ztunnel';

const and3 = (a: Tri, b: Tri): Tri => {
  if (a === 'no' || b === 'no') return 'no';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'yes';
};
const or3 = (a: Tri, b: Tri): Tri => {
  if (a === 'yes' || b === 'yes') return 'yes';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'no';
};
const tri = (b: boolean): Tri => (b ? 'yes' : 'no');

/** docs/policy-semantics.md#authz-5: exact, `*` (present), `prefix*`, `*suffix`. */
export function istioStringMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (p === '*') return v.length > 0;
  if (p.endsWith('*')) return v.startsWith(p.slice(0, -1));
  if (p.startsWith('*')) return v.endsWith(p.slice(1));
  return p === v;
}

/** Principals compare without the `spiffe://` scheme (docs/policy-semantics.md#authz-5). */
function stripSpiffe(s: string): string {
  return s.startsWith('spiffe://') ? s.slice('spiffe://'.length) : s;
}

function parseIdentity(identity: string): { namespace?: string; serviceAccount?: string } {
  const m = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(identity);
  return m ? { namespace: m[1], serviceAccount: m[2] } : {};
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
  const who = principal !== undefined ? parseIdentity(principal) : {};
  const exact = (p: string, v: string) => istioStringMatches(stripSpiffe(p), v);
  const sa = (p: string, v: string) => (p.includes('/') ? p : `${ctx.policyNamespace}/${p}`) === v;
  const saValue = who.namespace !== undefined ? `${who.namespace}/${who.serviceAccount}` : undefined;
  let r: Tri = 'yes';
  r = and3(r, fieldMatch(s.principals, principal, false, exact));
  r = and3(r, fieldMatch(s.notPrincipals, principal, true, exact));
  r = and3(r, fieldMatch(s.namespaces, who.namespace, false, istioStringMatches));
  r = and3(r, fieldMatch(s.notNamespaces, who.namespace, true, istioStringMatches));
  r = and3(r, fieldMatch(s.serviceAccounts, saValue, false, sa));
  r = and3(r, fieldMatch(s.notServiceAccounts, saValue, true, sa));
  r = and3(r, ipMatch(s.ipBlocks, req.sourceIp, false));
  r = and3(r, ipMatch(s.notIpBlocks, req.sourceIp, true));
  r = and3(r, l7(ctx, () => ipMatch(s.remoteIpBlocks, req.sourceIp, false)));
  r = and3(r, l7(ctx, () => ipMatch(s.notRemoteIpBlocks, req.sourceIp, true)));
  // Request principals come from JWTs, which a request here never describes.
  r = and3(r, l7(ctx, () => (s.requestPrincipals ? 'unknown' : 'yes')));
  r = and3(r, l7(ctx, () => (s.notRequestPrincipals ? 'unknown' : 'yes')));
  return r;
}

function operationMatches(o: OperationModel, ctx: MatchContext): Tri {
  const { req } = ctx;
  const path = req.path === undefined ? null : req.path.split('?')[0];
  const method = req.method === undefined ? null : req.method;
  const host = req.host === undefined ? null : req.host;
  const portText = String(req.port);
  const portMatch = (p: string, v: string) => p === v;
  let r: Tri = 'yes';
  r = and3(r, fieldMatch(o.ports?.map(String), portText, false, portMatch));
  r = and3(r, fieldMatch(o.notPorts?.map(String), portText, true, portMatch));
  r = and3(r, l7(ctx, () => fieldMatch(o.methods, method, false, istioStringMatches)));
  r = and3(r, l7(ctx, () => fieldMatch(o.notMethods, method, true, istioStringMatches)));
  r = and3(r, l7(ctx, () => fieldMatch(o.paths, path, false, istioStringMatches)));
  r = and3(r, l7(ctx, () => fieldMatch(o.notPaths, path, true, istioStringMatches)));
  const hostMatch = (p: string, v: string) => istioStringMatches(p, v, true);
  r = and3(r, l7(ctx, () => fieldMatch(o.hosts, host, false, hostMatch)));
  r = and3(r, l7(ctx, () => fieldMatch(o.notHosts, host, true, hostMatch)));
  return r;
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
  switch (c.key) {
    case 'source.principal':
      return check(principal, (p, v) => istioStringMatches(stripSpiffe(p), v));
    case 'source.namespace':
      return check(principal !== undefined ? parseIdentity(principal).namespace : undefined, istioStringMatches);
    case 'source.ip':
      return ipCheck(req.sourceIp);
    case 'destination.ip':
      return ipCheck(req.destinationIp);
    case 'destination.port':
      return check(String(req.port), (p, v) => p === v);
    case 'remote.ip':
      return l7(ctx, () => ipCheck(req.sourceIp));
    default:
      // Headers, JWT claims, SNI...: not described by a request here.
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

// ---------------------------------------------------------------- description

function describeSource(s: SourceModel): string {
  const parts: string[] = [];
  if (s.principals) parts.push(s.principals.join(' or '));
  if (s.serviceAccounts) parts.push(`service account ${s.serviceAccounts.join(' or ')}`);
  if (s.namespaces) parts.push(`namespace ${s.namespaces.join(' or ')}`);
  if (s.notPrincipals) parts.push(`anyone but ${s.notPrincipals.join(', ')}`);
  if (s.notNamespaces) parts.push(`any namespace but ${s.notNamespaces.join(', ')}`);
  if (s.ipBlocks) parts.push(`IPs ${s.ipBlocks.map(c => c.text).join(', ')}`);
  if (s.requestPrincipals) parts.push(`JWT principals ${s.requestPrincipals.join(', ')}`);
  return parts.join(' and ') || 'anyone';
}

function describeOperation(o: OperationModel): string {
  const methods = o.methods ?? [];
  const paths = o.paths ?? [];
  const parts: string[] = [];
  if (methods.length > 0 && paths.length > 0) parts.push(methods.flatMap(m => paths.map(p => `${m} ${p}`)).join(', '));
  else if (methods.length > 0) parts.push(`${methods.join(', ')} on any path`);
  else if (paths.length > 0) parts.push(`any method on ${paths.join(', ')}`);
  if (o.notMethods) parts.push(`methods other than ${o.notMethods.join(', ')}`);
  if (o.notPaths) parts.push(`paths other than ${o.notPaths.join(', ')}`);
  if (o.ports) parts.push(`port ${o.ports.join(', ')}`);
  if (o.hosts) parts.push(`host ${o.hosts.join(', ')}`);
  return parts.join(' ') || 'any request';
}

/** "GET /a from X; POST /b from Y" — what an ALLOW policy admits, for explanations. */
export function describePolicy(policy: AuthorizationPolicyModel, at: EnforcementPoint): string {
  const rules = policy.rules.filter(r => !(at === 'ztunnel' && policy.action === 'ALLOW' && r.l7Fields.length > 0));
  if (rules.length === 0) {
    return policy.rules.length === 0
      ? 'has no rules, so it matches nothing'
      : `has only HTTP rules (${policy.rules[0].l7Fields.join(', ')}), which ztunnel drops, so it matches nothing`;
  }
  let verb = 'delegates';
  if (policy.action === 'ALLOW') verb = 'allows';
  else if (policy.action === 'DENY') verb = 'denies';
  return `${verb} ${rules
    .map(r => `${r.to ? r.to.map(describeOperation).join(' or ') : 'any request'} only from ${r.from ? r.from.map(describeSource).join(' or ') : 'anyone'}`)
    .join('; ')}`;
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
        reason: quiet ? '' : `at ${where}, CUSTOM AuthorizationPolicy ${policy.ref} hands the request to the external authorizer ${policy.provider}, whose answer the analyzer cannot know, so it counts as denied; ${describeRequest(req, at)}`,
      };
    }
  }
  for (const policy of policies) {
    if (policy.action !== 'DENY') continue;
    const m = policyMatches(policy, ctx);
    if (m === 'yes' || m === 'unknown') {
      const maybe = !quiet && m === 'unknown' ? ' may match (the request does not say enough to rule it out) and so' : '';
      const broader = !quiet && at === 'ztunnel' && policy.rules.some(r => r.l7Fields.length > 0) ? ' (ztunnel ignores its HTTP fields, which makes it broader)' : '';
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

function policyMatchesFor(policy: AuthorizationPolicyModel, ctx: MatchContext, source: number, sources: number, fromVerdicts: FromVerdicts): Tri {
  let r: Tri = 'no';
  const ruleCtx = { ...ctx, policyNamespace: policy.namespace };
  for (const rule of policy.rules) {
    if (ctx.at === 'ztunnel' && policy.action === 'ALLOW' && rule.l7Fields.length > 0) continue;
    if (rule.from) {
      // Most callers are named by no rule: one cached look at `from` rules them out.
      let byPoint = fromVerdicts.get(rule);
      if (!byPoint) fromVerdicts.set(rule, (byPoint = {}));
      const codes = (byPoint[ctx.at] ??= new Uint8Array(sources));
      let code = codes[source];
      if (!code) {
        code = TRI_CODE[rule.from.map(s => sourceMatches(s, ruleCtx)).reduce(or3, 'no')];
        if (source < codes.length) codes[source] = code;
      }
      if (CODE_TRI[code] === 'no') continue;
    }
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
