// End-to-end: what `npm run portal:kube` starts. The real portal backend with
// the development environment on the test API server of packages/kube-testenv
// (a real kube-apiserver and etcd with the Istio, Gateway API and Cilium CRDs;
// no kubelet, so no pods run). The five Artemis cells come up in sync; a
// kubectl-style edit that widens an AuthorizationPolicy shows as drift with
// its field diff and is repaired by the next reconcile; a foreign
// NetworkPolicy survives.
//
//   node --test tests/e2e/cells-kube.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort, guestToken, startKubePortalConfig, startPortal, waitFor } from '../../tools/portal.mjs';

const CELLS = ['deep-space-network', 'esa-ops', 'houston', 'kennedy', 'orion'];

/** One request to the API server with the kubeconfig's credentials, as kubectl sends it. */
async function kube(kubeconfig, method, apiPath, body, contentType = 'application/json') {
  const options = { method, headers: { Accept: 'application/json' } };
  await kubeconfig.applyToHTTPSOptions(options);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload) options.headers['Content-Type'] = contentType;
  const url = new URL(apiPath, kubeconfig.getCurrentCluster().server);
  return new Promise((resolve, reject) => {
    const req = https.request(url, options, res => {
      let text = '';
      res.on('data', d => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the portal on the test API server (npm run portal:kube)', { timeout: 900_000 }, () => {
  let portal;
  let token;
  let dir;
  let cluster;
  let kubeconfig;
  const api = async route => {
    const res = await fetch(`${portal.url}/api/cells${route}`, { headers: { Authorization: `Bearer ${token}` } });
    const body = await res.json();
    if (!res.ok) throw new Error(`${route}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-e2e-kube-'));
    // An API server of this test's own (not the one `npm run kube:up` may have started).
    cluster = startKubePortalConfig({ dir, stateDir: path.join(dir, 'kube-state') });
    kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(cluster.kubeconfigPath);
    const override = path.join(dir, 'app-config.e2e.yaml');
    fs.writeFileSync(override, ['cells:', '  reconcile:', '    catalogPollInterval: { seconds: 2 }', ''].join('\n'));
    portal = await startPortal({ port: await freePort(), extraConfig: [cluster.configPath, override] });
    token = await guestToken(portal.url);
  });

  after(async () => {
    await portal?.stop();
    cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the five Artemis cells are in sync on the cluster', async () => {
    const items = await waitFor('five cells in sync', async () => {
      const { items: cells } = await api('/cells');
      return cells.length === 5 && cells.every(c => c.environments[0].state === 'in-sync') && cells;
    });
    assert.deepEqual(
      items.map(c => c.entityRef),
      CELLS.map(c => `system:default/${c}`),
    );
    assert.deepEqual(items[0].environments[0].target, { type: 'kubernetes', cluster: 'kube-testenv' });
    const namespaces = await kube(kubeconfig, 'GET', '/api/v1/namespaces?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcellplane');
    const cellNamespaces = namespaces.body.items.filter(n => n.metadata.labels['cellplane.io/cell'] !== undefined);
    assert.deepEqual(cellNamespaces.map(n => n.metadata.labels['cellplane.io/cell']).sort(), CELLS);
    // Beside the cells' namespaces only the platform egress namespace (weather-station calls api.weather.gov), labelled as such.
    const others = namespaces.body.items.filter(n => n.metadata.labels['cellplane.io/cell'] === undefined);
    assert.deepEqual(
      others.map(n => [n.metadata.name, n.metadata.labels['cellplane.io/egress']]),
      [['cellplane-egress', 'true']],
    );
  });

  test('a widening hand edit is reported as drift with its diff and repaired; a foreign NetworkPolicy survives', async () => {
    const houston = await api('/cells/default/houston');
    const { namespace } = houston.environments[0];
    const foreign = await kube(kubeconfig, 'POST', `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'team-allow-monitoring' },
      spec: { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] },
    });
    assert.equal(foreign.status, 201);

    const policies = await kube(
      kubeconfig,
      'GET',
      `/apis/security.istio.io/v1/namespaces/${namespace}/authorizationpolicies?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcellplane`,
    );
    const policy = policies.body.items.find(p => p.spec.rules?.length);
    const policyPath = `/apis/security.istio.io/v1/namespaces/${namespace}/authorizationpolicies/${policy.metadata.name}`;
    const rules = policy.spec.rules;
    const edit = await kube(
      kubeconfig,
      'PATCH',
      `${policyPath}?fieldManager=kubectl-edit`,
      { spec: { rules: [...rules, { from: [{ source: { principals: ['*'] } }] }] } },
      'application/merge-patch+json',
    );
    assert.equal(edit.status, 200);

    const entry = await waitFor('a repaired-drift history entry', async () => {
      const { items } = await api('/history?entityRef=system:default/houston');
      return items.find(h => h.summary.startsWith('repaired drift'));
    });
    assert.deepEqual(entry.cause, { kind: 'drift-repair' });
    assert.match(entry.summary, new RegExp(`AuthorizationPolicy ${policy.metadata.name} drifted \\(spec\\.rules\\[${rules.length}\\]`));
    assert.deepEqual(
      entry.updated.map(r => r.name),
      [policy.metadata.name],
    );

    const repaired = await kube(kubeconfig, 'GET', policyPath);
    assert.equal(repaired.body.spec.rules.length, rules.length);
    await waitFor('houston in sync again', async () => (await api('/cells/default/houston')).environments[0].state === 'in-sync');
    assert.equal((await kube(kubeconfig, 'GET', `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/team-allow-monitoring`)).status, 200);
  });
});
