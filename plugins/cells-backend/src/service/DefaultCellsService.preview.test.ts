import { ConfigReader } from '@backstage/config';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { buildCellModel, compileCells, modelOptions } from '@cellplane/cells-common';
import { artemisEntities } from '../__testUtils__/artemis';
import { readCellsBackendConfig } from '../config';
import { CellsStore } from '../storage/types';
import { CellAccess, ReconcilerReads } from './CellsService';
import { DefaultCellsService } from './DefaultCellsService';

const config = readCellsBackendConfig(new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: '/nonexistent/cells' } }] } }));

function service() {
  const entities = artemisEntities();
  const { model } = buildCellModel(entities, modelOptions(config.settings));
  const current = { model, held: new Map(), entities: new Map(entities.map(e => [stringifyEntityRef(e), e])) };
  const reconciler = {
    current,
    neverApplied: false,
    pendingCells: () => new Set<string>(),
    appliedCell: () => undefined,
    appliedState: () => undefined,
    syncCatalog: jest.fn(async () => {}),
    compile: jest.fn(() => ({ desired: new Map(), problems: [] })),
    holders: () => ({}),
  } satisfies ReconcilerReads;
  const compile = jest.fn(compileCells);
  const svc = new DefaultCellsService({ reconciler, store: {} as CellsStore, config, targets: new Map(), requestRun: async () => 'run', compile });
  return { svc, reconciler, compile };
}

/** Refuses orion, allows every other cell; counts what it was asked. */
const denyingOrion = (): CellAccess & { asked: string[][] } => {
  const asked: string[][] = [];
  return {
    asked,
    require: async refs => {
      const list = [...refs];
      asked.push(list);
      const refused = list.find(r => r === 'system:default/orion');
      if (refused) throw new NotAllowedError(`cells.manifest.read is not allowed on ${refused}`);
    },
    filter: async () => ref => ref !== 'system:default/orion',
  };
};

describe('POST /preview checks the read permission before any work (issue 18, finding 7)', () => {
  const starTracker = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'star-tracker' }, spec: { type: 'service', lifecycle: 'experimental', owner: 'group:default/orion-crew-systems', system: 'orion' } };

  it('refuses a change to a cell the caller may not read without reading the catalog, compiling or analysing', async () => {
    const { svc, reconciler, compile } = service();
    const access = denyingOrion();
    await expect(svc.preview({ entities: [starTracker] } as any, access)).rejects.toThrow(new NotAllowedError('cells.manifest.read is not allowed on system:default/orion'));
    expect(access.asked).toEqual([['system:default/orion']]);
    expect(reconciler.syncCatalog).not.toHaveBeenCalled();
    expect(reconciler.compile).not.toHaveBeenCalled();
    expect(compile).not.toHaveBeenCalled();
  });

  it('does the work for a cell the caller may read', async () => {
    const { svc, reconciler } = service();
    const houstonClock = { ...starTracker, metadata: { name: 'mission-clock' }, spec: { ...starTracker.spec, owner: 'group:default/houston-flight-ops', system: 'houston' } };
    const answer = await svc.preview({ entities: [houstonClock] } as any, denyingOrion());
    expect(reconciler.syncCatalog).toHaveBeenCalledTimes(1);
    expect(answer.cells.map(c => c.entityRef)).toEqual(['system:default/houston']);
  });
});
