/**
 * A seeded generator of random AuthorizationPolicy sets for one Service behind
 * a waypoint, and of random requests to it, for the L7 differential test
 * against Istio's own translation run by a real Envoy (tools/authz-oracle).
 * Policies: ALLOW, DENY and AUDIT; no rules, `rules: [{}]` or 1-3 rules with
 * sources (principals, namespaces, service accounts and their not-forms,
 * exact, prefix, suffix and `*` values, now and then written with
 * `spiffe://`), operations (methods, paths with `/a/*`, suffixes and the
 * templates `{*}`/`{**}`, ports, hosts, and their not-forms) and conditions
 * (request headers, source principal and namespace). Now and then a value
 * Istio's admission check refuses, so acceptance is compared too. Requests:
 * an identity or none, a method, a path with query strings, trailing and
 * double slashes, `.` and `..` segments, percent-escapes and case changes,
 * a header present or not, a Host, a port. The same seed always gives the same case.
 */
import { Dice } from '../random';

type Obj = Record<string, any>;

export interface L7Request {
  /** The caller's identity without `spiffe://`; undefined: a caller without one. */
  principal?: string;
  method: string;
  /** The request target exactly as sent. */
  path: string;
  port: number;
  /** The Host header (`:authority`). */
  host: string;
  headers: Record<string, string>;
  /** The TLS server name: sent over TLS with this SNI (an egress host's TLS rule); undefined: plain HTTP. */
  sni?: string;
}

export interface AuthzCase {
  id: string;
  seed: number;
  /** AuthorizationPolicy manifests, all attached to the Service's waypoint. */
  policies: Obj[];
  requests: L7Request[];
}

export const SERVICE = { namespace: 'orion', name: 'telemetry' };
export const PORTS = [8080, 9090];
export const USER_HEADER = 'x-user';
const NAMESPACES = ['orion', 'houston', 'artemis'];
const ACCOUNTS = ['capcom', 'crew', 'adversary'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const SEGMENTS = ['a', 'b', 'api', 'v1', 'x'];
const HEADER_VALUES = ['alice', 'bob', 'alicia', 'malice'];
const HOSTS = ['telemetry', 'telemetry.orion.svc.cluster.local', 'Telemetry.Orion', 'telemetry:8080', 'telemetry.orion.svc.cluster.local:9090'];
const HOST_VALUES = ['telemetry', 'telemetry.orion.svc.cluster.local', 'TELEMETRY', '*.cluster.local', 'telemetry*', '*:8080', '*'];

const identity = (ns: string, sa: string) => `cluster.local/ns/${ns}/sa/${sa}`;

function principalValue(d: Dice): string {
  const ns = d.pick(NAMESPACES);
  const sa = d.pick(ACCOUNTS);
  switch (d.int(0, 6)) {
    case 0:
      return `spiffe://${identity(ns, sa)}`;
    case 1:
      return `cluster.local/ns/${ns}/*`;
    case 2:
      return `*/sa/${sa}`;
    case 3:
      return '*';
    case 4:
      return d.chance(0.5) ? `spiffe://cluster.local/ns/${ns}/*` : `*/${sa}`;
    default:
      return identity(ns, sa);
  }
}

function namespaceValue(d: Dice): string {
  const ns = d.pick(NAMESPACES);
  return d.pick([ns, ns, `${ns.slice(0, 2)}*`, `*${ns.slice(-3)}`, '*']);
}

function serviceAccountValue(d: Dice): string {
  const sa = d.pick(ACCOUNTS);
  return d.chance(0.5) ? sa : `${d.pick(NAMESPACES)}/${sa}`;
}

function methodValue(d: Dice): string {
  return d.pick([...METHODS, ...METHODS, 'G*', '*T', '*', 'get']);
}

/** Paths, with now and then one Istio's admission check refuses (braces beyond {*}/{**}). */
function pathValue(d: Dice): string {
  if (d.chance(0.03)) return d.pick(['/a/{x}', '/api/{**}/{*}', '/{*}x']);
  return d.pick([
    '/a',
    '/a/*',
    '/a/b',
    '/b',
    '/a/',
    '/A',
    '*',
    '/a*',
    '*/b',
    '/api/*',
    '/api/{*}',
    '/api/{*}/x',
    '/api/{**}',
    '/{*}',
    '/{**}/x',
    '/api/{**}/x',
  ]);
}

function list<T>(d: Dice, make: (d: Dice) => T, max = 2): T[] {
  return [...new Set(Array.from({ length: d.int(1, max) }, () => make(d)))];
}

function source(d: Dice): Obj {
  const out: Obj = {};
  const fields = d.some(['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts'], d.int(1, 2));
  // Istio refuses serviceAccounts together with principals or namespaces; keep that rare.
  const accounts = fields.filter(f => f.endsWith('erviceAccounts'));
  const chosen = accounts.length > 0 && accounts.length < fields.length && !d.chance(0.1) ? accounts : fields;
  for (const f of chosen) {
    if (f.endsWith('rincipals')) out[f] = list(d, principalValue);
    else if (f.endsWith('amespaces')) out[f] = list(d, namespaceValue);
    else out[f] = list(d, serviceAccountValue);
  }
  return out;
}

function operation(d: Dice): Obj {
  const out: Obj = {};
  for (const f of d.some(['methods', 'notMethods', 'paths', 'notPaths', 'ports', 'notPorts', 'hosts', 'notHosts'], d.int(1, 3))) {
    if (f.endsWith('ethods')) out[f] = list(d, methodValue);
    else if (f.endsWith('osts')) out[f] = list(d, dd => dd.pick(HOST_VALUES));
    else if (f.endsWith('aths')) out[f] = list(d, pathValue, 3);
    else out[f] = [String(d.pick(PORTS))];
  }
  return out;
}

function condition(d: Dice): Obj {
  const key = d.pick([
    `request.headers[${USER_HEADER}]`,
    `request.headers[${USER_HEADER}]`,
    'source.principal',
    'source.namespace',
    'destination.port',
    'request.header[x-user]',
  ]);
  const valuesOf = (dd: Dice) => {
    if (key === 'destination.port') return String(dd.pick(PORTS));
    if (key === 'source.principal') return principalValue(dd);
    if (key === 'source.namespace') return namespaceValue(dd);
    return dd.pick(['alice', 'al*', '*ice', '*', 'bob']);
  };
  const out: Obj = { key };
  const form = d.int(0, 2);
  if (form !== 1) out.values = list(d, valuesOf);
  if (form !== 0) out.notValues = list(d, valuesOf);
  return out;
}

function rule(d: Dice): Obj {
  const out: Obj = {};
  const parts = d.some(['from', 'to', 'when'], d.int(1, 3));
  if (parts.includes('from')) out.from = Array.from({ length: d.int(1, 2) }, () => ({ source: source(d) }));
  if (parts.includes('to')) out.to = Array.from({ length: d.int(1, 2) }, () => ({ operation: operation(d) }));
  if (parts.includes('when')) out.when = Array.from({ length: d.int(1, 2) }, () => condition(d));
  return out;
}

function policy(d: Dice, index: number): Obj {
  const action = d.pick(['ALLOW', 'ALLOW', 'DENY', 'DENY', 'AUDIT', undefined]);
  const spec: Obj = { targetRefs: [{ kind: 'Service', group: '', name: SERVICE.name }] };
  if (action) spec.action = action;
  const form = d.int(0, 9);
  if (form === 0) {
    // no rules
  } else if (form === 1) spec.rules = [{}];
  else spec.rules = Array.from({ length: d.int(1, 3) }, () => rule(d));
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `ap-${index}`, namespace: SERVICE.namespace }, spec };
}

/** A request target: 1-3 segments, then the tricks a normaliser must undo (or must not). */
export function requestPath(d: Dice): string {
  let segments = Array.from({ length: d.int(1, 3) }, () => d.pick(SEGMENTS));
  if (d.chance(0.1)) segments = segments.map(s => (d.chance(0.5) ? s.toUpperCase() : s));
  const escape = (s: string) => {
    const i = d.int(0, s.length - 1);
    const hex = s.charCodeAt(i).toString(16);
    return `${s.slice(0, i)}%${d.chance(0.5) ? hex : hex.toUpperCase()}${s.slice(i + 1)}`;
  };
  if (d.chance(0.15)) {
    const i = d.int(0, segments.length - 1);
    segments[i] = escape(segments[i]);
  }
  if (d.chance(0.15)) segments.splice(d.int(0, segments.length), 0, d.pick(['..', '.', '%2e%2e', '.%2E', '%2e']));
  if (d.chance(0.1)) segments.splice(d.int(0, segments.length), 0, d.pick(['x', 'admin']), '..');
  let path = `/${segments.join('/')}`;
  if (d.chance(0.1)) path = path.replace('/', '//');
  if (d.chance(0.05)) path = path.replace(/(?<=.)\/(?=[^/]*$)/, d.pick(['%2F', '%2f', '\\']));
  if (d.chance(0.15)) path += '/';
  if (d.chance(0.2)) path += d.pick(['?q=1', '?next=/a/b', '?', '?x=..%2F']);
  return path;
}

function request(d: Dice): L7Request {
  const r: L7Request = { method: d.chance(0.05) ? 'PATCH' : d.pick(METHODS), path: requestPath(d), port: d.pick(PORTS), host: d.pick(HOSTS), headers: {} };
  if (!d.chance(0.1)) r.principal = d.chance(0.05) ? 'example.org/ns/orion/sa/crew' : identity(d.pick(NAMESPACES), d.pick(ACCOUNTS));
  if (d.chance(0.6)) r.headers[d.chance(0.2) ? 'X-User' : USER_HEADER] = d.chance(0.05) ? '' : d.pick(HEADER_VALUES);
  return r;
}

/** One random case; `seed` decides everything. */
export function generateAuthzCase(seed: number, requests = 40): AuthzCase {
  const d = Dice.seeded(seed);
  const policies = Array.from({ length: d.int(1, 4) }, (_, i) => policy(d, i));
  return { id: `seed-${seed}`, seed, policies, requests: Array.from({ length: requests }, () => request(d)) };
}
