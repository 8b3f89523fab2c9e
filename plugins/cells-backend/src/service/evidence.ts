import { buildEvidencePack, CellsSettings, EvidenceChange, EvidenceHistory, EvidencePack, Simulation } from '@cellplane/cells-common';
import packageJson from '../../package.json';
import type { CatalogSnapshot } from '../reconciler/CellsReconciler';
import type { CellsStore } from '../storage/types';
import type { HistoryEntry } from '../schema/types';

/** History entries read per page while gathering a cell's change log. */
const HISTORY_PAGE = 500;

/** One kept policy change as the evidence pack's change log holds it: who only when a user asked for it. */
export function evidenceChangeOf(entry: HistoryEntry): EvidenceChange {
  return {
    at: entry.at,
    environment: entry.environment,
    summary: entry.summary,
    accessDiff: entry.accessDiff,
    cause: { ...entry.cause },
    ...(entry.cause.kind === 'user' ? { by: entry.cause.user } : {}),
  };
}

/**
 * What the backend keeps about a cell for its evidence pack: every kept
 * change of the cell (all pages, any environment). The backend stores no
 * verification runs yet, so `verifications` is left out and the pack says
 * there is no verification history, rather than showing an empty one.
 */
export async function keptEvidenceHistory(store: CellsStore, entityRef: string, pageSize = HISTORY_PAGE): Promise<EvidenceHistory> {
  const changes: EvidenceChange[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listHistory({ entityRef, limit: pageSize, cursor });
    changes.push(...page.items.map(evidenceChangeOf));
    cursor = page.nextCursor;
  } while (cursor);
  return { changes };
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
  simulation: (environment: string) => Simulation;
  generatedAt: string;
}): Promise<EvidencePack> {
  const { entityRef, environments, snapshot } = input;
  const simulations = Object.fromEntries(environments.map(e => [e, input.simulation(e)]));
  const history = await keptEvidenceHistory(input.store, entityRef);
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
