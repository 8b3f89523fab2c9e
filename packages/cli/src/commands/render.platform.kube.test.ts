import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { describeWithKube, objectPath, rawRequest, serverSideApply, testKubeConfig, uniqueName } from '@cellplane/kube-testenv';
import { readDocuments } from '../lib/readDocuments';
import { cellplane } from '../testing/runCli';
import { PLATFORM_CATALOG as CATALOG, PLATFORM as PLATFORM_CONFIG } from '../testing/platformCatalog';

type Json = any;

describeWithKube('the manifests of a catalog with platform services on a real API server', () => {
  let tmp: string;
  let kubeconfig: KubeConfig;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-kube-platform-'));
    kubeconfig = testKubeConfig();
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(['kubernetes', 'cilium'] as const)(
    'with %s network policies: applied strictly, stored as written, verified clean as stored',
    async networkPolicy => {
      const catalog = path.join(tmp, 'catalog.yaml');
      fs.writeFileSync(catalog, CATALOG.map(e => stringify(e)).join('---\n'));
      const config = path.join(tmp, 'app-config.yaml');
      const cells = { environments: [{ name: 'development', networkPolicy }], naming: { controlPlaneNamespace: uniqueName('it') }, platform: PLATFORM_CONFIG };
      fs.writeFileSync(config, stringify({ cells }));
      const out = path.join(tmp, 'gitops');
      const rendered = await cellplane('render', catalog, '--config', config, '--out', out);
      expect(rendered.code).toBe(0);
      const objects: Json[] = readDocuments([out]).map(d => d.value as Json);
      // The scrape's L7 rule is among them (platform/scrape.ts).
      const ingest = objects.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'ingest');
      expect(ingest.spec.rules).toEqual([
        {
          from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }],
          to: [{ operation: { ports: ['9464'], methods: ['GET'], paths: ['/metrics'] } }],
        },
      ]);

      const rejected: string[] = [];
      const stored: Json[] = [];
      for (const object of objects) {
        const response = await serverSideApply(kubeconfig, object, { fieldManager: 'cellplane' });
        if (response.status !== 201) rejected.push(`${object.kind} ${object.metadata.name}: ${response.status} ${response.body?.message}`);
        for (const warning of response.warnings) rejected.push(`${object.kind} ${object.metadata.name}: warning ${warning}`);
        const back = await rawRequest(kubeconfig, 'GET', await objectPath(kubeconfig, object));
        stored.push(back.body);
      }
      expect(rejected).toEqual([]);
      // Every policy comes back as compiled: the L3/L4 rules to the platform's pods and addresses, the scrape rules.
      const policies = (list: Json[]) => list.filter(o => /Policy$/.test(o.kind)).map(o => [o.kind, o.metadata.name, o.spec]);
      expect(policies(stored)).toEqual(policies(objects));

      const storedDir = path.join(tmp, 'stored');
      fs.mkdirSync(storedDir);
      fs.writeFileSync(path.join(storedDir, 'all.yaml'), stored.map(o => stringify(o)).join('---\n'));
      const verified = await cellplane('verify', catalog, '--config', config, '--manifests', storedDir);
      expect(verified.stdout).toContain('OK: the manifests allow exactly what the catalog declares.');
      expect(verified.code).toBe(0);
    },
    120_000,
  );
});
