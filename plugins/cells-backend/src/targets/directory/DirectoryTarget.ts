import fs from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { parseEntityRef } from '@backstage/catalog-model';
import { cellFileName, EGRESS_FILE_NAME, KubeObject, toYaml } from '@cellplane/cells-common';
import {
  ApplyContext,
  ApplyResult,
  CellOutcome,
  CellTarget,
  compareObjects,
  DesiredCell,
  EGRESS_UNIT_NAME,
  egressUnitRef,
  fieldDiff,
  HeldCell,
  isEgressUnit,
  noChanges,
  ObjectChangeSet,
  objectId,
  objectRef,
  ObjectStatus,
  RemovalOutcome,
  RemovedCell,
  SerialQueue,
  TargetDescription,
  unwantedObjects,
} from '@cellplane/plugin-cells-node';
import { cellHeader, egressHeader, HEADER_PREFIX, ownershipOf, parseObjects, readHead, readIfExists, syncFolder, writeAtomic } from './files';
import { cellFiles, KUSTOMIZATION_FILE, writeKustomization } from './folder';
import { FolderCommits, messageOf } from './commits';
import { assertCommittable, DEFAULT_AUTHOR, GitAuthor } from './git';

export { KUSTOMIZATION_FILE } from './folder';

export interface DirectoryTargetOptions {
  /** The environment's folder; resolved against the working directory. */
  path: string;
  environment: string;
  /**
   * Commit each apply that changes files. The folder must then be in a git
   * work tree (apply fails otherwise, as the configuration asked for commits).
   */
  commit?: boolean;
  /** Author and committer of the commits; default `Cellplane <cellplane@localhost>`. */
  author?: GitAuthor;
  logger: LoggerService;
}

/** A file name of the folder itself: no path separators, no hidden files. */
const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.yaml$/;

type CellKey = Pick<DesiredCell, 'entityRef' | 'cellName' | 'environment'>;

const describe = (o: ObjectStatus) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} ${o.state}`;

/** A file's objects against the compiled ones: the whole file is Cellplane's, so every field counts. */
const compare = (desired: KubeObject[], actual: KubeObject[]): ObjectChangeSet => compareObjects(desired, actual, (d, a) => !isDeepStrictEqual(d, a));

/**
 * The GitOps target: one folder per environment holding one file per cell,
 * named as `cellplane render --out` names it (`cellFileName`: `<cell>.yaml`,
 * `<namespace>.<cell>.yaml` outside the default catalog namespace), holding
 * a header line naming the cell, then exactly the bytes
 * `cellplane render` writes) and a `kustomization.yaml` listing them. Files
 * are rewritten only when their bytes change, atomically; files without the
 * header are someone else's and are never touched. With `commit: true`, each
 * apply that changes files commits exactly those files. The environment's
 * platform egress namespace is `_egress.yaml`, as `cellplane render` names it.
 */
export class DirectoryTarget implements CellTarget {
  readonly description: TargetDescription;
  readonly appliesEgress = true;
  private readonly dir: string;
  private readonly environment: string;
  private readonly commit?: FolderCommits;
  private readonly logger: LoggerService;
  /** The YAML of each objects array, so a full pass over unchanged cells does not serialize again. */
  private readonly yamlCache = new WeakMap<KubeObject[], string>();
  /** Applies run one at a time, so two never interleave their writes and commits. */
  private readonly queue = new SerialQueue();
  private warnedForeignKustomization = false;

  constructor(options: DirectoryTargetOptions) {
    this.dir = path.resolve(options.path);
    this.environment = options.environment;
    this.logger = options.logger;
    if (options.commit) {
      this.commit = new FolderCommits({ dir: this.dir, environment: this.environment, author: options.author ?? DEFAULT_AUTHOR, logger: this.logger });
    }
    this.description = { type: 'directory', path: this.dir };
  }

  /** The absolute path of a cell's file. */
  fileOf(cell: CellKey): string {
    return path.join(this.dir, this.fileName(cell));
  }

  /**
   * The file an older Cellplane wrote for the cell (`<cell>.yaml` whatever its
   * catalog namespace), when that is not its file now: deleted once the cell's
   * file is written or the cell removed, if its header names this cell.
   */
  private legacyFileName(cell: CellKey): string | undefined {
    const legacy = `${cell.cellName}.yaml`;
    if (!SAFE_FILE_NAME.test(legacy) || legacy === KUSTOMIZATION_FILE) return undefined;
    return legacy === this.fileName(cell) ? undefined : legacy;
  }

  /** The exact bytes of a cell's file: its header, then `toYaml` of its objects. */
  contentOf(cell: DesiredCell): string {
    let yaml = this.yamlCache.get(cell.objects);
    if (yaml === undefined) {
      yaml = toYaml(cell.objects);
      this.yamlCache.set(cell.objects, yaml);
    }
    return (isEgressUnit(cell.entityRef) ? egressHeader(this.environment) : cellHeader(cell.entityRef, this.environment)) + yaml;
  }

  /** Creates the folder and, with commit: true, checks that it can commit there. */
  async start(): Promise<void> {
    await this.prepare();
  }

  async plan(cell: DesiredCell): Promise<ObjectChangeSet> {
    const file = this.fileOf(cell);
    const content = await readIfExists(file);
    const refusal = this.refusal(cell, content);
    if (refusal) throw new ConflictError(refusal);
    return compare(cell.objects, content === undefined ? [] : parseObjects(content, file));
  }

  /** The cells whose files carry Cellplane's header (a missing folder holds none). */
  async listCells(): Promise<HeldCell[]> {
    const files = await cellFiles(this.dir).catch(e => {
      if ((e as NodeJS.ErrnoException)?.code === 'ENOENT') return [];
      throw e;
    });
    // A cell with a file of an older naming and its file now is one cell.
    const byRef = new Map<string, HeldCell>();
    for (const f of files) {
      if (f.entityRef && !byRef.has(f.entityRef)) byRef.set(f.entityRef, { entityRef: f.entityRef, cellName: parseEntityRef(f.entityRef).name });
      // Listed so that a folder whose database record was lost still has it pruned once no cell declares a host.
      if (f.name === EGRESS_FILE_NAME) byRef.set(egressUnitRef(this.environment), { entityRef: egressUnitRef(this.environment), cellName: EGRESS_UNIT_NAME });
    }
    return [...byRef.values()];
  }

  async observe(cell: DesiredCell): Promise<CellOutcome> {
    let file: string | undefined;
    let actual: KubeObject[];
    try {
      file = this.fileOf(cell);
      const content = await readIfExists(file);
      const refusal = this.refusal(cell, content);
      if (refusal) return this.failed(cell, refusal);
      if (content === undefined) {
        return {
          ...this.outcomeBase(cell),
          changes: compare(cell.objects, []),
          state: 'drifted',
          message: `${file} is missing; the next reconcile writes it`,
          objects: cell.objects.map(o => ({ ...objectRef(o), state: 'missing' as const })),
        };
      }
      actual = parseObjects(content, file);
    } catch (e) {
      // The message names the file (fs errors and parseObjects both do).
      return this.failed(cell, `${messageOf(e)}; the next reconcile rewrites ${file || 'the file'}`);
    }
    const actualById = new Map(actual.map(o => [objectId(o), o]));
    const objects: ObjectStatus[] = cell.objects.map(o => {
      const found = actualById.get(objectId(o));
      if (!found) return { ...objectRef(o), state: 'missing' };
      const diff = fieldDiff(o, found);
      return diff.length ? { ...objectRef(o), state: 'drifted', diff } : { ...objectRef(o), state: 'in-sync' };
    });
    for (const o of unwantedObjects(cell.objects, actual)) objects.push({ ...objectRef(o), state: 'unwanted' });
    const off = objects.filter(o => o.state !== 'in-sync');
    return {
      ...this.outcomeBase(cell),
      changes: compare(cell.objects, actual),
      state: off.length ? 'drifted' : 'in-sync',
      message: off.length ? `${file} differs from the compiled cell (${off.map(describe).join(', ')}); the next reconcile rewrites it` : '',
      objects,
    };
  }

  apply(upsert: DesiredCell[], remove: RemovedCell[], context: ApplyContext): Promise<ApplyResult> {
    return this.queue.run(() => this.applyNow(upsert, remove, context));
  }

  private async applyNow(upsert: DesiredCell[], remove: RemovedCell[], context: ApplyContext): Promise<ApplyResult> {
    // A folder that cannot commit fails the whole apply before anything is written.
    try {
      await this.prepare();
    } catch (e) {
      // A configuration the folder cannot honour is the whole environment's error.
      if (this.commit) throw e;
      const message = `could not create ${this.dir}: ${messageOf(e)}`;
      return {
        cells: upsert.map(cell => this.failed(cell, message)),
        removed: remove.map(cell => ({ entityRef: cell.entityRef, environment: cell.environment, state: 'error', pruned: [], message })),
      };
    }

    /** file name -> the cell it was written for (undefined: kustomization, deleted files). */
    const written = new Map<string, DesiredCell | undefined>();
    const cells: CellOutcome[] = [];
    const seen = new Map<string, string>();
    // Files of an older naming go first: one may hold the name another cell's file takes now.
    const legacy = new Map<string, string>();
    for (const cell of upsert) {
      if (context.signal?.aborted) break;
      try {
        const content = await this.removeLegacyFile(cell, seen, written);
        if (content !== undefined) legacy.set(cell.entityRef, content);
      } catch (e) {
        this.logger.warn(`could not delete the file of an older naming of ${cell.entityRef}: ${messageOf(e)}`);
      }
    }
    for (const cell of upsert) {
      // Aborted midway: what is written stays consistent (kustomization, commit) and the rest waits.
      if (context.signal?.aborted) {
        cells.push(this.failed(cell, 'the reconcile was stopped before this cell was written'));
        continue;
      }
      cells.push(await this.applyCell(cell, seen, written, legacy.get(cell.entityRef)));
    }
    const removed: RemovalOutcome[] = [];
    for (const cell of remove) removed.push(await this.removeCell(cell, seen, written));
    await this.updateKustomization(written);
    if (written.size) await syncFolder(this.dir).catch(() => undefined);
    if (!this.commit) return { cells, removed };
    return { ...(await this.commit.commit(written, context.causes, cells)), removed };
  }

  /** Creates the folder; with commit: true, checks that git can commit in it. */
  private async prepare(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    if (this.commit) {
      await assertCommittable(this.dir, KUSTOMIZATION_FILE, `the directory target of environment ${this.environment} says commit: true`);
    }
  }

  private async applyCell(cell: DesiredCell, seen: Map<string, string>, written: Map<string, DesiredCell | undefined>, legacy?: string): Promise<CellOutcome> {
    let file = '';
    try {
      const name = this.fileName(cell);
      file = this.fileOf(cell);
      const other = seen.get(name);
      if (other && other !== cell.entityRef) {
        return this.failed(cell, `${file} is also the file of ${other} in this apply. Fix: rename one of the two cells`);
      }
      seen.set(name, cell.entityRef);
      const content = this.contentOf(cell);
      const existing = await readIfExists(file);
      const refusal = this.refusal(cell, existing);
      if (refusal) return this.failed(cell, refusal);
      const inPlace = cell.objects.map(o => ({ ...objectRef(o), state: 'in-sync' as const }));
      if (existing === content) {
        return { ...this.outcomeBase(cell), changes: noChanges(cell.objects.length), state: 'in-sync', message: '', objects: inPlace };
      }
      await writeAtomic(file, content);
      written.set(name, cell);
      // Without a file of the new naming, the folder held the cell's objects in its file of the older one.
      return {
        ...this.outcomeBase(cell),
        changes: compare(cell.objects, this.objectsOf(existing ?? legacy, file)),
        state: 'in-sync',
        message: '',
        objects: inPlace,
      };
    } catch (e) {
      return this.failed(cell, `could not write ${file || cell.cellName}: ${messageOf(e)}`);
    }
  }

  /** The objects of a file as it was, or none when a hand edit broke it (everything is then recreated). */
  private objectsOf(content: string | undefined, file: string): KubeObject[] {
    try {
      return content === undefined ? [] : parseObjects(content, file);
    } catch {
      return [];
    }
  }

  /** Deletes a removed cell's file if it is Cellplane's file of that cell; anything else is not this cell's to delete. */
  private async removeCell(cell: RemovedCell, seen: Map<string, string>, written: Map<string, DesiredCell | undefined>): Promise<RemovalOutcome> {
    const outcome = (state: RemovalOutcome['state'], message = '', pruned: RemovalOutcome['pruned'] = []): RemovalOutcome => ({
      entityRef: cell.entityRef,
      environment: cell.environment,
      state,
      pruned,
      message,
    });
    let name: string;
    try {
      name = this.fileName(cell);
    } catch {
      return outcome('removed'); // a name that cannot be a file name was never written
    }
    const file = this.fileOf(cell);
    try {
      const pruned = (await this.deleteFileOf(cell, name, seen, written)) ?? [];
      const legacy = await this.removeLegacyFile(cell, seen, written);
      if (legacy !== undefined) pruned.push(...this.objectsOf(legacy, path.join(this.dir, this.legacyFileName(cell)!)).map(objectRef));
      return outcome('removed', '', pruned);
    } catch (e) {
      return outcome('error', `could not delete ${file} of removed cell ${cell.entityRef}: ${messageOf(e)}; the next reconcile retries`);
    }
  }

  /**
   * Deletes a file if it is Cellplane's file of this cell and no other cell
   * took its name in this apply; returns the objects it held, or undefined
   * when it deleted nothing.
   */
  private async deleteFileOf(
    cell: CellKey,
    name: string,
    seen: Map<string, string>,
    written: Map<string, DesiredCell | undefined>,
  ): Promise<ReturnType<typeof objectRef>[] | undefined> {
    const file = path.join(this.dir, name);
    // Another cell took the name in this same apply: the file is now its.
    if (seen.has(name)) return undefined;
    const owner = ownershipOf(await readHead(file));
    if (owner.kind === 'missing') return undefined;
    if (owner.kind === 'foreign' || (owner.entityRef && owner.entityRef !== cell.entityRef)) {
      this.logger.warn(`${file} was not written by Cellplane for ${cell.entityRef}; it is left in place`);
      return undefined;
    }
    const pruned = this.objectsOf(await readIfExists(file), file).map(objectRef);
    await fs.rm(file);
    written.set(name, undefined);
    return pruned;
  }

  /**
   * Deletes the cell's file of an older naming if its header names this very
   * cell (a file without the cell in its header may be another cell's); returns
   * its content, or undefined when there was none to delete.
   */
  private async removeLegacyFile(cell: CellKey, seen: Map<string, string>, written: Map<string, DesiredCell | undefined>): Promise<string | undefined> {
    const legacy = this.legacyFileName(cell);
    if (!legacy || seen.has(legacy)) return undefined;
    const file = path.join(this.dir, legacy);
    const content = await readIfExists(file);
    const owner = ownershipOf(content);
    if (owner.kind !== 'cellplane' || owner.entityRef !== cell.entityRef) return undefined;
    await fs.rm(file);
    written.set(legacy, undefined);
    return content;
  }

  private async updateKustomization(written: Map<string, DesiredCell | undefined>): Promise<void> {
    const file = path.join(this.dir, KUSTOMIZATION_FILE);
    try {
      const result = await writeKustomization(this.dir, this.environment);
      if (result === 'written') written.set(KUSTOMIZATION_FILE, undefined);
      if (result === 'foreign' && !this.warnedForeignKustomization) {
        this.logger.warn(`${file} was not written by Cellplane; it is left alone, so it may not list the cell files`);
        this.warnedForeignKustomization = true;
      }
    } catch (e) {
      this.logger.error(`could not write ${file}: ${messageOf(e)}`);
    }
  }

  /** Why Cellplane must not write this cell's file, if it must not: the file is someone else's (no header), or another cell's. */
  private refusal(cell: CellKey, content: string | undefined): string | undefined {
    const file = this.fileOf(cell);
    const owner = ownershipOf(content);
    if (owner.kind === 'foreign') {
      return `${file} exists but was not written by Cellplane (its first line is not the "${HEADER_PREFIX}" header), so it is left alone and ${cell.entityRef} is not applied. Fix: move or rename that file (or delete it if it is an old copy), then reconcile`;
    }
    if (owner.kind === 'cellplane' && owner.entityRef && owner.entityRef !== cell.entityRef) {
      return `${file} is Cellplane's file of ${owner.entityRef}, so ${cell.entityRef} cannot use it. Fix: rename one of the two cells`;
    }
    return undefined;
  }

  /** The cell's file name (`cellFileName`, as `cellplane render --out` writes it), or throws if it cannot be one. */
  private fileName(cell: CellKey): string {
    if (isEgressUnit(cell.entityRef)) return EGRESS_FILE_NAME;
    const name = cellFileName(cell.entityRef);
    if (!SAFE_FILE_NAME.test(name) || name === KUSTOMIZATION_FILE) {
      throw new Error(`the file name "${name}" of ${cell.entityRef} cannot be a file name in ${this.dir}. Fix: rename the cell`);
    }
    return name;
  }

  private outcomeBase(cell: CellKey) {
    return { entityRef: cell.entityRef, environment: cell.environment };
  }

  private failed(cell: CellKey, message: string): CellOutcome {
    return { ...this.outcomeBase(cell), changes: noChanges(), state: 'error', message, objects: [] };
  }
}
