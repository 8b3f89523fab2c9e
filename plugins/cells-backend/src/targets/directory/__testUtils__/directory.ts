/* The directory target's test fixtures: Artemis compiled, temporary folders, git. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { mockServices } from '@backstage/backend-test-utils';
import { buildCellModel, compileCells, DEFAULT_SETTINGS, KubeObject } from '@cellplane/cells-common';
import { artemisEntities } from '../../../__testUtils__/artemis';
import { DesiredCell } from '../../types';
import { DirectoryTarget } from '../DirectoryTarget';

export const ENV = 'development';

/** Artemis compiled by the core, as the reconciler hands it to the target. */
export function artemisCells(): DesiredCell[] {
  const { model } = buildCellModel(artemisEntities(), {
    defaultEnvironments: DEFAULT_SETTINGS.defaultEnvironments,
  });
  const { cells, problems } = compileCells(model, DEFAULT_SETTINGS, {
    environment: ENV,
  });
  expect(problems).toEqual([]);
  return cells.map(c => ({
    entityRef: c.cell,
    cellName: c.cellName,
    environment: c.environment,
    namespace: c.namespace,
    objects: c.objects,
  }));
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

export function setup(options: { commit?: boolean; folder?: string } = {}) {
  const root = tempDir('cells-directory-');
  const folder = options.folder ?? path.join(root, 'gitops', ENV);
  const logger = mockServices.logger.mock();
  const target = new DirectoryTarget({
    path: folder,
    commit: options.commit,
    environment: ENV,
    logger,
  });
  const cells = artemisCells();
  const cell = (name: string) => cells.find(c => c.cellName === name)!;
  const file = (name: string) => path.join(folder, name);
  const read = (name: string) => fs.readFileSync(file(name), 'utf8');
  /** mtime, inode and ctime of every file: any write changes one of them. */
  const stamps = () =>
    Object.fromEntries(
      fs.readdirSync(folder).map(f => {
        const s = fs.statSync(file(f));
        return [f, [s.mtimeMs, s.ino, s.ctimeMs]];
      }),
    );
  return { root, folder, logger, target, cells, cell, file, read, stamps };
}

export const parse = (yaml: string) =>
  parseAllDocuments(yaml)
    .map(d => d.toJS())
    .filter(Boolean);

export const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A repository whose identity is unset, so only the target's fixed author can commit. */
export function initRepo(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  return dir;
}

export const withObjects = (cell: DesiredCell, objects: KubeObject[]): DesiredCell => ({
  ...cell,
  objects,
});
