/**
 * `GET /portfolio`: one row per readable cell and environment, joining what
 * the backend already knows. The counts of declarations are the core's
 * (cellDeclarationCounts); the verification is the compliance check the cell
 * detail shows; unused grants are the traffic classification's
 * declared-unused calls; the last access change is the kept history's.
 */
import { CellModel, cellDeclarationCounts, compareText, TrafficWindow } from '@cellplane/cells-common';
import type { TrafficSourceConfig } from '@cellplane/plugin-cells-node';
import type { CellsStore } from '../storage/types';
import type {
  CellDetail,
  HistoryEntry,
  PortfolioAccessChange,
  PortfolioResponse,
  PortfolioRow,
  PortfolioTraffic,
  PortfolioVerification,
  TrafficResponse,
} from '../schema/types';
import type { CellAccess } from './CellsService';
import { TrafficTask, trafficWindowOf } from './traffic';

const DAY_MS = 86_400_000;
/** History entries read per page while looking for a cell's last access change. */
const HISTORY_PAGE = 200;

/** `GET /portfolio` query, as the router validated it. */
export interface PortfolioQuery {
  environment?: string;
  since?: string;
  until?: string;
}

/** The cell's compliance in an environment, as the analysis runner answers it. */
export type ComplianceOf = (cellRef: string, environment: string) => Promise<{ compliance: CellDetail['compliance']; failure?: string }>;

/** The verification of a row, from the compliance check: failed when a request is decided otherwise than declared. */
export function verificationOf({ compliance, failure }: Awaited<ReturnType<ComplianceOf>>): PortfolioVerification {
  const base = { source: 'analysis' as const, requestsChecked: compliance.requestsChecked, violations: compliance.violations };
  if (failure) return { ...base, result: 'error', message: failure };
  return {
    ...base,
    result: compliance.violations === 0 ? 'pass' : 'fail',
    ...(compliance.lastVerifiedAt ? { at: compliance.lastVerifiedAt } : {}),
  };
}

const changesAccess = (e: HistoryEntry) => e.accessDiff.added.length + e.accessDiff.removed.length > 0;

/**
 * The newest kept change of the cell in the environment that allowed or
 * stopped a request; when none did, the oldest kept change (the pass that
 * first applied the cell's access). Undefined when nothing is kept.
 */
export async function lastAccessChange(store: CellsStore, entityRef: string, environment: string, now: number): Promise<PortfolioAccessChange | undefined> {
  const changeOf = (e: HistoryEntry) => ({ at: e.at, summary: e.summary, days: Math.max(0, Math.floor((now - Date.parse(e.at)) / DAY_MS)) });
  let oldest: HistoryEntry | undefined;
  let cursor: string | undefined;
  do {
    const page = await store.listHistory({ entityRef, environment, limit: HISTORY_PAGE, cursor });
    const found = page.items.find(changesAccess);
    if (found) return changeOf(found);
    oldest = page.items.at(-1) ?? oldest;
    cursor = page.nextCursor;
  } while (cursor);
  return oldest ? changeOf(oldest) : undefined;
}

/**
 * Per cell, the declared calls with an end in it that the window's traffic
 * did not show, from the same reading and classification as `GET /traffic`
 * (`classify`: the analysis runner's traffic task, off the event loop).
 */
async function unusedGrantsByCell(
  model: CellModel,
  sources: TrafficSourceConfig[],
  environment: string,
  readable: string[],
  window: TrafficWindow | undefined,
  classify: (task: TrafficTask) => Promise<TrafficResponse>,
): Promise<{ traffic: PortfolioTraffic; unused?: Map<string, number> }> {
  if (sources.length === 0 || !window) {
    return { traffic: { environment, state: 'no-traffic-source', message: 'no traffic source: set cells.traffic.sources (docs/traffic.md)' } };
  }
  const shown = { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() };
  const cellOf = new Map<string, string>([...model.cells.map(c => [c.ref, c.ref] as const), ...model.components.map(c => [c.ref, c.cell] as const)]);
  try {
    const answer = await classify({ environment, window, sources, readable });
    const unused = new Map<string, number>();
    for (const edge of answer.edges) {
      if (edge.class !== 'declared-unused') continue;
      // A call within one cell counts once for it; an end in a cell the caller may not read is `hidden`.
      for (const cell of new Set([cellOf.get(edge.from), cellOf.get(edge.to)])) {
        if (cell) unused.set(cell, (unused.get(cell) ?? 0) + 1);
      }
    }
    return { traffic: { environment, state: 'read', window: shown }, unused };
  } catch (e) {
    // One unreadable source must not take the portfolio down: the column is left empty and says why.
    return { traffic: { environment, state: 'unavailable', window: shown, message: e instanceof Error ? e.message : String(e) } };
  }
}

/** The portfolio's rows for the cells `read` allows, in each configured environment they list (or the one asked for). */
export async function portfolio(input: {
  model: CellModel;
  titles: (cellRef: string) => string | undefined;
  environments: string[];
  trafficSources: TrafficSourceConfig[];
  store: CellsStore;
  compliance: ComplianceOf;
  classify: (task: TrafficTask) => Promise<TrafficResponse>;
  query: PortfolioQuery;
  read: CellAccess;
  now: number;
}): Promise<PortfolioResponse> {
  const { model, environments, query, now } = input;
  // The window is checked before any work: a bad one is a 400.
  const window = input.trafficSources.length > 0 ? trafficWindowOf(query, now) : undefined;
  const may = await input.read.filter(model.cells.map(c => c.ref));
  const cells = model.cells.filter(c => may(c.ref));
  const items: PortfolioRow[] = [];
  const traffic: PortfolioTraffic[] = [];
  for (const environment of environments) {
    const here = cells.filter(c => c.environments.includes(environment));
    if (here.length === 0) continue;
    const readable = here.map(c => c.ref);
    const unused = await unusedGrantsByCell(model, input.trafficSources, environment, readable, window, input.classify);
    traffic.push(unused.traffic);
    for (const cell of here) {
      const counts = cellDeclarationCounts(model, cell.ref);
      const change = await lastAccessChange(input.store, cell.ref, environment, now);
      items.push({
        entityRef: cell.ref,
        title: input.titles(cell.ref) ?? cell.name,
        owner: cell.owner,
        environment,
        verification: verificationOf(await input.compliance(cell.ref, environment)),
        ...(change ? { lastAccessChange: change } : {}),
        grants: counts.grants,
        unreasonedGrants: counts.unreasonedGrants,
        ...(unused.unused ? { unusedGrants: unused.unused.get(cell.ref) ?? 0 } : {}),
        publicEndpoints: counts.publicEndpoints,
        publicWithoutAuth: counts.publicWithoutAuth,
        egress: counts.egress,
      });
    }
  }
  items.sort((a, b) => compareText(a.entityRef, b.entityRef) || compareText(a.environment, b.environment));
  return { generatedAt: new Date(now).toISOString(), items, traffic };
}
