import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventually } from './__testUtils__/eventually';
import { cellsPlugin } from './plugin';

jest.setTimeout(300_000);

const team = { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'team' }, spec: { type: 'team', children: [] } };
const systemEntity = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name },
  spec: { owner: 'group:default/team', cell: {} },
});
const component = (name: string, system: string, spec: object = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team',
    system,
    endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
    ...spec,
  },
});

/**
 * The real catalog (its processing loop reading a file location) and the real
 * scheduler: entities appear, change, and are first ingested with a
 * processing error then fixed, while the cells backend keeps reconciling; it
 * ends with exactly the catalog's cells, whatever its etag deltas saw.
 */
describe('the cells backend against the real catalog', () => {
  it('converges to the catalog when entities appear, change and are fixed during reconciles', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cells-converge-'));
    const file = path.join(root, 'catalog.yaml');
    const folder = path.join(root, 'development');
    const write = (entities: object[]) => {
      fs.writeFileSync(`${file}.next`, entities.map(e => JSON.stringify(e)).join('\n---\n'));
      fs.renameSync(`${file}.next`, file);
    };
    let entities: object[] = [team, systemEntity('alpha'), component('alpha-api', 'alpha')];
    write(entities);
    const backend = await startTestBackend({
      features: [
        cellsPlugin,
        catalogPlugin,
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [{ allow: ['System', 'Component', 'Group', 'User', 'Location'] }],
              locations: [{ type: 'file', target: file }],
            },
            cells: {
              environments: [{ name: 'development', target: { type: 'directory', path: folder } }],
              reconcile: { catalogPollInterval: { milliseconds: 500 }, fullInterval: { seconds: 3 } },
              workers: { size: 0 },
            },
          },
        }),
      ],
    });
    const cells = async () => {
      const res = await request(backend.server).get('/api/cells/cells').set('Authorization', mockCredentials.user.header());
      return res.status === 200 ? (res.body.items as any[]).map(c => `${c.entityRef} ${c.environments[0].state}`) : [`status ${res.status}`];
    };
    const catalogHas = async (kind: string, name: string) =>
      (await request(backend.server).get(`/api/catalog/entities/by-name/${kind}/default/${name}`).set('Authorization', mockCredentials.user.header()))
        .status === 200;
    const cellFile = (name: string) => (fs.existsSync(path.join(folder, `${name}.yaml`)) ? fs.readFileSync(path.join(folder, `${name}.yaml`), 'utf8') : '');
    try {
      await eventually('alpha in sync', cells, c => c.includes('system:default/alpha in-sync'), 120_000);

      // Appears: a new cell; changes: alpha's component gains a caller; first read with a
      // processing error (a lifecycle that is no string: the Component schema refuses it), then fixed.
      entities = [
        ...entities.filter(e => (e as any).metadata.name !== 'alpha-api'),
        component('alpha-api', 'alpha', { connections: [{ to: 'alpha-worker', methods: ['GET'], paths: ['/jobs'] }] }),
        component('alpha-worker', 'alpha'),
        systemEntity('beta'),
        component('beta-api', 'beta', { lifecycle: 42 }),
      ];
      write(entities);
      await eventually('beta in the cells list', cells, c => c.some(x => x.startsWith('system:default/beta ')), 120_000);
      // The catalog processed the batch and refused beta-api: the catalog has no beta-api.
      await eventually(
        'the catalog to hold alpha-worker',
        () => catalogHas('component', 'alpha-worker'),
        ok => ok,
        120_000,
      );
      await new Promise(r => setTimeout(r, 3_000));
      expect(await catalogHas('component', 'beta-api')).toBe(false);
      entities = entities.map(e => ((e as any).metadata.name === 'beta-api' ? component('beta-api', 'beta') : e));
      write(entities);

      const converged = await eventually(
        'alpha and beta in sync, with their fixed and changed components',
        async () => ({ cells: await cells(), alpha: cellFile('alpha'), beta: cellFile('beta') }),
        s =>
          s.cells.join() === 'system:default/alpha in-sync,system:default/beta in-sync' &&
          s.alpha.includes('alpha-worker') &&
          s.alpha.includes('/jobs') &&
          s.beta.includes('beta-api'),
        180_000,
      );
      expect(converged.cells).toEqual(['system:default/alpha in-sync', 'system:default/beta in-sync']);

      // Goes: beta leaves the catalog and its cell leaves the target.
      write(entities.filter(e => !['beta', 'beta-api'].includes((e as any).metadata.name)));
      await eventually(
        'beta gone',
        async () => ({ cells: await cells(), beta: cellFile('beta') }),
        s => s.cells.join() === 'system:default/alpha in-sync' && s.beta === '',
        180_000,
      );
    } finally {
      await backend.stop();
    }
  });
});
