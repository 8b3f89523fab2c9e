import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import {
  cachedBinaries,
  describeWithKube,
  KubeTestEnvState,
  portIsClosed,
  rawRequest,
  serverSideApply,
  startKubeTestEnv,
  stopKubeTestEnv,
  testKubeConfig,
  uniqueName,
} from '@cellplane/kube-testenv';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { KubernetesTarget } from './KubernetesTarget';
import { managedKindOf, objectPath } from './kinds';
import { compileTestCell, compileTestEgress, TestComponent, until } from './__testUtils__/testCell';

const RBAC_MANIFEST = path.resolve(__dirname, '../../../../../deploy/cells-backend-rbac.yaml');
const logger = mockServices.logger.mock();
const SHOP: TestComponent[] = [
  { name: 'web', calls: [{ to: 'api', methods: ['GET'], paths: ['/items'] }] },
  { name: 'api', calls: [{ to: 'db', methods: ['POST'] }] },
  { name: 'db' },
];

function withToken(kubeconfig: KubeConfig, token: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kubeconfig.getClusters(),
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: kubeconfig.getCurrentCluster()!.name, user: 'sa' }],
    currentContext: 'sa',
  });
  return copy;
}

function kubeconfigOf(state: KubeTestEnvState): KubeConfig {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(state.kubeconfigPath);
  return kubeconfig;
}

/** deploy/cells-backend-rbac.yaml with its names made unique, so the test owns its copy; returns a token of its service account. */
async function bindShippedRbac(admin: KubeConfig, edit: (docs: any[]) => void = () => {}): Promise<string> {
  const suffix = uniqueName('rbac');
  const docs = parseAllDocuments(fs.readFileSync(RBAC_MANIFEST, 'utf8')).map(d => d.toJS());
  const namespace = `cellplane-system-${suffix}`;
  for (const doc of docs) {
    if (doc.kind === 'Namespace') doc.metadata.name = namespace;
    if (doc.metadata.namespace) doc.metadata.namespace = namespace;
    if (doc.kind === 'ClusterRole' || doc.kind === 'ClusterRoleBinding') doc.metadata.name = `${doc.metadata.name}-${suffix}`;
    if (doc.kind === 'ClusterRoleBinding') {
      doc.roleRef.name = `${doc.roleRef.name}-${suffix}`;
      doc.subjects[0].namespace = namespace;
    }
  }
  expect(docs.map(d => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding']);
  edit(docs);
  for (const doc of docs) {
    const applied = await serverSideApply(admin, doc, { fieldManager: 'test' });
    expect(applied.status).toBe(201);
  }
  const account = docs.find(d => d.kind === 'ServiceAccount');
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace,
    name: account.metadata.name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return token.status!.token;
}

describeWithKube('KubernetesTarget with the shipped RBAC and other clusters', () => {
  it('does everything with only the RBAC of deploy/cells-backend-rbac.yaml', async () => {
    const admin = testKubeConfig();
    const target = new KubernetesTarget({
      cluster: 'rbac',
      kubeconfig: withToken(admin, await bindShippedRbac(admin)),
      environment: 'development',
      logger,
    });
    try {
      const name = uniqueName('rbac');
      const cell = compileTestCell(name, SHOP);
      const first = (await target.apply([cell], [], { causes: ['create'] })).cells[0];
      expect(first.message).toBe('');
      expect(first.state).toBe('in-sync');
      // A hand edit taken back by force (the drift repair path), a prune, and observe from the watches.
      const policy = cell.objects.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === `${name}-api`)!;
      const edit = await rawRequest(
        admin,
        'PATCH',
        `${objectPath(managedKindOf(policy)!, policy)}?fieldManager=kubectl-edit`,
        { spec: { action: 'AUDIT' } },
        'application/merge-patch+json',
      );
      expect(edit.status).toBe(200);
      // Apply compares with the watch cache: the edit is seen first (as drift), then repaired.
      await until(
        'drift seen',
        () => target.observe(cell),
        o => o.state === 'drifted',
      );
      const smaller = compileTestCell(
        name,
        SHOP.slice(0, 2).map(c => ({
          ...c,
          calls: c.calls?.filter(x => x.to !== 'db'),
        })),
      );
      const second = (await target.apply([smaller], [], { causes: ['edit'] })).cells[0];
      expect(second.message).toBe('');
      expect(second.state).toBe('in-sync');
      expect(second.changes.prune.length).toBeGreaterThan(0);
      expect((await rawRequest(admin, 'GET', objectPath(managedKindOf(policy)!, policy))).body.spec.action).toBe('ALLOW');
      expect((await target.observe(smaller)).state).toBe('in-sync');
      await target.apply(
        [],
        [
          {
            entityRef: smaller.entityRef,
            cellName: smaller.cellName,
            environment: 'development',
            namespace: smaller.namespace,
          },
        ],
        { causes: ['removed'] },
      );
      const left = await rawRequest(admin, 'GET', `/apis/networking.k8s.io/v1/namespaces/${smaller.namespace}/networkpolicies`);
      expect(left.body.items).toEqual([]);

      // The platform egress namespace, its ServiceEntry included: written and pruned with the same rules.
      const egress = compileTestEgress(name, [{ name: 'web', hosts: ['api.example.com'] }], uniqueName('egress'));
      expect(egress.objects.map(o => o.kind)).toContain('ServiceEntry');
      const written = (await target.apply([egress], [], { causes: ['egress'] })).cells[0];
      expect([written.state, written.message]).toEqual(['in-sync', '']);
      const removed = (await target.apply([], [{ ...egress }], { causes: ['no host'] })).removed[0];
      expect(removed.state).toBe('removed');
      expect(removed.pruned.map(r => r.kind)).toContain('ServiceEntry');
    } finally {
      await target.stop();
    }
  });

  it('names the verb and resource a narrower service account lacks (403)', async () => {
    const admin = testKubeConfig();
    const token = await bindShippedRbac(admin, docs => {
      const role = docs.find(d => d.kind === 'ClusterRole');
      const rule = role.rules.find((r: any) => r.apiGroups[0] === 'networking.k8s.io');
      rule.verbs = ['get', 'list', 'watch'];
    });
    const target = new KubernetesTarget({
      cluster: 'narrow',
      kubeconfig: withToken(admin, token),
      environment: 'development',
      logger,
    });
    try {
      const cell = compileTestCell(uniqueName('narrow'), SHOP);
      const result = (await target.apply([cell], [], { causes: ['create'] })).cells[0];
      expect(result.state).toBe('error');
      expect(result.message).toMatch(
        /NetworkPolicy \S+: forbidden: Cellplane's service account may not patch networkpolicies\.networking\.k8s\.io in namespace/,
      );
    } finally {
      await target.stop();
    }
  });

  describe('on an API server of its own', () => {
    let state: KubeTestEnvState;
    beforeAll(async () => {
      // Without the CRDs: the kube-testenv API server before installCrds.
      state = await startKubeTestEnv({ binaries: cachedBinaries()! });
    }, 120_000);
    afterAll(() => state && stopKubeTestEnv(state), 60_000);

    it('without the Istio and Gateway API CRDs, applies L3/L4 and reports the cell degraded', async () => {
      const kubeconfig = kubeconfigOf(state);
      const target = new KubernetesTarget({
        cluster: 'bare',
        kubeconfig,
        environment: 'development',
        logger,
      });
      try {
        const cell = compileTestCell(uniqueName('bare'), SHOP);
        const result = (await target.apply([cell], [], { causes: ['create'] })).cells[0];
        expect(result.state).toBe('degraded');
        expect(result.message).toMatch(/L7 is unavailable: the cluster does not serve security\.istio\.io\/v1 AuthorizationPolicy/);
        expect(result.message).toMatch(/mTLS is unavailable/);
        const l3l4 = ['NetworkPolicy', 'Namespace', 'ServiceAccount', 'Service', 'Role', 'RoleBinding'];
        const stateOf = (kind: string, name: string) => result.objects.find(s => s.kind === kind && s.name === name)!.state;
        const read = async (kinds: (kind: string) => boolean) =>
          Promise.all(
            cell.objects
              .filter(o => kinds(o.kind))
              .map(
                async o =>
                  `${o.kind}/${o.metadata.name} ${(await rawRequest(kubeconfig, 'GET', objectPath(managedKindOf(o)!, o))).status} ${stateOf(
                    o.kind,
                    o.metadata.name,
                  )}`,
              ),
          );
        const applied = await read(k => l3l4.includes(k));
        const skipped = await read(k => !l3l4.includes(k));
        expect(applied.length).toBeGreaterThan(5);
        expect(applied.filter(line => !line.endsWith(' 200 in-sync'))).toEqual([]);
        expect(skipped.length).toBeGreaterThan(3);
        expect(skipped.filter(line => !line.endsWith(' 404 unavailable'))).toEqual([]);
        const observed = await target.observe(cell);
        expect(observed.state).toBe('degraded');
        const writes = target.http.writeCount();
        expect((await target.apply([cell], [], { causes: ['again'] })).cells[0].state).toBe('degraded');
        expect(target.http.writeCount()).toBe(writes);
      } finally {
        await target.stop();
      }
    });

    it('gives an error when the API server stops mid-apply, then converges after it restarts', async () => {
      const kubeconfig = kubeconfigOf(state);
      const target = new KubernetesTarget({
        cluster: 'restart',
        kubeconfig,
        environment: 'development',
        logger,
        retry: { attempts: 3, initialDelayMs: 100 },
        syncTimeoutMs: 3000,
      });
      try {
        await target.start();
        const cell = compileTestCell(uniqueName('restart'), SHOP);
        const args = fs.readFileSync(`/proc/${state.pids.kubeApiserver}/cmdline`, 'utf8').split('\0').filter(Boolean);
        // Stop the real API server process after the third write of the apply, and wait until it is gone.
        const request = target.http.request.bind(target.http);
        let patches = 0;
        target.http.request = async (method, apiPath, ...rest) => {
          if (method === 'PATCH' && ++patches === 3) {
            process.kill(state.pids.kubeApiserver, 'SIGKILL');
            while (!(await portIsClosed(state.server))) await new Promise(r => setTimeout(r, 50));
          }
          return request(method, apiPath, ...rest);
        };
        const interrupted = (await target.apply([cell], [], { causes: ['create'] })).cells[0];
        expect(interrupted.state).toBe('error');
        expect(interrupted.message).toMatch(/ECONNREFUSED|cannot reach/);
        expect((await target.observe(cell)).state).toBe('error');

        // The same binary and flags: same port, certificates and etcd data.
        const child = spawn(args[0], args.slice(1), { stdio: 'ignore' });
        state.pids.kubeApiserver = child.pid!;
        const ready = Date.now() + 60_000;
        while (
          (
            await rawRequest(kubeconfig, 'GET', '/readyz').catch(() => ({
              status: 0,
            }))
          ).status !== 200
        ) {
          if (Date.now() > ready) throw new Error('the API server did not come back');
          await new Promise(r => setTimeout(r, 200));
        }
        // The watches restart on their own backoff (up to 5 s apart): wait for them,
        // then one apply must converge.
        await target.waitForLiveView(60_000);
        const converged = (await target.apply([cell], [], { causes: ['retry'] })).cells[0];
        expect(converged.message).toMatch(/unavailable|^$/);
        expect(converged.state).toBe('degraded');
        expect(converged.objects.filter(o => o.state !== 'in-sync' && o.state !== 'unavailable')).toEqual([]);
        const observed = await target.observe(cell);
        expect(observed.objects.filter(o => o.state === 'missing' || o.state === 'drifted')).toEqual([]);
      } finally {
        await target.stop();
      }
    });
  });
});
