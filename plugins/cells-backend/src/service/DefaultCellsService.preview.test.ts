import { ConfigReader } from '@backstage/config';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { buildCellModel, compileCells, modelOptions } from '@cellplane/cells-common';
import { artemisEntities } from '../__testUtils__/artemis';
import { readCellsBackendConfig } from '../config';
import { CellsStore } from '../storage/types';
import { CellAccess, ReconcilerReads } from './CellsService';
import { DefaultCellsService } from './DefaultCellsService';

const config = readCellsBackendConfig(
  new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: '/nonexistent/cells' } }] } }),
);

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
  const starTracker = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'star-tracker' },
    spec: { type: 'service', lifecycle: 'experimental', owner: 'group:default/orion-crew-systems', system: 'orion' },
  };

  it('refuses a change to a cell the caller may not read without reading the catalog, compiling or analysing', async () => {
    const { svc, reconciler, compile } = service();
    const access = denyingOrion();
    await expect(svc.preview({ entities: [starTracker] } as any, access)).rejects.toThrow(
      new NotAllowedError('cells.manifest.read is not allowed on system:default/orion'),
    );
    expect(access.asked).toEqual([['system:default/orion']]);
    expect(reconciler.syncCatalog).not.toHaveBeenCalled();
    expect(reconciler.compile).not.toHaveBeenCalled();
    expect(compile).not.toHaveBeenCalled();
  });

  it('does the work for a cell the caller may read', async () => {
    const { svc, reconciler } = service();
    const houstonClock = {
      ...starTracker,
      metadata: { name: 'mission-clock' },
      spec: { ...starTracker.spec, owner: 'group:default/houston-flight-ops', system: 'houston' },
    };
    const answer = await svc.preview({ entities: [houstonClock] } as any, denyingOrion());
    expect(reconciler.syncCatalog).toHaveBeenCalledTimes(1);
    expect(answer.cells.map(c => c.entityRef)).toEqual(['system:default/houston']);
  });
});

describe("POST /preview with the reconciler's holders (issue 18, finding 3)", () => {
  // With cell-env naming, default/core and ops/core both claim core-development; ops/core holds it.
  const cellEnv = readCellsBackendConfig(
    new ConfigReader({
      cells: { naming: { scheme: 'cell-env' }, environments: [{ name: 'development', target: { type: 'directory', path: '/nonexistent/cells' } }] },
    }),
  );
  const core = (namespace: string) => [
    { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'team', namespace }, spec: { type: 'team', children: [] } },
    { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'core', namespace }, spec: { owner: `group:${namespace}/team`, cell: {} } },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'api', namespace },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: `group:${namespace}/team`,
        system: 'core',
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
      },
    },
  ];
  const edit = (namespace: string) => ({
    ...core(namespace)[2],
    spec: { ...core(namespace)[2].spec, endpoints: [{ name: 'http', port: 9090, protocol: 'HTTP', visibility: 'project' }] },
  });
  const holders = { namespaceHolders: new Map([['core-development', 'system:ops/core']]) };

  function contested(heldBy: typeof holders | {}) {
    const entities = [...core('default'), ...core('ops')];
    const { model } = buildCellModel(entities, modelOptions(cellEnv.settings));
    const current = { model, held: new Map(), entities: new Map(entities.map(e => [stringifyEntityRef(e), e])) };
    const reconciler: ReconcilerReads = {
      current,
      neverApplied: false,
      pendingCells: () => new Set<string>(),
      appliedCell: () => undefined,
      appliedState: () => undefined,
      syncCatalog: async () => {},
      compile: () => ({ desired: new Map(), problems: [] }),
      holders: () => heldBy,
    };
    return new DefaultCellsService({ reconciler, store: {} as CellsStore, config: cellEnv, targets: new Map(), requestRun: async () => 'run' });
  }
  const all: CellAccess = { require: async () => {}, filter: async () => () => true };

  it('previews an edit of the holder; an edit of the newcomer is a 409 saying who holds the namespace', async () => {
    const svc = contested(holders);
    const held = await svc.preview({ entities: [edit('ops')] } as any, all);
    expect(held.cells.map(c => [c.entityRef, c.namespace])).toEqual([['system:ops/core', 'core-development']]);
    const kubeService = held.cells[0].objects.find(o => o.kind === 'Service') as any;
    expect(kubeService.spec.ports.map((p: { port: number }) => p.port)).toEqual([9090]);
    await expect(svc.preview({ entities: [edit('default')] } as any, all)).rejects.toThrow(
      /system:default\/core cannot be compiled: .*held by system:ops\/core/,
    );
  });

  it('without holders (nothing applied yet) refuses both contenders, never with a 500', async () => {
    const svc = contested({});
    await expect(svc.preview({ entities: [edit('ops')] } as any, all)).rejects.toThrow(
      /system:ops\/core cannot be compiled: .*also claimed by system:default\/core/,
    );
  });
});
