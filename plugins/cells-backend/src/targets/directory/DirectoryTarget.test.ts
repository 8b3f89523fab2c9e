import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { cellFileName, compareText, KubeObject, toYaml } from '@cellplane/cells-common';
import { cellHeader, HEADER_PREFIX } from './files';
import { artemisCells, ENV, parse, setup, tempDir, withObjects } from './__testUtils__/directory';
import { DirectoryTarget } from './DirectoryTarget';

jest.setTimeout(60_000);

describe('DirectoryTarget', () => {
  it('writes one file per cell, byte for byte toYaml under a header, and a sorted kustomization', async () => {
    const t = setup();
    expect(t.target.description).toEqual({ type: 'directory', path: t.folder });
    const result = await t.target.apply(t.cells, [], { causes: ['startup'] });

    expect(result.commit).toBeUndefined();
    expect(result.cells.map(c => [c.entityRef, c.state])).toEqual(t.cells.map(c => [c.entityRef, 'in-sync']));
    for (const outcome of result.cells) {
      const cell = t.cells.find(c => c.entityRef === outcome.entityRef)!;
      expect(outcome.changes.create).toHaveLength(cell.objects.length);
      expect(outcome.changes.unchanged).toBe(0);
      expect(outcome.objects.every(o => o.state === 'in-sync')).toBe(true);
    }
    const names = t.cells.map(c => `${c.cellName}.yaml`).sort();
    expect(fs.readdirSync(t.folder).sort()).toEqual([...names, 'kustomization.yaml'].sort());
    for (const cell of t.cells) {
      const content = t.read(`${cell.cellName}.yaml`);
      const rendered = toYaml(cell.objects); // what `cellplane render --out` writes
      expect(content).toBe(`${HEADER_PREFIX} cell ${cell.entityRef} in environment ${ENV}. Do not edit: the next reconcile replaces this file.\n${rendered}`);
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
    expect(names).toEqual(['deep-space-network.yaml', 'esa-ops.yaml', 'houston.yaml', 'kennedy.yaml', 'orion.yaml']);
    // No temporary file is left behind.
    expect(fs.readdirSync(t.folder).filter(f => f.endsWith('.tmp'))).toEqual([]);
  });

  it('builds with kustomize into exactly the compiled objects', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const key = (o: KubeObject) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
    const byKey = (objects: KubeObject[]) => [...objects].sort((a, b) => compareText(key(a), key(b)));
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
    const changed = withObjects(houston, [relabelled, ...rest.slice(0, -1), extra]);

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
          ...(first.metadata.namespace ? { namespace: first.metadata.namespace } : {}),
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
    const { removed } = await t.target.apply([], [orion], { causes: ['removed'] });
    expect(removed).toEqual([
      {
        entityRef: orion.entityRef,
        environment: ENV,
        state: 'removed',
        pruned: orion.objects.map(o => expect.objectContaining({ kind: o.kind, name: o.metadata.name })),
        message: '',
      },
    ]);
    expect(fs.existsSync(t.file('orion.yaml'))).toBe(false);
    expect(parse(t.read('kustomization.yaml'))[0].resources).toEqual(['deep-space-network.yaml', 'esa-ops.yaml', 'houston.yaml', 'kennedy.yaml']);
  });

  it('reports each removal: nothing of the cell left counts as removed, a file it cannot delete as an error', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    // A file that is not Cellplane's is not the removed cell's to delete; a missing one is already gone.
    fs.writeFileSync(t.file('apollo.yaml'), 'kind: ConfigMap\n');
    const apollo = { entityRef: 'system:default/apollo', cellName: 'apollo', environment: ENV, namespace: '' };
    const gemini = { ...apollo, entityRef: 'system:default/gemini', cellName: 'gemini' };
    // A folder where the file should be: reading it fails.
    fs.mkdirSync(t.file('mercury.yaml'));
    const mercury = { ...apollo, entityRef: 'system:default/mercury', cellName: 'mercury' };
    const { removed } = await t.target.apply([], [apollo, gemini, mercury], { causes: ['removed'] });
    expect(removed.map(r => [r.entityRef, r.state, r.pruned])).toEqual([
      [apollo.entityRef, 'removed', []],
      [gemini.entityRef, 'removed', []],
      [mercury.entityRef, 'error', []],
    ]);
    expect(removed[2].message).toMatch(/^could not delete .*mercury\.yaml of removed cell system:default\/mercury: .*; the next reconcile retries$/);
    expect(t.read('apollo.yaml')).toBe('kind: ConfigMap\n');
  });

  describe('two cells of one name in two catalog namespaces', () => {
    /** houston as a cell of catalog namespace `namespace` (its objects as houston's: only the file matters here). */
    const houstonIn = (t: ReturnType<typeof setup>, namespace: string) => ({ ...t.cell('houston'), entityRef: `system:${namespace}/houston` });

    it('get one file each, named as `cellplane render --out` names them, both in the kustomization, each pruned alone', async () => {
      const t = setup();
      const ops = withObjects(houstonIn(t, 'ops'), t.cell('orion').objects);
      const result = await t.target.apply([...t.cells, ops], [], { causes: ['startup'] });
      expect(result.cells.map(c => c.state)).toEqual([...t.cells.map(() => 'in-sync'), 'in-sync']);
      expect(t.read(cellFileName(ops.entityRef))).toBe(cellHeader(ops.entityRef, ENV) + toYaml(ops.objects));
      expect(cellFileName(ops.entityRef)).toBe('ops.houston.yaml');
      expect(t.read('houston.yaml')).toBe(cellHeader('system:default/houston', ENV) + toYaml(t.cell('houston').objects));
      expect(parse(t.read('kustomization.yaml'))[0].resources).toContain('ops.houston.yaml');
      expect(await t.target.listCells()).toContainEqual({ entityRef: 'system:ops/houston', cellName: 'houston' });
      expect((await t.target.observe(ops)).state).toBe('in-sync');

      const { removed } = await t.target.apply([], [{ entityRef: ops.entityRef, cellName: 'houston', environment: ENV, namespace: ops.namespace }], {
        causes: ['removed'],
      });
      expect(removed.map(r => [r.state, r.pruned.length])).toEqual([['removed', ops.objects.length]]);
      expect(fs.existsSync(t.file('ops.houston.yaml'))).toBe(false);
      expect(t.read('houston.yaml')).toBe(cellHeader('system:default/houston', ENV) + toYaml(t.cell('houston').objects));
      expect(parse(t.read('kustomization.yaml'))[0].resources).not.toContain('ops.houston.yaml');
    });

    it("moves a cell out of the `<cell>.yaml` an older Cellplane wrote for it, which frees the name for the default namespace's cell", async () => {
      const t = setup();
      fs.mkdirSync(t.folder, { recursive: true });
      const ops = withObjects(houstonIn(t, 'ops'), t.cell('orion').objects);
      // An older Cellplane wrote system:ops/houston to houston.yaml.
      fs.writeFileSync(t.file('houston.yaml'), cellHeader(ops.entityRef, ENV) + toYaml(ops.objects));
      const result = await t.target.apply([t.cell('houston'), ops], [], { causes: ['upgrade'] });
      expect(result.cells.map(c => [c.entityRef, c.state, c.message])).toEqual([
        ['system:default/houston', 'in-sync', ''],
        ['system:ops/houston', 'in-sync', ''],
      ]);
      // The objects were in the folder already, in the old file: nothing is created.
      expect(result.cells[1].changes.create).toEqual([]);
      expect(t.read('houston.yaml')).toBe(cellHeader('system:default/houston', ENV) + toYaml(t.cell('houston').objects));
      expect(t.read('ops.houston.yaml')).toBe(cellHeader(ops.entityRef, ENV) + toYaml(ops.objects));
      expect(parse(t.read('kustomization.yaml'))[0].resources).toEqual(['houston.yaml', 'ops.houston.yaml']);
    });

    it("prunes a removed cell's file of the older naming", async () => {
      const t = setup();
      fs.mkdirSync(t.folder, { recursive: true });
      const ops = houstonIn(t, 'ops');
      fs.writeFileSync(t.file('houston.yaml'), cellHeader(ops.entityRef, ENV) + toYaml(ops.objects));
      const { removed } = await t.target.apply([], [{ entityRef: ops.entityRef, cellName: 'houston', environment: ENV, namespace: ops.namespace }], {
        causes: ['removed'],
      });
      expect(removed.map(r => [r.state, r.pruned.length])).toEqual([['removed', ops.objects.length]]);
      expect(fs.existsSync(t.file('houston.yaml'))).toBe(false);
      expect(parse(t.read('kustomization.yaml'))[0].resources).toEqual([]);
    });
  });

  it('lists the cells its files name, and nothing for a folder that is not there yet', async () => {
    const t = setup();
    expect(await t.target.listCells()).toEqual([]);
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    fs.writeFileSync(t.file('notes.yaml'), 'kind: ConfigMap\n');
    expect(await t.target.listCells()).toEqual(
      t.cells.map(c => ({ entityRef: c.entityRef, cellName: c.cellName })).sort((a, b) => (a.cellName < b.cellName ? -1 : 1)),
    );
  });

  it('never touches files it did not write, and refuses a same-named cell file without its header', async () => {
    const t = setup();
    fs.mkdirSync(t.folder, { recursive: true });
    const readme = '# Our GitOps folder\n';
    const handMade = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n';
    fs.writeFileSync(t.file('README.md'), readme);
    fs.writeFileSync(t.file('houston.yaml'), handMade);
    fs.writeFileSync(t.file('extra.yaml'), handMade);
    const foreignStamps = () => {
      const all = t.stamps();
      return [all['README.md'], all['houston.yaml'], all['extra.yaml']];
    };
    const before = foreignStamps();

    const result = await t.target.apply(t.cells, [], { causes: ['startup'] });
    const houston = result.cells.find(c => c.entityRef === 'system:default/houston')!;
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
    await expect(t.target.plan(t.cell('houston'))).rejects.toThrow(/not written by Cellplane/);
    expect((await t.target.observe(t.cell('houston'))).state).toBe('error');

    // Removing the cell does not delete a file that is not Cellplane's either.
    await t.target.apply([], [t.cell('houston')], { causes: ['removed'] });
    expect(foreignStamps()).toEqual(before);
    expect(t.read('README.md')).toBe(readme);
    expect(t.read('houston.yaml')).toBe(handMade);
    expect(t.read('extra.yaml')).toBe(handMade);
    // The kustomization lists Cellplane's files only.
    expect(parse(t.read('kustomization.yaml'))[0].resources).toEqual(['deep-space-network.yaml', 'esa-ops.yaml', 'kennedy.yaml', 'orion.yaml']);
  });

  it('leaves a foreign kustomization.yaml alone', async () => {
    const t = setup();
    fs.mkdirSync(t.folder, { recursive: true });
    const own = 'resources: [a.yaml]\n';
    fs.writeFileSync(t.file('kustomization.yaml'), own);
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    expect(t.read('kustomization.yaml')).toBe(own);
    expect(t.logger.warn).toHaveBeenCalledWith(expect.stringContaining('kustomization.yaml was not written by Cellplane'));
  });

  it('plans create, update and prune without writing anything', async () => {
    const t = setup();
    const houston = t.cell('houston');
    expect(await t.target.plan(houston)).toEqual({
      create: houston.objects.map(o => expect.objectContaining({ kind: o.kind, name: o.metadata.name })),
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
    expect(plan.update.map(r => `${r.kind}/${r.name}`)).toEqual([`${first.kind}/${first.metadata.name}`]);
    expect(plan.prune.map(r => `${r.kind}/${r.name}`)).toEqual([`${second.kind}/${second.metadata.name}`]);
    expect(plan.unchanged).toBe(houston.objects.length - 2);
    expect(t.stamps()).toEqual(before);
  });

  it('observes in-sync files, a hand-edited object as drifted with its field diff, extra objects as unwanted, and a deleted file as missing', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const houston = t.cell('houston');
    for (const cell of t.cells) {
      const observed = await t.target.observe(cell);
      expect([cell.cellName, observed.state, observed.message]).toEqual([cell.cellName, 'in-sync', '']);
      expect(observed.objects.every(o => o.state === 'in-sync')).toBe(true);
    }

    // Someone widens capcom's policy by hand, and appends an object of their own.
    const ns = houston.namespace;
    const original = t.read('houston.yaml');
    const principal = `cluster.local/ns/${ns}/sa/flight-director`;
    expect(original).toContain(`- ${principal}\n`);
    fs.writeFileSync(
      t.file('houston.yaml'),
      `${original.replace(`- ${principal}\n`, `- "*"\n`)}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sneaky\n  namespace: ${ns}\n`,
    );
    const drifted = await t.target.observe(houston);
    expect(drifted.state).toBe('drifted');
    expect(drifted.message).toContain('AuthorizationPolicy');
    const capcom = drifted.objects.find(o => o.kind === 'AuthorizationPolicy' && o.name === 'capcom')!;
    expect(capcom.state).toBe('drifted');
    expect(capcom.diff).toEqual([`spec.rules[0].from[0].source.principals[0]: "${principal}" -> "*"`]);
    expect(drifted.objects.find(o => o.name === 'sneaky')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      name: 'sneaky',
      state: 'unwanted',
    });
    expect(drifted.objects.filter(o => o.state === 'in-sync')).toHaveLength(houston.objects.length - 1);
    expect(drifted.changes.update.map(r => r.name)).toEqual(['capcom']);
    expect(drifted.changes.prune.map(r => r.name)).toEqual(['sneaky']);

    // The next apply repairs the drift.
    const repaired = await t.target.apply([houston], [], { causes: ['drift'] });
    expect(repaired.cells[0].changes.update.map(r => r.name)).toEqual(['capcom']);
    expect(t.read('houston.yaml')).toBe(original);

    fs.rmSync(t.file('houston.yaml'));
    const missing = await t.target.observe(houston);
    expect(missing.state).toBe('drifted');
    expect(missing.message).toContain('missing');
    expect(missing.objects.map(o => o.state)).toEqual(houston.objects.map(() => 'missing'));
  });

  it('reports a hand edit that broke the YAML as an error naming the file, and rewrites it on apply', async () => {
    const t = setup();
    await t.target.apply(t.cells, [], { causes: ['startup'] });
    const orion = t.cell('orion');
    fs.writeFileSync(t.file('orion.yaml'), `${cellHeader(orion.entityRef, ENV)}kind: [unclosed\n`);
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
    const houston = result.cells.find(c => c.entityRef === 'system:default/houston')!;
    expect(houston.state).toBe('error');
    expect(houston.message).toContain(`could not write ${t.file('houston.yaml')}: EISDIR`);
    expect(result.cells.filter(c => c.state === 'in-sync')).toHaveLength(4);
    expect(fs.readdirSync(t.folder).filter(f => f.endsWith('.tmp'))).toEqual([]);
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
      [outcome] = (await t.target.apply([changed], [], { causes: ['x'] })).cells;
    } finally {
      fs.chmodSync(t.folder, 0o755);
    }
    expect(outcome.state).toBe(asRoot ? 'in-sync' : 'error');
    const denied = `could not write ${t.file('houston.yaml')}: EACCES`;
    expect(outcome.message.slice(0, denied.length)).toBe(asRoot ? '' : denied);
    expect(t.read('houston.yaml')).toBe(asRoot ? t.target.contentOf(changed) : original);
    expect(fs.readdirSync(t.folder).filter(f => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses cell names that cannot be file names or would replace the kustomization', async () => {
    const t = setup();
    const houston = t.cell('houston');
    const result = await t.target.apply(
      [
        { ...houston, entityRef: 'system:default/kustomization', cellName: 'kustomization' },
        { ...houston, entityRef: 'system:default/../evil', cellName: '../evil' },
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
    expect(fs.existsSync(path.join(root, 'gitops/dev/kustomization.yaml'))).toBe(true);
  });
});
