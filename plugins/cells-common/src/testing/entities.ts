import { Entity, parseEntityRef } from '@backstage/catalog-model';

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

/** A Group or User entity (`group:ns/name`, `user:name`). */
export function owner(ref: string): Entity {
  const { kind, namespace, name } = parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: 'default' });
  const isUser = kind.toLowerCase() === 'user';
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: isUser ? 'User' : 'Group',
    metadata: { name, namespace },
    spec: isUser ? { memberOf: [] } : { type: 'team', children: [] },
  };
}

/** The entities plus a Group or User for every owner they name that is not there yet: the catalog as a portal has it. */
export function withOwners(entities: Entity[]): Entity[] {
  const present = new Set(entities.map(e => `${e.kind.toLowerCase()}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`));
  const added = new Map<string, Entity>();
  for (const entity of entities) {
    const ref = (entity.spec as { owner?: unknown } | undefined)?.owner;
    if (typeof ref !== 'string') continue;
    try {
      const parsed = parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: entity.metadata.namespace ?? 'default' });
      const key = `${parsed.kind.toLowerCase()}:${parsed.namespace}/${parsed.name}`;
      if (!present.has(key) && !added.has(key) && ['group', 'user'].includes(parsed.kind.toLowerCase()) && !parsed.name.includes(':')) {
        added.set(key, owner(key));
      }
    } catch {
      // not a ref: left for the checks to report
    }
  }
  return [...entities, ...added.values()];
}
