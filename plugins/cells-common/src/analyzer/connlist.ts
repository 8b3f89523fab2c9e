/**
 * Every connection at once: for every ordered workload pair, the ports and
 * protocols it may use, and the HTTP operations where a waypoint's L7 policy
 * decides. Computed over port classes: the ports every input treats alike
 * (no policy, Service, container port or PeerAuthentication tells them
 * apart) get one verdict matrix per class, not one per port.
 */
import { AuthorizationPolicyModel, istioStringMatches, OperationModel, waypointPolicies } from './authorization';
import { matrixWorkloads, verdictMatrix } from './matrix';
import { ClusterModel, HBONE_PORT, Protocol, PROTOCOLS, WorkloadModel } from './model';
import { assertAnalyzable, isAllowedFrom, QuietRun, reachableFrom, resolveTargetFor, serviceFor, waypointForService } from './request';

export interface ConnlistRequest {
  /** `pod`: callers dial pod IPs and skip waypoints. Default: through the Service exposing the port, as analyzeRequest. */
  addressing?: 'service' | 'pod';
  /** Include the waypoint workloads the analyzer synthesized (default false). */
  includeSynthesized?: boolean;
}

/** A set of ports of one protocol that every policy treats alike; `representative` is asked for all of them. */
export interface PortClass {
  protocol: Protocol;
  /** Inclusive, ascending, not adjacent. */
  ranges: [number, number][];
  representative: number;
}

/** HTTP requests a waypoint admits, shaped like an AuthorizationPolicy operation; an absent field means any. */
export interface L7Operation {
  methods?: string[];
  paths?: string[];
  notMethods?: string[];
  notPaths?: string[];
  hosts?: string[];
  notHosts?: string[];
}

export interface ConnlistGrant {
  protocol: Protocol;
  /** e.g. `8080`, `1-79,81-65535`. */
  ports: string;
  ranges: [number, number][];
  /**
   * Only these HTTP requests are allowed (a waypoint's ALLOW rules, each
   * checked with a sample request); absent: any request on these ports.
   */
  operations?: L7Operation[];
  /** DENY (or CUSTOM) policies with HTTP conditions at that waypoint: requests they match stay denied. */
  except?: string[];
}

export interface ConnlistEntry {
  from: string;
  to: string;
  allowed: ConnlistGrant[];
}

export interface ConnlistResult {
  /** Pairs with at least one allowed connection, by caller then callee (code-unit order); others have none. */
  connections: ConnlistEntry[];
  /** The port classes evaluated. */
  portClasses: PortClass[];
  /** Ordered pairs considered (connected or not). */
  pairs: number;
}

// ---------------------------------------------------------------- port classes

interface PortInterval {
  from: number;
  to: number;
}

/** Every port range any input distinguishes, per protocol. */
function portIntervals(model: ClusterModel): Map<Protocol, PortInterval[]> {
  const byProtocol = new Map<Protocol, Map<string, PortInterval>>(PROTOCOLS.map(p => [p, new Map()]));
  const add = (protocols: readonly Protocol[], from: number, to = from) => {
    for (const p of protocols) byProtocol.get(p)!.set(`${from}-${to}`, { from, to });
  };
  // Container ports (named ports resolve to them), Service target ports, and HBONE's port.
  for (const w of model.workloads) for (const cp of w.ports) add([cp.protocol], cp.port);
  for (const s of model.services) for (const sp of s.ports) if (typeof sp.targetPort === 'number') add([sp.protocol], sp.targetPort);
  add(['TCP'], HBONE_PORT);
  for (const policy of model.networkPolicies) {
    for (const rule of [...policy.ingress, ...policy.egress]) {
      for (const entry of rule.ports ?? []) if (typeof entry.port === 'number') add([entry.protocol], entry.port, entry.endPort);
    }
  }
  for (const policy of model.ciliumPolicies) {
    for (const rule of policy.rules) {
      for (const entry of [...rule.ingress, ...rule.ingressDeny, ...rule.egress, ...rule.egressDeny]) {
        for (const portRule of entry.toPorts ?? []) {
          for (const p of portRule.ports ?? []) {
            if (typeof p.port === 'number') add(p.protocol === 'ANY' ? PROTOCOLS : [p.protocol], p.port, p.endPort);
          }
        }
      }
    }
  }
  // The mesh (mTLS, AuthorizationPolicies) only ever sees TCP.
  for (const policy of model.authorizationPolicies) {
    for (const rule of policy.rules) {
      for (const op of rule.to ?? []) for (const port of [...(op.ports ?? []), ...(op.notPorts ?? [])]) add(['TCP'], port);
      for (const c of rule.when ?? []) {
        if (c.key !== 'destination.port') continue;
        for (const v of [...(c.values ?? []), ...(c.notValues ?? [])]) {
          const n = Number(v);
          if (String(n) === v && n >= 1 && n <= 65535) add(['TCP'], n);
        }
      }
    }
  }
  for (const pa of model.peerAuthentications) for (const port of pa.portLevel.keys()) add(['TCP'], port);
  return new Map([...byProtocol].map(([p, m]) => [p, [...m.values()]]));
}

/**
 * Partitions 1-65535 of each protocol into classes: cut at every interval's
 * ends, then group the pieces that lie in exactly the same intervals.
 */
export function portClasses(model: ClusterModel): PortClass[] {
  const classes: PortClass[] = [];
  for (const [protocol, intervals] of portIntervals(model)) {
    const cuts = new Set([1]);
    for (const iv of intervals) {
      cuts.add(iv.from);
      if (iv.to < 65535) cuts.add(iv.to + 1);
    }
    const starts = [...cuts].sort((a, b) => a - b);
    const bySignature = new Map<string, PortClass>();
    starts.forEach((start, k) => {
      const end = (starts[k + 1] ?? 65536) - 1;
      const signature = intervals.flatMap((iv, i) => (iv.from <= start && start <= iv.to ? [i] : [])).join(',');
      const cls = bySignature.get(signature);
      if (!cls) bySignature.set(signature, { protocol, ranges: [[start, end]], representative: start });
      else cls.ranges.push([start, end]);
    });
    classes.push(...bySignature.values());
  }
  return classes;
}

// ---------------------------------------------------------------- L7 operations

interface Sample {
  method: string;
  path: string;
  host?: string;
}

interface Candidate {
  op: OperationModel;
  methods: string[];
  paths: string[];
  host?: string;
}

const SAMPLE = 'cellplane-probe';
const SAMPLE_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

/** A concrete value an Istio string pattern matches (exact, `*`, `prefix*`, `*suffix`); `any` stands in for `*`. */
function concrete(pattern: string, any: string, filler = SAMPLE): string {
  if (pattern === '*') return any;
  if (pattern.endsWith('*')) return `${pattern.slice(0, -1)}${filler}`;
  if (pattern.startsWith('*')) return `${filler}${pattern.slice(1)}`;
  return pattern;
}

const matchesAny = (patterns: string[] | undefined, value: string) => (patterns ?? []).some(p => istioStringMatches(p, value));

/** Fields at the source or in `when` a request here never describes (JWTs, headers): such a rule cannot be sampled. */
const UNSAMPLED = new Set(['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks']);

/**
 * What a waypoint's ALLOW rules may admit beyond "any request": each
 * operation with HTTP conditions, and, when DENY/CUSTOM policies have HTTP
 * conditions (which make an unspecified request count as denied), also the
 * operations without any.
 */
function candidatesOf(policies: readonly AuthorizationPolicyModel[]): { candidates: Candidate[]; except: string[] } {
  const except = policies.filter(p => p.action !== 'ALLOW' && p.action !== 'AUDIT' && p.rules.some(r => r.l7Fields.length > 0)).map(p => p.ref);
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const policy of policies) {
    if (policy.action !== 'ALLOW') continue;
    for (const rule of policy.rules) {
      if (rule.l7Fields.some(f => UNSAMPLED.has(f) || f.startsWith('when '))) continue;
      for (const op of rule.to ?? [{}]) {
        const http = op.methods || op.paths || op.notMethods || op.notPaths || op.hosts || op.notHosts;
        if (!http && except.length === 0) continue; // "any request" already covers it
        const key = JSON.stringify(op);
        if (seen.has(key)) continue;
        seen.add(key);
        const defaultMethod = SAMPLE_METHODS.find(m => !matchesAny(op.notMethods, m));
        const defaultPath = ['/', `/${SAMPLE}`].find(p => !matchesAny(op.notPaths, p));
        let host: string | undefined;
        if (op.hosts) host = concrete(op.hosts[0], `${SAMPLE}.local`);
        else if (op.notHosts) host = `${SAMPLE}.invalid`;
        if (!defaultMethod || !defaultPath || (host && op.notHosts?.some(h => istioStringMatches(h, host, true)))) continue;
        candidates.push({
          op,
          methods: op.methods ? op.methods.map(m => concrete(m, defaultMethod)) : [defaultMethod],
          paths: op.paths ? op.paths.map(p => concrete(p, '/', p.endsWith('*') ? SAMPLE : `/${SAMPLE}`)) : [defaultPath],
          host,
        });
      }
    }
  }
  return { candidates, except };
}

/**
 * The operations to report for one pair: each candidate narrowed to the
 * method/path combinations whose samples passed. Plain method/path
 * combinations of all candidates are pooled and regrouped (paths with the
 * same methods together), so overlapping rules read as one operation.
 */
function operationsOf(results: { candidate: Candidate; passed: boolean[][] }[]): L7Operation[] {
  const plain: { method?: string; path?: string }[] = [];
  const other = new Map<string, L7Operation>();
  for (const { candidate, passed } of results) {
    const { op } = candidate;
    const isPlain = !op.notMethods && !op.notPaths && !op.hosts && !op.notHosts;
    candidate.methods.forEach((_, mi) =>
      candidate.paths.forEach((__, pi) => {
        if (!passed[mi][pi]) return;
        const method = op.methods?.[mi];
        const path = op.paths?.[pi];
        if (isPlain) plain.push({ method, path });
        else {
          const o: L7Operation = {
            ...(method !== undefined ? { methods: [method] } : {}),
            ...(path !== undefined ? { paths: [path] } : {}),
            ...(op.notMethods ? { notMethods: op.notMethods } : {}),
            ...(op.notPaths ? { notPaths: op.notPaths } : {}),
            ...(op.hosts ? { hosts: op.hosts } : {}),
            ...(op.notHosts ? { notHosts: op.notHosts } : {}),
          };
          other.set(JSON.stringify(o), o);
        }
      }),
    );
  }
  // path (undefined: any) -> methods (undefined in the set: any method)
  const byPath = new Map<string | undefined, Set<string | undefined>>();
  for (const { method, path } of plain) {
    const methods = byPath.get(path) ?? new Set();
    methods.add(method);
    byPath.set(path, methods);
  }
  const byMethods = new Map<string, L7Operation>();
  for (const [path, methodSet] of byPath) {
    const methods = methodSet.has(undefined) ? undefined : ([...methodSet] as string[]);
    const key = JSON.stringify(methods ?? null);
    const op = byMethods.get(key);
    if (path === undefined) byMethods.set(`${key} any`, { ...(methods ? { methods } : {}) });
    else if (op) op.paths!.push(path);
    else byMethods.set(key, { ...(methods ? { methods } : {}), paths: [path] });
  }
  return [...byMethods.values(), ...other.values()];
}

// ---------------------------------------------------------------- the list

export const rangesText = (ranges: [number, number][]) => ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');

export function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

interface L7Verdict {
  operations: L7Operation[];
  except: string[];
}

/**
 * Every connection between the model's workloads: one verdict matrix per
 * port class (the same evaluation as analyzeMatrix on the class's
 * representative port), and for pairs a waypoint denies "any request", the
 * HTTP operations its ALLOW rules admit, each checked with sample requests.
 */
export function analyzeConnlist(model: ClusterModel, request: ConnlistRequest = {}): ConnlistResult {
  assertAnalyzable(model);
  const workloads = matrixWorkloads(model, request.includeSynthesized);
  const n = workloads.length;
  const classes = portClasses(model);
  const verdicts: Uint8Array[] = [];
  /** `(i * n + j) * classes + c` -> the L7-only verdict of that pair on class c. */
  const l7 = new Map<number, L7Verdict>();
  classes.forEach((cls, c) => {
    const base = { port: cls.representative, protocol: cls.protocol, addressing: request.addressing };
    const allowed = verdictMatrix(model, workloads, base);
    verdicts.push(allowed);
    if (cls.protocol !== 'TCP') return;
    const runs = new Map<string, QuietRun>();
    const candidatesCache = new Map<string, { candidates: Candidate[]; except: string[] }>();
    for (let j = 0; j < n; j++) {
      const { candidates, except } = candidatesFor(model, workloads[j], cls.representative, request.addressing, candidatesCache);
      if (candidates.length === 0) continue;
      const target = resolveTargetFor(model, { ...base, to: workloads[j].key });
      const reachable = reachableFrom(model, workloads[j], cls.representative, 'TCP');
      for (let i = 0; i < n; i++) {
        // Callers the network stops before the waypoint cannot get any operation through.
        if (i === j || allowed[i * n + j] || !reachable(workloads[i])) continue;
        const results: { candidate: Candidate; passed: boolean[][] }[] = [];
        for (const candidate of candidates) {
          const passed = candidate.methods.map(method =>
            candidate.paths.map(path => {
              const sample: Sample = { method, path, host: candidate.host };
              const key = `${sample.method} ${sample.path} ${sample.host ?? ''}`;
              let run = runs.get(key);
              if (!run) runs.set(key, (run = { secondHops: new Map() }));
              return isAllowedFrom(model, workloads[i], target, { ...base, ...sample }, run);
            }),
          );
          results.push({ candidate, passed });
        }
        const operations = operationsOf(results);
        if (operations.length > 0) l7.set((i * n + j) * classes.length + c, { operations, except });
      }
    }
  });

  // Pairs some class connects (most pairs of a real cluster have none).
  const connected = new Uint8Array(n * n);
  for (const v of verdicts) for (let k = 0; k < v.length; k++) connected[k] |= v[k];
  for (const key of l7.keys()) connected[Math.floor(key / classes.length)] = 1;
  const connections: ConnlistEntry[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (!connected[i * n + j]) continue;
      // One grant per protocol for "any request", one per protocol and set of operations otherwise.
      const grants = new Map<string, { protocol: Protocol; ranges: [number, number][]; l7?: L7Verdict }>();
      classes.forEach((cls, c) => {
        const pair = i * n + j;
        let key: string;
        let l7Verdict: L7Verdict | undefined;
        if (verdicts[c][pair]) key = cls.protocol;
        else {
          l7Verdict = l7.get(pair * classes.length + c);
          if (!l7Verdict) return;
          key = `${cls.protocol} ${JSON.stringify(l7Verdict)}`;
        }
        const grant = grants.get(key);
        if (grant) grant.ranges.push(...cls.ranges);
        else grants.set(key, { protocol: cls.protocol, ranges: [...cls.ranges], l7: l7Verdict });
      });
      const allowed = [...grants.values()]
        .map(g => {
          const ranges = mergeRanges(g.ranges);
          return {
            protocol: g.protocol,
            ports: rangesText(ranges),
            ranges,
            ...(g.l7 ? { operations: g.l7.operations, ...(g.l7.except.length > 0 ? { except: g.l7.except } : {}) } : {}),
          };
        })
        .sort(
          (a, b) =>
            PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) || Number(!!a.operations) - Number(!!b.operations) || a.ranges[0][0] - b.ranges[0][0],
        );
      connections.push({ from: workloads[i].key, to: workloads[j].key, allowed });
    }
  }
  return { connections, portClasses: classes, pairs: n * (n - 1) };
}

/** The L7 candidates at the waypoint a request to `workload` on `port` goes through, if any. */
function candidatesFor(
  model: ClusterModel,
  workload: WorkloadModel,
  port: number,
  addressing: 'service' | 'pod' | undefined,
  cache: Map<string, { candidates: Candidate[]; except: string[] }>,
): { candidates: Candidate[]; except: string[] } {
  const none = { candidates: [], except: [] };
  const service = addressing === 'pod' ? undefined : serviceFor(model, workload, port, 'TCP');
  const gw = service && waypointForService(model, service);
  if (!service || !gw) return none;
  const key = `${gw.key}|${service.key}`;
  let found = cache.get(key);
  if (!found) {
    found = candidatesOf(waypointPolicies(model.authorizationPolicies, gw, service, model.rootNamespace));
    cache.set(key, found);
  }
  return found;
}

/** One line per grant, for people: `TCP 8080`, `TCP 8080 only GET /api/*`, `TCP all ports`. */
export function formatGrant(grant: ConnlistGrant): string {
  const ports = grant.ports === '1-65535' ? 'all ports' : grant.ports;
  if (!grant.operations) return `${grant.protocol} ${ports}`;
  const listOr = (values: string[] | undefined, excluded: string[] | undefined, any: string) => {
    if (values) return values.join(',');
    return excluded ? `${any} but ${excluded.join(',')}` : any;
  };
  const ops = grant.operations.map(o => {
    let hosts = '';
    if (o.hosts) hosts = ` (host ${o.hosts.join(',')})`;
    else if (o.notHosts) hosts = ` (host not ${o.notHosts.join(',')})`;
    return `${listOr(o.methods, o.notMethods, 'any method')} ${listOr(o.paths, o.notPaths, 'any path')}${hosts}`;
  });
  const except = grant.except ? `, unless ${grant.except.join(', ')} denies it` : '';
  return `${grant.protocol} ${ports} only ${ops.join('; ')}${except}`;
}
