import fs from 'node:fs/promises';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { egressEntry } from '@cellplane/cells-common';
import { changeProblems, previewChange } from '../change';
import { CellsActionDeps, failOn, loadCatalog, settingsOf } from '../context';
import { appendToList, changeAnnotations, entityIn, findComponent, listItems, readComponentFile, withChangeAnnotations } from '../entityFile';

/**
 * `cellplane:egress:add`: one more `spec.egress` entry (a host or a network) on
 * an existing component, in its own file, comments kept. Whether the entry is
 * well formed and inside its cell's ceiling (`spec.cell.egress`) is the core's
 * validation, the same the catalog module runs.
 */
export function addEgressAction(deps: CellsActionDeps) {
  return createTemplateAction({
    id: 'cellplane:egress:add',
    description:
      "Adds an egress entry (a host with port and protocol, or a CIDR with except and ports) to an existing component's entity file in the workspace (comments and formatting kept), checked against the cell's egress ceiling and the platform's never-allowed networks.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Let kennedy/launch-control reach the weather API over TLS (inside the kennedy ceiling)',
        example: [
          'steps:',
          '  - id: egress',
          '    action: cellplane:egress:add',
          '    input:',
          '      component: component:default/launch-control',
          '      host: api.weather.gov',
          '      ports: [443]',
          '      protocol: TLS',
          '      filePath: kennedy.yaml',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        component: z => z.string().describe('The component that makes the call (entity ref)'),
        host: z => z.string().optional().describe('A DNS name, e.g. api.weather.gov (give a host or a cidr)'),
        cidr: z => z.string().optional().describe('A network, e.g. 10.20.8.0/24 (give a host or a cidr)'),
        except: z => z.array(z.string()).optional().describe('Networks inside cidr it may not reach'),
        ports: z => z.array(z.number()).describe('Ports (one is written port:)'),
        protocol: z => z.string().optional().describe('TLS, HTTP or TCP for a host; TCP (default) or UDP for a cidr'),
        methods: z => z.array(z.string()).optional().describe('HTTP methods (protocol HTTP only)'),
        paths: z => z.array(z.string()).optional().describe('Path patterns (protocol HTTP only)'),
        reason: z => z.string().optional().describe('Why the component needs it: kept on the entry and in the access history'),
        changeLink: z => z.string().optional().describe("The change's link kept in the access history (e.g. the pull request); default: this task's page"),
        filePath: z =>
          z
            .string()
            .optional()
            .describe(
              "The component's entity file in the workspace; default catalog-info.yaml. When absent and local publishing is on, it is copied from the component's local file.",
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
      const component = findComponent(catalog, ctx.input.component, 'component');
      const ref = stringifyEntityRef(component);
      const file = await readComponentFile(deps, ctx, component, ctx.input.filePath);
      const entry = egressEntry(ctx.input);
      const current = listItems(file, 'egress');
      // The file may write one port as `port`: compare as the builder writes entries.
      const asWritten = (e: Record<string, any>) => JSON.stringify(egressEntry({ ...e, ports: e.ports ?? (e.port !== undefined ? [e.port] : undefined) }));
      if (current.some(e => asWritten(e) === JSON.stringify(entry))) {
        throw new InputError(`spec.egress: ${ref} already declares this entry. Fix: nothing to add.`);
      }
      const text = appendToList(file, 'egress', entry);
      const changed = entityIn(text, component);
      failOn(changeProblems(catalog, [changed], settings), `the new entry is spec.egress[${current.length}]`);
      await fs.writeFile(file.file, withChangeAnnotations(text, component, changeAnnotations(deps.config, ctx, ctx.input)));
      const preview = previewChange(catalog, [changed], settings);
      ctx.logger.info(`Egress to ${String(entry.host ?? entry.cidr)} added to ${ref} in ${file.filePath}`);
      ctx.output('entityRef', ref);
      ctx.output('filePath', file.filePath);
      ctx.output('preview', preview.markdown);
      ctx.output('accessDiff', preview.accessDiff);
      ctx.output('manifests', preview.manifests);
    },
  });
}
