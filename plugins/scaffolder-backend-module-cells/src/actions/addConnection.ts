import fs from 'node:fs/promises';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { connectionSpec } from '@cellplane/cells-common';
import { changeProblems, previewChange } from '../change';
import { CellsActionDeps, failOn, loadCatalog, settingsOf } from '../context';
import { appendToList, changeAnnotations, entityIn, findComponent, listItems, readComponentFile, withChangeAnnotations } from '../entityFile';

/** `cellplane:connection:add`: one more connection on an existing component, in its own file, comments kept. */
export function addConnectionAction(deps: CellsActionDeps) {
  return createTemplateAction({
    id: 'cellplane:connection:add',
    description:
      "Adds a connection to an existing component's entity file in the workspace (comments and formatting kept), checked against the catalog: the target endpoint must exist and its visibility must admit the caller.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Let houston/capcom read the trajectory from orion/guidance-nav... if its visibility allows it',
        example: [
          'steps:',
          '  - id: connection',
          '    action: cellplane:connection:add',
          '    input:',
          '      from: component:default/capcom',
          '      to: component:default/comms-system',
          '      endpoint: http',
          '      methods: [GET]',
          '      paths: [/status]',
          '      filePath: houston.yaml',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        from: z => z.string().describe('The calling component (entity ref)'),
        to: z => z.string().describe('The component called (entity ref)'),
        endpoint: z => z.string().optional().describe('Endpoint of the target; may be left out when it has one'),
        methods: z => z.array(z.string()).optional().describe('HTTP methods (HTTP/GRPC endpoints only)'),
        paths: z => z.array(z.string()).optional().describe('Path patterns, e.g. /status or /items/*'),
        reason: z => z.string().optional().describe('Why the caller needs it: kept on the connection and in the access history'),
        changeLink: z => z.string().optional().describe("The change's link kept in the access history (e.g. the pull request); default: this task's page"),
        filePath: z =>
          z
            .string()
            .optional()
            .describe(
              "The caller's entity file in the workspace; default catalog-info.yaml. When absent and local publishing is on, it is copied from the caller's local file.",
            ),
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
      const settings = settingsOf(deps.config);
      const catalog = await loadCatalog(deps);
      const caller = findComponent(catalog, ctx.input.from, 'from');
      const target = findComponent(catalog, ctx.input.to, 'to');
      const file = await readComponentFile(deps, ctx, caller, ctx.input.filePath);
      const connection = connectionSpec(stringifyEntityRef(caller), stringifyEntityRef(target), ctx.input);
      const current = listItems(file, 'connections');
      if (current.some(c => JSON.stringify(c) === JSON.stringify(connection))) {
        throw new InputError(`to: ${stringifyEntityRef(caller)} already declares this connection. Fix: nothing to add.`);
      }
      const text = appendToList(file, 'connections', { ...connection, ...(ctx.input.reason ? { reason: ctx.input.reason } : {}) });
      const changed = entityIn(text, caller);
      failOn(changeProblems(catalog, [changed], settings), `the new connection is spec.connections[${current.length}]`);
      await fs.writeFile(file.file, withChangeAnnotations(text, caller, changeAnnotations(deps.config, ctx, ctx.input)));
      const preview = previewChange(catalog, [changed], settings);
      ctx.logger.info(`Connection ${stringifyEntityRef(caller)} -> ${stringifyEntityRef(target)} added to ${file.filePath}`);
      ctx.output('entityRef', stringifyEntityRef(caller));
      ctx.output('filePath', file.filePath);
      ctx.output('preview', preview.markdown);
      ctx.output('accessDiff', preview.accessDiff);
      ctx.output('manifests', preview.manifests);
    },
  });
}
