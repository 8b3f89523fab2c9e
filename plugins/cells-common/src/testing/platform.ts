import { Entity } from '@backstage/catalog-model';
import { cell, component, withOwners } from './entities';
import { readCellsSettings } from '../settings/read';

/** `cells.platform` of the tests: a scraper, a collector outside the mesh, a meshed collector, the API server by address. */
export const PLATFORM_CONFIG = {
  services: [
    { name: 'monitoring', role: 'scrapes', namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' }, serviceAccount: 'prometheus' },
    { name: 'otel-collector', role: 'called', namespace: 'observability', podLabels: { app: 'otel-collector' }, ports: [4317, 4318] },
    { name: 'tracing', role: 'called', namespace: 'tracing', podLabels: { app: 'tempo' }, ports: [4317], mesh: true, serviceAccount: 'tempo' },
    { name: 'kube-apiserver', role: 'called', cidrs: ['172.18.0.2/32'], ports: [6443] },
  ],
};

/** The default settings plus PLATFORM_CONFIG, optionally over other `cells:` keys. */
export function platformSettings(extra: Record<string, unknown> = {}) {
  return readCellsSettings({ ...extra, platform: PLATFORM_CONFIG });
}

/** Settings of the platform catalog: a NetworkPolicy and a Cilium environment, with or without the mesh. */
export function platformCatalogSettings(mesh = true) {
  return platformSettings({
    mesh: { enabled: mesh },
    environments: [
      { name: 'development', networkPolicy: 'kubernetes' },
      { name: 'staging', networkPolicy: 'cilium' },
    ],
    defaultEnvironments: ['development', 'staging'],
  });
}

/**
 * A small catalog over PLATFORM_CONFIG: `telemetry/ingest` is scraped by
 * monitoring on /metrics and calls the collector (4317) and the API server;
 * `telemetry/store` is scraped on a path of its own and calls the meshed
 * tracing service; `telemetry/quiet` declares nothing of the platform.
 */
export function platformCatalog(): Entity[] {
  const http = (name: string, port: number) => ({ name, port, protocol: 'HTTP', visibility: 'project' });
  return withOwners([
    cell('telemetry', { cell: { egress: { platform: ['otel-collector', 'kube-apiserver', 'tracing'] } } }),
    component('ingest', 'telemetry', {
      endpoints: [http('http', 8080), http('metrics', 9464)],
      metrics: { port: 9464 },
      egress: [
        { platform: 'otel-collector', port: 4317, reason: 'exports traces' },
        { platform: 'kube-apiserver', port: 6443, reason: 'watches its ConfigMaps' },
      ],
      connections: [{ to: 'component:store', endpoint: 'http', methods: ['POST'], paths: ['/samples'] }],
    }),
    component('store', 'telemetry', {
      endpoints: [http('http', 8080)],
      metrics: { port: 8080, path: '/internal/metrics', scrapedBy: ['monitoring'] },
      egress: [{ platform: 'tracing', port: 4317 }],
    }),
    component('quiet', 'telemetry', { endpoints: [http('http', 8080)] }),
  ]);
}
