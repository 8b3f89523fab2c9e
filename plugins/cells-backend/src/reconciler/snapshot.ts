import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { buildCellModel, CellProblem, CellsSettings, modelOptions } from '@cellplane/cells-common';
import { cellOfProblem } from './affected';
import type { CatalogSnapshot } from './types';

/**
 * The catalog snapshot of these entities: the resolved model and the problems
 * that hold cells back. A pure function of the entities (in their order) and
 * the settings, so a worker thread given the same entities builds the same
 * snapshot as the reconciler.
 */
export function catalogSnapshot(entities: Entity[], settings: CellsSettings): CatalogSnapshot {
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  const { model, problems } = buildCellModel(entities, modelOptions(settings));
  const held = new Map<string, CellProblem[]>();
  for (const problem of problems) {
    const cell = cellOfProblem(problem);
    if (!cell) continue;
    held.set(cell, [...(held.get(cell) ?? []), problem]);
  }
  return { model, held, entities: byRef };
}
