import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { describeWithKube, rawRequest, testKubeConfig, uniqueName } from '@cellplane/kube-testenv';
import { artemisEntities } from '../__testUtils__/artemis';
import { ChangingCatalog } from '../__testUtils__/catalog';
import { DirectoryTarget } from '../targets/directory';
import { KubernetesTarget } from '../targets/kubernetes';
import { pathOf } from '../targets/kubernetes/__testUtils__/testCell';
import { folderFiles, reconcilerHarness, tinyCell } from './__testUtils__/harness';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const FULL_INTERVAL_MS = 60_000;
const APOLLO = 'system:default/apollo';
const refsOf = (entities: Entity[]) => entities.map(e => stringifyEntityRef(e));

async function directoryHarness() {
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-restart-')), 'development');
  const knex = await databases.init('SQLITE_3');
  const catalog = new ChangingCatalog([...artemisEntities(), ...tinyCell('apollo')]);
  const harness = await reconcilerHarness({
    knex,
    catalog,
    target: { type: 'directory', path: folder },
    makeTarget: () => new DirectoryTarget({ path: folder, environment: 'development', logger: harness.logger }),
    fullIntervalMs: FULL_INTERVAL_MS,
  });
  const kustomized = () => folderFiles(folder)['kustomization.yaml'];
  return { folder, knex, catalog, harness, kustomized };
}

describe('a cell deleted while the backend was down (directory target)', () => {
  it.each([
    ['the database recorded it', false],
    ['the database was lost, the folder says it', true],
  ])('is removed after a restart: %s', async (_case, freshDatabase) => {
    const t = await directoryHarness();
    const before = await t.harness.start();
    await before.reconcile();
    expect(Object.keys(folderFiles(t.folder))).toContain('apollo.yaml');
    expect(await before.store.listAppliedCells()).toContainEqual({
      entityRef: APOLLO,
      environment: 'development',
      cellName: 'apollo',
      namespace: expect.any(String),
    });

    // The backend stops; apollo (its RoleBinding included) is deleted from the catalog; the backend starts again.
    t.catalog.remove(...refsOf(tinyCell('apollo')));
    const after = await t.harness.start(freshDatabase ? await databases.init('SQLITE_3') : t.knex);
    // A catalog still filling up at start looks like deletions: the first passes remove nothing they did not see leave.
    await after.reconcile();
    expect(Object.keys(folderFiles(t.folder))).toContain('apollo.yaml');
    expect(after.reconciler.retryDue()).toBe(false);

    t.harness.tick(FULL_INTERVAL_MS);
    expect(after.reconciler.retryDue()).toBe(true);
    await after.reconcile();
    expect(Object.keys(folderFiles(t.folder))).not.toContain('apollo.yaml');
    expect(t.kustomized()).not.toContain('apollo.yaml');
    expect((await after.store.listAppliedCells()).map(a => a.entityRef)).not.toContain(APOLLO);
    const { items } = await after.store.listHistory({ entityRef: APOLLO, limit: 10 });
    expect(items[0]).toMatchObject({ summary: 'cell removed', cause: { kind: 'entity-change', entities: [{ entityRef: APOLLO, change: 'removed' }] } });
    expect(items[0].pruned.map(r => r.kind)).toContain('RoleBinding');
    expect(after.reconciler.retryDue(Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('keeps a cell that only looked deleted while the catalog filled up', async () => {
    const t = await directoryHarness();
    await (await t.harness.start()).reconcile();
    const apollo = folderFiles(t.folder)['apollo.yaml'];
    t.catalog.remove(...refsOf(tinyCell('apollo')));
    const after = await t.harness.start();
    await after.reconcile();
    t.catalog.set(...tinyCell('apollo'));
    t.harness.tick(FULL_INTERVAL_MS);
    await after.reconcile();
    expect(folderFiles(t.folder)['apollo.yaml']).toBe(apollo);
    expect((await after.store.listHistory({ entityRef: APOLLO, limit: 10 })).items.map(h => h.summary)).not.toContain('cell removed');
  });
});

describeWithKube('a cell deleted while the backend was down (kubernetes target, real API server)', () => {
  it.each([
    ['the database recorded it', false],
    ['the database was lost, the cluster labels say it', true],
  ])('is pruned after a restart, its namespace kept: %s', async (_case, freshDatabase) => {
    const environment = uniqueName('rs');
    const keep = uniqueName('keep');
    const gone = uniqueName('gone');
    const knex = await databases.init('SQLITE_3');
    const catalog = new ChangingCatalog([...tinyCell(keep, [environment]), ...tinyCell(gone, [environment])]);
    const kubeconfig = testKubeConfig();
    const harness = await reconcilerHarness({
      knex,
      catalog,
      environment,
      target: { type: 'kubernetes', cluster: 'test' },
      makeTarget: () => new KubernetesTarget({ cluster: 'test', kubeconfig, environment, logger: harness.logger }),
      fullIntervalMs: FULL_INTERVAL_MS,
    });
    const before = await harness.start();
    try {
      const results = await before.reconcile();
      expect(results.map(r => [r.entityRef, r.state, r.message])).toEqual([
        [`system:default/${gone}`, 'in-sync', ''],
        [`system:default/${keep}`, 'in-sync', ''],
      ]);
    } finally {
      await before.target.stop?.();
    }
    const goneCell = before.reconciler.appliedCell(`system:default/${gone}`, environment)!;
    const keepCell = before.reconciler.appliedCell(`system:default/${keep}`, environment)!;
    const binding = goneCell.objects.find(o => o.kind === 'RoleBinding')!;
    expect((await rawRequest(kubeconfig, 'GET', pathOf(binding))).status).toBe(200);

    catalog.remove(...refsOf(tinyCell(gone)));
    const after = await harness.start(freshDatabase ? await databases.init('SQLITE_3') : knex);
    try {
      await after.reconcile();
      expect((await rawRequest(kubeconfig, 'GET', pathOf(binding))).status).toBe(200);
      harness.tick(FULL_INTERVAL_MS);
      await after.reconcile();
      for (const o of goneCell.objects) {
        expect([o.kind, (await rawRequest(kubeconfig, 'GET', pathOf(o))).status]).toEqual([o.kind, o.kind === 'Namespace' ? 200 : 404]);
      }
      for (const o of keepCell.objects) {
        expect([o.kind, (await rawRequest(kubeconfig, 'GET', pathOf(o))).status]).toEqual([o.kind, 200]);
      }
      const { items } = await after.store.listHistory({ entityRef: `system:default/${gone}`, limit: 10 });
      expect(items[0].summary).toBe('cell removed');
      expect(items[0].pruned.map(r => r.kind)).toEqual(expect.arrayContaining(['RoleBinding', 'NetworkPolicy', 'ServiceAccount']));
    } finally {
      await after.target.stop?.();
    }
  });
});
