import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  AccessDiffView,
  CellProblem,
  CellsSettings,
  buildCellModel,
  cellNamespace,
  cellOfComponent,
  compileCells,
  diffAccess,
  formatProblem,
  isCellSystem,
  toYaml,
  validateCellEntity,
  validateConnectionTargets,
} from '@cellplane/cells-common';

/** What a template's change does: manifests of the cells it touches and the access it opens or closes. */
export interface ChangePreview {
  environment: string;
  /** Cell refs the change touches. */
  cells: string[];
  /** Every object of those cells after the change, as multi-document YAML. */
  manifests: string;
  accessDiff: AccessDiffView;
  /** The access diff as Markdown, for the template's output page. */
  markdown: string;
}

/** The catalog with the changed entities in place of (or added to) the ones of the same ref. */
export function applyChange(catalog: Entity[], changed: Entity[]): Entity[] {
  const refs = new Set(changed.map(e => stringifyEntityRef(e)));
  return [...catalog.filter(e => !refs.has(stringifyEntityRef(e))), ...changed];
}

function modelOf(entities: Entity[], settings: CellsSettings) {
  return buildCellModel(entities, {
    defaultEnvironments: settings.defaultEnvironments,
    knownEnvironments: settings.environments.map(e => e.name),
  });
}

/** The cells a change touches: the changed cells themselves and the cells of changed components. */
export function affectedCells(after: Entity[], changed: Entity[]): string[] {
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
 * compiler refuses (e.g. two cells in one namespace). Uses the core's checks
 * only, so the template refuses exactly what the catalog would.
 */
export function changeProblems(
  catalog: Entity[],
  changed: Entity[],
  settings: CellsSettings,
): CellProblem[] {
  const after = applyChange(catalog, changed);
  const index = new Map(after.map(e => [stringifyEntityRef(e), e]));
  const refs = new Set(changed.map(e => stringifyEntityRef(e)));
  const problems: CellProblem[] = [];
  for (const entity of changed) {
    problems.push(
      ...validateCellEntity(entity),
      ...validateConnectionTargets(entity, ref => index.get(ref)),
    );
    if (isCellSystem(entity) && settings.naming.scheme === 'cell-env') {
      // The cell-env scheme cuts long names to 63 characters; two cells could then share a namespace.
      const cell = {
        name: entity.metadata.name,
        entityNamespace: entity.metadata.namespace ?? 'default',
      };
      for (const env of settings.environments) {
        if (
          cellNamespace(settings, cell, env.name) !== `${cell.name}-${env.name}`
        ) {
          problems.push({
            entityRef: stringifyEntityRef(entity),
            field: 'metadata.name',
            message: `the namespace ${cell.name}-${env.name} is longer than 63 characters`,
            fix: `shorten the name to at most ${
              62 - env.name.length
            } characters`,
          });
        }
      }
    }
  }
  const seen = new Set(problems.map(formatProblem));
  const { model, problems: modelProblems } = modelOf(after, settings);
  const compiled = compileCells(model, settings, {
    cells: new Set(affectedCells(after, changed)),
  });
  for (const problem of [...modelProblems, ...compiled.problems]) {
    if (refs.has(problem.entityRef) && !seen.has(formatProblem(problem))) {
      seen.add(formatProblem(problem));
      problems.push(problem);
    }
  }
  return problems;
}

function markdownOf(preview: Omit<ChangePreview, 'markdown'>): string {
  const lines = [`### Access in ${preview.environment} after this change`, ''];
  const { added, removed } = preview.accessDiff;
  if (added.length === 0 && removed.length === 0)
    lines.push('No request changes its verdict.');
  if (added.length)
    lines.push(
      `**Newly allowed (${added.length})**`,
      '',
      ...added.map(c => `- ${c.text}`),
      '',
    );
  if (removed.length)
    lines.push(
      `**No longer allowed (${removed.length})**`,
      '',
      ...removed.map(c => `- ${c.text}`),
      '',
    );
  lines.push('', `Cells: ${preview.cells.join(', ') || 'none'}`);
  return lines.join('\n');
}

/**
 * The manifests and the access diff of a change, from the core's compiler and
 * analyzer over the catalog as it is and the catalog with the change.
 */
export function previewChange(
  catalog: Entity[],
  changed: Entity[],
  settings: CellsSettings,
  environment: string = settings.environments[0].name,
): ChangePreview {
  const after = applyChange(catalog, changed);
  const cells = affectedCells(after, changed);
  const beforeModel = modelOf(catalog, settings).model;
  const afterModel = modelOf(after, settings).model;
  const compiled = compileCells(afterModel, settings, {
    environment,
    cells: new Set(cells),
  });
  const manifests = toYaml(compiled.cells.flatMap(c => c.objects));
  const accessDiff = diffAccess(
    { model: beforeModel, settings },
    { model: afterModel, settings },
    { environment, cells },
  );
  const preview = { environment, cells, manifests, accessDiff };
  return { ...preview, markdown: markdownOf(preview) };
}
