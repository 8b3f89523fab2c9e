import request from 'supertest';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { compileCells, buildCellModel, readCellsSettings } from '@cellplane/cells-common';
import { describeWithKube, objectPath, rawRequest, testKubeConfig, uniqueName, KUBECONFIG_ENV } from '@cellplane/kube-testenv';
import { artemisEntities } from './__testUtils__/artemis';
import { ChangingCatalog } from './__testUtils__/catalog';
import { eventually } from './__testUtils__/eventually';
import { managedDiff } from './targets/kubernetes';
import { cellsPlugin } from './plugin';

/**
 * The whole plugin (real scheduler, SQLite, the catalog service's in-memory
 * implementation) with the Artemis cells on the real API server of
 * kube-testenv: the "done when" for the Kubernetes target.
 */
const user = mockCredentials.user.header('user:default/alice');
const POLL_SECONDS = 2;

describeWithKube('the cells backend with a kubernetes target, on a real API server', () => {
  jest.setTimeout(180_000);
  // An environment of its own gives this run namespaces of its own on the shared API server.
  const environment = uniqueName('kt');
  const entities: Entity[] = artemisEntities().map(e =>
    e.kind === 'System' ? { ...e, spec: { ...e.spec, cell: { ...(e.spec as any).cell, environments: [environment] } } } : e,
  );
  const cellsConfig = {
    environments: [{ name: environment, target: { type: 'kubernetes', cluster: 'testenv' } }],
    clusters: [{ name: 'testenv', kubeconfigPath: process.env[KUBECONFIG_ENV] ?? '' }],
    reconcile: { catalogPollInterval: { seconds: POLL_SECONDS }, fullInterval: { hours: 1 } },
    egress: { namespace: uniqueName('egress') },
  };
  const kubeconfig = testKubeConfig();
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let server: any;
  const get = (path: string) => request(server).get(`/api/cells${path}`).set('Authorization', user);
  const compiled = () => {
    const settings = readCellsSettings(cellsConfig);
    const { model } = buildCellModel(entities, { defaultEnvironments: settings.defaultEnvironments, knownEnvironments: [environment] });
    return compileCells(model, settings, { environment });
  };
  const readBack = async (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }) =>
    rawRequest(kubeconfig, 'GET', await objectPath(kubeconfig, o));

  beforeAll(async () => {
    const withEtags = new ChangingCatalog(entities);
    backend = await startTestBackend({
      features: [
        cellsPlugin,
        schedulerServiceFactory,
        catalogServiceMock.factory({ entities: entities.map(e => withEtags.get(stringifyEntityRef(e))!) }),
        mockServices.rootConfig.factory({ data: { cells: cellsConfig } }),
      ],
    });
    server = backend.server;
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('brings the five Artemis cells in sync, every object reading back as compiled', async () => {
    const cells = await eventually(
      'five cells in sync',
      async () => (await get('/cells')).body.items ?? [],
      (items: any[]) => items.length === 5 && items.every(c => c.environments[0]?.state === 'in-sync'),
      120_000,
    );
    expect(cells[0].environments[0].target).toEqual({ type: 'kubernetes', cluster: 'testenv' });
    for (const cell of compiled().cells) {
      for (const o of cell.objects) {
        const live = await readBack(o);
        expect([o.kind, o.metadata.name, live.status]).toEqual([o.kind, o.metadata.name, 200]);
        expect(managedDiff(o, live.body)).toEqual([]);
      }
    }
    // The platform egress namespace of weather-station's external host, ServiceEntry and all.
    const [egress] = compiled().egress;
    expect(egress.objects.map(o => o.kind)).toContain('ServiceEntry');
    for (const o of egress.objects) {
      const live = await eventually(
        `${o.kind} ${o.metadata.name}`,
        () => readBack(o),
        r => r.status === 200,
      );
      expect(managedDiff(o, live.body)).toEqual([]);
    }
    const houston = (await get('/cells/default/houston')).body;
    expect(houston.environments[0].objects.length).toBeGreaterThan(0);
    expect(houston.environments[0].objects.every((o: any) => o.state === 'in-sync')).toBe(true);
  });

  it('leaves a foreign NetworkPolicy alone, and a second reconcile changes no resourceVersion', async () => {
    const houston = compiled().cells.find(c => c.cell === 'system:default/houston')!;
    const foreign = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'team-allow-monitoring', namespace: houston.namespace },
      spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }], policyTypes: ['Ingress'] },
    };
    expect((await rawRequest(kubeconfig, 'POST', `/apis/networking.k8s.io/v1/namespaces/${houston.namespace}/networkpolicies`, foreign)).status).toBe(201);
    const everything = compiled().cells.flatMap(c => c.objects);
    const versions = async () => Promise.all(everything.map(async o => (await readBack(o)).body.metadata.resourceVersion));
    const before = await versions();

    const run = await request(server).post('/api/cells/reconcile').set('Authorization', user).send({});
    expect(run.status).toBe(202);
    const finished = await eventually(
      'the run',
      async () => (await get(`/runs/${run.body.runId}`)).body,
      (r: any) => r.state !== 'running',
    );
    expect(finished.state).toBe('succeeded');
    expect(finished.cells.map((c: any) => [c.state, c.created, c.updated, c.pruned])).toEqual(finished.cells.map(() => ['in-sync', 0, 0, 0]));
    expect(await versions()).toEqual(before);
    expect((await readBack(foreign)).status).toBe(200);
  });

  it('reports a kubectl edit that widens an AuthorizationPolicy as drift with its diff, and repairs it with a history entry naming it', async () => {
    const houston = compiled().cells.find(c => c.cell === 'system:default/houston')!;
    const policy = houston.objects.find(o => o.kind === 'AuthorizationPolicy' && (o.spec as any)?.rules?.length)!;
    const live = (await readBack(policy)).body;
    const rules = [...live.spec.rules, { from: [{ source: { principals: ['*'] } }] }];
    const edit = await rawRequest(
      kubeconfig,
      'PATCH',
      `${await objectPath(kubeconfig, policy)}?fieldManager=kubectl-edit`,
      { spec: { rules } },
      'application/merge-patch+json',
    );
    expect(edit.status).toBe(200);

    // The watch reports the edit; the cell's status says drifted only until the next pass
    // (every POLL_SECONDS) repairs it, too short a window to look for. The repair's history
    // entry is the lasting record: only a drift the watch observed, with its field diff, is
    // repaired under the cause drift-repair and named in the summary.
    const history = await eventually(
      'a repaired-drift history entry',
      async () => (await get('/history?entityRef=system:default/houston')).body.items,
      (items: any[]) => items.some(h => h.summary.startsWith('repaired drift')),
    );
    const entry = history.find((h: any) => h.summary.startsWith('repaired drift'));
    expect(entry.cause).toEqual({ kind: 'drift-repair' });
    expect(entry.updated.map((r: any) => r.name)).toEqual([policy.metadata.name]);
    expect(entry.summary).toContain(`repaired drift (AuthorizationPolicy ${policy.metadata.name} drifted (spec.rules[${live.spec.rules.length}]: (absent) ->`);
    const repaired = (await readBack(policy)).body;
    expect(managedDiff(policy, repaired)).toEqual([]);
    expect(repaired.spec.rules).toHaveLength(live.spec.rules.length);
    await eventually(
      'in sync again',
      async () => (await get('/cells/default/houston')).body,
      (c: any) => c.environments[0].state === 'in-sync',
    );
  });
});
