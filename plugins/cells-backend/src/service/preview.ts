import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CellModel, CellsSettings, Holders, applyChange, changeProblems, changedCells, compileChange, formatProblem } from '@cellplane/cells-common';
import type { CatalogSnapshot } from '../reconciler/CellsReconciler';
import type { PreviewEntity, PreviewResponse } from '../schema/types';

/**
 * What openapi.yaml cannot say about `POST /preview`'s entities: each is a
 * System or a Component (any case, as the catalog reads kinds) and comes once.
 * InputError naming the entity's place in the body.
 */
export function checkPreviewEntities(entities: PreviewEntity[]): Entity[] {
  const seen = new Map<string, number>();
  entities.forEach((entity, i) => {
    if (!['system', 'component'].includes(entity.kind.toLowerCase())) {
      throw new InputError(`entities[${i}].kind: must be System or Component, not ${JSON.stringify(entity.kind)}`);
    }
    const ref = stringifyEntityRef(entity as Entity);
    if (seen.has(ref)) throw new InputError(`entities[${i}]: ${ref} is also entities[${seen.get(ref)}]; give each entity once`);
    seen.set(ref, i);
  });
  return entities as Entity[];
}

/**
 * The cells of the catalog a change touches (the changed cells and the cells
 * of changed components, before and after the change): the ones the caller
 * must be allowed to read, known before any compiling.
 */
export function existingCellsTouched(snapshot: CatalogSnapshot, entities: Entity[]): string[] {
  const catalog = [...snapshot.entities.values()];
  const existing = new Set(snapshot.model.cells.map(c => c.ref));
  const changed = new Set(entities.map(e => stringifyEntityRef(e)));
  // A component that moves out of a cell touches the cell it leaves too.
  const left = snapshot.model.components.filter(c => changed.has(c.ref)).map(c => c.cell);
  return [...new Set([...changedCells(applyChange(catalog, entities), entities), ...left])].filter(ref => existing.has(ref)).sort();
}

/**
 * `POST /preview`: what new or edited entities would produce, before anyone
 * writes them (the portal's templates show it on their review step). The
 * entities replace those of the same ref in the catalog snapshot; the core
 * judges them as the catalog would (a problem is a 400 naming the entity, the
 * field and the fix), compiles the cells they touch and diffs the access with
 * the same diffAccess as the plan and the scaffolder's cellplane:preview.
 * `without` leaves cells out of the catalog (cells that cannot be compiled or
 * analysed, which would otherwise fail the diff of cells they call or are
 * called by). Nothing is stored or applied.
 */
export function previewEntities(options: {
  snapshot: CatalogSnapshot;
  settings: CellsSettings;
  environment: string;
  entities: Entity[];
  without?: ReadonlySet<string>;
  /** The namespaces and routes the applied cells hold (the reconciler's). */
  holders?: Holders;
}): PreviewResponse {
  const { snapshot, settings, environment, entities, without, holders } = options;
  let catalog = [...snapshot.entities.values()];
  const problems = changeProblems(catalog, entities, settings);
  if (problems.length > 0) {
    throw new InputError(`the catalog would refuse this change: ${problems.map(formatProblem).join(' ')}`);
  }
  // The snapshot's model was built from these same entities and settings: no need to build it again.
  let before: CellModel | undefined = snapshot.model;
  if (without && without.size > 0) {
    const left = new Set([...without, ...snapshot.model.components.filter(c => without.has(c.cell)).map(c => c.ref)]);
    catalog = [...snapshot.entities.entries()].filter(([ref]) => !left.has(ref)).map(([, e]) => e);
    before = undefined;
  }
  const change = compileChange(catalog, entities, settings, environment, before, holders);
  const existing = new Set(snapshot.model.cells.map(c => c.ref));
  return {
    environment,
    entities: entities.map(e => stringifyEntityRef(e)),
    cells: change.compiled.map(c => ({ entityRef: c.cell, namespace: c.namespace, exists: existing.has(c.cell), objects: c.objects })),
    accessDiff: change.accessDiff,
  };
}
