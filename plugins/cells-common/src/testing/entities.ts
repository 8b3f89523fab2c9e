import { Entity } from '@backstage/catalog-model';

/** Builders for test catalogs; not exported from the package. */
export function cell(name: string, extra: Record<string, unknown> = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name },
    spec: { owner: `group:${name}-team`, cell: {}, ...extra },
  };
}

export function component(name: string, system: string, spec: Record<string, unknown> = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: `group:${system}-team`,
      system,
      endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }],
      ...spec,
    },
  };
}
