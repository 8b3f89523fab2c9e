import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ChangingCatalog } from '../__testUtils__/catalog';
import { CatalogCellSource } from './CatalogCellSource';

const component = (name: string, extra: object = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { type: 'service', owner: 'group:a', system: 'houston', ...extra },
});

describe('CatalogCellSource', () => {
  it('reports added, updated and removed entities by etag, and fetches only those', async () => {
    const catalog = new ChangingCatalog([component('capcom'), component('flight-director')]);
    const source = new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() });
    expect(await source.sync()).toEqual([
      { entityRef: 'component:default/capcom', change: 'added' },
      { entityRef: 'component:default/flight-director', change: 'added' },
    ]);
    expect(await source.sync()).toEqual([]);

    const byRefs = jest.spyOn(catalog.service, 'getEntitiesByRefs');
    catalog.set(component('capcom', { lifecycle: 'production' }), component('telemetry-monitor'));
    catalog.remove('component:default/flight-director');
    expect(await source.sync()).toEqual([
      { entityRef: 'component:default/capcom', change: 'updated' },
      { entityRef: 'component:default/flight-director', change: 'removed' },
      { entityRef: 'component:default/telemetry-monitor', change: 'added' },
    ]);
    expect(byRefs).toHaveBeenCalledTimes(1);
    expect(byRefs.mock.calls[0][0].entityRefs.sort()).toEqual(['component:default/capcom', 'component:default/telemetry-monitor']);
    expect(source.all().map(e => e.metadata.name)).toEqual(['capcom', 'telemetry-monitor']);
    expect((source.all()[0].spec as any).lifecycle).toBe('production');
  });

  it('leaves its cache as it was when a read fails', async () => {
    const catalog = new ChangingCatalog([component('capcom')]);
    const source = new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() });
    await source.sync();
    catalog.set(component('capcom', { lifecycle: 'x' }));
    jest.spyOn(catalog.service, 'getEntitiesByRefs').mockRejectedValueOnce(new Error('catalog unavailable'));
    await expect(source.sync()).rejects.toThrow('catalog unavailable');
    expect((source.all()[0].spec as any).lifecycle).toBeUndefined();
    expect(await source.sync()).toEqual([{ entityRef: 'component:default/capcom', change: 'updated' }]);
  });

  it('keeps Groups and Users as stubs of their refs: reported when they come or go, never fetched', async () => {
    const group = (name: string, extra: object = {}): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name, ...extra },
      spec: { type: 'team', children: [] },
    });
    const user: Entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name: 'alice' }, spec: {} };
    const catalog = new ChangingCatalog([component('capcom'), group('ops'), user]);
    const source = new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() });
    const byRefs = jest.spyOn(catalog.service, 'getEntitiesByRefs');
    expect((await source.sync()).map(c => `${c.change} ${c.entityRef}`)).toEqual([
      'added component:default/capcom',
      'added group:default/ops',
      'added user:default/alice',
    ]);
    expect(byRefs.mock.calls.flatMap(c => c[0].entityRefs)).toEqual(['component:default/capcom']);
    expect(source.all().find(e => e.kind === 'Group')).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'ops', namespace: 'default' },
    });
    // A group's content (members, profile) does not matter to a cell: no change, no fetch.
    catalog.set(group('ops', { description: 'operations' }));
    expect(await source.sync()).toEqual([]);
    catalog.remove('group:default/ops');
    expect(await source.sync()).toEqual([{ entityRef: 'group:default/ops', change: 'removed' }]);
  });

  it('in a full sync, re-reads every System and Component and reports what the etags missed', async () => {
    const catalog = new ChangingCatalog([component('capcom'), component('flight-director')]);
    const source = new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() });
    await source.sync();
    // The catalog's content moved but the listing still says the old etag (a change between pages, an etag that did not move).
    const stale = catalog.get('component:default/capcom')!.metadata.etag!;
    catalog.set(component('capcom', { lifecycle: 'production' }));
    const listing = catalog.service.queryEntities.bind(catalog.service);
    jest.spyOn(catalog.service, 'queryEntities').mockImplementation(async (...args: Parameters<typeof listing>) => {
      const page = await listing(...args);
      return { ...page, items: page.items.map(e => (e.metadata.name === 'capcom' ? { ...e, metadata: { ...e.metadata, etag: stale } } : e)) };
    });
    expect(await source.sync()).toEqual([]);
    const byRefs = jest.spyOn(catalog.service, 'getEntitiesByRefs');
    expect(await source.sync({ full: true })).toEqual([{ entityRef: 'component:default/capcom', change: 'updated' }]);
    expect(byRefs.mock.calls.flatMap(c => c[0].entityRefs).sort()).toEqual(['component:default/capcom', 'component:default/flight-director']);
    expect((source.all()[0].spec as any).lifecycle).toBe('production');
    // Converged: the next full sync finds nothing.
    expect(await source.sync({ full: true })).toEqual([]);
  });
});
