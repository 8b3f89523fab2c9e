import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { mockServices } from '@backstage/backend-test-utils';
import {
  buildCellModel,
  compareText,
  compileCells,
  DEFAULT_SETTINGS,
  KubeObject,
  toYaml,
} from '@cellplane/cells-common';
import { artemisEntities } from '../../__testUtils__/artemis';
import { DesiredCell } from '../types';
import { DirectoryTarget } from './DirectoryTarget';
import { cellHeader, HEADER_PREFIX } from './files';

jest.setTimeout(60_000);

const ENV = 'development';

/** Artemis compiled by the core, as the reconciler hands it to the target. */
function artemisCells(): DesiredCell[] {
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

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

function setup(options: { commit?: boolean; folder?: string } = {}) {
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

const parse = (yaml: string) =>
  parseAllDocuments(yaml)
    .map(d => d.toJS())
    .filter(Boolean);

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A repository whose identity is unset, so only the target's fixed author can commit. */
function initRepo(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  return dir;
}

const withObjects = (
  cell: DesiredCell,
  objects: KubeObject[],
): DesiredCell => ({
  ...cell,
  objects,
});

describe('DirectoryTarget', () => {
  it('writes one file per cell, byte for byte toYaml under a header, and a sorted kustomization', async () => {
    const t = setup();
    expect(t.target.description).toEqual({ type: 'directory', path: t.folder });
    const result = await t.target.apply(t.cells, [], { causes: ['startup'] });

    expect(result.commit).toBeUndefined();
    expect(result.cells.map(c => [c.entityRef, c.state])).toEqual(
      t.cells.map(c => [c.entityRef, 'in-sync']),
    );
    for (const outcome of result.cells) {
      const cell = t.cells.find(c => c.entityRef === outcome.entityRef)!;
      expect(outcome.changes.create).toHaveLength(cell.objects.length);
      expect(outcome.changes.unchanged).toBe(0);
      expect(outcome.objects.every(o => o.state === 'in-sync')).toBe(true);
    }
    const names = t.cells.map(c => `${c.cellName}.yaml`).sort();
    expect(fs.readdirSync(t.folder).sort()).toEqual(
      [...names, 'kustomization.yaml'].sort(),
    );
    for (const cell of t.cells) {
      const content = t.read(`${cell.cellName}.yaml`);
      const rendered = toYaml(cell.objects); // what `cellplane render --out` writes
      expect(content).toBe(
        `${HEADER_PREFIX} cell ${cell.entityRef} in environment ${ENV}. Do not edit: the next reconcile replaces this file.\n${rendered}`,
      );
      // The header is a comment: the objects parse exactly as render's file does.
      expect(parse(content)).toEqual(parse(rendered));
      expect(parse(content)).toEqual(cell.objects);
    }
    const kustomization = t.read('kustomization.yaml');
    expect(kustomization.split('\n')[0]).toMatch(/^# Managed by Cellplane: /);
    expect(parse(kustomization)).toEqual([
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        metadata: { name: 'cellplane-development' },
        resources: names,
      },
    ]);
    expect(names).toEqual([
      'deep-space-network.yaml',
      'esa-ops.yaml',
      'houston.yaml',
      'kennedy.yaml',
      'orion.yaml',
    ]);
    // No temporary file is left behind.
    expect(fs.readdirSync(t.folder).filter(f => f.endsWith('.tmp'))).toEqual(
      [],
    );
  });

  it('builds with kustomize into exactly the compiled objects', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const key = (o: KubeObject) =>
      `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${
        o.metadata.name
      }`;
    const byKey = (objects: KubeObject[]) =>
      [...objects].sort((a, b) => compareText(key(a), key(b)));
    // The real kustomize (kubectl's), as a GitOps tool would run it on the folder.
    const built = execFileSync('kubectl', ['kustomize', t.folder], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(byKey(parse(built))).toEqual(byKey(t.cells.flatMap(c => c.objects)));
  });

  it('writes nothing on a second apply with the same input and reports every cell unchanged', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const before = t.stamps();
    // Fresh objects (not the cached arrays): the bytes decide, not object identity.
    const again = await t.target.apply(artemisCells(), [], {
      causes: ['full pass'],
    });
    expect(t.stamps()).toEqual(before);
    expect(again.cells.map(c => c.state)).toEqual(t.cells.map(() => 'in-sync'));
    for (const outcome of again.cells) {
      const cell = t.cells.find(c => c.entityRef === outcome.entityRef)!;
      expect(outcome.changes).toEqual({
        create: [],
        update: [],
        prune: [],
        unchanged: cell.objects.length,
      });
    }
  });

  it('rewrites only the file of a changed cell', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const before = t.stamps();
    const houston = t.cell('houston');
    const [first, ...rest] = houston.objects;
    const relabelled = {
      ...first,
      metadata: {
        ...first.metadata,
        labels: { ...first.metadata.labels, extra: 'yes' },
      },
    };
    const extra: KubeObject = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'new-one', namespace: houston.namespace },
    };
    const last = rest[rest.length - 1];
    const changed = withObjects(houston, [
      relabelled,
      ...rest.slice(0, -1),
      extra,
    ]);

    const result = await t.target.apply([changed], [], { causes: ['x'] });

    expect(result.cells).toHaveLength(1);
    expect(result.cells[0].changes).toEqual({
      create: [
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          namespace: houston.namespace,
          name: 'new-one',
        },
      ],
      update: [
        {
          apiVersion: first.apiVersion,
          kind: first.kind,
          ...(first.metadata.namespace
            ? { namespace: first.metadata.namespace }
            : {}),
          name: first.metadata.name,
        },
      ],
      prune: [
        {
          apiVersion: last.apiVersion,
          kind: last.kind,
          namespace: last.metadata.namespace,
          name: last.metadata.name,
        },
      ],
      unchanged: houston.objects.length - 2,
    });
    const after = t.stamps();
    expect(after['houston.yaml']).not.toEqual(before['houston.yaml']);
    for (const name of Object.keys(before).filter(n => n !== 'houston.yaml')) {
      expect([name, after[name]]).toEqual([name, before[name]]);
    }
    expect(parse(t.read('houston.yaml'))).toEqual(changed.objects);
  });

  it('deletes a removed cell file and updates the kustomization', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const orion = t.cell('orion');
    await t.target.apply([], [orion], { causes: ['removed'] });
    expect(fs.existsSync(t.file('orion.yaml'))).toBe(false);
    expect(parse(t.read('kustomization.yaml'))[0].resources).toEqual([
      'deep-space-network.yaml',
      'esa-ops.yaml',
      'houston.yaml',
      'kennedy.yaml',
    ]);
  });

  it('never touches files it did not write, and refuses a same-named cell file without its header', async () => {
    const t = setup();
    fs.mkdirSync(t.folder, { recursive: true });
    const readme = '# Our GitOps folder\n';
    const handMade =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n';
    fs.writeFileSync(t.file('README.md'), readme);
    fs.writeFileSync(t.file('houston.yaml'), handMade);
    fs.writeFileSync(t.file('extra.yaml'), handMade);
    const foreignStamps = () => {
      const all = t.stamps();
      return [all['README.md'], all['houston.yaml'], all['extra.yaml']];
    };
    const before = foreignStamps();

    const result = await t.target.apply(t.cells, [], { causes: ['startup'] });
    const houston = result.cells.find(
      c => c.entityRef === 'system:default/houston',
    )!;
    expect(houston.state).toBe('error');
    expect(houston.message).toContain(t.file('houston.yaml'));
    expect(houston.message).toContain('not written by Cellplane');
    expect(houston.message).toContain('Fix: move or rename that file');
    expect(houston.changes).toEqual({
      create: [],
      update: [],
      prune: [],
      unchanged: 0,
    });
    expect(result.cells.filter(c => c.state === 'in-sync')).toHaveLength(4);
    await expect(t.target.plan(t.cell('houston'))).rejects.toThrow(
      /not written by Cellplane/,
    );
    expect((await t.target.observe(t.cell('houston'))).state).toBe('error');

    // Removing the cell does not delete a file that is not Cellplane's either.
    await t.target.apply([], [t.cell('houston')], { causes: ['removed'] });
    expect(foreignStamps()).toEqual(before);
    expect(t.read('README.md')).toBe(readme);
    expect(t.read('houston.yaml')).toBe(handMade);
    expect(t.read('extra.yaml')).toBe(handMade);
    // The kustomization lists Cellplane's files only.
    expect(parse(t.read('kustomization.yaml'))[0].resources).toEqual([
      'deep-space-network.yaml',
      'esa-ops.yaml',
      'kennedy.yaml',
      'orion.yaml',
    ]);
  });

  it('leaves a foreign kustomization.yaml alone', async () => {
    const t = setup();
    fs.mkdirSync(t.folder, { recursive: true });
    const own = 'resources: [a.yaml]\n';
    fs.writeFileSync(t.file('kustomization.yaml'), own);
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    expect(t.read('kustomization.yaml')).toBe(own);
    expect(t.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'kustomization.yaml was not written by Cellplane',
      ),
    );
  });

  it('plans create, update and prune without writing anything', async () => {
    const t = setup();
    const houston = t.cell('houston');
    expect(await t.target.plan(houston)).toEqual({
      create: houston.objects.map(o =>
        expect.objectContaining({ kind: o.kind, name: o.metadata.name }),
      ),
      update: [],
      prune: [],
      unchanged: 0,
    });
    expect(fs.existsSync(t.folder)).toBe(false);

    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const before = t.stamps();
    const [first, second, ...rest] = houston.objects;
    const changed = withObjects(houston, [
      {
        ...first,
        metadata: { ...first.metadata, annotations: { note: 'changed' } },
      },
      ...rest,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'added', namespace: houston.namespace },
      },
    ]);
    const plan = await t.target.plan(changed);
    expect(plan.create).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: houston.namespace,
        name: 'added',
      },
    ]);
    expect(plan.update.map(r => `${r.kind}/${r.name}`)).toEqual([
      `${first.kind}/${first.metadata.name}`,
    ]);
    expect(plan.prune.map(r => `${r.kind}/${r.name}`)).toEqual([
      `${second.kind}/${second.metadata.name}`,
    ]);
    expect(plan.unchanged).toBe(houston.objects.length - 2);
    expect(t.stamps()).toEqual(before);
  });

  it('observes in-sync files, a hand-edited object as drifted with its field diff, extra objects as unwanted, and a deleted file as missing', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const houston = t.cell('houston');
    for (const cell of t.cells) {
      const observed = await t.target.observe(cell);
      expect([cell.cellName, observed.state, observed.message]).toEqual([
        cell.cellName,
        'in-sync',
        '',
      ]);
      expect(observed.objects.every(o => o.state === 'in-sync')).toBe(true);
    }

    // Someone widens capcom's policy by hand, and appends an object of their own.
    const ns = houston.namespace;
    const original = t.read('houston.yaml');
    const principal = `cluster.local/ns/${ns}/sa/flight-director`;
    expect(original).toContain(`- ${principal}\n`);
    fs.writeFileSync(
      t.file('houston.yaml'),
      `${original.replace(
        `- ${principal}\n`,
        `- "*"\n`,
      )}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sneaky\n  namespace: ${ns}\n`,
    );
    const drifted = await t.target.observe(houston);
    expect(drifted.state).toBe('drifted');
    expect(drifted.message).toContain('AuthorizationPolicy');
    const capcom = drifted.objects.find(
      o => o.kind === 'AuthorizationPolicy' && o.name === 'capcom',
    )!;
    expect(capcom.state).toBe('drifted');
    expect(capcom.diff).toEqual([
      `spec.rules[0].from[0].source.principals[0]: "${principal}" -> "*"`,
    ]);
    expect(drifted.objects.find(o => o.name === 'sneaky')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      name: 'sneaky',
      state: 'unwanted',
    });
    expect(drifted.objects.filter(o => o.state === 'in-sync')).toHaveLength(
      houston.objects.length - 1,
    );
    expect(drifted.changes.update.map(r => r.name)).toEqual(['capcom']);
    expect(drifted.changes.prune.map(r => r.name)).toEqual(['sneaky']);

    // The next apply repairs the drift.
    const repaired = await t.target.apply([houston], [], { causes: ['drift'] });
    expect(repaired.cells[0].changes.update.map(r => r.name)).toEqual([
      'capcom',
    ]);
    expect(t.read('houston.yaml')).toBe(original);

    fs.rmSync(t.file('houston.yaml'));
    const missing = await t.target.observe(houston);
    expect(missing.state).toBe('drifted');
    expect(missing.message).toContain('missing');
    expect(missing.objects.map(o => o.state)).toEqual(
      houston.objects.map(() => 'missing'),
    );
  });

  it('reports a hand edit that broke the YAML as an error naming the file, and rewrites it on apply', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const orion = t.cell('orion');
    fs.writeFileSync(
      t.file('orion.yaml'),
      `${cellHeader(orion.entityRef, ENV)}kind: [unclosed\n`,
    );
    const observed = await t.target.observe(orion);
    expect(observed.state).toBe('error');
    expect(observed.message).toContain(t.file('orion.yaml'));
    expect(observed.message).toContain('not valid YAML');
    const result = await t.target.apply([orion], [], { causes: ['repair'] });
    expect(result.cells[0].state).toBe('in-sync');
    expect(parse(t.read('orion.yaml'))).toEqual(orion.objects);
  });

  it('gives a cell an error outcome when its file cannot be written or read, and still writes the others', async () => {
    const t = setup();
    fs.mkdirSync(t.file('houston.yaml'), { recursive: true }); // a folder where the file should be
    const result = await t.target.apply(t.cells, [], { causes: ['startup'] });
    const houston = result.cells.find(
      c => c.entityRef === 'system:default/houston',
    )!;
    expect(houston.state).toBe('error');
    expect(houston.message).toContain(
      `could not write ${t.file('houston.yaml')}: EISDIR`,
    );
    expect(result.cells.filter(c => c.state === 'in-sync')).toHaveLength(4);
    expect(fs.readdirSync(t.folder).filter(f => f.endsWith('.tmp'))).toEqual(
      [],
    );
  });

  it('gives a cell an error outcome on a permission error, leaving the old file whole', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const original = t.read('houston.yaml');
    const houston = t.cell('houston');
    const changed = withObjects(houston, houston.objects.slice(1));
    // Root ignores file modes: there the write succeeds, and the test checks that instead.
    const asRoot = process.getuid?.() === 0;
    fs.chmodSync(t.folder, 0o555); // no new (temporary) files in the folder
    let outcome;
    try {
      [outcome] = (
        await t.target.apply([changed], [], { causes: ['x'] })
      ).cells;
    } finally {
      fs.chmodSync(t.folder, 0o755);
    }
    expect(outcome.state).toBe(asRoot ? 'in-sync' : 'error');
    const denied = `could not write ${t.file('houston.yaml')}: EACCES`;
    expect(outcome.message.slice(0, denied.length)).toBe(asRoot ? '' : denied);
    expect(t.read('houston.yaml')).toBe(
      asRoot ? t.target.contentOf(changed) : original,
    );
    expect(fs.readdirSync(t.folder).filter(f => f.endsWith('.tmp'))).toEqual(
      [],
    );
  });

  it('refuses cell names that cannot be file names or would replace the kustomization', async () => {
    const t = setup();
    const houston = t.cell('houston');
    const result = await t.target.apply(
      [
        { ...houston, cellName: 'kustomization' },
        { ...houston, entityRef: 'system:default/evil', cellName: '../evil' },
      ],
      [],
      { causes: ['x'] },
    );
    expect(result.cells.map(c => c.state)).toEqual(['error', 'error']);
    expect(result.cells[1].message).toContain('Fix: rename the cell');
    expect(fs.existsSync(path.join(t.folder, '..', 'evil.yaml'))).toBe(false);
    expect(parse(t.read('kustomization.yaml'))[0].resources).toEqual([]);
  });

  it('resolves a relative path and creates the folder', async () => {
    const root = tempDir('cells-directory-relative-');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const target = new DirectoryTarget({
        path: 'gitops/dev',
        environment: ENV,
        logger: mockServices.logger.mock(),
      });
      expect(target.description).toEqual({
        type: 'directory',
        path: path.join(fs.realpathSync(root), 'gitops/dev'),
      });
      await target.apply([], [], { causes: [] });
    } finally {
      process.chdir(cwd);
    }
    expect(
      fs.existsSync(path.join(root, 'gitops/dev/kustomization.yaml')),
    ).toBe(true);
  });
});

describe('DirectoryTarget with commit: true', () => {
  it('makes one commit per changing apply, of only its files, listing the causes', async () => {
    const root = tempDir('cells-directory-git-');
    const repo = initRepo(path.join(root, 'repo'));
    const folder = path.join(repo, 'gitops', ENV);
    const t = setup({ commit: true, folder });
    // Someone else's work in progress, staged and unstaged: never part of Cellplane's commits.
    fs.writeFileSync(path.join(repo, 'notes.md'), 'draft\n');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'README.md'), 'about this folder\n');
    fs.writeFileSync(path.join(repo, 'staged.txt'), 'staged\n');
    git(repo, 'add', 'staged.txt');

    const first = await t.target.apply(t.cells, [], {
      causes: ['startup: 5 cells'],
    });
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>')).toBe(
      'Cellplane <cellplane@localhost>|Cellplane <cellplane@localhost>',
    );
    expect(git(repo, 'log', '-1', '--format=%B')).toBe(
      'cellplane: 5 cells created in development\n\n- startup: 5 cells',
    );
    expect(
      git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort(),
    ).toEqual([
      'gitops/development/deep-space-network.yaml',
      'gitops/development/esa-ops.yaml',
      'gitops/development/houston.yaml',
      'gitops/development/kennedy.yaml',
      'gitops/development/kustomization.yaml',
      'gitops/development/orion.yaml',
    ]);
    // The other changes are still where their owner left them.
    expect(git(repo, 'status', '--porcelain').split('\n').sort()).toEqual([
      '?? gitops/development/README.md',
      '?? notes.md',
      'A  staged.txt',
    ]);

    // Nothing changed: no commit.
    const same = await t.target.apply(t.cells, [], { causes: ['full pass'] });
    expect(same.commit).toBeUndefined();
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('1');

    // Two cells change, one goes: one commit with exactly those files and the causes.
    const houston = t.cell('houston');
    const kennedy = t.cell('kennedy');
    const causes = [
      'component:default/capcom updated',
      'component:default/launch-control updated',
      'system:default/orion removed',
    ];
    const second = await t.target.apply(
      [
        withObjects(houston, houston.objects.slice(1)),
        withObjects(kennedy, kennedy.objects.slice(1)),
      ],
      [t.cell('orion')],
      { causes },
    );
    expect(second.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(second.commit).not.toBe(first.commit);
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('2');
    expect(git(repo, 'log', '-1', '--format=%B')).toBe(
      `cellplane: 2 cells updated, 1 cell removed in development\n\n${causes
        .map(c => `- ${c}`)
        .join('\n')}`,
    );
    expect(
      git(repo, 'show', '--name-status', '--format=', 'HEAD')
        .split('\n')
        .sort(),
    ).toEqual([
      'D\tgitops/development/orion.yaml',
      'M\tgitops/development/houston.yaml',
      'M\tgitops/development/kennedy.yaml',
      'M\tgitops/development/kustomization.yaml',
    ]);
    expect(git(repo, 'status', '--porcelain').split('\n').sort()).toEqual([
      '?? gitops/development/README.md',
      '?? notes.md',
      'A  staged.txt',
    ]);
  });

  it('fails clearly, writing nothing, when the folder is not in a git work tree', async () => {
    const t = setup({ commit: true });
    await expect(
      t.target.apply(t.cells, [], { causes: ['startup'] }),
    ).rejects.toThrow(
      /says commit: true, but .* is not in a git work tree\. Fix: run "git init"/,
    );
    expect(fs.readdirSync(t.folder)).toEqual([]);
    await expect(t.target.start()).rejects.toThrow(/not in a git work tree/);
  });

  it('fails clearly when git ignores the folder', async () => {
    const root = tempDir('cells-directory-ignored-');
    const repo = initRepo(path.join(root, 'repo'));
    fs.writeFileSync(path.join(repo, '.gitignore'), 'gitops/\n');
    const t = setup({ commit: true, folder: path.join(repo, 'gitops', ENV) });
    await expect(
      t.target.apply(t.cells, [], { causes: ['startup'] }),
    ).rejects.toThrow(
      /git ignores .*Fix: remove the ignore rule, or set commit: false/,
    );
    expect(fs.readdirSync(t.folder)).toEqual([]);
  });

  it('marks written cells as errors when the commit fails, and commits them on the next apply', async () => {
    const root = tempDir('cells-directory-lock-');
    const repo = initRepo(path.join(root, 'repo'));
    const t = setup({ commit: true, folder: path.join(repo, 'gitops', ENV) });
    // Another git process holds the index.
    fs.writeFileSync(path.join(repo, '.git', 'index.lock'), '');
    const blocked = await t.target.apply(t.cells, [], { causes: ['startup'] });
    expect(blocked.commit).toBeUndefined();
    expect(blocked.cells.every(c => c.state === 'error')).toBe(true);
    expect(blocked.cells[0].message).toMatch(
      /written but not committed: git add failed: .*index\.lock/,
    );
    expect(fs.existsSync(t.file('houston.yaml'))).toBe(true);

    fs.rmSync(path.join(repo, '.git', 'index.lock'));
    const retried = await t.target.apply(t.cells, [], { causes: ['retry'] });
    expect(retried.cells.every(c => c.state === 'in-sync')).toBe(true);
    expect(retried.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(
      git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n'),
    ).toHaveLength(6);
    // The commit names what changed the files, not the apply that retried it.
    expect(git(repo, 'log', '-1', '--format=%B')).toBe(
      'cellplane: 5 cells created in development\n\n- startup',
    );
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });
});
