import fs from 'node:fs';
import { parse } from 'yaml';
import type { Entity } from '@backstage/catalog-model';
import {
  CellModel,
  CellProblem,
  CellsSettings,
  CompiledCell,
  CompiledEgress,
  SettingsError,
  buildCellModel,
  compileCells,
  entityRefOf,
  formatProblem,
  modelOptions,
  readCellsSettings,
} from '@cellplane/cells-common';
import { InputError, readDocuments } from './readDocuments';

/** A catalog read from disk, resolved into cells, with the settings to compile it. */
export interface LoadedCatalog {
  model: CellModel;
  settings: CellsSettings;
  /** Which file each entity came from. */
  fileOf: Map<string, string>;
  /** `metadata.title` of the entities that have one, by entity ref (as the model spells refs). */
  titles: Record<string, string>;
}

function isEntity(value: unknown): value is Entity {
  const v = value as Entity;
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && typeof v.metadata?.name === 'string';
}

/** Reads `cells:` from app-config files (later files win per key, like Backstage). */
export function readSettings(configFiles: string[] = []): CellsSettings {
  let cells: Record<string, unknown> | undefined;
  for (const file of configFiles) {
    let doc: any;
    try {
      doc = parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new InputError(`${file}: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
    }
    if (doc?.cells) cells = { ...(cells ?? {}), ...doc.cells };
  }
  try {
    return readCellsSettings(cells);
  } catch (e) {
    if (e instanceof SettingsError) throw new InputError(`${configFiles.join(', ')}: ${e.message}`);
    throw e;
  }
}

/**
 * Reads catalog YAML and resolves it. Any problem in any entity stops here with
 * every problem listed (file, entity, field, fix): nothing is compiled from a
 * catalog the user still has to fix.
 */
export function loadCatalog(paths: string[], configFiles: string[] = []): LoadedCatalog {
  const settings = readSettings(configFiles);
  const fileOf = new Map<string, string>();
  const entities: Entity[] = [];
  const titles: Record<string, string> = {};
  for (const doc of readDocuments(paths)) {
    if (!isEntity(doc.value)) {
      throw new InputError(`${doc.file}: document ${doc.index + 1} is not a catalog entity (it needs kind and metadata.name)`);
    }
    const entity = doc.value;
    const ref = entityRefOf(entity);
    fileOf.set(ref, doc.file);
    if (typeof entity.metadata.title === 'string') titles[entityRefOf(entity)] = entity.metadata.title;
    entities.push(entity);
  }
  // Groups and Users are read too: a cell's owner becomes an RBAC subject only if the catalog knows it.
  const { model, problems } = buildCellModel(entities, { ...modelOptions(settings), requireReasons: settings.compliance.requireReasons });
  if (problems.length > 0) throw problemsError(problems, fileOf);
  return { model, settings, fileOf, titles };
}

function problemsError(problems: CellProblem[], fileOf: Map<string, string>): InputError {
  return new InputError(problems.map(p => `${fileOf.get(p.entityRef) ?? '?'}: ${formatProblem(p)}`).join('\n'));
}

/**
 * Compiles a loaded catalog (one environment, or all). What the compiler
 * refuses (two cells claiming one namespace, two public routes that would
 * shadow each other) stops here like any other problem: the CLI has no earlier
 * compilation whose holders could keep theirs, so every contender is named.
 */
export function compileCatalog({ model, settings, fileOf }: LoadedCatalog, environment?: string): { cells: CompiledCell[]; egress: CompiledEgress[] } {
  const result = compileCells(model, settings, { environment });
  if (result.problems.length) throw problemsError(result.problems, fileOf);
  return { cells: result.cells, egress: result.egress };
}

/** The file of an environment's platform egress objects (the backend's directory target writes the same). */
export { EGRESS_FILE_NAME } from '@cellplane/cells-common';
