import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { buildCellModel, CellsSettings, compileCells, modelOptions } from '@cellplane/cells-common';
import { ChangingCatalog } from '../__testUtils__/catalog';
import { DirectoryTarget } from '../targets/directory';
import { reconcilerHarness } from './__testUtils__/harness';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

type Endpoint = { name: string; port: number; protocol: string; visibility: string };
// A public endpoint says it is open on purpose: the settings here define no identity provider.
const http = (visibility: string): Endpoint => ({
  name: 'http',
  port: 8080,
  protocol: 'HTTP',
  visibility,
  ...(visibility === 'public' ? { auth: 'none' } : {}),
});

/** A System of catalog namespace `namespace`, its owner Group and components (name -> endpoints, connections). */
function cellOf(namespace: string, name: string, components: Record<string, { endpoints?: Endpoint[]; connections?: object[] }>): Entity[] {
  const owner = `group:${namespace}/${name}-team`;
  return [
    { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: `${name}-team`, namespace }, spec: { type: 'team', children: [] } },
    { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name, namespace }, spec: { owner, cell: {} } },
    ...Object.entries(components).map(([component, spec]) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: component, namespace },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner,
        system: name,
        endpoints: spec.endpoints ?? [http('project')],
        ...(spec.connections ? { connections: spec.connections } : {}),
      },
    })),
  ];
}

/**
 * Two kinds of claim one cell can hold and a newcomer can contest: the
 * namespace (with `cell-env` naming, default/core and ops/core both get
 * core-development) and a public route (with one hostname per component
 * name, two public components named web share web.apps.example.com).
 */
const CASES = [
  {
    claim: 'namespace',
    cells: { naming: { scheme: 'cell-env' } },
    victim: () => cellOf('default', 'core', { api: {}, client: { connections: [{ to: 'api', endpoint: 'http' }] } }),
    intruder: () => cellOf('ops', 'core', { api: {} }),
    victimRef: 'system:default/core',
    intruderRef: 'system:ops/core',
    intruderField: 'metadata.name',
  },
  {
    claim: 'public route',
    cells: { gateway: { routes: { hostname: '{component}.apps.example.com' } } },
    victim: () => cellOf('default', 'a', { web: { endpoints: [http('public')] }, client: { connections: [{ to: 'web', endpoint: 'http' }] } }),
    intruder: () => cellOf('ops', 'b', { web: { endpoints: [http('public')] } }),
    victimRef: 'system:default/a',
    intruderRef: 'system:ops/b',
    intruderField: 'spec.endpoints[0].visibility',
  },
];

describe.each(CASES)("a newcomer that contests a cell's $claim", ({ cells, victim, intruder, victimRef, intruderRef, intruderField }) => {
  async function setUp() {
    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-claims-')), 'development');
    const knex = await databases.init('SQLITE_3');
    const catalog = new ChangingCatalog(victim());
    const harness = await reconcilerHarness({
      knex,
      catalog,
      cells,
      target: { type: 'directory', path: folder },
      makeTarget: () => new DirectoryTarget({ path: folder, environment: 'development', logger: harness.logger }),
    });
    return { catalog, harness };
  }

  /** The victim's client loses its connection (a revocation its own team makes). */
  const revoke = (catalog: ChangingCatalog) => {
    const ref = `component:${victimRef.slice('system:'.length).split('/')[0]}/client`;
    const client = catalog.get(ref)!;
    const { connections: _gone, ...spec } = client.spec as Record<string, unknown>;
    catalog.set({ ...client, spec } as Entity);
  };

  /** What the victim compiles to from its entities in the catalog now, with nobody contesting it. */
  const victimAlone = (catalog: ChangingCatalog, settings: CellsSettings) => {
    const { model } = buildCellModel(
      victim().map(e => catalog.get(stringifyEntityRef(e))!),
      modelOptions(settings),
    );
    return compileCells(model, settings, { environment: 'development' }).cells[0].objects;
  };

  it.each([
    ['in the same process', false],
    ['across a backend restart', true],
  ])('leaves the cell that held it reconciling; the newcomer gets the error (%s)', async (_case, restart) => {
    const { catalog, harness } = await setUp();
    let backend = await harness.start();
    await backend.reconcile();
    const granted = backend.reconciler.appliedCell(victimRef, 'development')!;
    expect(granted).toBeDefined();

    catalog.set(...intruder());
    harness.tick(1_000);
    const withIntruder = await backend.reconcile();
    // The victim is untouched: not held, not even sent again.
    expect(withIntruder.map(r => r.entityRef)).toEqual([intruderRef]);
    expect(withIntruder.find(r => r.entityRef === intruderRef)).toMatchObject({ state: 'error', message: expect.stringContaining(victimRef) });

    if (restart) backend = await harness.start();
    revoke(catalog);
    harness.tick(1_000);
    const afterRevocation = await backend.reconcile();
    expect(afterRevocation.find(r => r.entityRef === victimRef)).toMatchObject({ state: 'in-sync', message: '' });
    expect(afterRevocation.find(r => r.entityRef === intruderRef)?.state ?? 'error').toBe('error');

    // The revocation reached the target: the victim's objects changed, and are what it compiles to with nobody contesting it.
    const revoked = backend.reconciler.appliedCell(victimRef, 'development')!;
    expect(revoked.objects).not.toEqual(granted.objects);
    expect(revoked.objects).toEqual(victimAlone(catalog, harness.config.settings));
    expect(backend.reconciler.appliedCell(intruderRef, 'development')).toBeUndefined();
    const statuses = await backend.store.listStatuses();
    expect(statuses.find(s => s.entityRef === intruderRef)).toMatchObject({ state: 'not-applied', message: expect.stringContaining(victimRef) });
    expect(statuses.find(s => s.entityRef === victimRef)).toMatchObject({ state: 'in-sync' });
    // What the views and on-demand compilations use: the victim holds, the same object until a pass changes the target.
    const holders = backend.reconciler.holders('development');
    expect([...holders.namespaceHolders!.values()]).toEqual([victimRef]);
    expect(backend.reconciler.holders('development')).toBe(holders);
    const problems = backend.reconciler.compile('development', new Set([victimRef, intruderRef])).problems;
    expect(problems).toEqual([
      expect.objectContaining({ entityRef: intruderRef === 'system:ops/b' ? 'component:ops/web' : intruderRef, field: intruderField, holds: intruderRef }),
    ]);
  });
});
