import { mockServices } from '@backstage/backend-test-utils';
import { CELL_OBJECT_NAMES, KubeObject, compiledObjectRole } from '@cellplane/cells-common';
import { describeWithKube, rawRequest, serverSideApply, testKubeConfig, uniqueName } from '@cellplane/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { CellOutcome, DesiredCell } from '../types';
import { KubernetesTarget } from './KubernetesTarget';
import { managedDiff } from '@cellplane/plugin-cells-node';
import { compileTestCell, pathOf, TestComponent, until } from './__testUtils__/testCell';

const logger = mockServices.logger.mock();

function newTarget(kubeconfig: KubeConfig) {
  return new KubernetesTarget({
    cluster: 'test',
    kubeconfig,
    environment: 'development',
    logger,
  });
}

const SHOP: TestComponent[] = [
  { name: 'web', calls: [{ to: 'api', methods: ['GET'], paths: ['/items'] }] },
  { name: 'api', calls: [{ to: 'db', methods: ['POST'] }] },
  { name: 'db' },
];

/**
 * Resolves with the cell's outcome the first time a watch event for the cell
 * finds it drifted; fails after a generous bound that only catches a broken
 * watch (no assertion depends on how long it took).
 */
function driftReportedByWatch(target: KubernetesTarget, cell: DesiredCell, timeoutMs = 60_000): Promise<CellOutcome> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`no watch event found ${cell.entityRef} drifted in ${timeoutMs} ms`));
    }, timeoutMs);
    target.onChange(async entityRef => {
      if (done || entityRef !== cell.entityRef) return;
      const outcome = await target.observe(cell).catch(() => undefined);
      if (done || outcome?.state !== 'drifted') return;
      done = true;
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

describeWithKube('KubernetesTarget on a real API server', () => {
  let kubeconfig: KubeConfig;
  let target: KubernetesTarget;
  beforeAll(async () => {
    kubeconfig = testKubeConfig();
    target = newTarget(kubeconfig);
    await target.start();
  });
  afterAll(() => target.stop());

  const resourceVersions = async (cell: DesiredCell) =>
    Promise.all(cell.objects.map(async o => (await rawRequest(kubeconfig, 'GET', pathOf(o))).body.metadata.resourceVersion));

  it('converges a new cell: every object reads back as compiled; the second apply writes nothing', async () => {
    const cell = compileTestCell(uniqueName('shop'), SHOP);
    const first = await target.apply([cell], [], { causes: ['test'] });
    expect(first.cells[0].message).toBe('');
    expect(first.cells[0].state).toBe('in-sync');
    expect(first.cells[0].changes.create).toHaveLength(cell.objects.length);
    for (const o of cell.objects) {
      const live = await rawRequest(kubeconfig, 'GET', pathOf(o));
      expect(live.status).toBe(200);
      expect(managedDiff(o, live.body)).toEqual([]);
      const managers = (live.body.metadata.managedFields ?? []).map((f: { manager: string }) => f.manager);
      expect(managers).toEqual(['cellplane']);
    }
    const before = await resourceVersions(cell);
    const writes = target.http.writeCount();
    const total = () => Object.values(target.http.counts).reduce((a, b) => a + b, 0);
    const requests = total();
    const second = await target.apply([cell], [], { causes: ['again'] });
    // Everything is compared with the watch caches: no request at all, not a GET per object.
    expect(total() - requests).toBe(0);
    process.stderr.write(`[kubernetes target] steady-state apply of ${cell.objects.length} objects: ${total() - requests} requests\n`);
    expect(second.cells[0]).toMatchObject({
      state: 'in-sync',
      changes: {
        create: [],
        update: [],
        prune: [],
        unchanged: cell.objects.length,
      },
    });
    expect(target.http.writeCount() - writes).toBe(0);
    expect(await resourceVersions(cell)).toEqual(before);
    const observed = await target.observe(cell);
    expect(observed.objects.filter(o => o.state !== 'in-sync')).toEqual([]);
    // Nothing sets Programmed here (no Istio): the status says so rather than claim a working waypoint.
    expect(observed.message).toMatch(/waypoint waypoint is not Programmed/);
  });

  it('updates exactly the objects an entity edit affects, and prunes a removed component', async () => {
    const name = uniqueName('edit');
    const cell = compileTestCell(name, SHOP);
    await target.apply([cell], [], { causes: ['create'] });
    const edited = compileTestCell(name, [
      {
        name: 'web',
        calls: [{ to: 'api', methods: ['GET', 'PUT'], paths: ['/items'] }],
      },
      ...SHOP.slice(1),
    ]);
    const changed = edited.objects.filter(
      o => JSON.stringify(o) !== JSON.stringify(cell.objects.find(c => c.kind === o.kind && c.metadata.name === o.metadata.name)),
    );
    expect(changed.length).toBeGreaterThan(0);
    const plan = await target.plan(edited);
    const result = await target.apply([edited], [], { causes: ['edit'] });
    const names = (refs: { kind: string; name: string }[]) => refs.map(r => `${r.kind}/${r.name}`).sort();
    expect(names(plan.update)).toEqual(names(changed.map(o => ({ kind: o.kind, name: o.metadata.name }))));
    expect(names(result.cells[0].changes.update)).toEqual(names(plan.update));
    expect(result.cells[0].changes.create).toEqual([]);
    expect(result.cells[0].changes.prune).toEqual([]);

    // db leaves the cell (and api's call to it): its objects are pruned, the rest stays.
    const smaller = compileTestCell(name, [
      {
        name: 'web',
        calls: [{ to: 'api', methods: ['GET'], paths: ['/items'] }],
      },
      { name: 'api' },
    ]);
    const gone = cell.objects.filter(o => !smaller.objects.some(s => s.kind === o.kind && s.metadata.name === o.metadata.name));
    expect(gone.length).toBeGreaterThan(0);
    const pruned = await target.apply([smaller], [], { causes: ['remove db'] });
    expect(pruned.cells[0].state).toBe('in-sync');
    expect(names(pruned.cells[0].changes.prune)).toEqual(names(gone.map(o => ({ kind: o.kind, name: o.metadata.name }))));
    for (const o of gone) expect((await rawRequest(kubeconfig, 'GET', pathOf(o))).status).toBe(404);
    for (const o of smaller.objects) expect((await rawRequest(kubeconfig, 'GET', pathOf(o))).status).toBe(200);
    await until(
      'observe in sync after prune',
      () => target.observe(smaller),
      o => o.state === 'in-sync',
    );
  });

  it('never touches a foreign NetworkPolicy or a same-named object it does not own: the cell reports a conflict', async () => {
    const name = uniqueName('foreign');
    const cell = compileTestCell(name, SHOP);
    const policy = cell.objects.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === `${name}-api`)!;
    // The namespace first, as Cellplane makes it, then someone else's objects inside it.
    await target.apply([{ ...cell, objects: cell.objects.filter(o => o.kind === 'Namespace') }], [], { causes: ['ns'] });
    const foreignPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'team-allow-metrics', namespace: cell.namespace },
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 9090 }] }] },
    };
    const sameName = {
      apiVersion: policy.apiVersion,
      kind: policy.kind,
      metadata: { name: policy.metadata.name, namespace: cell.namespace },
      spec: { action: 'ALLOW', rules: [{}] },
    };
    expect(
      (
        await serverSideApply(kubeconfig, foreignPolicy, {
          fieldManager: 'team',
        })
      ).status,
    ).toBe(201);
    expect((await serverSideApply(kubeconfig, sameName, { fieldManager: 'team' })).status).toBe(201);
    const snapshot = async () => Promise.all([foreignPolicy, sameName].map(async o => (await rawRequest(kubeconfig, 'GET', pathOf(o as KubeObject))).body));
    const [np0, ap0] = await snapshot();

    for (let i = 0; i < 2; i++) {
      const result = (await target.apply([cell], [], { causes: [`reconcile ${i}`] })).cells[0];
      expect(result.state).toBe('error');
      expect(result.message).toContain(`AuthorizationPolicy ${cell.namespace}/${name}-api already exists and is not managed by Cellplane`);
      expect(result.objects.find(o => o.name === `${name}-api` && o.kind === 'AuthorizationPolicy')?.state).toBe('conflict');
      // Default-deny waits: applying it without the allow rule would break the declared call.
      expect(result.objects.find(o => o.kind === 'NetworkPolicy' && o.name === CELL_OBJECT_NAMES.defaultDeny)?.state).toBe('pending');
    }
    const [np1, ap1] = await snapshot();
    expect(np1.metadata.resourceVersion).toBe(np0.metadata.resourceVersion);
    expect(ap1.metadata.resourceVersion).toBe(ap0.metadata.resourceVersion);
    expect(ap1.metadata.labels).toBeUndefined();
    expect(ap1.spec).toEqual(sameName.spec);
    const observed = await target.observe(cell);
    expect(observed.state).toBe('error');
    expect(observed.objects.find(o => o.kind === 'AuthorizationPolicy' && o.name === `${name}-api`)?.state).toBe('conflict');
    expect(observed.objects.some(o => o.name === 'team-allow-metrics')).toBe(false);

    // Once the team removes its object, the cell converges and their NetworkPolicy still stands.
    expect((await rawRequest(kubeconfig, 'DELETE', pathOf(sameName as KubeObject))).status).toBe(200);
    const fixed = (await target.apply([cell], [], { causes: ['after fix'] })).cells[0];
    expect(fixed.state).toBe('in-sync');
    expect((await rawRequest(kubeconfig, 'GET', pathOf(foreignPolicy as KubeObject))).body.metadata.resourceVersion).toBe(np0.metadata.resourceVersion);
  });

  it('reports a hand edit that widens an AuthorizationPolicy as drift when its watch event arrives, with its field diff, and repairs it', async () => {
    const name = uniqueName('drift');
    const cell = compileTestCell(name, SHOP);
    expect((await target.apply([cell], [], { causes: ['create'] })).cells[0].state).toBe('in-sync');
    const policy = cell.objects.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === `${name}-api`)!;
    const live = (await rawRequest(kubeconfig, 'GET', pathOf(policy))).body;
    const rules = live.spec.rules;
    const methods: string[] = rules[0].to[0].operation.methods;
    rules[0].to[0].operation.methods = [...methods, 'DELETE'];
    // The watch, not a periodic list, reports the edit: the cell's drift is read from the
    // cache when the watch event for this cell arrives (no polling, no wall-time bound).
    const seenByWatch = driftReportedByWatch(target, cell);
    // A kubectl edit: an update by another field manager.
    const started = Date.now();
    const edit = await rawRequest(kubeconfig, 'PATCH', `${pathOf(policy)}?fieldManager=kubectl-edit`, { spec: { rules } }, 'application/merge-patch+json');
    expect(edit.status).toBe(200);
    const drifted = await seenByWatch;
    process.stderr.write(`[kubernetes target] hand edit to drifted: ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
    const status = drifted.objects.find(o => o.kind === 'AuthorizationPolicy' && o.name === `${name}-api`)!;
    expect(status.state).toBe('drifted');
    expect(status.diff).toEqual([`spec.rules[0].to[0].operation.methods[${methods.length}]: (absent) -> "DELETE"`]);

    const repaired = (await target.apply([cell], [], { causes: ['repair'] })).cells[0];
    expect(repaired.state).toBe('in-sync');
    expect(repaired.changes.update.map(r => r.name)).toEqual([`${name}-api`]);
    const after = (await rawRequest(kubeconfig, 'GET', pathOf(policy))).body;
    expect(after.spec.rules[0].to[0].operation.methods).toEqual(methods);
    await until(
      'in sync after repair',
      () => target.observe(cell),
      o => o.state === 'in-sync',
    );
  });

  it('reports a pod under a service account no component owns, naming the pod', async () => {
    const cell = compileTestCell(uniqueName('pods'), SHOP);
    await target.apply([cell], [], { causes: ['create'] });
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'rogue',
        namespace: cell.namespace,
        labels: { app: 'rogue' },
      },
      spec: {
        serviceAccountName: 'intruder',
        automountServiceAccountToken: false,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 1000,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        containers: [
          {
            name: 'c',
            image: 'busybox',
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      },
    };
    // No controller runs here to make service accounts: the pod's own is made by hand.
    const account = { metadata: { name: 'intruder' } };
    expect((await rawRequest(kubeconfig, 'POST', `/api/v1/namespaces/${cell.namespace}/serviceaccounts`, account)).status).toBe(201);
    const created = await rawRequest(kubeconfig, 'POST', `/api/v1/namespaces/${cell.namespace}/pods`, pod);
    expect(created.body.message).toBeUndefined();
    expect(created.status).toBe(201);
    const observed = await until(
      'rogue pod seen',
      () => target.observe(cell),
      o => o.message.includes('pod rogue'),
    );
    expect(observed.message).toContain('pod rogue: runs under service account intruder, which no component owns: its calls will be denied');
    expect(observed.state).toBe('in-sync');
  });

  it('names the object and field of a schema rejection, and applies nothing after the failed phase', async () => {
    const cell = compileTestCell(uniqueName('schema'), SHOP);
    const broken = cell.objects.map(o =>
      o.kind === 'AuthorizationPolicy' && compiledObjectRole(o) !== 'waypoint-only' && (o.spec as any).rules
        ? { ...o, spec: { ...(o.spec as object), action: 'PERMIT' } }
        : o,
    );
    const result = (
      await target.apply([{ ...cell, objects: broken }], [], {
        causes: ['bad'],
      })
    ).cells[0];
    expect(result.state).toBe('error');
    expect(result.message).toMatch(/AuthorizationPolicy \S+: the API server rejected it: spec\.action/);
    const deny = cell.objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === CELL_OBJECT_NAMES.defaultDeny)!;
    expect((await rawRequest(kubeconfig, 'GET', pathOf(deny))).status).toBe(404);
    const observed = await target.observe(cell);
    expect(observed.state).toBe('error');
  });

  it('reports the waypoint Programmed once its status says so, and a namespace that left ambient mode as drift', async () => {
    const cell = compileTestCell(uniqueName('waypoint'), SHOP);
    await target.apply([cell], [], { causes: ['create'] });
    const gateway = cell.objects.find(o => o.kind === 'Gateway')!;
    expect((await target.observe(cell)).message).toContain(`waypoint ${gateway.metadata.name} is not Programmed`);
    // Istio's controller sets this on a real cluster; nothing does here, so the test writes the status subresource.
    const condition = {
      type: 'Programmed',
      status: 'True',
      reason: 'Programmed',
      message: '',
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      observedGeneration: 1,
    };
    const status = await rawRequest(kubeconfig, 'PATCH', `${pathOf(gateway)}/status`, { status: { conditions: [condition] } }, 'application/merge-patch+json');
    expect(status.status).toBe(200);
    const programmed = await until(
      'Programmed seen',
      () => target.observe(cell),
      o => !o.message.includes('not Programmed'),
    );
    expect(programmed.state).toBe('in-sync');

    const namespace = cell.objects.find(o => o.kind === 'Namespace')!;
    const edit = await rawRequest(
      kubeconfig,
      'PATCH',
      pathOf(namespace),
      { metadata: { labels: { 'istio.io/dataplane-mode': null } } },
      'application/merge-patch+json',
    );
    expect(edit.status).toBe(200);
    const drifted = await until(
      'namespace drift seen',
      () => target.observe(cell),
      o => o.state === 'drifted',
    );
    expect(drifted.message).toContain(`namespace ${namespace.metadata.name} is not enrolled in ambient mode`);
    expect(drifted.objects.find(o => o.kind === 'Namespace')?.diff).toEqual(['metadata.labels["istio.io/dataplane-mode"]: "ambient" -> (absent)']);
  });
});
