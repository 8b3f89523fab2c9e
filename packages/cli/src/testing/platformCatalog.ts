import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

/** A cell whose components are scraped and call a collector, a meshed tracing service and the API server. */
export const PLATFORM_CATALOG = [
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'telemetry-team' }, spec: { type: 'team', children: [] } },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'telemetry' },
    spec: { owner: 'group:telemetry-team', cell: { egress: { platform: ['otel-collector', 'kube-apiserver', 'tracing'] } } },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'ingest' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:telemetry-team',
      system: 'telemetry',
      endpoints: [
        { name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' },
        { name: 'metrics', port: 9464, protocol: 'HTTP', visibility: 'project' },
      ],
      metrics: { port: 9464 },
      egress: [
        { platform: 'otel-collector', port: 4317 },
        { platform: 'kube-apiserver', port: 6443 },
      ],
    },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'store' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:telemetry-team',
      system: 'telemetry',
      endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
      metrics: { port: 8080, path: '/internal/metrics', scrapedBy: ['monitoring'] },
      egress: [{ platform: 'tracing', port: 4317 }],
    },
  },
];

export const PLATFORM = {
  services: [
    { name: 'monitoring', role: 'scrapes', namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' }, serviceAccount: 'prometheus' },
    { name: 'otel-collector', role: 'called', namespace: 'observability', podLabels: { app: 'otel-collector' }, ports: [4317, 4318] },
    { name: 'tracing', role: 'called', namespace: 'tracing', podLabels: { app: 'tempo' }, ports: [4317], mesh: true },
    { name: 'kube-apiserver', role: 'called', cidrs: ['172.18.0.2/32'], ports: [6443] },
  ],
};

/** The catalog and an app-config with PLATFORM written to `dir`: the paths to give the CLI. */
export function writePlatformCatalog(dir: string, cells: Record<string, unknown> = {}): { catalog: string; config: string } {
  const catalog = path.join(dir, 'catalog.yaml');
  fs.writeFileSync(catalog, PLATFORM_CATALOG.map(e => stringify(e)).join('---\n'));
  const config = path.join(dir, 'app-config.yaml');
  fs.writeFileSync(config, stringify({ cells: { ...cells, platform: PLATFORM } }));
  return { catalog, config };
}
