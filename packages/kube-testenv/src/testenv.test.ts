import { ApiextensionsV1Api, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { cachedBinaries, pinnedVersions } from './binaries';
import { isEstablished, ISTIO_WAYPOINT_GATEWAY_CLASS, readCrds } from './crds';
import { objectPath, rawRequest, serverSideApply } from './rest';
import { createTestNamespace, describeWithKube, testKubeConfig } from './testing';

/** The kinds Cellplane's compiler emits that come from CRDs. */
const CELLPLANE_CRDS = [
  'authorizationpolicies.security.istio.io',
  'peerauthentications.security.istio.io',
  'requestauthentications.security.istio.io',
  'gateways.gateway.networking.k8s.io',
  'gatewayclasses.gateway.networking.k8s.io',
  'httproutes.gateway.networking.k8s.io',
  'ciliumnetworkpolicies.cilium.io',
  'securitypolicies.gateway.envoyproxy.io',
  'backendtrafficpolicies.gateway.envoyproxy.io',
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

describeWithKube('the test API server', () => {
  let kubeconfig: KubeConfig;
  beforeAll(() => {
    kubeconfig = testKubeConfig();
  });

  it('is the pinned kube-apiserver release', async () => {
    const version = await rawRequest(kubeconfig, 'GET', '/version');
    expect(version.status).toBe(200);
    expect(version.body.gitVersion).toBe(pinnedVersions()['k8s.io/kubernetes']);
  });

  it('serves every CRD of the pinned Istio, Gateway API and Cilium modules, Established', async () => {
    const expected = readCrds(cachedBinaries()!.crdsDir).map(c => c.metadata!.name!);
    const served = (await kubeconfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition()).items;
    const established = served.filter(isEstablished).map(c => c.metadata!.name!);
    expect(established.sort()).toEqual([...expected].sort());
    expect(established).toEqual(expect.arrayContaining(CELLPLANE_CRDS));
    expect(expected.length).toBeGreaterThan(30);
  });

  it('has the istio-waypoint GatewayClass', async () => {
    const path = await objectPath(kubeconfig, ISTIO_WAYPOINT_GATEWAY_CLASS);
    const response = await rawRequest(kubeconfig, 'GET', path);
    expect(response.status).toBe(200);
    expect(response.body.spec.controllerName).toBe('istio.io/mesh-controller');
  });

  it('rejects what the real CRD schemas reject', async () => {
    const namespace = await createTestNamespace(kubeconfig, 'schema');
    const policy = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'p', namespace },
      spec: { action: 'PERMIT', rules: [{}] },
    };
    const badEnum = await serverSideApply(kubeconfig, policy, { fieldManager: 'test' });
    expect(badEnum.status).toBe(422);
    expect(badEnum.body.message).toMatch(/spec\.action/);

    const unknownField = await serverSideApply(
      kubeconfig,
      { ...policy, spec: { action: 'ALLOW', rules: [{ to: [{ operation: { verbs: ['GET'] } }] }] } },
      { fieldManager: 'test' },
    );
    // Server-side apply cannot even build the typed patch: a 500, not a 422, and nothing stored.
    expect(unknownField.status).toBe(500);
    expect(unknownField.body.message).toMatch(/\.spec\.rules\[0\]\.to\[0\]\.operation\.verbs: field not declared in schema/);
    expect((await rawRequest(kubeconfig, 'GET', await objectPath(kubeconfig, policy))).status).toBe(404);

    const ok = await serverSideApply(
      kubeconfig,
      { ...policy, spec: { action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] } },
      { fieldManager: 'test' },
    );
    expect(ok.status).toBe(201);
  });

  it('does not serve kinds whose CRD is not installed', async () => {
    await expect(objectPath(kubeconfig, { apiVersion: 'telemetry.example.invalid/v1', kind: 'Widget', metadata: { name: 'w' } })).rejects.toThrow(
      /discovery of telemetry.example.invalid\/v1 failed: 404/,
    );
  });

  it('authorizes with RBAC and signs service-account tokens', async () => {
    const core = kubeconfig.makeApiClient(CoreV1Api);
    const own = await createTestNamespace(kubeconfig, 'rbac');
    const other = await createTestNamespace(kubeconfig, 'rbac-other');
    await core.createNamespacedServiceAccount({ namespace: own, body: { metadata: { name: 'reader' } } });
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      namespace: own,
      name: 'reader',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const asReader = withToken(kubeconfig, tokenRequest.status!.token);

    const before = await rawRequest(asReader, 'GET', `/api/v1/namespaces/${own}/configmaps`);
    expect(before.status).toBe(403);
    expect(before.body.message).toContain(`system:serviceaccount:${own}:reader`);

    for (const object of [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'read-configmaps', namespace: own },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'reader', namespace: own },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: own }],
      },
    ]) {
      expect((await serverSideApply(kubeconfig, object, { fieldManager: 'test' })).status).toBe(201);
    }
    expect((await rawRequest(asReader, 'GET', `/api/v1/namespaces/${own}/configmaps`)).status).toBe(200);
    expect((await rawRequest(asReader, 'GET', `/api/v1/namespaces/${other}/configmaps`)).status).toBe(403);
    expect((await rawRequest(asReader, 'GET', `/api/v1/namespaces/${own}/secrets`)).status).toBe(403);
  });

  it('reports server-side apply conflicts between field managers', async () => {
    const namespace = await createTestNamespace(kubeconfig, 'ssa');
    const configMap = (value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', namespace }, data: { key: value } });
    expect((await serverSideApply(kubeconfig, configMap('a'), { fieldManager: 'first' })).status).toBe(201);
    const conflict = await serverSideApply(kubeconfig, configMap('b'), { fieldManager: 'second' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toMatch(/conflict with "first".*\.data\.key/s);
    const forced = await serverSideApply(kubeconfig, configMap('b'), { fieldManager: 'second', force: true });
    expect(forced.status).toBe(200);
    expect(forced.body.data.key).toBe('b');
  });

  it('streams watch events', async () => {
    const namespace = await createTestNamespace(kubeconfig, 'watch');
    const seen: string[] = [];
    const added = new Promise<void>((resolve, reject) => {
      new Watch(kubeconfig)
        .watch(
          `/api/v1/namespaces/${namespace}/configmaps`,
          {},
          (type, object) => {
            seen.push(`${type} ${object.metadata.name}`);
            if (type === 'ADDED') resolve();
          },
          error => error && reject(error),
        )
        .then(controller => added.finally(() => controller.abort()), reject);
    });
    await kubeconfig.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace, body: { metadata: { name: 'watched' } } });
    await added;
    expect(seen).toEqual(['ADDED watched']);
  });
});
