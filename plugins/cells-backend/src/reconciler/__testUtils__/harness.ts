import fs from 'node:fs';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { compileCells, diffAccess } from '@cellplane/cells-common';
import { CellTarget } from '@cellplane/plugin-cells-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Knex } from 'knex';
import { ChangingCatalog } from '../../__testUtils__/catalog';
import { CatalogCellSource } from '../../catalog/CatalogCellSource';
import { readCellsBackendConfig } from '../../config';
import { DatabaseCellsStore } from '../../storage';
import { CellsStore } from '../../storage/types';
import { CellsReconciler } from '../CellsReconciler';
import { Compile, DiffAccess } from '../isolate';

/** The steps of a pass that can fail, by the name a test arms. */
export const STORE_WRITES = [
  'saveAppliedCells',
  'saveGoodCompilations',
  'addHistory',
  'upsertStatuses',
  'deleteStatuses',
  'deleteGoodCompilations',
  'deleteAppliedCells',
] as const;
export type Step = 'catalog' | 'compile' | 'diff' | 'apply' | (typeof STORE_WRITES)[number];

/** Failures a test arms: each armed step throws until disarmed (the compiler and the diff only for one cell). */
export class Faults {
  private readonly armed = new Set<Step>();
  readonly hits = new Map<Step, number>();

  constructor(readonly cell = 'system:default/houston') {}

  arm(step: Step): void {
    this.armed.add(step);
  }

  disarm(): void {
    this.armed.clear();
  }

  check(step: Step, cells?: Iterable<string>): void {
    if (!this.armed.has(step)) return;
    if (cells && ![...cells].includes(this.cell)) return;
    this.hits.set(step, (this.hits.get(step) ?? 0) + 1);
    throw new Error(`injected failure: ${step}`);
  }

  store(store: CellsStore): CellsStore {
    return new Proxy(store, {
      get: (real, name: string) => {
        const value = (real as any)[name];
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if ((STORE_WRITES as readonly string[]).includes(name)) this.check(name as Step);
          return value.apply(real, args);
        };
      },
    });
  }

  target(target: CellTarget): CellTarget {
    return new Proxy(target, {
      get: (real, name: string) => {
        const value = (real as any)[name];
        if (name !== 'apply') return typeof value === 'function' ? value.bind(real) : value;
        return async (...args: Parameters<CellTarget['apply']>) => {
          this.check('apply');
          return real.apply(...args);
        };
      },
    });
  }

  /** The catalog service, whose queries fail while `catalog` is armed. */
  catalog(service: CatalogService): CatalogService {
    return new Proxy(service, {
      get: (real, name: string) => {
        const value = (real as any)[name];
        return async (...args: unknown[]) => {
          this.check('catalog');
          return value.apply(real, args);
        };
      },
    });
  }

  compile: Compile = (model, settings, options) => {
    this.check('compile', options?.cells ?? model.cells.map(c => c.ref));
    return compileCells(model, settings, options);
  };

  diff: DiffAccess = (before, after, options) => {
    this.check('diff', options.cells);
    return diffAccess(before, after, options);
  };
}

/** A small cell of its own: a System and one component with nothing to call. */
export function tinyCell(name: string, environments?: string[]): Entity[] {
  // Its own owner Group: a cell's owner must be in the catalog to become its RoleBinding's subject.
  const owner = `group:default/${name}-team`;
  return [
    { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: `${name}-team`, namespace: 'default' }, spec: { type: 'team', children: [] } },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name, namespace: 'default' },
      spec: { owner, cell: environments ? { environments } : {} },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: `${name}-svc`, namespace: 'default' },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner,
        system: name,
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
      },
    },
  ];
}

/**
 * A reconciler on a real store (SQLite through knex) and a real target,
 * with a clock, faults and a catalog the test controls. `restart()` makes a
 * new one on the same database, target and catalog, as a backend restart does.
 */
export async function reconcilerHarness(options: {
  knex: Knex;
  catalog: ChangingCatalog;
  /** The environment's target block; default: a folder. */
  target: object;
  makeTarget: (config: ReturnType<typeof readCellsBackendConfig>) => CellTarget;
  environment?: string;
  faults?: Faults;
  fullIntervalMs?: number;
  /** More of the `cells:` block (the compiler's settings, e.g. naming). */
  cells?: Record<string, unknown>;
}) {
  const faults = options.faults ?? new Faults();
  const environment = options.environment ?? 'development';
  const config = readCellsBackendConfig(
    new ConfigReader({
      cells: {
        ...options.cells,
        environments: [{ name: environment, target: options.target }],
        reconcile: { fullInterval: { milliseconds: options.fullIntervalMs ?? 60_000 } },
      },
    }),
  );
  const logger = mockServices.logger.mock();
  let clock = 1_000_000;
  /** A backend (re)start: a new store on `knex` (default: the harness's database), target and reconciler. */
  const start = async (knex: Knex = options.knex) => {
    const store = await DatabaseCellsStore.create({ database: mockServices.database({ knex }) });
    const target = options.makeTarget(config);
    const reconciler = new CellsReconciler({
      source: new CatalogCellSource({ catalog: faults.catalog(options.catalog.service), auth: mockServices.auth() }),
      config,
      targets: new Map([[environment, faults.target(target)]]),
      store: faults.store(store),
      logger,
      now: () => clock,
      compile: faults.compile,
      diffAccess: faults.diff,
    });
    let runs = 0;
    const reconcile = async (full = false) => {
      const runId = `run-${++runs}-${clock}`;
      return reconciler.reconcile({ trigger: 'schedule', full }, runId);
    };
    return { store, target, reconciler, reconcile };
  };
  return {
    faults,
    logger,
    config,
    tick: (ms: number) => (clock += ms),
    start,
  };
}

/** Every file of a folder by name, with its bytes. */
export function folderFiles(folder: string): Record<string, string> {
  if (!fs.existsSync(folder)) return {};
  return Object.fromEntries(
    fs
      .readdirSync(folder)
      .sort()
      .map(f => [f, fs.readFileSync(path.join(folder, f), 'utf8')]),
  );
}
