import type { CellComponent } from '../model/types';
import { compareText, componentLabel, isL7, presentCells, presentComponents } from '../diff/probing';
import { METADATA_ADDRESS, UNDECLARED_HOST } from './egress';
import { Simulation } from './simulation';
import { samplePaths } from './verify';
import { pathMatches } from '../analyzer/authorization';

/** A rogue pod's request to a component's endpoint, or an unauthenticated one through the external gateway to a public endpoint. */
export interface EndpointAttack {
  environment: string;
  /** A rogue pod, the external gateway, or a component (`<cell>/<component>`) calling what it was not granted. */
  from: { rogue: string } | { gateway: true } | string;
  to: string;
  endpoint: string;
  method?: string;
  path?: string;
}

/** Exfiltration: a rogue pod or a component (`<cell>/<component>`) to a host or an address outside the cluster. */
export type ExfiltrationAttack = { environment: string; from: { rogue: string } | string; port: number } & (
  | { toHost: string; protocol: 'TLS' }
  | { toIp: string }
);

/** A preset attack for the simulator, as the REST API's simulate body. */
export interface AttackPreset {
  id: string;
  title: string;
  body: EndpointAttack | ExfiltrationAttack;
}

/** Which presets to list; every field narrows. */
export interface AttackQuery {
  /** Only the rogue pod of this cell (its name or entity ref); leaves out the gateway's presets. */
  rogue?: string;
  /** Only targets in this cell (name or ref), or this component (`<cell>/<component>` or its ref). */
  target?: string;
  /** At most this many presets, in their stable order. */
  limit?: number;
}

export interface AttackPresetList {
  items: AttackPreset[];
  /** More presets match than `limit` let through. */
  truncated: boolean;
}

/** Thrown for a `rogue` or `target` that names nothing in this environment (the REST API answers 400). */
export class AttackQueryError extends Error {
  constructor(readonly field: 'rogue' | 'target', message: string) {
    super(`${field}: ${message}`);
    this.name = 'AttackQueryError';
  }
}

/**
 * The simulator's preset attacks. First, an unauthenticated call through the
 * gateway to each operation of each public endpoint (docs/front-door.md), and, per endpoint
 * serving an OpenAPI API, a granted component calling an operation the API does not declare.
 * Then, per cell, exfiltration: its rogue
 * pod, and each of its components that declares egress, to a host nobody
 * declares and to the cloud metadata address (both denied by every compiled
 * catalog; docs/egress.md). Then a rogue pod in every cell against every
 * endpoint it can address by visibility (its own cell's, other cells'
 * organization and public ones), with each operation the catalog declares
 * there (a grant's methods, a concrete path for each of its path patterns; GET
 * and `/` where a grant names none) and each operation the endpoint says it
 * serves (`endpoints[].operations`). Ids and order are stable across calls.
 *
 * The full list is cells x endpoints x operations (millions at 500 cells), so
 * it is produced lazily and cut at `limit`; `rogue` and `target` narrow it.
 */
export function attackPresets(sim: Simulation, query: AttackQuery = {}): AttackPresetList {
  const limit = query.limit ?? Infinity;
  const items: AttackPreset[] = [];
  for (const preset of presetsOf(sim, query)) {
    if (items.length === limit) return { items, truncated: true };
    items.push(preset);
  }
  return { items, truncated: false };
}

/**
 * From outside, without a token: each operation each public endpoint serves
 * (or `GET /`), through the external gateway. A front door that requires a
 * token stops them; an endpoint open on purpose (`auth: none`) lets them in.
 */
function* unauthenticatedPresets(sim: Simulation, targets: CellComponent[]): Generator<AttackPreset> {
  for (const callee of targets) {
    const to = componentLabel(sim, callee);
    for (const endpoint of callee.endpoints) {
      if (endpoint.visibility !== 'public') continue;
      for (const { method, path } of endpoint.operations ?? [{ method: 'GET', path: '/' }]) {
        const operation = `${method} ${path}`;
        yield {
          id: `gateway:${to}:${endpoint.name}:${operation}`,
          title: `unauthenticated call through the gateway: ${operation} on ${to}`,
          body: { environment: sim.environment, from: { gateway: true }, to, endpoint: endpoint.name, method, path },
        };
      }
    }
  }
}

/** Methods tried, in this order, for an operation an endpoint's API does not declare. */
const UNDECLARED_METHODS = ['DELETE', 'PUT', 'PATCH', 'GET', 'POST'];

/**
 * Per endpoint serving an OpenAPI API (docs/front-door.md#operations): a
 * component granted a call to it asks for an operation the API does not
 * declare (another method on a path it may call). The operation ceiling
 * denies it, for every caller.
 */
function* undeclaredOperationPresets(sim: Simulation, targets: CellComponent[]): Generator<AttackPreset> {
  const present = new Map(presentComponents(sim).map(c => [c.ref, c]));
  for (const callee of targets) {
    const to = componentLabel(sim, callee);
    for (const endpoint of callee.endpoints) {
      if (!endpoint.api || !isL7(sim, endpoint)) continue;
      const grant = sim.model.grants.find(
        g => g.callee === callee.ref && g.endpoint === endpoint.name && g.caller.kind === 'component' && present.has(g.caller.ref),
      );
      if (!grant || grant.caller.kind !== 'component') continue;
      const path = samplePaths((grant.paths ?? ['/'])[0])[0];
      const served = new Set(endpoint.api.operations.filter(o => pathMatches(o.match, path)).map(o => o.method));
      const method = UNDECLARED_METHODS.find(m => !served.has(m));
      if (!method) continue;
      const from = componentLabel(sim, present.get(grant.caller.ref)!);
      const operation = `${method} ${path}`;
      yield {
        id: `undeclared:${from}:${to}:${endpoint.name}:${operation}`,
        title: `${from} calls an operation ${endpoint.api.refs.join(', ')} does not declare: ${operation} on ${to}`,
        body: { environment: sim.environment, from, to, endpoint: endpoint.name, method, path },
      };
    }
  }
}

function* presetsOf(sim: Simulation, query: AttackQuery): Generator<AttackPreset> {
  const cells = presentCells(sim);
  const rogues = query.rogue === undefined ? cells : cells.filter(c => c.name === query.rogue || c.ref === query.rogue);
  if (rogues.length === 0) throw new AttackQueryError('rogue', `no cell ${JSON.stringify(query.rogue)} in environment ${sim.environment}`);
  const targets = targetsOf(sim, query.target);
  // First: a handful (one per public operation), where a limit cut at many cells would never reach them.
  if (query.rogue === undefined) {
    yield* unauthenticatedPresets(sim, targets);
    yield* undeclaredOperationPresets(sim, targets);
  }
  // The grants per endpoint, once: looking them up per rogue and endpoint was cells x components x grants.
  const grantsOf = new Map<string, typeof sim.model.grants>();
  for (const grant of sim.model.grants) {
    const key = `${grant.callee}\n${grant.endpoint}`;
    const list = grantsOf.get(key);
    if (list) list.push(grant);
    else grantsOf.set(key, [grant]);
  }
  const operationsOf = new Map<string, { method: string; path: string; operation: string }[]>();
  const components = presentComponents(sim);
  for (const cell of rogues) {
    // Exfiltration leaves every cell: a target filter (a cell or component attacked) leaves it out.
    if (query.target === undefined) {
      yield* exfiltrationsOf(sim.environment, `rogue:${cell.name}`, `rogue pod in ${cell.name}`, { rogue: cell.name });
      if (query.rogue === undefined) {
        for (const c of components.filter(x => x.cell === cell.ref && (x.egress ?? []).length > 0)) {
          const label = componentLabel(sim, c);
          yield* exfiltrationsOf(sim.environment, label, label, label);
        }
      }
    }
    for (const callee of targets) {
      const to = componentLabel(sim, callee);
      for (const endpoint of callee.endpoints) {
        if (callee.cell !== cell.ref && endpoint.visibility === 'project') continue;
        const body = { environment: sim.environment, from: { rogue: cell.name }, to, endpoint: endpoint.name };
        const id = `rogue:${cell.name}:${to}:${endpoint.name}`;
        if (!isL7(sim, endpoint)) {
          yield { id, title: `rogue pod in ${cell.name}: connect to port ${endpoint.port} of ${to}`, body };
          continue;
        }
        const key = `${callee.ref}\n${endpoint.name}`;
        let operations = operationsOf.get(key);
        if (!operations) {
          const found = new Map<string, { method: string; path: string }>();
          const grants = grantsOf.get(key) ?? [];
          for (const grant of grants.length > 0 || endpoint.operations ? grants : [{ methods: undefined, paths: undefined }]) {
            for (const method of grant.methods ?? ['GET']) {
              for (const path of (grant.paths ?? ['/']).map(p => samplePaths(p)[0])) found.set(`${method} ${path}`, { method, path });
            }
          }
          // What the endpoint says it serves: the sensitive operations nobody is granted are the ones to try.
          for (const { method, path } of endpoint.operations ?? []) found.set(`${method} ${path}`, { method, path });
          operations = [...found].sort(([a], [b]) => compareText(a, b)).map(([operation, op]) => ({ ...op, operation }));
          operationsOf.set(key, operations);
        }
        for (const { operation, method, path } of operations) {
          yield { id: `${id}:${operation}`, title: `rogue pod in ${cell.name}: ${operation} on ${to}`, body: { ...body, method, path } };
        }
      }
    }
  }
}

/** The two exfiltration attempts of one caller: an undeclared host over TLS, and the metadata address. */
function* exfiltrationsOf(environment: string, id: string, who: string, from: ExfiltrationAttack['from']): Generator<AttackPreset> {
  yield {
    id: `exfiltrate:${id}:host`,
    title: `${who}: to an undeclared host (${UNDECLARED_HOST}:443)`,
    body: { environment, from, toHost: UNDECLARED_HOST, port: 443, protocol: 'TLS' },
  };
  yield {
    id: `exfiltrate:${id}:metadata`,
    title: `${who}: to the metadata address ${METADATA_ADDRESS}:80`,
    body: { environment, from, toIp: METADATA_ADDRESS, port: 80 },
  };
}

/** The components `target` names: a cell's, or one component. */
function targetsOf(sim: Simulation, target: string | undefined): CellComponent[] {
  const components = presentComponents(sim);
  if (target === undefined) return components;
  const cell = presentCells(sim).find(c => c.name === target || c.ref === target);
  if (cell) return components.filter(c => c.cell === cell.ref);
  const one = components.filter(c => c.ref === target || componentLabel(sim, c) === target);
  if (one.length === 0) {
    throw new AttackQueryError('target', `no cell or component ${JSON.stringify(target)} in environment ${sim.environment}; name a cell or <cell>/<component>`);
  }
  return one;
}
