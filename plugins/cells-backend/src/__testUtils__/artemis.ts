import fs from 'node:fs';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { parseAllDocuments } from 'yaml';

/** The repository's examples/artemis catalog, for tests and benchmarks. */
export const ARTEMIS_DIR = path.resolve(__dirname, '../../../../examples/artemis');

export function artemisEntities(): Entity[] {
  return fs
    .readdirSync(ARTEMIS_DIR)
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(ARTEMIS_DIR, f), 'utf8')).map(d => d.toJS() as Entity));
}

/** The repository's app-config.yaml `cells.gateway`: the Artemis example's identity provider (artemis-idp). */
export function artemisGateway(): Record<string, unknown> {
  const doc = parseAllDocuments(fs.readFileSync(path.resolve(__dirname, '../../../../app-config.yaml'), 'utf8'))[0].toJS();
  return doc.cells.gateway;
}
