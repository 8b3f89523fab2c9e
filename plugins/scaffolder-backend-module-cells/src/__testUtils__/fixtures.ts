import fs from 'node:fs';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { parseAllDocuments } from 'yaml';
import { CellsActionDeps } from '../context';

/** The repo's Artemis II example catalog. */
export const ARTEMIS_DIR = path.resolve(__dirname, '../../../../examples/artemis');

/** The Artemis II entities; with `folder`, as a catalog serves them from copies of their files there. */
export function artemisEntities(folder?: string): Entity[] {
  return fs
    .readdirSync(ARTEMIS_DIR)
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .flatMap(f => {
      if (folder) fs.copyFileSync(path.join(ARTEMIS_DIR, f), path.join(folder, f));
      return parseAllDocuments(fs.readFileSync(path.join(ARTEMIS_DIR, f), 'utf8')).map(d => {
        const entity = d.toJS() as Entity;
        if (folder) {
          entity.metadata.annotations = {
            'backstage.io/managed-by-location': `file:${path.join(folder, f)}`,
          };
        }
        return entity;
      });
    });
}

/**
 * Action dependencies over the Artemis II catalog. The catalog is the
 * in-memory catalog service of catalog-node's test utils (a real catalog
 * backend is used in module.test.ts); the settings are read by the core.
 */
export function artemisDeps(options: { cells?: JsonObject; entities?: Entity[] } = {}) {
  const entities = options.entities ?? artemisEntities();
  const catalog = catalogServiceMock({ entities });
  const deps: CellsActionDeps = {
    catalog,
    auth: mockServices.auth(),
    config: new ConfigReader({ cells: options.cells ?? {} }),
  };
  return { deps, entities, catalog };
}
