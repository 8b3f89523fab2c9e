import { CallGrant, CellComponent } from '../model/types';
import { grantsTo } from '../model/grantIndex';
import { LayerName } from '../analyzer/model';
import { Simulation } from '../verify/simulation';
import { AllowedRequest, VerifyReport } from '../verify/verify';
import { CatalogCaller, catalogAllows } from '../verify/oracle';
import { compareText } from '../order';
import { Difference, FlowDeclaration, FlowDirection, FlowParty, RegisterFlow } from './types';

const LAYERS: LayerName[] = ['L3/L4', 'mTLS', 'L7'];
const DIRECTIONS: FlowDirection[] = ['inbound', 'internal', 'outbound'];

/** Names of the simulation's cells and components, as the access diffs label them. */
export class Parties {
  private readonly cells: Map<string, { name: string }>;
  private readonly components: Map<string, CellComponent>;

  constructor(readonly sim: Simulation) {
    this.cells = new Map(sim.model.cells.map(c => [c.ref, c]));
    this.components = new Map(sim.model.components.map(c => [c.ref, c]));
  }

  cellName(ref: string): string {
    return this.cells.get(ref)?.name ?? ref;
  }

  component(ref: string): Extract<FlowParty, { kind: 'component' }> {
    const c = this.components.get(ref)!;
    const cellName = this.cellName(c.cell);
    return { kind: 'component', label: `${cellName}/${c.name}`, ref, name: c.name, cell: c.cell, cellName, owner: c.owner };
  }

  of(caller: CatalogCaller): FlowParty {
    if (caller.kind === 'gateway') return { kind: 'gateway', label: 'gateway' };
    if (caller.kind === 'rogue')
      return { kind: 'rogue', label: `rogue:${this.cellName(caller.cell)}`, cell: caller.cell, cellName: this.cellName(caller.cell) };
    return this.component(caller.ref);
  }

  /** The endpoint a request or grant names. */
  endpoint(callee: string, name: string) {
    return this.components.get(callee)!.endpoints.find(e => e.name === name)!;
  }

  cellOf(party: FlowParty): string | undefined {
    return party.kind === 'gateway' ? undefined : party.cell;
  }
}

function directionOf(parties: Parties, cell: string, from: FlowParty, to: FlowParty): FlowDirection {
  if (parties.cellOf(to) !== cell) return 'outbound';
  return parties.cellOf(from) === cell ? 'internal' : 'inbound';
}

/** How verify's requests read in the register: `GET /status`, `direct to the pod`, `any connection`. */
export function requestText(r: { method?: string; path?: string; direct?: boolean }): string {
  if (r.direct) return 'direct to the pod (skipping the waypoint)';
  return [r.method, r.path].filter(Boolean).join(' ') || 'any connection';
}

function enforcement(requests: AllowedRequest[]): RegisterFlow['enforcedBy'] {
  const byLayer = new Map<LayerName, Set<string>>();
  for (const r of requests) {
    for (const l of r.layers) {
      const policies = byLayer.get(l.layer) ?? new Set<string>();
      l.policies.forEach(p => policies.add(p));
      byLayer.set(l.layer, policies);
    }
  }
  return LAYERS.filter(l => byLayer.has(l)).map(layer => ({ layer, policies: [...byLayer.get(layer)!].sort() }));
}

function declarationKind(grant: CallGrant): 'connection' | 'allowFrom' | 'public' {
  if (grant.caller.kind === 'gateway') return 'public';
  return grant.field.startsWith('spec.allowFrom') ? 'allowFrom' : 'connection';
}

function grantMatchesCaller(grant: CallGrant, caller: CatalogCaller): boolean {
  if (grant.caller.kind === 'gateway') return caller.kind === 'gateway';
  return caller.kind === 'component' && grant.caller.ref === caller.ref;
}

function statusOf(declarations: number, violations: number): RegisterFlow['status'] {
  if (declarations === 0) return 'undeclared';
  return violations > 0 ? 'differs' : 'as-declared';
}

const flowKey = (label: string, callee: string, endpoint: string) => `${label}|${callee}|${endpoint}`;

/**
 * verify's differences as the pack lists them (V1, V2, ... in verify's order).
 * The key of each is its caller and endpoint, to attach it to register rows.
 */
export function differencesOf(parties: Parties, report: VerifyReport): { difference: Difference; key: string }[] {
  // A cell-scoped report (the pack's) holds no platform checks: those run over the whole environment.
  const inCells = report.violations.filter((v): v is typeof v & { from: CatalogCaller } => v.from.kind !== 'platform');
  return inCells.map((v, i) => {
    const from = parties.of(v.from);
    const to = parties.component(v.callee);
    return {
      key: flowKey(from.label, v.callee, v.endpoint),
      difference: {
        id: `V${i + 1}`,
        from: from.label,
        to: to.label,
        endpoint: v.endpoint,
        port: parties.endpoint(v.callee, v.endpoint).port,
        ...(v.method ? { method: v.method } : {}),
        ...(v.path ? { path: v.path } : {}),
        ...(v.direct ? { direct: true } : {}),
        declared: v.expected,
        allowed: v.actual,
        explanation: v.explanation,
      },
    };
  });
}

/**
 * The register of one cell: a row per flow verify found allowed (into, out of
 * and within the cell), with the declarations that cover its requests; the
 * requests none covers are listed on the row (status `undeclared` when no
 * declaration covers any). Needs a report of
 * `verifySimulation(sim, { cell, outbound: true, recordAllowed: true })`.
 */
export function buildRegister(sim: Simulation, cell: string, report: VerifyReport): RegisterFlow[] {
  if (!report.allowed) throw new Error('buildRegister needs a verify report made with recordAllowed');
  const parties = new Parties(sim);
  const differences = differencesOf(parties, report);
  const groups = new Map<string, AllowedRequest[]>();
  for (const r of report.allowed) {
    const key = flowKey(parties.of(r.caller).label, r.callee, r.endpoint);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: Omit<RegisterFlow, 'id'>[] = [];
  for (const [key, requests] of groups) {
    const { caller, callee, endpoint: endpointName } = requests[0];
    const from = parties.of(caller);
    const to = parties.component(callee);
    const endpoint = parties.endpoint(callee, endpointName);
    const l7 = sim.settings.mesh.enabled && (endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC');
    const violations = differences.filter(d => d.key === key).map(d => d.difference.id);
    const covered = new Set<AllowedRequest>();
    const declarations: FlowDeclaration[] = [];
    for (const grant of grantsTo(sim.model.grants, callee, endpointName).filter(g => grantMatchesCaller(g, caller))) {
      const mine = requests.filter(
        r => !r.direct && catalogAllows({ ...sim.model, grants: [grant] }, r.caller, { callee, endpoint: endpointName, method: r.method, path: r.path }, l7),
      );
      if (mine.length === 0) continue;
      mine.forEach(r => covered.add(r));
      declarations.push({
        entity: grant.declaredBy,
        field: grant.field,
        kind: declarationKind(grant),
        ...(grant.methods ? { methods: grant.methods } : {}),
        ...(grant.paths ? { paths: grant.paths } : {}),
        owner: parties.component(grant.declaredBy).owner,
        ...(grant.reason ? { reason: grant.reason } : {}),
      });
    }
    const undeclared = [...new Set(requests.filter(r => !covered.has(r)).map(requestText))];
    rows.push({
      direction: directionOf(parties, cell, from, to),
      from,
      to,
      endpoint: endpoint.name,
      port: endpoint.port,
      protocol: endpoint.protocol,
      transport: endpoint.protocol === 'UDP' ? 'UDP' : 'TCP',
      visibility: endpoint.visibility,
      declarations: declarations.sort((a, b) => compareText(a.field, b.field)),
      ...(undeclared.length ? { undeclaredRequests: undeclared } : {}),
      enforcedBy: enforcement(requests),
      approval: null,
      status: statusOf(declarations.length, violations.length),
      violations,
    });
  }
  const sortKey = (r: Omit<RegisterFlow, 'id'>) => [DIRECTIONS.indexOf(r.direction), r.to.label, r.endpoint, r.from.label].join('\u0000');
  return rows
    .map(r => ({ r, k: sortKey(r) }))
    .sort((a, b) => compareText(a.k, b.k))
    .map(({ r }, i) => ({ id: `F${i + 1}`, ...r }));
}

/** The key verify's requests and a register row share: `<from label>|<callee ref>|<endpoint>`. */
export function registerKey(row: Pick<RegisterFlow, 'from' | 'to' | 'endpoint'>): string {
  return flowKey(row.from.label, row.to.ref, row.endpoint);
}

export { flowKey };
