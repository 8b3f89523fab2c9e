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
