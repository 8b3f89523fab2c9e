import fs from 'node:fs';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { parseAllDocuments } from 'yaml';
import { readCellsSettings } from '../settings/read';
import { CellsSettings } from '../settings/settings';

/** The repo's examples/artemis catalog (tests only: the package itself does no I/O). */
export const ARTEMIS_DIR = path.resolve(__dirname, '../../../../examples/artemis');

export function artemisEntities(): Entity[] {
  return fs
    .readdirSync(ARTEMIS_DIR)
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(ARTEMIS_DIR, f), 'utf8')).map(d => d.toJS() as Entity));
}

/** The repo's app-config.yaml: the portal's settings, with the Artemis example's identity provider. */
export const APP_CONFIG = path.resolve(__dirname, '../../../../app-config.yaml');

/**
 * The default settings with app-config.yaml's `cells.gateway` (the example's
 * provider artemis-idp), and any other gateway keys given.
 */
export function artemisSettings(gateway: Record<string, unknown> = {}): CellsSettings {
  const doc = parseAllDocuments(fs.readFileSync(APP_CONFIG, 'utf8'))[0].toJS() as { cells: { gateway: Record<string, unknown> } };
  return readCellsSettings({ gateway: { ...doc.cells.gateway, ...gateway } });
}
