import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ApplyContext,
  ApplyResult,
  CellOutcome,
  CellTarget,
  cellsTargetsExtensionPoint,
  DesiredCell,
  noChanges,
  objectRef,
  RemovedCell,
} from '@cellplane/plugin-cells-node';
import { artemisEntities } from './__testUtils__/artemis';
import { ChangingCatalog } from './__testUtils__/catalog';
import { eventually } from './__testUtils__/eventually';
import { cellsPlugin } from './plugin';

jest.setTimeout(120_000);

/** A target that keeps what it is given in memory, as a pull-request target would keep a branch. */
class MemoryTarget implements CellTarget {
  readonly description;
  readonly held = new Map<string, DesiredCell>();
  readonly causes: string[][] = [];

  constructor(readonly options: { environment: string; repo: string }) {
    this.description = { type: 'memory', repo: options.repo };
  }

  private outcome(cell: DesiredCell): CellOutcome {
    return {
      entityRef: cell.entityRef,
      environment: cell.environment,
      changes: noChanges(cell.objects.length),
      state: 'in-sync',
      message: '',
      objects: cell.objects.map(o => ({ ...objectRef(o), state: 'in-sync' as const })),
    };
  }

  async plan() {
    return noChanges();
  }

  async apply(upsert: DesiredCell[], remove: RemovedCell[], context: ApplyContext): Promise<ApplyResult> {
    this.causes.push(context.causes);
    upsert.forEach(c => this.held.set(c.entityRef, c));
    remove.forEach(c => this.held.delete(c.entityRef));
    return {
      cells: upsert.map(c => ({ ...this.outcome(c), changes: { ...noChanges(), create: c.objects.map(objectRef) } })),
      removed: remove.map(c => ({ entityRef: c.entityRef, environment: c.environment, state: 'removed', pruned: [], message: '' })),
    };
  }

  async observe(cell: DesiredCell) {
    return this.outcome(cell);
  }
}

describe('a backend module that adds a target type', () => {
  it('registers it through cellsTargetsExtensionPoint, and an environment that names it is reconciled into it', async () => {
    const made: MemoryTarget[] = [];
    const memoryTargetModule = createBackendModule({
      pluginId: 'cells',
      moduleId: 'memory-target',
      register(reg) {
        reg.registerInit({
          deps: { targets: cellsTargetsExtensionPoint },
          async init({ targets }) {
            targets.addTargetFactory('memory', ({ environment, config }) => {
              const target = new MemoryTarget({ environment, repo: config.getString('repo') });
              made.push(target);
              return target;
            });
          },
        });
      },
    });
    const withEtags = new ChangingCatalog(artemisEntities());
    const backend = await startTestBackend({
      features: [
        cellsPlugin,
        memoryTargetModule,
        catalogServiceMock.factory({ entities: artemisEntities().map(e => withEtags.get(stringifyEntityRef(e))!) }),
        mockServices.rootConfig.factory({ data: { cells: { environments: [{ name: 'development', target: { type: 'memory', repo: 'platform/gitops' } }] } } }),
      ],
    });
    try {
      const user = mockCredentials.user.header('user:default/alice');
      // The test scheduler runs the reconcile task once at start; wait for its first pass.
      const cells: any[] = await eventually(
        'the first pass to bring the five cells in sync',
        async () => (await request(backend.server).get('/api/cells/cells').set('Authorization', user)).body.items ?? [],
        items => items.length === 5 && items.every((c: any) => c.environments[0].state === 'in-sync'),
      );
      expect(cells.map(c => c.environments[0].state)).toEqual(['in-sync', 'in-sync', 'in-sync', 'in-sync', 'in-sync']);
      expect(cells[0].environments[0].target).toEqual({ type: 'memory', repo: 'platform/gitops' });
      expect(made).toHaveLength(1);
      expect([...made[0].held.keys()].sort()).toEqual(cells.map(c => c.entityRef));
      expect(made[0].held.get('system:default/houston')!.objects.some(o => o.kind === 'AuthorizationPolicy')).toBe(true);
    } finally {
      await backend.stop();
    }
  });

  it('fails the backend at start when an environment names a type no module added, listing the known ones', async () => {
    await expect(
      startTestBackend({
        features: [
          cellsPlugin,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({ data: { cells: { environments: [{ name: 'development', target: { type: 'memory' } }] } } }),
        ],
      }),
    ).rejects.toThrow(/cells\.environments\[0\]\.target\.type: must be directory or kubernetes, not "memory" \(a backend module can add other target types\)/);
  });

  it('refuses a module that would replace a built-in type', async () => {
    const hijack = createBackendModule({
      pluginId: 'cells',
      moduleId: 'hijack',
      register(reg) {
        reg.registerInit({
          deps: { targets: cellsTargetsExtensionPoint },
          async init({ targets }) {
            targets.addTargetFactory('kubernetes', () => {
              throw new Error('never called');
            });
          },
        });
      },
    });
    await expect(
      startTestBackend({
        features: [
          cellsPlugin,
          hijack,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({
            data: {
              cells: { environments: [{ name: 'development', target: { type: 'directory', path: fs.mkdtempSync(path.join(os.tmpdir(), 'cells-hijack-')) } }] },
            },
          }),
        ],
      }),
    ).rejects.toThrow(/cells target type "kubernetes" is already built in/);
  });
});
