import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import { LoggerService } from '@backstage/backend-plugin-api';
import { parseAllDocuments } from 'yaml';
import { KubeObject, ObjectRef, ObjectStatus, TargetDescription, toYaml } from '@cellplane/cells-common';
import { ApplyContext, ApplyResult, CellOutcome, CellTarget, DesiredCell, ObjectChangeSet, RemovedCell } from '../types';
import { fieldDiff } from './fieldDiff';

const run = promisify(execFile);

/** The first line of every file Cellplane writes; files without it are never touched. */
export const HEADER_PREFIX = '# Managed by Cellplane';
const KUSTOMIZATION = 'kustomization.yaml';

export interface DirectoryTargetOptions {
  /** The environment's folder. */
  path: string;
  environment: string;
  /** Commit each change when the folder is in a git work tree. */
  commit?: boolean;
  logger: LoggerService;
  /** Author of the commits. */
  author?: { name: string; email: string };
}

const refOf = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  name: o.metadata.name,
});
const idOf = (o: { apiVersion: string; kind: string; metadata?: { namespace?: string; name?: string }; namespace?: string; name?: string }) =>
  `${o.apiVersion}|${o.kind}|${o.metadata?.namespace ?? o.namespace ?? ''}|${o.metadata?.name ?? o.name}`;

/**
 * The GitOps target: one folder per environment, one `<cell>.yaml` per cell
 * (the bytes `cellplane render` writes, under a header line) and a
 * `kustomization.yaml` listing them. A file is rewritten only when its bytes
 * change, by writing a temporary file and renaming it over the old one.
 */
export class DirectoryTarget implements CellTarget {
  readonly description: TargetDescription;
  private readonly dir: string;
  /** The YAML of each objects array, so a full pass over unchanged cells does not serialize again. */
  private readonly yamlCache = new WeakMap<KubeObject[], string>();

  constructor(private readonly options: DirectoryTargetOptions) {
    this.dir = path.resolve(options.path);
    this.description = { type: 'directory', path: this.dir };
  }

  private fileOf(cellName: string): string {
    return path.join(this.dir, `${cellName}.yaml`);
  }

  private header(entityRef: string): string {
    return `${HEADER_PREFIX}: ${entityRef}, environment ${this.options.environment}. Edits are replaced by the next reconcile.\n`;
  }

  /** The file's content for a cell: header + the compiler's YAML. */
  contentOf(cell: DesiredCell): string {
    let yaml = this.yamlCache.get(cell.objects);
    if (yaml === undefined) {
      yaml = toYaml(cell.objects);
      this.yamlCache.set(cell.objects, yaml);
    }
    return this.header(cell.entityRef) + yaml;
  }

  private read(file: string): string | undefined {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (e: any) {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private isOurs(content: string | undefined): boolean {
    return content !== undefined && content.startsWith(HEADER_PREFIX);
  }

  private parse(content: string | undefined): KubeObject[] {
    if (content === undefined) return [];
    return parseAllDocuments(content)
      .map(d => d.toJS() as KubeObject)
      .filter(o => o && typeof o === 'object');
  }

  private compare(desired: KubeObject[], actual: KubeObject[]): ObjectChangeSet {
    const actualById = new Map(actual.map(o => [idOf(o), o]));
    const desiredIds = new Set(desired.map(o => idOf(o)));
    const changes: ObjectChangeSet = { create: [], update: [], prune: [], unchanged: 0 };
    for (const o of desired) {
      const found = actualById.get(idOf(o));
      if (!found) changes.create.push(refOf(o));
      else if (!isDeepStrictEqual(found, o)) changes.update.push(refOf(o));
      else changes.unchanged++;
    }
    for (const o of actual) if (!desiredIds.has(idOf(o))) changes.prune.push(refOf(o));
    return changes;
  }

  private conflict(cell: { entityRef: string; environment: string; cellName: string }): CellOutcome {
    const file = this.fileOf(cell.cellName);
    return {
      entityRef: cell.entityRef,
      environment: cell.environment,
      changes: { create: [], update: [], prune: [], unchanged: 0 },
      state: 'error',
      message: `${file} exists and was not written by Cellplane (its first line is not "${HEADER_PREFIX}"); it is left alone. Fix: move or rename it, or rename the cell`,
      objects: [],
    };
  }

  async plan(cell: DesiredCell): Promise<ObjectChangeSet> {
    const content = this.read(this.fileOf(cell.cellName));
    if (content !== undefined && !this.isOurs(content)) return this.compare(cell.objects, []);
    return this.compare(cell.objects, this.parse(content));
  }

  async observe(cell: DesiredCell): Promise<CellOutcome> {
    const content = this.read(this.fileOf(cell.cellName));
    if (content !== undefined && !this.isOurs(content)) return this.conflict(cell);
    const actual = this.parse(content);
    const actualById = new Map(actual.map(o => [idOf(o), o]));
    const desiredIds = new Set(cell.objects.map(o => idOf(o)));
    const objects: ObjectStatus[] = cell.objects.map(o => {
      const found = actualById.get(idOf(o));
      if (!found) return { ...refOf(o), state: 'missing' };
      const diff = fieldDiff(o, found);
      return diff.length ? { ...refOf(o), state: 'drifted', diff } : { ...refOf(o), state: 'in-sync' };
    });
    for (const o of actual) if (!desiredIds.has(idOf(o))) objects.push({ ...refOf(o), state: 'unwanted' });
    const off = objects.filter(o => o.state !== 'in-sync');
    return {
      entityRef: cell.entityRef,
      environment: cell.environment,
      changes: this.compare(cell.objects, actual),
      state: off.length ? 'drifted' : 'in-sync',
      message: off.length
        ? `${path.basename(this.fileOf(cell.cellName))} differs from the compiled cell: ${off.map(o => `${o.kind}/${o.name} ${o.state}`).join(', ')}`
        : '',
      objects,
    };
  }

  private writeAtomic(file: string, content: string): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  }

  async apply(upsert: DesiredCell[], remove: RemovedCell[], context: ApplyContext): Promise<ApplyResult> {
    fs.mkdirSync(this.dir, { recursive: true });
    const changed: string[] = [];
    const cells: CellOutcome[] = [];
    for (const cell of upsert) {
      const file = this.fileOf(cell.cellName);
      const content = this.contentOf(cell);
      try {
        const existing = this.read(file);
        if (existing !== undefined && !this.isOurs(existing)) {
          cells.push(this.conflict(cell));
          continue;
        }
        const changes = existing === content ? { create: [], update: [], prune: [], unchanged: cell.objects.length } : this.compare(cell.objects, this.parse(existing));
        if (existing !== content) {
          this.writeAtomic(file, content);
          changed.push(file);
        }
        cells.push({
          entityRef: cell.entityRef,
          environment: cell.environment,
          changes,
          state: 'in-sync',
          message: '',
          objects: cell.objects.map(o => ({ ...refOf(o), state: 'in-sync' as const })),
        });
      } catch (e) {
        cells.push({
          entityRef: cell.entityRef,
          environment: cell.environment,
          changes: { create: [], update: [], prune: [], unchanged: 0 },
          state: 'error',
          message: `could not write ${file}: ${e instanceof Error ? e.message : e}`,
          objects: [],
        });
      }
    }
    for (const cell of remove) {
      const file = this.fileOf(cell.cellName);
      const existing = this.read(file);
      if (this.isOurs(existing)) {
        fs.rmSync(file);
        changed.push(file);
      }
    }
    const kustomization = this.kustomization();
    if (this.read(path.join(this.dir, KUSTOMIZATION)) !== kustomization) {
      const existing = this.read(path.join(this.dir, KUSTOMIZATION));
      if (existing === undefined || this.isOurs(existing)) {
        this.writeAtomic(path.join(this.dir, KUSTOMIZATION), kustomization);
        changed.push(path.join(this.dir, KUSTOMIZATION));
      } else {
        this.options.logger.warn(`${KUSTOMIZATION} in ${this.dir} was not written by Cellplane; it is left alone`);
      }
    }
    const commit = changed.length && this.options.commit ? await this.commit(changed, context) : undefined;
    return { cells, ...(commit ? { commit } : {}) };
  }

  /** Lists the cell files Cellplane wrote, sorted. */
  private kustomization(): string {
    const files = fs
      .readdirSync(this.dir)
      .filter(f => f.endsWith('.yaml') && f !== KUSTOMIZATION)
      .filter(f => this.isOurs(this.read(path.join(this.dir, f))))
      .sort();
    return `${HEADER_PREFIX}: the cells of environment ${this.options.environment}.\n${toYaml([
      { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files } as unknown as KubeObject,
    ])}`;
  }

  /** One commit of exactly the files this apply changed, listing its causes. */
  private async commit(files: string[], context: ApplyContext): Promise<string> {
    const git = (...args: string[]) => run('git', args, { cwd: this.dir });
    let top: string;
    try {
      top = (await git('rev-parse', '--show-toplevel')).stdout.trim();
    } catch {
      throw new Error(`the target of environment ${this.options.environment} says commit: true, but ${this.dir} is not in a git work tree. Fix: run git init there, or set commit: false`);
    }
    const relative = files.map(f => path.relative(top, f));
    await run('git', ['add', '--all', '--', ...relative], { cwd: top });
    const { stdout: staged } = await run('git', ['diff', '--cached', '--name-only', '--', ...relative], { cwd: top });
    if (!staged.trim()) return '';
    const author = this.options.author ?? { name: 'Cellplane', email: 'cellplane@localhost' };
    const cellsChanged = files.filter(f => path.basename(f) !== KUSTOMIZATION).length;
    const message = [
      `cellplane: ${cellsChanged} cell file${cellsChanged === 1 ? '' : 's'} changed in ${this.options.environment}`,
      '',
      ...context.causes.map(c => `- ${c}`),
    ].join('\n');
    await run(
      'git',
      ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, 'commit', '--quiet', '--no-verify', '-m', message, '--', ...relative],
      { cwd: top },
    );
    return (await run('git', ['rev-parse', 'HEAD'], { cwd: top })).stdout.trim();
  }
}
