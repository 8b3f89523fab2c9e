/**
 * Audit mode on a real API server: every cell of an environment in
 * `enforcement: audit` is compiled, applied with strict field validation and
 * read back; the analyzer then judges the objects the API server holds
 * against every call that was allowed before Cellplane applied anything (with
 * no policy, all of them): every component to every endpoint of every other,
 * the gateway to every component, and an unknown pod in each cell's
 * namespace. None may be denied. The same calls against the enforce-mode
 * objects are denied in part, so the check can fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { aggregateObservations, cellNamespace, createSimulation, KubeObject, Observation, TrafficPeer, wouldBreak } from '@cellplane/cells-common';
import { describeWithKube, objectPath, rawRequest, serverSideApply, testKubeConfig, uniqueName } from '@cellplane/kube-testenv';
import { compileCatalog, loadCatalog } from './catalog';

const ARTEMIS = path.resolve(__dirname, '../../../../examples/artemis');
const ENV = 'development';

function catalogWith(enforcement: 'audit' | 'enforce', networkPolicy: 'kubernetes' | 'cilium') {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-audit-'));
  const config = path.join(tmp, 'app-config.yaml');
  const cells = {
    environments: [{ name: ENV, networkPolicy, enforcement }],
    naming: { controlPlaneNamespace: uniqueName('audit') },
    egress: { namespace: uniqueName('egress') },
  };
  fs.writeFileSync(config, stringify({ cells }));
  return loadCatalog([ARTEMIS], [config]);
}

function protocolOf(endpoint: string): Observation['protocol'] {
  if (endpoint === 'HTTP' || endpoint === 'GRPC') return 'HTTP';
  return endpoint === 'UDP' ? 'UDP' : 'TCP';
}

/** Every call possible before any policy: each caller to each endpoint of each component, with an operation where L7 sees one. */
function everyCall(catalog: ReturnType<typeof loadCatalog>): Observation[] {
  const { model, settings } = catalog;
  const callers: TrafficPeer[] = [
    ...model.components.map(c => ({ kind: 'component' as const, ref: c.ref, cell: c.cell })),
    { kind: 'gateway' },
    ...model.cells.map(cell => {
      const namespace = cellNamespace(settings, cell, ENV);
      return {
        kind: 'workload' as const,
        namespace,
        pod: 'debug-shell',
        identity: `cluster.local/ns/${namespace}/sa/default`,
        labels: { run: 'debug' },
        cell: cell.ref,
      };
    }),
  ];
  const calls: Observation[] = [];
  for (const source of callers) {
    for (const callee of model.components) {
      if (source.kind === 'component' && source.ref === callee.ref) continue;
      for (const endpoint of callee.endpoints) {
        const http = endpoint.protocol === 'HTTP' || endpoint.protocol === 'GRPC';
        calls.push({
          environment: ENV,
          source,
          destination: { kind: 'component', ref: callee.ref, cell: callee.cell },
          port: endpoint.port,
          protocol: protocolOf(endpoint.protocol),
          ...(http ? { method: 'GET', path: '/anything' } : {}),
          verdict: { allowed: true },
          count: 1,
          firstSeen: 0,
          lastSeen: 0,
          seenBy: http ? 'cilium-l7' : 'cilium',
        });
      }
    }
  }
  return calls;
}

async function applyAndReadBack(objects: KubeObject[]): Promise<KubeObject[]> {
  const kubeconfig = testKubeConfig();
  const rejected: string[] = [];
  const stored: KubeObject[] = [];
  for (const object of objects) {
    const response = await serverSideApply(kubeconfig, object as any, { fieldManager: 'cellplane' });
    if (response.status !== 201) rejected.push(`${object.kind} ${object.metadata.name}: ${response.status} ${response.body?.message}`);
  }
  expect(rejected).toEqual([]);
  for (const object of objects) {
    const response = await rawRequest(kubeconfig, 'GET', await objectPath(kubeconfig, object as any));
    expect(response.status).toBe(200);
    stored.push(response.body);
  }
  return stored;
}

describeWithKube('audit mode on a real API server', () => {
  it.each(['kubernetes', 'cilium'] as const)(
    'with %s network policies, the applied audit objects admit every call allowed before',
    async networkPolicy => {
      const audit = catalogWith('audit', networkPolicy);
      const compiled = compileCatalog(audit, ENV);
      expect(compiled.cells.every(c => c.audit)).toBe(true);
      const objects = [...compiled.cells.flatMap(c => c.objects), ...compiled.egress.flatMap(e => e.objects)];
      const kinds = [...new Set(objects.map(o => o.kind))].sort();
      expect(kinds).toEqual(['Gateway', 'HTTPRoute', 'Namespace', 'Role', 'RoleBinding', 'Service', 'ServiceAccount', 'ServiceEntry']);
      const stored = await applyAndReadBack(objects);

      const calls = aggregateObservations(everyCall(audit));
      const judged = wouldBreak(createSimulation(audit.model, audit.settings, ENV, stored), calls);
      expect(judged.checked).toBeGreaterThan(400);
      expect(judged.wouldBreak.map(w => `${w.edge.from} -> ${w.edge.to}:${w.edge.port} ${w.layer} ${w.policies.join(',')}`)).toEqual([]);
      expect(judged.unjudged.map(u => u.reason)).toEqual([]);

      // The same calls against the enforce-mode objects: most would break, so the check above can fail.
      const enforce = catalogWith('enforce', networkPolicy);
      const enforced = compileCatalog(enforce, ENV);
      const enforcedObjects = [...enforced.cells.flatMap(c => c.objects), ...enforced.egress.flatMap(e => e.objects)];
      const denied = wouldBreak(createSimulation(enforce.model, enforce.settings, ENV, enforcedObjects), aggregateObservations(everyCall(enforce)));
      expect(denied.wouldBreak.length).toBeGreaterThan(judged.checked / 2);
    },
    180_000,
  );
});
