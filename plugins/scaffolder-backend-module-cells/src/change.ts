import { Entity } from '@backstage/catalog-model';
import { accessDiffMarkdown, AccessDiffView, CellsSettings, compileChange, toYaml } from '@cellplane/cells-common';

// What the catalog would refuse is the core's own judgement, shared with the
// cells backend's preview route.
export { changeProblems } from '@cellplane/cells-common';

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

function markdownOf(preview: Omit<ChangePreview, 'markdown'>): string {
  const table = accessDiffMarkdown(preview.accessDiff, {
    title: `Access in ${preview.environment} after this change`,
  });
  return `${table}\nCells: ${preview.cells.join(', ') || 'none'}\n`;
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
  const { cells, compiled, accessDiff } = compileChange(catalog, changed, settings, environment);
  const manifests = toYaml(compiled.flatMap(c => c.objects));
  const preview = { environment, cells, manifests, accessDiff };
  return { ...preview, markdown: markdownOf(preview) };
}
