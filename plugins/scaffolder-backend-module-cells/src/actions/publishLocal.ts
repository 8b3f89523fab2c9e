import fs from 'node:fs/promises';
import path from 'node:path';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CellsActionDeps, exists, loadCatalog } from '../context';
import { editableSourceFile, requireLocalPublish } from '../localCatalog';
import { readWorkspaceEntities } from './preview';

/** The Location entities whose file target lies in the folder: refreshing them picks up new files. */
async function locationsOf(deps: CellsActionDeps, folder: string): Promise<string[]> {
  const credentials = await deps.auth.getOwnServiceCredentials();
  const { items } = await deps.catalog.getEntities({ filter: { kind: 'Location' } }, { credentials });
  return items
    .filter(location => {
      const spec = (location.spec ?? {}) as {
        type?: string;
        target?: string;
        targets?: string[];
      };
      const targets = [spec.target, ...(spec.targets ?? [])].filter((t): t is string => typeof t === 'string');
      return targets.some(t => path.resolve(path.dirname(t.replace(/^file:/, ''))) === folder);
    })
    .map(location => stringifyEntityRef(location));
}

/**
 * `cellplane:publish:local`: the local portal's stand-in for a pull request.
 * New entity files go into the local catalog folder; an edited entity is
 * written back to the file the catalog read it from. Off unless
 * `cells.scaffolder.localPublish.enabled` is true.
 */
export function publishLocalAction(deps: CellsActionDeps) {
  return createTemplateAction({
    id: 'cellplane:publish:local',
    description:
      'Local portals only (cells.scaffolder.localPublish.enabled): copies new entity files into the local catalog folder, or writes an edited entity back to its local file, then asks the catalog to refresh them.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Publish the component written by an earlier step',
        example: [
          'steps:',
          '  - id: publish',
          '    action: cellplane:publish:local',
          '    input:',
          "      filePaths: ['${{ steps.component.output.filePath }}']",
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        filePaths: z => z.array(z.string()).describe('Entity files in the workspace to publish'),
      },
      output: {
        published: z => z.array(z.string()).describe('The files written'),
        entityRefs: z => z.array(z.string()),
      },
    },
    async handler(ctx) {
      const settings = requireLocalPublish(deps.config);
      const catalog = await loadCatalog(deps);
      const inCatalog = new Map(catalog.map(e => [stringifyEntityRef(e), e]));
      const writes: {
        from: string;
        to: string;
        refs: string[];
        edit: boolean;
      }[] = [];
      for (const [i, filePath] of ctx.input.filePaths.entries()) {
        const entities: Entity[] = await readWorkspaceEntities(ctx.workspacePath, [filePath]);
        const refs = entities.map(e => stringifyEntityRef(e));
        const known = refs.filter(ref => inCatalog.has(ref));
        const from = path.resolve(ctx.workspacePath, filePath);
        if (known.length === 0) {
          const to = path.join(settings.path, path.basename(filePath));
          if (await exists(to)) {
            throw new InputError(`filePaths[${i}]: ${to} already exists. Fix: pick another file name; published files are never replaced.`);
          }
          writes.push({ from, to, refs, edit: false });
          continue;
        }
        // An edit: every entity of the file must come from one local file, which is written back whole.
        const sources = new Set(known.map(ref => editableSourceFile(inCatalog.get(ref)!, settings)));
        if (sources.size !== 1 || known.length !== refs.length) {
          throw new InputError(
            `filePaths[${i}]: ${filePath} mixes new entities with entities of other files. Fix: publish new entities and edits in separate files.`,
          );
        }
        writes.push({ from, to: [...sources][0], refs, edit: true });
      }
      for (const write of writes) {
        ctx.logger.info(`${ctx.isDryRun ? 'Would write' : 'Writing'} ${write.to} (${write.refs.join(', ')})`);
        if (ctx.isDryRun) continue;
        // A new file is created exclusively, so a file that appeared meanwhile is not replaced.
        await fs.mkdir(path.dirname(write.to), { recursive: true });
        await fs.writeFile(write.to, await fs.readFile(write.from), {
          flag: write.edit ? 'w' : 'wx',
        });
      }
      if (!ctx.isDryRun) {
        const credentials = await deps.auth.getOwnServiceCredentials();
        const refresh = [...(writes.some(w => !w.edit) ? await locationsOf(deps, settings.path) : []), ...writes.filter(w => w.edit).flatMap(w => w.refs)];
        if (writes.some(w => !w.edit) && !refresh.some(ref => ref.startsWith('location:'))) {
          ctx.logger.warn(`No catalog location covers ${settings.path}; add one to app-config catalog.locations (type: file, target: <path>/*.yaml).`);
        }
        for (const ref of refresh) await deps.catalog.refreshEntity(ref, { credentials });
      }
      ctx.output(
        'published',
        writes.map(w => w.to),
      );
      ctx.output(
        'entityRefs',
        writes.flatMap(w => w.refs),
      );
    },
  });
}
