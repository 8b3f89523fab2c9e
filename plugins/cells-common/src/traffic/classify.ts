/**
 * Every edge of a window against the catalog's grants, per environment:
 * - declared-seen: a grant covers an observed allowed call;
 * - declared-unused: a grant no allowed call in the window used (a tightening candidate);
 * - undeclared-allowed: an allowed call no grant covers (the policies are wider than the catalog, or drift);
 * - denied: a denied call; `suspicious` when its caller is an identity the catalog does not know.
 * "Covers" is the catalog's own meaning (verify's oracle, `catalogAllows`).
 */
import { CallGrant, CellComponent, CellModel, EndpointSpec } from '../model/types';
import { CellsSettings } from '../settings/settings';
import { CatalogCaller, catalogAllows } from '../verify/oracle';
import { compareText } from '../order';
import { grantCallerId } from './attribution';
import { ClassifiedEdge, GrantRef, TrafficClass, TrafficClassification, TrafficEdge, TrafficWindow, TRAFFIC_CLASSES } from './types';

/** Grants with the same caller, callee, endpoint, methods and paths: one call, however many fields declare it. */
interface GrantShape {
  grant: CallGrant;
  /** The grant alone, as `catalogAllows` reads a model (built once). */
  only: CellModel;
  callerId: string;
  declaredBy: string[];
  endpoint: EndpointSpec;
}

export interface ClassifyInput {
  environment: string;
  window: TrafficWindow;
  /** The window's edges (any environment: others are ignored). */
  edges: TrafficEdge[];
  /** Edges that ended before the window, for when an unused grant was last seen. */
  before?: TrafficEdge[];
}

/** What matching an edge against the grants found. */
export interface GrantMatch {
  shapes: GrantShape[];
  /** The callee's endpoint, when the port (or a single candidate) tells it. */
  endpoint?: EndpointSpec;
  /** Endpoints the call may have gone to. */
  candidates: EndpointSpec[];
  /** Declared by the platform baseline (DNS), not by a grant. */
  baseline?: GrantRef;
}

const EMPTY_MODEL: CellModel = { cells: [], components: [], grants: [] };

function grantRef(s: GrantShape): GrantRef {
  return {
    endpoint: s.grant.endpoint,
    ...(s.grant.methods ? { methods: s.grant.methods } : {}),
    ...(s.grant.paths ? { paths: s.grant.paths } : {}),
    declaredBy: s.declaredBy,
  };
}

/** The grants of one environment, indexed for matching observed edges. */
export class GrantIndex {
  readonly shapes: GrantShape[] = [];
  private readonly byPair = new Map<string, GrantShape[]>();
  private readonly byCallerCell = new Map<string, GrantShape[]>();
  readonly components: Map<string, CellComponent>;

  constructor(readonly model: CellModel, readonly settings: CellsSettings, readonly environment: string) {
    const present = new Set(model.cells.filter(c => c.environments.includes(environment)).map(c => c.ref));
    this.components = new Map(model.components.filter(c => present.has(c.cell)).map(c => [c.ref, c]));
    const byKey = new Map<string, GrantShape>();
    for (const g of model.grants) {
      const callee = this.components.get(g.callee);
      if (!callee || (g.caller.kind === 'component' && !this.components.has(g.caller.ref))) continue;
      const endpoint = callee.endpoints.find(e => e.name === g.endpoint);
      if (!endpoint) continue;
      const callerId = g.caller.kind === 'gateway' ? 'gateway' : g.caller.ref;
      const key = `${callerId}\u0000${g.callee}\u0000${g.endpoint}\u0000${g.methods?.join(',') ?? '*'}\u0000${g.paths?.join(',') ?? '*'}`;
      const declared = `${g.declaredBy}: ${g.field}`;
      const shape = byKey.get(key);
      if (shape) {
        if (!shape.declaredBy.includes(declared)) shape.declaredBy.push(declared);
        continue;
      }
      const created: GrantShape = { grant: g, only: { ...EMPTY_MODEL, grants: [g] }, callerId, declaredBy: [declared], endpoint };
      byKey.set(key, created);
      this.shapes.push(created);
      push(this.byPair, `${callerId}\u0000${g.callee}`, created);
      push(this.byCallerCell, `${callerId}\u0000${callee.cell}`, created);
    }
  }

  private l7(endpoint: EndpointSpec): boolean {
    return this.settings.mesh.enabled && (endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC');
  }

  match(edge: TrafficEdge): GrantMatch {
    const src = edge.source;
    const dst = edge.destination;
    const callerId = grantCallerId(src);
    let caller: CatalogCaller | undefined;
    if (src.kind === 'component') caller = { kind: 'component', ref: src.ref };
    else if (src.kind === 'gateway') caller = { kind: 'gateway' };
    if (dst.kind === 'platform' && dst.name === 'dns' && edge.port === this.settings.dns.port && src.kind === 'component') {
      return { shapes: [], candidates: [], baseline: { endpoint: 'dns', declaredBy: ['the compiler (every component may resolve names: cells.dns)'] } };
    }
    if (src.kind === 'platform' && src.name === 'node' && dst.kind === 'component' && edge.protocol !== 'UDP') {
      const probed = this.components.get(dst.ref)?.endpoints.some(e => e.protocol !== 'UDP' && e.port === edge.port);
      if (probed)
        return {
          shapes: [],
          candidates: [],
          baseline: { endpoint: 'kubelet-probes', declaredBy: ["the compiler (kubelet health probes reach every component's TCP endpoints)"] },
        };
    }
    if (dst.kind === 'cell') {
      return { shapes: callerId ? this.byCallerCell.get(`${callerId}\u0000${dst.ref}`) ?? [] : [], candidates: [] };
    }
    if (dst.kind !== 'component') return { shapes: [], candidates: [] };
    const callee = this.components.get(dst.ref);
    if (!callee) return { shapes: [], candidates: [] };
    const candidates = endpointCandidates(callee, edge);
    const endpoint = candidates.length === 1 ? candidates[0] : undefined;
    if (!caller || !callerId) return { shapes: [], candidates, ...(endpoint ? { endpoint } : {}) };
    const shapes = (this.byPair.get(`${callerId}\u0000${callee.ref}`) ?? []).filter(s => {
      if (!candidates.includes(s.endpoint)) return false;
      // Without a method the call's L7 is not visible: the grant's endpoint is all that can be checked.
      const l7 = this.l7(s.endpoint) && edge.method !== undefined;
      return catalogAllows(s.only, caller, { callee: callee.ref, endpoint: s.endpoint.name, method: edge.method, path: edge.path }, l7);
    });
    return { shapes, candidates, ...(endpoint ? { endpoint } : {}) };
  }
}

/** The endpoints of a callee an edge may have reached: by port when seen, else by protocol family. */
export function endpointCandidates(callee: CellComponent, edge: Pick<TrafficEdge, 'port' | 'protocol'>): EndpointSpec[] {
  return callee.endpoints.filter(e => {
    if ((edge.protocol === 'UDP') !== (e.protocol === 'UDP')) return false;
    if (edge.port !== undefined) return e.port === edge.port;
    if (edge.protocol === 'HTTP' || edge.protocol === 'GRPC') return e.protocol === 'HTTP' || e.protocol === 'GRPC';
    return true;
  });
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Sorts by from, to, port, protocol, method, path, class, then the grants' declarations (a precomputed key per edge). */
function sortKey(e: ClassifiedEdge): string {
  const port = String(e.port ?? 0).padStart(5, '0');
  const grants = e.grants.map(g => `${g.endpoint} ${g.methods?.join(',') ?? '*'} ${g.paths?.join(',') ?? '*'} ${g.declaredBy.join(',')}`).join(';');
  return [e.from, e.to, port, e.protocol, e.method ?? '', e.path ?? '', TRAFFIC_CLASSES.indexOf(e.class), e.endpoint ?? '', grants].join('\u0000');
}

/** Classifies one environment's edges; pass a `GrantIndex` to reuse it across windows. */
export function classifyTraffic(
  model: CellModel,
  settings: CellsSettings,
  input: ClassifyInput,
  grants = new GrantIndex(model, settings, input.environment),
): TrafficClassification {
  const { environment } = input;
  const used = new Set<GrantShape>();
  const edges: ClassifiedEdge[] = [];
  for (const edge of input.edges) {
    if (edge.environment !== environment) continue;
    const m = grants.match(edge);
    const declared = m.shapes.length > 0 || m.baseline !== undefined;
    let cls: TrafficClass;
    if (!edge.allowed) cls = 'denied';
    else if (declared) cls = 'declared-seen';
    else cls = 'undeclared-allowed';
    if (edge.allowed) for (const s of m.shapes) used.add(s);
    edges.push({
      environment,
      from: edge.from,
      to: edge.to,
      ...(edge.port !== undefined ? { port: edge.port } : {}),
      protocol: edge.protocol,
      ...(edge.method ? { method: edge.method } : {}),
      ...(edge.path ? { path: edge.path } : {}),
      class: cls,
      count: edge.count,
      firstSeen: edge.firstSeen,
      lastSeen: edge.lastSeen,
      declared,
      suspicious: !edge.allowed && !declared && (edge.source.kind === 'workload' || edge.source.kind === 'external'),
      ...(m.endpoint ? { endpoint: m.endpoint.name } : {}),
      grants: m.baseline ? [m.baseline] : m.shapes.map(grantRef),
      codes: edge.codes,
      reasons: edge.reasons,
      ...(edge.destination.kind === 'cell' ? { cellLevel: true } : {}),
    });
  }
  // When each unused grant was last used before the window, if ever.
  const lastUsed = new Map<GrantShape, number>();
  for (const edge of input.before ?? []) {
    if (edge.environment !== environment || !edge.allowed) continue;
    for (const s of grants.match(edge).shapes) if (!used.has(s)) lastUsed.set(s, Math.max(lastUsed.get(s) ?? 0, edge.lastSeen));
  }
  for (const s of grants.shapes) {
    if (used.has(s)) continue;
    const last = lastUsed.get(s);
    edges.push({
      environment,
      from: s.callerId,
      to: s.grant.callee,
      port: s.endpoint.port,
      protocol: s.endpoint.protocol,
      ...(s.grant.methods?.length === 1 ? { method: s.grant.methods[0] } : {}),
      ...(s.grant.paths?.length === 1 && !/[*]/.test(s.grant.paths[0]) ? { path: s.grant.paths[0] } : {}),
      class: 'declared-unused',
      count: 0,
      ...(last !== undefined ? { lastSeen: last } : {}),
      declared: true,
      suspicious: false,
      endpoint: s.endpoint.name,
      grants: [grantRef(s)],
      codes: [],
      reasons: [],
    });
  }
  const keyed = edges.map(e => ({ e, key: sortKey(e) })).sort((a, b) => compareText(a.key, b.key));
  edges.length = 0;
  for (const k of keyed) edges.push(k.e);
  const counts = Object.fromEntries(TRAFFIC_CLASSES.map(c => [c, 0])) as Record<TrafficClass, number>;
  for (const e of edges) counts[e.class]++;
  return { environment, window: input.window, edges, counts };
}
