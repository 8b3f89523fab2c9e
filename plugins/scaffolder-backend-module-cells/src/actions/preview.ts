import fs from 'node:fs/promises';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { parseAllDocuments } from 'yaml';
import { changeProblems, previewChange } from '../change';
import { CellsActionDeps, exists, failOn, loadCatalog, settingsOf, workspaceFile } from '../context';

/** Reads every entity of the given workspace files. */
export async function readWorkspaceEntities(workspacePath: string, filePaths: string[]): Promise<Entity[]> {
  const entities: Entity[] = [];
  for (const [i, filePath] of filePaths.entries()) {
    const file = workspaceFile(workspacePath, filePath, `filePaths[${i}]`);
    if (!(await exists(file))) {
      throw new InputError(`filePaths[${i}]: ${filePath} is not in the workspace. Fix: pass the filePath output of an earlier cellplane step.`);
    }
    for (const doc of parseAllDocuments(await fs.readFile(file, 'utf8'))) {
      if (doc.errors.length) {
        throw new InputError(`filePaths[${i}]: ${filePath} is not valid YAML: ${doc.errors[0].message}. Fix: correct the file.`);
      }
      const entity = doc.toJS() as Entity | null;
      if (entity) entities.push(entity);
    }
  }
  return entities;
}

/** `cellplane:preview`: the manifests and access diff that the workspace's entity files would produce. */
export function previewAction(deps: CellsActionDeps) {
  return createTemplateAction({
    id: 'cellplane:preview',
    description:
      'Compiles the catalog with the entity files of the workspace in place and reports the manifests of the cells they touch and the access diff (requests newly allowed or no longer allowed), for the template output.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Preview the component written by an earlier step',
        example: ['steps:', '  - id: preview', '    action: cellplane:preview', '    input:', '      filePaths: [component-mission-clock.yaml]'].join('\n'),
      },
    ],
    schema: {
      input: {
        filePaths: z => z.array(z.string()).describe('Entity files in the workspace (new or edited)'),
        environment: z => z.string().optional().describe('Environment to compile; default: the first of cells.environments'),
      },
      output: {
        preview: z => z.string().describe('Markdown: the access diff'),
        accessDiff: z => z.any(),
        manifests: z => z.string().describe('Multi-document YAML of the cells touched'),
        cells: z => z.array(z.string()),
      },
    },
    async handler(ctx) {
      const settings = settingsOf(deps.config);
      const environment = ctx.input.environment ?? settings.environments[0].name;
      if (!settings.environments.some(e => e.name === environment)) {
        throw new InputError(`environment: ${environment} is not configured. Fix: use one of ${settings.environments.map(e => e.name).join(', ')}.`);
      }
      const catalog = await loadCatalog(deps);
      const changed = await readWorkspaceEntities(ctx.workspacePath, ctx.input.filePaths);
      failOn(changeProblems(catalog, changed, settings));
      const preview = previewChange(catalog, changed, settings, environment);
      ctx.logger.info(preview.markdown);
      ctx.output('preview', preview.markdown);
      ctx.output('accessDiff', preview.accessDiff);
      ctx.output('manifests', preview.manifests);
      ctx.output('cells', preview.cells);
    },
  });
}
