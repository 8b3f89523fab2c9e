/**
 * Istio AuthorizationPolicy (security.istio.io/v1): the model, parsing (what
 * Istio's admission check would refuse is a problem here too, and more: a
 * misspelled field, a '*' inside a value) and attachment (waypoint for
 * targetRefs, ztunnel for selector/none). Matching is in authorization.ts.
 */
import { CompiledSelector, readStringMap, selectorFromMap } from '../labels';
import { containsPathTemplate, pathTemplateProblem } from '../net/httpPath';
import { Cidr, parseCidr } from './ip';
import { isPlainObject, ProblemSink, WorkloadModel } from './model';

export type AuthorizationAction = 'ALLOW' | 'DENY' | 'CUSTOM' | 'AUDIT';

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
export const L4_CONDITION_KEYS = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);

/**
 * A list of strings. `checkWildcard`: '*' only alone, as a prefix or as a
 * suffix (Istio reads a '*' elsewhere literally in some fields and as a glob
 * in others, so it is refused); 'path' also applies Istio's path template rules.
 */
/** The condition keys Istio accepts (pkg/config/security ValidateAttribute); `name[key]` forms need a key. */
const CONDITION_KEYS = new Set([
  'source.ip',
  'remote.ip',
  'source.namespace',
  'source.serviceAccount',
  'source.principal',
  'source.trustDomain',
  'request.auth.principal',
  'request.auth.audiences',
  'request.auth.presenter',
  'destination.ip',
  'destination.port',
  'connection.sni',
]);
const MAP_CONDITION_KEYS = ['request.headers', 'request.auth.claims', 'experimental.envoy.filters.'];

function conditionKeyProblem(key: string): string | undefined {
  if (CONDITION_KEYS.has(key)) return undefined;
  if (MAP_CONDITION_KEYS.some(prefix => key.startsWith(prefix))) {
    const open = key.indexOf('[');
    return key.endsWith(']') && open > 0 && open < key.length - 2 ? undefined : `"${key}" should have the form name[key]`;
  }
  return `unknown condition key "${key}" (e.g. request.headers[name], source.principal, source.namespace, destination.port)`;
}

/** The header a `request.headers[name]` condition reads, lower-cased as Envoy compares names; undefined for other keys. */
export function conditionHeader(key: string): string | undefined {
  const m = /^request\.headers\[(.+)\]$/.exec(key);
  return m ? m[1].toLowerCase() : undefined;
}

function readValues(value: unknown, field: string, sink: ProblemSink, checkWildcard: boolean | 'path' = true): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    sink.add(field, 'must be a list of strings');
    return undefined;
  }
  const values = value as string[];
  if (values.length === 0) return undefined;
  if (checkWildcard) {
    values.forEach((v, i) => {
      if (checkWildcard === 'path') {
        // Istio's admission check: braces only as whole {*} / {**} segments; a templated path is matched as a template.
        const problem = pathTemplateProblem(v);
        if (problem) sink.add(`${field}[${i}]`, problem);
        if (problem || containsPathTemplate(v)) return;
      }
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
        const named = (keys: string[]) => keys.some(k => Array.isArray(src[k]) && (src[k] as unknown[]).length > 0);
        if (named(['serviceAccounts', 'notServiceAccounts']) && named(['principals', 'notPrincipals', 'namespaces', 'notNamespaces'])) {
          // Istio's admission check refuses the mix (a service account already names its namespace).
          sink.add(at, 'cannot set serviceAccounts together with principals or namespaces (Istio refuses it)');
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
          const v = readValues(op[key], `${at}.${key}`, sink, key === 'paths' || key === 'notPaths' ? 'path' : true);
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
        const keyProblem = conditionKeyProblem(c.key);
        if (keyProblem) sink.add(`${at}.key`, keyProblem);
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
  if ((action === 'DENY' || action === 'CUSTOM') && rules.length === 0) {
    sink.add('spec.rules', `a ${action} policy without rules is refused by Istio (it would never match); add rules: [{}] to match every request`);
  }
  if (!sink.ok) return undefined;
  return { ref: `${namespace}/${name}`, namespace, name, action, provider, selector, targetRefs, rules, order };
}

// ---------------------------------------------------------------- attachment

/** Policies ztunnel enforces for a destination workload: no targetRefs, selector matching or none (docs/policy-semantics.md#authz-8). */
export function ztunnelPolicies(policies: readonly AuthorizationPolicyModel[], workload: WorkloadModel, rootNamespace: string): AuthorizationPolicyModel[] {
  return policies.filter(
    p => !p.targetRefs && (p.namespace === workload.namespace || p.namespace === rootNamespace) && (!p.selector || p.selector.matches(workload.labels)),
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
