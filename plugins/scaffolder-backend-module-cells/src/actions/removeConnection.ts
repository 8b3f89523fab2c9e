import fs from 'node:fs/promises';
import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { withoutConnection } from '@cellplane/cells-common';
import { changeProblems, previewChange } from '../change';
import { CellsActionDeps, failOn, loadCatalog, settingsOf } from '../context';
import { changeAnnotations, entityIn, findComponent, listItems, readComponentFile, removeFromList, withChangeAnnotations } from '../entityFile';

/** A connection's target as a full ref (the file names it relative to the caller's namespace). */
function targetRef(to: unknown, callerNamespace: string): string | undefined {
  if (typeof to !== 'string') return undefined;
  try {
    return stringifyEntityRef(parseEntityRef(to, { defaultKind: 'component', defaultNamespace: callerNamespace }));
  } catch {
    return undefined;
  }
}

/**
 * `cellplane:connection:remove`: takes one declared call off a component, in
 * its own file, comments kept. The item is named by its index and checked
 * against the target the person picked, so a file that changed since the form
 * was filled is refused instead of the wrong call going.
 */
export function removeConnectionAction(deps: CellsActionDeps) {
  return createTemplateAction({
    id: 'cellplane:connection:remove',
    description:
      "Removes one connection (spec.connections[index]) from a component's entity file in the workspace (comments and formatting kept), after checking that the item still calls the given target, and previews the access no longer allowed.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Stop kennedy/pad-operations calling kennedy/weather-station',
        example: [
          'steps:',
          '  - id: remove',
          '    action: cellplane:connection:remove',
          '    input:',
          '      from: component:default/pad-operations',
          '      index: 0',
          '      to: component:default/weather-station',
          '      filePath: kennedy.yaml',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        from: z => z.string().describe('The calling component (entity ref)'),
        index: z => z.number().int().describe('Which of its spec.connections to remove (from 0)'),
        to: z => z.string().describe('The component that item calls (entity ref): checked before anything is removed'),
        endpoint: z => z.string().optional().describe("The item's endpoint, when it names one: checked too"),
        reason: z => z.string().optional().describe('Why the call goes: kept in the access history'),
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
        removed: z => z.any().describe('The connection removed, as the file declared it'),
        preview: z => z.string().describe('Markdown: the access diff of the change'),
        accessDiff: z => z.any(),
        manifests: z => z.string(),
      },
    },
    async handler(ctx) {
      const settings = settingsOf(deps.config);
      const catalog = await loadCatalog(deps);
      const caller = findComponent(catalog, ctx.input.from, 'from');
      const ref = stringifyEntityRef(caller);
      const file = await readComponentFile(deps, ctx, caller, ctx.input.filePath);
      const connections = listItems(file, 'connections');
      const { index } = ctx.input;
      const field = `spec.connections[${index}]`;
      if (connections.length === 0) throw new InputError(`from: ${ref} declares no connections in ${file.filePath}. Fix: pick a component that calls another.`);
      if (!Number.isInteger(index) || index < 0 || index >= connections.length) {
        throw new InputError(
          `index: ${ref} has no ${field} (it declares ${connections.length}). Fix: pick one of spec.connections[0..${connections.length - 1}].`,
        );
      }
      const item = connections[index];
      const namespace = caller.metadata.namespace ?? 'default';
      const expected = targetRef(ctx.input.to, 'default');
      if (!expected) throw new InputError(`to: ${JSON.stringify(ctx.input.to)} is not an entity ref. Fix: name a component, e.g. component:default/capcom.`);
      const declared = targetRef(item.to, namespace);
      if (declared !== expected || (ctx.input.endpoint && item.endpoint !== ctx.input.endpoint)) {
        throw new InputError(
          `to: ${field} of ${ref} is ${JSON.stringify(item)} in ${file.filePath}, not a call to ${expected}${
            ctx.input.endpoint ? ` endpoint ${ctx.input.endpoint}` : ''
          }. Fix: the file changed since the form was filled; pick the call again.`,
        );
      }
      const text = removeFromList(file, 'connections', index);
      const changed = entityIn(text, caller);
      // The text edit and the core's builder must agree on what is left.
      const built = withoutConnection({ ...caller, spec: { ...caller.spec, connections } } as unknown as Entity, index);
      if (JSON.stringify(changed.spec?.connections) !== JSON.stringify(built.spec?.connections)) {
        throw new InputError(`filePath: removing ${field} from ${file.filePath} did not leave the other calls as they were. Fix: remove it by hand.`);
      }
      failOn(changeProblems(catalog, [changed], settings), `after removing ${field}`);
      await fs.writeFile(file.file, withChangeAnnotations(text, caller, changeAnnotations(deps.config, ctx, ctx.input)));
      const preview = previewChange(catalog, [changed], settings);
      ctx.logger.info(`Connection ${ref} -> ${expected} (${field}) removed from ${file.filePath}`);
      ctx.output('entityRef', ref);
      ctx.output('filePath', file.filePath);
      ctx.output('removed', item);
      ctx.output('preview', preview.markdown);
      ctx.output('accessDiff', preview.accessDiff);
      ctx.output('manifests', preview.manifests);
    },
  });
}
