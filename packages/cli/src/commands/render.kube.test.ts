import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { describeWithKube, objectPath, rawRequest, serverSideApply, testKubeConfig, uniqueName } from '@cellplane/kube-testenv';
import { readDocuments } from '../lib/readDocuments';
import { cellplane } from '../testing/runCli';

const ARTEMIS = path.resolve(__dirname, '../../../../examples/artemis');
const FIELD_MANAGER = 'cellplane';

type Json = any;

/** Where `sent` is not contained in `stored`: every field Cellplane wrote must come back as written. */
function missingFrom(sent: Json, stored: Json, at = ''): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(stored) || stored.length !== sent.length) return [`${at}: sent ${JSON.stringify(sent)}, stored ${JSON.stringify(stored)}`];
    return sent.flatMap((item, i) => missingFrom(item, stored[i], `${at}[${i}]`));
  }
  if (sent !== null && typeof sent === 'object') {
    if (stored === null || typeof stored !== 'object') return [`${at}: sent an object, stored ${JSON.stringify(stored)}`];
    return Object.keys(sent).flatMap(key => missingFrom(sent[key], stored[key], `${at}.${key}`));
  }
  return sent === stored ? [] : [`${at}: sent ${JSON.stringify(sent)}, stored ${JSON.stringify(stored)}`];
}

/** The repo's app-config.yaml `cells.gateway`: the Artemis example's identity provider. */
function exampleGateway(): Json {
  return parse(fs.readFileSync(path.resolve(ARTEMIS, '../../app-config.yaml'), 'utf8')).cells.gateway;
}

/**
 * examples/artemis; with Envoy Gateway, flight-director's public endpoint is
 * also rate limited (Istio refuses a rate limit), so both of its policies are compiled.
 */
function artemisCatalog(tmp: string, implementation: Implementation): string {
  if (implementation === 'istio') return ARTEMIS;
  const dir = path.join(tmp, 'catalog');
  fs.cpSync(ARTEMIS, dir, { recursive: true });
  const houston = path.join(dir, 'houston.yaml');
  const text = fs.readFileSync(houston, 'utf8');
  const auth = '      auth: { provider: artemis-idp';
  expect(text).toContain(auth);
  fs.writeFileSync(houston, text.replace(auth, `      rateLimit: { requests: 20, per: minute, by: client-ip }\n${auth}`));
  return dir;
}

type Implementation = 'istio' | 'envoy-gateway';

async function renderArtemis(tmp: string, environment: { networkPolicy: 'kubernetes' | 'cilium' }, implementation: Implementation = 'istio') {
  // A control-plane namespace of this test's own gives every cell namespace a fresh name.
  const controlPlaneNamespace = uniqueName('it');
  const config = path.join(tmp, 'app-config.yaml');
  fs.writeFileSync(
    config,
    // The egress namespace too: one of the test's own, like the cells'.
    stringify({
      cells: {
        environments: [{ name: 'development', ...environment }],
        naming: { controlPlaneNamespace },
        egress: { namespace: uniqueName('egress') },
        gateway: { ...exampleGateway(), implementation },
      },
    }),
  );
  const out = path.join(tmp, 'gitops');
  const catalog = artemisCatalog(tmp, implementation);
  const rendered = await cellplane('render', catalog, '--config', config, '--out', out);
  // Five cells, and the platform egress namespace (kennedy/weather-station declares api.weather.gov).
  expect(rendered.stderr).toMatch(/wrote 6 files/);
  return { config, out, catalog, objects: readDocuments([out]).map(d => d.value as Json) };
}

async function read(kubeconfig: KubeConfig, object: Json): Promise<Json> {
  const response = await rawRequest(kubeconfig, 'GET', await objectPath(kubeconfig, object));
  expect(response.status).toBe(200);
  return response.body;
}

describeWithKube('the manifests of cellplane render on a real API server', () => {
  let tmp: string;
  let kubeconfig: KubeConfig;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-kube-render-'));
    kubeconfig = testKubeConfig();
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe.each([
    ['kubernetes', 'istio'],
    ['cilium', 'istio'],
    ['kubernetes', 'envoy-gateway'],
  ] as const)('with %s network policies and the %s gateway', (networkPolicy, implementation) => {
    it('apply with strict field validation, are stored exactly as written, re-apply without change and verify clean as stored', async () => {
      const { config, catalog, objects } = await renderArtemis(tmp, { networkPolicy }, implementation);
      const kinds = new Set(objects.map(o => o.kind));
      expect(kinds).toContain(networkPolicy === 'cilium' ? 'CiliumNetworkPolicy' : 'NetworkPolicy');
      expect(kinds).toEqual(
        new Set([
          'Namespace',
          'ServiceAccount',
          'Role',
          'RoleBinding',
          'Service',
          networkPolicy === 'cilium' ? 'CiliumNetworkPolicy' : 'NetworkPolicy',
          'PeerAuthentication',
          'Gateway',
          'AuthorizationPolicy',
          'HTTPRoute',
          'ServiceEntry',
          // The front door of flight-director's public endpoint.
          ...(implementation === 'istio' ? ['RequestAuthentication'] : ['SecurityPolicy', 'BackendTrafficPolicy']),
        ]),
      );
      // The egress namespace's objects, each accepted by the real API server with its real CRD below.
      const egressNamespace = objects.find(o => o.kind === 'ServiceEntry').metadata.namespace;
      expect(
        objects
          .filter(o => o.metadata.namespace === egressNamespace)
          .map(o => `${o.kind} ${o.metadata.name}`)
          .sort(),
      ).toEqual(
        [
          'AuthorizationPolicy api.weather.gov',
          `${networkPolicy === 'cilium' ? 'CiliumNetworkPolicy' : 'NetworkPolicy'} egress.default-deny`,
          `${networkPolicy === 'cilium' ? 'CiliumNetworkPolicy' : 'NetworkPolicy'} egress.waypoint`,
          'Gateway egress',
          'ServiceEntry api.weather.gov',
        ].sort(),
      );

      // In file order, as a GitOps agent would: each cell's Namespace comes first.
      const rejected: string[] = [];
      for (const object of objects) {
        const response = await serverSideApply(kubeconfig, object, { fieldManager: FIELD_MANAGER });
        if (response.status !== 201) rejected.push(`${object.kind} ${object.metadata.name}: ${response.status} ${response.body?.message}`);
        for (const warning of response.warnings) rejected.push(`${object.kind} ${object.metadata.name}: warning ${warning}`);
      }
      expect(rejected).toEqual([]);

      const stored: Json[] = [];
      const changed: string[] = [];
      for (const object of objects) {
        const back = await read(kubeconfig, object);
        stored.push(back);
        changed.push(...missingFrom(object, back, `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`));
      }
      // Nothing pruned, defaulted over or reformatted: the policy the cluster holds is the one compiled.
      expect(changed).toEqual([]);

      // Re-applying changes no spec, and a further apply writes nothing. (Not the
      // first re-apply: Gateway API's CRDs default `status` on read, so the first
      // update of a Gateway stores that default once.)
      const applyAll = async () => {
        const results = [];
        for (const object of objects) {
          const response = await serverSideApply(kubeconfig, object, { fieldManager: FIELD_MANAGER });
          results.push(`${object.kind} ${object.metadata.name} ${response.status} generation=${response.body.metadata.generation}`);
          results.push(`${object.kind} ${object.metadata.name} resourceVersion=${response.body.metadata.resourceVersion}`);
        }
        return results;
      };
      const generations = (results: string[]) => results.filter(r => r.includes('generation'));
      const firstReapply = await applyAll();
      expect(generations(firstReapply)).toEqual(stored.map(o => `${o.kind} ${o.metadata.name} 200 generation=${o.metadata.generation}`));
      expect(await applyAll()).toEqual(firstReapply);

      // The analyzer judges what the API server returned, server fields and all.
      const storedDir = path.join(tmp, 'stored');
      fs.mkdirSync(storedDir);
      fs.writeFileSync(path.join(storedDir, 'all.yaml'), stored.map(o => stringify(o)).join('---\n'));
      const verified = await cellplane('verify', catalog, '--config', config, '--manifests', storedDir);
      expect(verified.stdout).toContain('OK: the manifests allow exactly what the catalog declares.');
      expect(verified.code).toBe(0);
    }, 120_000);
  });

  it("gives each cell's owner group its workloads, in its own namespace only, and never the policies", async () => {
    const { objects } = await renderArtemis(tmp, { networkPolicy: 'kubernetes' });
    for (const object of objects.filter(o => ['Namespace', 'Role', 'RoleBinding'].includes(o.kind))) {
      expect((await serverSideApply(kubeconfig, object, { fieldManager: FIELD_MANAGER })).status).toBe(201);
    }
    const bindings = objects.filter(o => o.kind === 'RoleBinding');
    expect(bindings).toHaveLength(5);

    /** The real RBAC authorizer's answer for a member of the group. */
    const allowed = async (group: string, namespace: string, resource: { group: string; resource: string; verb: string }) => {
      const review = await rawRequest(kubeconfig, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: 'member-of-owner-group', groups: [group, 'system:authenticated'], resourceAttributes: { namespace, ...resource } },
      });
      expect(review.status).toBe(201);
      return review.body.status.allowed as boolean;
    };
    const deployments = { group: 'apps', resource: 'deployments', verb: 'create' };
    for (const binding of bindings) {
      const [subject] = binding.subjects;
      expect(subject.kind).toBe('Group');
      const own = binding.metadata.namespace;
      const other = bindings.find(b => b.metadata.namespace !== own)!.metadata.namespace;
      expect(await allowed(subject.name, own, deployments)).toBe(true);
      expect(await allowed(subject.name, own, { group: '', resource: 'pods', verb: 'delete' })).toBe(true);
      // Owners share groups across cells only if the catalog says so; Artemis gives each cell its own.
      expect(await allowed(subject.name, other, deployments)).toBe(false);
      for (const policy of [
        { group: 'security.istio.io', resource: 'authorizationpolicies', verb: 'patch' },
        { group: 'networking.k8s.io', resource: 'networkpolicies', verb: 'delete' },
        { group: 'cilium.io', resource: 'ciliumnetworkpolicies', verb: 'create' },
        { group: 'gateway.networking.k8s.io', resource: 'gateways', verb: 'update' },
        { group: 'rbac.authorization.k8s.io', resource: 'rolebindings', verb: 'create' },
        { group: '', resource: 'services', verb: 'patch' },
        { group: '', resource: 'namespaces', verb: 'patch' },
      ]) {
        expect([policy.resource, await allowed(subject.name, own, policy)]).toEqual([policy.resource, false]);
      }
    }
  });
});
