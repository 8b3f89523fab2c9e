import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { newCellEntity } from '@cellplane/cells-common';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { changeProblems, previewChange } from '../change';
import { CellsActionDeps, failOn, loadCatalog, refuseExisting, settingsOf, lookUpRef, publishNewEntity } from '../context';

/** Resolves an owner input to a Group that is in the catalog. */
export function resolveGroup(catalog: Entity[], owner: string, field: string): string {
  const { ref } = lookUpRef(catalog, owner, field, 'group', 'a group, e.g. group:default/my-team');
  if (!ref.startsWith('group:') || !catalog.some(e => stringifyEntityRef(e) === ref)) {
    throw new InputError(`${field}: ${ref} is not a group in the catalog. Fix: pick an existing group as owner.`);
  }
  return ref;
}

/** `cellplane:cell:create`: a System with `spec.cell`, owned by a group of the catalog. */
export function createCellAction(deps: CellsActionDeps) {
  return createTemplateAction({
    id: 'cellplane:cell:create',
    description:
      'Writes a new cell (a System with spec.cell) into the workspace, checked against the catalog as the catalog would check it, and previews its manifests.',
    supportsDryRun: true,
    examples: [
      {
        description: 'A cell owned by the flight operations team, deployed to development',
        example: [
          'steps:',
          '  - id: cell',
          '    action: cellplane:cell:create',
          '    input:',
          '      name: lunar-gateway',
          '      owner: group:default/houston-flight-ops',
          '      description: Lunar Gateway station services',
          '      environments: [development]',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        name: z => z.string().describe('Cell name: a DNS label; it names the cell namespace'),
        owner: z => z.string().describe('Owner group ref, e.g. group:default/my-team (must be in the catalog)'),
        description: z => z.string().optional().describe('What the cell is for'),
        environments: z => z.array(z.string()).optional().describe('Environments; default: cells.defaultEnvironments'),
        namespace: z => z.string().optional().describe('Catalog namespace; default: default'),
        filePath: z => z.string().optional().describe('File to write in the workspace; default: system-<name>.yaml'),
      },
      output: {
        entityRef: z => z.string(),
        filePath: z => z.string(),
        preview: z => z.string().describe('Markdown: the access diff of the change'),
        accessDiff: z => z.any(),
        manifests: z => z.string(),
      },
    },
    async handler(ctx) {
      const { name, owner, description, environments } = ctx.input;
      const settings = settingsOf(deps.config);
      const catalog = await loadCatalog(deps);
      const entity = newCellEntity({
        name,
        owner: resolveGroup(catalog, owner, 'owner'),
        description,
        environments,
        namespace: ctx.input.namespace,
      });
      refuseExisting(catalog, entity, 'name');
      failOn(changeProblems(catalog, [entity], settings), 'metadata.name is the input name, spec.cell.environments the input environments');
      await publishNewEntity(ctx, entity, `system-${name}.yaml`, previewChange(catalog, [entity], settings));
    },
  });
}
