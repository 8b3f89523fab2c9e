/** The real cells plugin on Backstage's test backend over the Artemis catalog, and the OpenAPI check of its answers. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { artemisEntities } from './artemis';
import { ChangingCatalog } from './catalog';
import { eventually } from './eventually';
import { cellsPlugin } from '../plugin';

const spec = parse(fs.readFileSync(path.resolve(__dirname, '../schema/openapi.yaml'), 'utf8'));

/** Checks a response body against the OpenAPI document's schema for that route and status. */
export function expectMatchesSpec(route: string, method: string, status: number, body: unknown) {
  const op = spec.paths[route]?.[method];
  expect(op).toBeDefined();
  const schema = op.responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema).toBeDefined();
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'spec', components: spec.components });
  const validate = ajv.compile({
    $ref: '#/definitions/x',
    definitions: { x: JSON.parse(JSON.stringify(schema).replace(/#\/components/g, 'spec#/components')) },
  });
  const ok = validate(body);
  if (!ok) throw new Error(`${method.toUpperCase()} ${route} ${status}: ${ajv.errorsText(validate.errors)}`);
}

/**
 * `cells` adds to the plugin's config (e.g. `traffic`) beside the one directory
 * environment; `catalog` changes the Artemis entities the catalog serves.
 */
export async function startCellsPlugin(extra: any[] = [], cells: Record<string, unknown> = {}, catalog: (entities: Entity[]) => Entity[] = e => e) {
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-plugin-')), 'development');
  const withEtags = new ChangingCatalog(catalog(artemisEntities()));
  const entities = catalog(artemisEntities()).map(e => withEtags.get(stringifyEntityRef(e))!);
  const backend = await startTestBackend({
    features: [
      cellsPlugin,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({ data: { cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }], ...cells } } }),
      ...extra,
    ],
  });
  const server = backend.server;
  // The test scheduler runs the reconcile task once at start; wait for its first pass.
  await eventually(
    'the first pass to bring the five cells in sync',
    async () => {
      const { status, body } = await request(server).get('/api/cells/cells').set('Authorization', mockCredentials.user.header());
      return { status, body };
    },
    res => res.status === 200 && res.body.items.length === 5 && res.body.items.every((c: any) => c.environments[0].state === 'in-sync'),
  );
  return { backend, server, folder };
}
