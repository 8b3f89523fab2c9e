import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CellsSettings, PreviewResponse, changeProblems, compileChange, formatProblem } from '@cellplane/cells-common';
import { CatalogSnapshot } from '../reconciler/CellsReconciler';

/**
 * `POST /preview`: what new or edited entities would produce, before anyone
 * writes them (the portal's templates show it on their review step). The
 * entities replace those of the same ref in the catalog snapshot; the core
 * judges them as the catalog would (a problem is a 400 naming the entity, the
 * field and the fix), compiles the cells they touch and diffs the access with
 * the same diffAccess as the plan and the scaffolder's cellplane:preview.
 * Nothing is stored or applied.
 */
export function previewEntities(options: {
  snapshot: CatalogSnapshot;
  settings: CellsSettings;
  environment: string;
  entities: Entity[];
}): PreviewResponse {
  const { snapshot, settings, environment, entities } = options;
  const catalog = [...snapshot.entities.values()];
  const problems = changeProblems(catalog, entities, settings);
  if (problems.length > 0) {
    throw new InputError(`the catalog would refuse this change: ${problems.map(formatProblem).join(' ')}`);
  }
  // The snapshot's model was built from these same entities and settings: no need to build it again.
  const change = compileChange(catalog, entities, settings, environment, snapshot.model);
  const existing = new Set(snapshot.model.cells.map(c => c.ref));
  return {
    environment,
    entities: entities.map(e => stringifyEntityRef(e)),
    cells: change.compiled.map(c => ({ entityRef: c.cell, namespace: c.namespace, exists: existing.has(c.cell), objects: c.objects })),
    accessDiff: change.accessDiff,
  };
}
