import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CompiledCell, compileCells, Holders } from '../compiler';
import { AccessDiffView, diffAccess } from '../diff';
import { CellModel, CellProblem } from '../model/types';
import { cellNamespace } from '../settings/naming';
import { CellsSettings } from '../settings/settings';
import { buildCellModel, cellOfComponent, formatProblem, isCellSystem, modelOptions, validateCellEntity, validateConnectionTargets } from '../validation';

/**
 * A proposed catalog change (new or edited entities) judged before it is made:
 * what the catalog would refuse, and the manifests and access it would produce.
 * The scaffolder actions and the cells backend's preview both use these, so a
 * template's review and its run say the same.
 */

/** The catalog with the changed entities in place of (or added to) the ones of the same ref. */
export function applyChange(catalog: Entity[], changed: Entity[]): Entity[] {
  const refs = new Set(changed.map(e => stringifyEntityRef(e)));
  return [...catalog.filter(e => !refs.has(stringifyEntityRef(e))), ...changed];
}

function modelOf(entities: Entity[], settings: CellsSettings) {
  return buildCellModel(entities, modelOptions(settings));
}

/** The cells a change touches: the changed cells themselves and the cells of changed components. */
export function changedCells(after: Entity[], changed: Entity[]): string[] {
  const index = new Map(after.map(e => [stringifyEntityRef(e), e]));
  const cells = new Set<string>();
  for (const entity of changed) {
    if (isCellSystem(entity)) cells.add(stringifyEntityRef(entity));
    const cell = cellOfComponent(entity, ref => index.get(ref));
    if (cell) cells.add(cell);
  }
  return [...cells].sort();
}

/**
 * Every problem the changed entities would have in the catalog: their own
 * shape, their connections and grants against the catalog, and what the
 * compiler refuses (e.g. two cells in one namespace). The core's checks only,
 * so this refuses exactly what the catalog would.
 */
export function changeProblems(catalog: Entity[], changed: Entity[], settings: CellsSettings): CellProblem[] {
  const after = applyChange(catalog, changed);
  const index = new Map(after.map(e => [stringifyEntityRef(e), e]));
  const refs = new Set(changed.map(e => stringifyEntityRef(e)));
  const problems: CellProblem[] = [];
  for (const entity of changed) {
    problems.push(...validateCellEntity(entity), ...validateConnectionTargets(entity, ref => index.get(ref), modelOptions(settings)));
    if (isCellSystem(entity) && settings.naming.scheme === 'cell-env') {
      // The cell-env scheme cuts long names to 63 characters; two cells could then share a namespace.
      const cell = { name: entity.metadata.name, entityNamespace: entity.metadata.namespace ?? 'default' };
      for (const env of settings.environments) {
        if (cellNamespace(settings, cell, env.name) !== `${cell.name}-${env.name}`) {
          problems.push({
            entityRef: stringifyEntityRef(entity),
            field: 'metadata.name',
            message: `the namespace ${cell.name}-${env.name} is longer than 63 characters`,
            fix: `shorten the name to at most ${62 - env.name.length} characters`,
          });
        }
      }
    }
  }
  const seen = new Set(problems.map(formatProblem));
  const { model, problems: modelProblems } = modelOf(after, settings);
  const compiled = compileCells(model, settings, { cells: new Set(changedCells(after, changed)) });
  for (const problem of [...modelProblems, ...compiled.problems]) {
    if (refs.has(problem.entityRef) && !seen.has(formatProblem(problem))) {
      seen.add(formatProblem(problem));
      problems.push(problem);
    }
  }
  return problems;
}

export interface CompiledChange {
  environment: string;
  /** Refs of the cells the change touches. */
  cells: string[];
  /** Those cells' objects after the change. */
  compiled: CompiledCell[];
  /** Requests newly allowed and no longer allowed, by the analyzer over both sides' manifests. */
  accessDiff: AccessDiffView;
}

/**
 * The manifests and the access diff of a change, from the compiler and the
 * analyzer over the catalog as it is and the catalog with the change. Pass
 * `before` when the catalog's model is already built (it must come from the
 * same entities and settings), and `holders` when a backend knows which cells
 * hold their namespaces and routes (the preview then refuses a newcomer as the
 * reconciler would).
 */
export function compileChange(
  catalog: Entity[],
  changed: Entity[],
  settings: CellsSettings,
  environment: string = settings.environments[0].name,
  before?: CellModel,
  holders: Holders = {},
): CompiledChange {
  const after = applyChange(catalog, changed);
  const cells = changedCells(after, changed);
  const beforeModel = before ?? modelOf(catalog, settings).model;
  const afterModel = modelOf(after, settings).model;
  const compiled = compileCells(afterModel, settings, { ...holders, environment, cells: new Set(cells) }).cells;
  const accessDiff = diffAccess({ model: beforeModel, settings }, { model: afterModel, settings }, { environment, cells });
  return { environment, cells, compiled, accessDiff };
}
