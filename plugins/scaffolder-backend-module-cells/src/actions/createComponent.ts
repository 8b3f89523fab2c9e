import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CellsSettings, ENDPOINT_PROTOCOLS, EndpointSpec, VISIBILITIES, isCellSystem, newComponentEntity } from '@cellplane/cells-common';
import { changeProblems, previewChange } from '../change';
import { CellsActionDeps, failOn, loadCatalog, refuseExisting, settingsOf, lookUpRef, publishNewEntity } from '../context';
import { resolveGroup } from './createCell';

/** Resolves a cell input to a System with spec.cell that is in the catalog. */
export function resolveCell(catalog: Entity[], cell: string, field: string): Entity {
  const { ref, entity } = lookUpRef(catalog, cell, field, 'system', 'a cell, e.g. system:default/houston');
  if (!entity || !isCellSystem(entity)) {
    const cells = catalog
      .filter(isCellSystem)
      .map(e => e.metadata.name)
      .sort();
    throw new InputError(`${field}: ${ref} is not a cell in the catalog. Fix: pick one of: ${cells.join(', ') || '(none; create a cell first)'}.`);
  }
  return entity;
}

/** An endpoint as the action takes it: `auth` is a provider's name or `none`. */
export interface EndpointInput {
  name: string;
  port: number;
  protocol: EndpointSpec['protocol'];
  visibility: EndpointSpec['visibility'];
  auth?: string;
}

/**
 * The endpoints as the entity's spec writes them: `auth: none`, or
 * `auth: {provider}` for a provider of cells.gateway.jwtProviders. A provider
 * the platform does not define would close the route to everyone, so it is
 * refused here, with the ones it may pick.
 */
export function endpointSpecs(endpoints: EndpointInput[], settings: CellsSettings): Record<string, unknown>[] {
  const providers = settings.gateway.jwtProviders.map(p => p.name).sort();
  return endpoints.map(({ auth, ...endpoint }, i) => {
    const value = auth?.trim();
    if (!value) return endpoint;
    if (value !== 'none' && !providers.includes(value)) {
      throw new InputError(
        `endpoints[${i}].auth: ${JSON.stringify(value)} is not a provider of cells.gateway.jwtProviders. Fix: pick ${[...providers, 'none'].join(', ')}.`,
      );
    }
    return { ...endpoint, auth: value === 'none' ? 'none' : { provider: value } };
  });
}

/** `cellplane:component:create`: a Component in a cell with its endpoints and who may call them. */
export function createComponentAction(deps: CellsActionDeps) {
  return createTemplateAction({
    id: 'cellplane:component:create',
    description:
      'Writes a new Component in a cell (endpoints with their visibility, and allowFrom grants) into the workspace, checked against the catalog as the catalog would check it, and previews the access it opens.',
    supportsDryRun: true,
    examples: [
      {
        description: 'An HTTP service in the houston cell that the orion cell may call with GET /status',
        example: [
          'steps:',
          '  - id: component',
          '    action: cellplane:component:create',
          '    input:',
          '      name: mission-clock',
          '      cell: system:default/houston',
          '      endpoints:',
          '        - { name: http, port: 8080, protocol: HTTP, visibility: organization }',
          '        - { name: web, port: 8443, protocol: HTTP, visibility: public, auth: artemis-idp }',
          '      allowFrom:',
          '        - { system: orion, endpoint: http, methods: [GET], paths: [/status] }',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        name: z => z.string().describe('Component name: a DNS label; it names the service account and Service'),
        cell: z => z.string().describe('The cell (System ref), e.g. system:default/houston'),
        owner: z => z.string().optional().describe("Owner group ref; default: the cell's owner"),
        description: z => z.string().optional(),
        type: z => z.string().optional().describe('spec.type; default: service'),
        lifecycle: z => z.string().optional().describe('spec.lifecycle; default: experimental'),
        endpoints: z =>
          z
            .array(
              z.object({
                name: z.string(),
                port: z.number().int(),
                protocol: z.enum(ENDPOINT_PROTOCOLS),
                visibility: z.enum(VISIBILITIES),
                auth: z
                  .string()
                  .optional()
                  .describe('Public endpoints: a provider of cells.gateway.jwtProviders whose token callers must present, or none (open on purpose)'),
              }),
            )
            .describe('The endpoints the component serves'),
        allowFrom: z =>
          z
            .array(
              z.object({
                component: z.string().optional(),
                system: z.string().optional(),
                endpoint: z.string().optional(),
                methods: z.array(z.string()).optional(),
                paths: z.array(z.string()).optional(),
              }),
            )
            .optional()
            .describe('Who may call: one component or every component of a cell (system), per endpoint'),
        filePath: z => z.string().optional().describe('File to write in the workspace; default: component-<name>.yaml'),
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
      const { name, description, endpoints } = ctx.input;
      const settings = settingsOf(deps.config);
      const catalog = await loadCatalog(deps);
      const cell = resolveCell(catalog, ctx.input.cell, 'cell');
      const owner = ctx.input.owner ? resolveGroup(catalog, ctx.input.owner, 'owner') : String((cell.spec as { owner?: string }).owner);
      const entity = newComponentEntity({
        name,
        cell: stringifyEntityRef(cell),
        owner,
        description,
        type: ctx.input.type,
        lifecycle: ctx.input.lifecycle,
        // The spec's own shape of auth (`none` or `{provider}`); validation below reads it as the catalog would.
        endpoints: endpointSpecs(endpoints, settings) as unknown as EndpointSpec[],
        allowFrom: ctx.input.allowFrom,
      });
      refuseExisting(catalog, entity, 'name');
      failOn(changeProblems(catalog, [entity], settings), 'spec.endpoints is the input endpoints, spec.allowFrom the input allowFrom');
      await publishNewEntity(ctx, entity, `component-${name}.yaml`, previewChange(catalog, [entity], settings));
    },
  });
}
