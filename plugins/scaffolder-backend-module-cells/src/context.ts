import fs from 'node:fs/promises';
import path from 'node:path';
import { AuthService } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CellProblem, CellsSettings, formatProblem, readCellsSettings } from '@cellplane/cells-common';
import { stringify } from 'yaml';

/** What every Cellplane action needs: the catalog (as the scaffolder itself), and the `cells` settings. */
export interface CellsActionDeps {
  catalog: CatalogService;
  auth: AuthService;
  config: Config;
}

// API entities too: the operations a component provides (providesApis) narrow every grant to it, and an
// edit of a file that holds one is an edit of that file.
const CELL_KINDS = ['System', 'Component', 'API', 'Group', 'User'];

/** The catalog entities the core looks at (cells, components, and the groups that own them). */
export async function loadCatalog(deps: CellsActionDeps): Promise<Entity[]> {
  const credentials = await deps.auth.getOwnServiceCredentials();
  const { items } = await deps.catalog.getEntities({ filter: CELL_KINDS.map(kind => ({ kind })) }, { credentials });
  return items;
}

export function settingsOf(config: Config): CellsSettings {
  return readCellsSettings(config.getOptional('cells'));
}

/** Fails the step with one line per problem, each naming the entity field and the fix. */
export function failOn(problems: CellProblem[], inputHint?: string): void {
  if (problems.length === 0) return;
  const lines = problems.map(p => `- ${formatProblem(p)}`);
  throw new InputError([`The new entity would be refused by the catalog${inputHint ? ` (${inputHint})` : ''}:`, ...lines].join('\n'));
}

/** Refuses a ref that is already in the catalog: templates never overwrite an entity. */
export function refuseExisting(catalog: Entity[], entity: Entity, field: string): void {
  const ref = stringifyEntityRef(entity);
  if (catalog.some(e => stringifyEntityRef(e) === ref)) {
    throw new InputError(`${field}: ${ref} is already in the catalog. Fix: pick another name.`);
  }
}

/** A path inside the workspace; refuses `..` and absolute paths. */
export function workspaceFile(workspacePath: string, relative: string, field: string): string {
  const resolved = path.resolve(workspacePath, relative);
  if (path.isAbsolute(relative) || !resolved.startsWith(path.resolve(workspacePath) + path.sep)) {
    throw new InputError(`${field}: ${JSON.stringify(relative)} is outside the workspace. Fix: use a relative path such as catalog-info.yaml.`);
  }
  return resolved;
}

export async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Writes a new entity file into the workspace (also in a dry run: the
 * workspace is the dry run's sandbox and its files are the result); refuses
 * to replace one that is there.
 */
export async function writeNewEntityFile(file: string, entity: Entity, field: string): Promise<void> {
  if (await exists(file)) {
    throw new InputError(`${field}: ${path.basename(file)} already exists in the workspace. Fix: pick another file path.`);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, stringify(entity), { flag: 'wx' });
}

/**
 * Looks an entity-ref input up in the catalog (default kind and namespace
 * applied). Returns the normalized ref and the entity, if the catalog has it;
 * an input that is not a ref at all fails naming the field and an example.
 */
export function lookUpRef(
  catalog: Entity[],
  input: string,
  field: string,
  defaultKind: string,
  /** How the fix names what to give, e.g. `a cell, e.g. system:default/houston`. */
  expected: string,
): { ref: string; entity?: Entity } {
  let ref: string;
  try {
    ref = stringifyEntityRef(parseEntityRef(input, { defaultKind, defaultNamespace: 'default' }));
  } catch {
    throw new InputError(`${field}: ${JSON.stringify(input)} is not an entity ref. Fix: name ${expected}.`);
  }
  return { ref, entity: catalog.find(e => stringifyEntityRef(e) === ref) };
}

/** What a create action does once its entity passed every check: write it, preview it, report both. */
export async function publishNewEntity(
  ctx: {
    workspacePath: string;
    input: { filePath?: string };
    logger: { info(message: string): void };
    output(name: string, value: unknown): void;
  },
  entity: Entity,
  defaultFile: string,
  preview: { markdown: string; accessDiff: unknown; manifests: unknown },
): Promise<void> {
  const filePath = ctx.input.filePath || defaultFile;
  await writeNewEntityFile(workspaceFile(ctx.workspacePath, filePath, 'filePath'), entity, 'filePath');
  const ref = stringifyEntityRef(entity);
  ctx.logger.info(`${entity.kind} ${ref} written to ${filePath}`);
  ctx.output('entityRef', ref);
  ctx.output('filePath', filePath);
  ctx.output('preview', preview.markdown);
  ctx.output('accessDiff', preview.accessDiff);
  ctx.output('manifests', preview.manifests);
}
