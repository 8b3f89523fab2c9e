import {
  buildEvidenceBundle,
  buildEvidencePack,
  CellModel,
  CellsSettings,
  EvidenceBundle,
  EvidenceChange,
  EvidenceHistory,
  EvidencePack,
  Simulation,
} from '@cellplane/cells-common';
import { NotFoundError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import packageJson from '../../package.json';
import type { CatalogSnapshot } from '../reconciler/CellsReconciler';
import type { CellsStore } from '../storage/types';
import type { AuditPage, HistoryEntry, VerificationList } from '../schema/types';
import type { EvidenceStore } from '../storage';
import type { ContinuousVerification } from './verifications';

/** History entries read per page while gathering a cell's change log. */
const HISTORY_PAGE = 500;

/** What the backend keeps beside the history: the verification runs, the audit trail, and for how long. */
export interface KeptEvidence {
  verifications: ContinuousVerification;
  store: EvidenceStore;
  retentionDays: number;
}

/** A cell's stored verification runs (one environment, or all); none when the backend keeps none. */
export async function keptVerifications(kept: KeptEvidence | undefined, entityRef: string, environment?: string): Promise<VerificationList> {
  return { retentionDays: kept?.retentionDays ?? 0, items: kept ? await kept.verifications.history(entityRef, environment) : [] };
}

/** A page of a cell's audit trail; empty when the backend keeps none. */
export async function keptAuditTrail(kept: KeptEvidence | undefined, entityRef: string, query: { limit: number; cursor?: string }): Promise<AuditPage> {
  return kept ? kept.store.listAuditEvents({ entityRef, ...query }) : { items: [] };
}

/**
 * One kept policy change as the evidence pack's change log holds it: who made
 * it as recorded (a template user or a commit author), else the user who asked
 * for the reconcile; its link and reason when recorded.
 */
export function evidenceChangeOf(entry: HistoryEntry): EvidenceChange {
  const by = entry.by ?? (entry.cause.kind === 'user' ? entry.cause.user : undefined);
  return {
    at: entry.at,
    environment: entry.environment,
    summary: entry.summary,
    accessDiff: entry.accessDiff,
    cause: { ...entry.cause },
    ...(by ? { by } : {}),
    ...(entry.link ? { link: entry.link } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
  };
}

/**
 * What the backend keeps about a cell for its evidence pack: every kept
 * change of the cell (all pages, any environment) and, when the backend
 * verifies continuously, its stored verification runs over the retention
 * period (newest first). Without them `verifications` is left out and the
 * pack says there is no verification history, rather than showing an empty one.
 */
export async function keptEvidenceHistory(
  store: CellsStore,
  entityRef: string,
  verifications?: ContinuousVerification,
  pageSize = HISTORY_PAGE,
): Promise<EvidenceHistory> {
  const changes: EvidenceChange[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listHistory({ entityRef, limit: pageSize, cursor });
    changes.push(...page.items.map(evidenceChangeOf));
    cursor = page.nextCursor;
  } while (cursor);
  if (!verifications) return { changes };
  const kept = await verifications.history(entityRef);
  return { changes, verifications: kept.map(({ entityRef: _cell, ...record }) => record) };
}

/**
 * The evidence pack of one cell, built by the core (buildEvidencePack) from
 * the backend's own state: the catalog snapshot, per environment the analysis
 * view's simulation (the objects the reconciler applies, compiled with its
 * holders, without the cells that cannot be compiled), and the kept change
 * log, from which the core derives each flow's approving change.
 */
export async function cellEvidencePack(input: {
  entityRef: string;
  environments: string[];
  snapshot: CatalogSnapshot;
  settings: CellsSettings;
  store: CellsStore;
  verifications?: ContinuousVerification;
  simulation: (environment: string) => Simulation;
  generatedAt: string;
}): Promise<EvidencePack> {
  const { entityRef, environments, snapshot } = input;
  const simulations = Object.fromEntries(environments.map(e => [e, input.simulation(e)]));
  const history = await keptEvidenceHistory(input.store, entityRef, input.verifications);
  const title = snapshot.entities.get(entityRef)?.metadata.title;
  return buildEvidencePack(snapshot.model, input.settings, entityRef, {
    generatedAt: input.generatedAt,
    version: packageJson.version,
    environments,
    simulations,
    titles: title ? { [entityRef]: title } : {},
    history: () => history,
    trigger: 'api',
  });
}

/**
 * The evidence bundle of several cells (every cell of an owner, or all), built
 * by the core (buildEvidenceBundle) from the same state as one cell's pack:
 * one simulation per environment shared by every pack, each cell's kept
 * change log.
 */
export async function cellsEvidenceBundle(input: {
  scope: { owner: string } | { all: true };
  cells: string[];
  environments: string[];
  snapshot: CatalogSnapshot;
  settings: CellsSettings;
  store: CellsStore;
  verifications?: ContinuousVerification;
  simulation: (environment: string) => Simulation;
  generatedAt: string;
}): Promise<EvidenceBundle> {
  const { snapshot, cells } = input;
  const histories = new Map<string, EvidenceHistory>();
  for (const ref of cells) histories.set(ref, await keptEvidenceHistory(input.store, ref, input.verifications));
  const titles: Record<string, string> = {};
  for (const ref of cells) {
    const title = snapshot.entities.get(ref)?.metadata.title;
    if (title) titles[ref] = title;
  }
  return buildEvidenceBundle(snapshot.model, input.settings, input.scope, {
    generatedAt: input.generatedAt,
    version: packageJson.version,
    environments: input.environments,
    simulations: Object.fromEntries(input.environments.map(e => [e, input.simulation(e)])),
    titles,
    history: ref => histories.get(ref),
    trigger: 'api',
  });
}

/**
 * The cells a bundle holds, in ref order: every cell, or those of one owner
 * (`group:` and `default/` may be left out, case does not matter). An owner
 * with no cell is a NotFoundError (the owners are not listed: some may own
 * only cells the caller may not read).
 */
export function ownerCells(model: CellModel, scope: { owner: string } | { all: true }): string[] {
  if (!('owner' in scope)) {
    if (model.cells.length === 0) throw new NotFoundError('the catalog has no cells');
    return model.cells.map(c => c.ref);
  }
  const owner = stringifyEntityRef(parseEntityRef(scope.owner, { defaultKind: 'group', defaultNamespace: 'default' })).toLowerCase();
  const cells = model.cells.filter(c => c.owner.toLowerCase() === owner).map(c => c.ref);
  if (cells.length === 0) throw new NotFoundError(`no cell is owned by ${owner}`);
  return cells;
}
