import fs from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  KubeObject,
  ObjectRef,
  ObjectStatus,
  TargetDescription,
  toYaml,
} from '@cellplane/cells-common';
import {
  ApplyContext,
  ApplyResult,
  CellOutcome,
  CellTarget,
  DesiredCell,
  ObjectChangeSet,
  RemovedCell,
} from '../types';
import { fieldDiff } from './fieldDiff';
import {
  cellHeader,
  HEADER_PREFIX,
  kustomizationHeader,
  ownershipOf,
  parseObjects,
  readHead,
  readIfExists,
  syncFolder,
  writeAtomic,
} from './files';
import {
  assertCommittable,
  commitFiles,
  CommittedFile,
  DEFAULT_AUTHOR,
  GitAuthor,
} from './git';

/** The file kustomize reads; it lists the cell files. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

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

type CellKey = Pick<DesiredCell, 'entityRef' | 'cellName' | 'environment'>;

const noChanges = (unchanged = 0): ObjectChangeSet => ({
  create: [],
  update: [],
  prune: [],
  unchanged,
});

const refOf = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  name: o.metadata.name,
});

/** Objects are the same object when apiVersion, kind, namespace and name match. */
const idOf = (o: KubeObject) =>
  [o.apiVersion, o.kind, o.metadata.namespace ?? '', o.metadata.name].join(
    '\0',
  );

const describe = (o: ObjectStatus) =>
  `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} ${o.state}`;

/** Not `instanceof Error`: errors from Node's own modules may come from another realm. */
const messageOf = (e: unknown) =>
  typeof e === 'object' && e !== null && 'message' in e
    ? String(e.message)
    : String(e);

/** What applying `desired` over `actual` does, object by object. */
function compare(desired: KubeObject[], actual: KubeObject[]): ObjectChangeSet {
  const actualById = new Map(actual.map(o => [idOf(o), o]));
  const desiredIds = new Set(desired.map(idOf));
  const changes = noChanges();
  for (const o of desired) {
    const found = actualById.get(idOf(o));
    if (!found) changes.create.push(refOf(o));
    else if (isDeepStrictEqual(found, o)) changes.unchanged++;
    else changes.update.push(refOf(o));
  }
  for (const o of actual) {
    if (!desiredIds.has(idOf(o))) changes.prune.push(refOf(o));
  }
  return changes;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * The GitOps target: one folder per environment holding one `<cell>.yaml` per
 * cell (a header line naming the cell, then exactly the bytes
 * `cellplane render` writes) and a `kustomization.yaml` listing them. Files
 * are rewritten only when their bytes change, atomically; files without the
 * header are someone else's and are never touched. With `commit: true`, each
 * apply that changes files commits exactly those files.
 */
export class DirectoryTarget implements CellTarget {
  readonly description: TargetDescription;
  private readonly dir: string;
  private readonly environment: string;
  private readonly commit: boolean;
  private readonly author: GitAuthor;
  private readonly logger: LoggerService;
  /** The YAML of each objects array, so a full pass over unchanged cells does not serialize again. */
  private readonly yamlCache = new WeakMap<KubeObject[], string>();
  /** Files written whose commit failed, and why they changed; the next apply commits them. */
  private readonly uncommitted = new Set<string>();
  private readonly uncommittedCauses = new Set<string>();
  /** Applies run one at a time, so two never interleave their writes and commits. */
  private queue: Promise<unknown> = Promise.resolve();
  private warnedForeignKustomization = false;

  constructor(options: DirectoryTargetOptions) {
    this.dir = path.resolve(options.path);
    this.environment = options.environment;
    this.commit = options.commit ?? false;
    this.author = options.author ?? DEFAULT_AUTHOR;
    this.logger = options.logger;
    this.description = { type: 'directory', path: this.dir };
  }

  /** The absolute path of a cell's file. */
  fileOf(cellName: string): string {
    return path.join(this.dir, `${cellName}.yaml`);
  }

  /** The exact bytes of a cell's file: its header, then `toYaml` of its objects. */
  contentOf(cell: DesiredCell): string {
    let yaml = this.yamlCache.get(cell.objects);
    if (yaml === undefined) {
      yaml = toYaml(cell.objects);
      this.yamlCache.set(cell.objects, yaml);
    }
    return cellHeader(cell.entityRef, this.environment) + yaml;
  }

  /** Creates the folder and, with commit: true, checks that it can commit there. */
  async start(): Promise<void> {
    await this.prepare();
  }

  async plan(cell: DesiredCell): Promise<ObjectChangeSet> {
    const file = this.fileOf(this.checkName(cell));
    const content = await readIfExists(file);
    const refusal = this.refusal(cell, content);
    if (refusal) throw new ConflictError(refusal);
    return compare(
      cell.objects,
      content === undefined ? [] : parseObjects(content, file),
    );
  }

  async observe(cell: DesiredCell): Promise<CellOutcome> {
    let file: string | undefined;
    let actual: KubeObject[];
    try {
      file = this.fileOf(this.checkName(cell));
      const content = await readIfExists(file);
      const refusal = this.refusal(cell, content);
      if (refusal) return this.failed(cell, refusal);
      if (content === undefined) {
        const objects = cell.objects.map(o => ({
          ...refOf(o),
          state: 'missing' as const,
        }));
        return {
          ...this.outcomeBase(cell),
          changes: compare(cell.objects, []),
          state: 'drifted',
          message: `${file} is missing; the next reconcile writes it`,
          objects,
        };
      }
      actual = parseObjects(content, file);
    } catch (e) {
      // The message names the file (fs errors and parseObjects both do).
      return this.failed(
        cell,
        `${messageOf(e)}; the next reconcile rewrites ${file || 'the file'}`,
      );
    }
    const actualById = new Map(actual.map(o => [idOf(o), o]));
    const desiredIds = new Set(cell.objects.map(idOf));
    const objects: ObjectStatus[] = cell.objects.map(o => {
      const found = actualById.get(idOf(o));
      if (!found) return { ...refOf(o), state: 'missing' };
      const diff = fieldDiff(o, found);
      return diff.length
        ? { ...refOf(o), state: 'drifted', diff }
        : { ...refOf(o), state: 'in-sync' };
    });
    for (const o of actual) {
      if (!desiredIds.has(idOf(o)))
        objects.push({ ...refOf(o), state: 'unwanted' });
    }
    const off = objects.filter(o => o.state !== 'in-sync');
    return {
      ...this.outcomeBase(cell),
      changes: compare(cell.objects, actual),
      state: off.length ? 'drifted' : 'in-sync',
      message: off.length
        ? `${file} differs from the compiled cell (${off
            .map(describe)
            .join(', ')}); the next reconcile rewrites it`
        : '',
      objects,
    };
  }

  apply(
    upsert: DesiredCell[],
    remove: RemovedCell[],
    context: ApplyContext,
  ): Promise<ApplyResult> {
    const next = this.queue.then(() => this.applyNow(upsert, remove, context));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyNow(
    upsert: DesiredCell[],
    remove: RemovedCell[],
    context: ApplyContext,
  ): Promise<ApplyResult> {
    // A folder that cannot commit fails the whole apply before anything is written.
    try {
      await this.prepare();
    } catch (e) {
      if (this.commit) throw e;
      const message = `could not create ${this.dir}: ${messageOf(e)}`;
      return { cells: upsert.map(cell => this.failed(cell, message)) };
    }

    /** file name -> the cell it was written for (undefined: kustomization). */
    const written = new Map<string, DesiredCell | undefined>();
    const cells: CellOutcome[] = [];
    const seen = new Map<string, string>();
    for (const cell of upsert) {
      // Aborted midway: what is written stays consistent (kustomization, commit) and the rest waits.
      if (context.signal?.aborted) {
        cells.push(
          this.failed(
            cell,
            'the reconcile was stopped before this cell was written',
          ),
        );
        continue;
      }
      cells.push(await this.applyCell(cell, seen, written));
    }
    for (const cell of remove) {
      await this.removeCell(cell, seen, written);
    }
    await this.writeKustomization(written);
    if (written.size) await syncFolder(this.dir).catch(() => undefined);

    if (!this.commit) return { cells };
    for (const file of written.keys()) this.uncommitted.add(file);
    if (!this.uncommitted.size) return { cells };
    if (written.size)
      context.causes.forEach(c => this.uncommittedCauses.add(c));
    try {
      const done = await commitFiles({
        dir: this.dir,
        files: [...this.uncommitted].sort(),
        message: committed =>
          this.commitMessage(committed, [...this.uncommittedCauses]),
        author: this.author,
      });
      this.uncommitted.clear();
      this.uncommittedCauses.clear();
      if (!done) return { cells };
      this.logger.info(
        `committed ${done.committed.map(c => c.file).join(', ')} as ${
          done.commit
        }`,
      );
      return { cells, commit: done.commit };
    } catch (e) {
      // The files are written; the cells say they are not committed, and the next apply retries.
      const why = `written but not committed: ${messageOf(
        e,
      )}. The next reconcile retries the commit`;
      this.logger.error(`${this.dir}: ${why}`);
      const fileOfRef = new Map(
        [...written].flatMap(([name, cell]) =>
          cell ? [[cell.entityRef, name] as const] : [],
        ),
      );
      return {
        cells: cells.map(c => {
          const name = fileOfRef.get(c.entityRef);
          return name
            ? { ...c, state: 'error' as const, message: `${name} ${why}` }
            : c;
        }),
      };
    }
  }

  /** Creates the folder; with commit: true, checks that git can commit in it. */
  private async prepare(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    if (this.commit) {
      await assertCommittable(
        this.dir,
        KUSTOMIZATION_FILE,
        `the directory target of environment ${this.environment} says commit: true`,
      );
    }
  }

  private async applyCell(
    cell: DesiredCell,
    seen: Map<string, string>,
    written: Map<string, DesiredCell | undefined>,
  ): Promise<CellOutcome> {
    let file = '';
    try {
      const name = `${this.checkName(cell)}.yaml`;
      file = this.fileOf(cell.cellName);
      const other = seen.get(name);
      if (other && other !== cell.entityRef) {
        return this.failed(
          cell,
          `${file} is also the file of ${other} in this apply. Fix: rename one of the two cells`,
        );
      }
      seen.set(name, cell.entityRef);
      const content = this.contentOf(cell);
      const existing = await readIfExists(file);
      const refusal = this.refusal(cell, existing);
      if (refusal) return this.failed(cell, refusal);
      const inPlace = cell.objects.map(o => ({
        ...refOf(o),
        state: 'in-sync' as const,
      }));
      if (existing === content) {
        return {
          ...this.outcomeBase(cell),
          changes: noChanges(cell.objects.length),
          state: 'in-sync',
          message: '',
          objects: inPlace,
        };
      }
      let before: KubeObject[] = [];
      if (existing !== undefined) {
        try {
          before = parseObjects(existing, file);
        } catch {
          // A broken hand edit: everything is (re)created.
        }
      }
      await writeAtomic(file, content);
      written.set(name, cell);
      return {
        ...this.outcomeBase(cell),
        changes: compare(cell.objects, before),
        state: 'in-sync',
        message: '',
        objects: inPlace,
      };
    } catch (e) {
      return this.failed(
        cell,
        `could not write ${file || cell.cellName}: ${messageOf(e)}`,
      );
    }
  }

  private async removeCell(
    cell: RemovedCell,
    seen: Map<string, string>,
    written: Map<string, DesiredCell | undefined>,
  ): Promise<void> {
    let file = '';
    try {
      const name = `${this.checkName(cell)}.yaml`;
      file = this.fileOf(cell.cellName);
      // Another cell took the name in this same apply: the file is now its.
      if (seen.has(name)) return;
      const owner = ownershipOf(await readHead(file));
      if (owner.kind === 'missing') return;
      if (
        owner.kind === 'foreign' ||
        (owner.entityRef && owner.entityRef !== cell.entityRef)
      ) {
        this.logger.warn(
          `${file} was not written by Cellplane for ${cell.entityRef}; it is left in place`,
        );
        return;
      }
      await fs.rm(file);
      written.set(name, undefined);
    } catch (e) {
      // RemovedCell has no outcome in ApplyResult: the log says it, and the next apply retries.
      this.logger.error(
        `could not delete ${file || cell.cellName} of removed cell ${
          cell.entityRef
        }: ${messageOf(e)}`,
      );
    }
  }

  /** Rewrites kustomization.yaml to list the Cellplane files of the folder, if that changes it. */
  private async writeKustomization(
    written: Map<string, DesiredCell | undefined>,
  ): Promise<void> {
    const file = path.join(this.dir, KUSTOMIZATION_FILE);
    try {
      const candidates = (await fs.readdir(this.dir))
        .filter(
          n =>
            n.endsWith('.yaml') &&
            n !== KUSTOMIZATION_FILE &&
            !n.startsWith('.'),
        )
        .sort();
      const resources: string[] = [];
      // A few reads at a time: fast on a folder of thousands of cells, within any file-descriptor limit.
      for (let i = 0; i < candidates.length; i += 32) {
        const batch = candidates.slice(i, i + 32);
        const heads = await Promise.all(
          batch.map(n => readHead(path.join(this.dir, n))),
        );
        batch.forEach((name, k) => {
          if (ownershipOf(heads[k]).kind === 'cellplane') resources.push(name);
        });
      }
      // metadata.name is optional for kustomize, but with it every document
      // of the folder is a named object, so `cellplane analyze <folder>` reads it.
      const kustomization: KubeObject = {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        metadata: { name: `cellplane-${this.environment}` },
        resources,
      };
      const content =
        kustomizationHeader(this.environment) + toYaml([kustomization]);
      const existing = await readIfExists(file);
      if (existing === content) return;
      if (ownershipOf(existing).kind === 'foreign') {
        if (!this.warnedForeignKustomization) {
          this.logger.warn(
            `${file} was not written by Cellplane; it is left alone, so it may not list the cell files`,
          );
        }
        this.warnedForeignKustomization = true;
        return;
      }
      await writeAtomic(file, content);
      written.set(KUSTOMIZATION_FILE, undefined);
    } catch (e) {
      this.logger.error(`could not write ${file}: ${messageOf(e)}`);
    }
  }

  /**
   * Why Cellplane must not write this cell's file, if it must not: the file
   * is someone else's (no header), or another cell's.
   */
  private refusal(
    cell: CellKey,
    content: string | undefined,
  ): string | undefined {
    const file = this.fileOf(cell.cellName);
    const owner = ownershipOf(content);
    if (owner.kind === 'foreign') {
      return `${file} exists but was not written by Cellplane (its first line is not the "${HEADER_PREFIX}" header), so it is left alone and ${cell.entityRef} is not applied. Fix: move or rename that file (or delete it if it is an old copy), then reconcile`;
    }
    if (
      owner.kind === 'cellplane' &&
      owner.entityRef &&
      owner.entityRef !== cell.entityRef
    ) {
      return `${file} is Cellplane's file of ${owner.entityRef}, so ${cell.entityRef} cannot use it. Fix: rename one of the two cells`;
    }
    return undefined;
  }

  /** The cell name as a file name, or throws if it cannot be one. */
  private checkName(cell: CellKey): string {
    const name = cell.cellName;
    if (
      !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) ||
      `${name}.yaml` === KUSTOMIZATION_FILE
    ) {
      throw new Error(
        `the cell name "${name}" of ${cell.entityRef} cannot be a file name in ${this.dir}. Fix: rename the cell`,
      );
    }
    return name;
  }

  private outcomeBase(cell: CellKey) {
    return { entityRef: cell.entityRef, environment: cell.environment };
  }

  private failed(cell: CellKey, message: string): CellOutcome {
    return {
      ...this.outcomeBase(cell),
      changes: noChanges(),
      state: 'error',
      message,
      objects: [],
    };
  }

  /** "cellplane: 2 cells updated in development", then one cause per line. */
  private commitMessage(committed: CommittedFile[], causes: string[]): string {
    const cellFiles = committed.filter(c => c.file !== KUSTOMIZATION_FILE);
    const count = (status: CommittedFile['status']) =>
      cellFiles.filter(c => c.status === status).length;
    const parts = [
      count('A') && `${plural(count('A'), 'cell')} created`,
      count('M') && `${plural(count('M'), 'cell')} updated`,
      count('D') && `${plural(count('D'), 'cell')} removed`,
    ].filter(Boolean);
    const subject = `cellplane: ${
      parts.length ? parts.join(', ') : `${KUSTOMIZATION_FILE} updated`
    } in ${this.environment}`;
    const body = causes.map(c => `- ${c.replace(/\s*\n\s*/g, ' ')}`);
    return [subject, ...(body.length ? ['', ...body] : [])].join('\n');
  }
}
