import { Entity } from '@backstage/catalog-model';

/**
 * A synthetic catalog: `components` components, 10 per cell, each calling 3
 * others (one in its own cell, two in other cells), all organization-visible.
 */
export function syntheticCatalog(components: number): Entity[] {
  const perCell = 10;
  const cells = Math.ceil(components / perCell);
  const name = (i: number) => `svc-${i}`;
  const entities: Entity[] = [];
  for (let c = 0; c < cells; c++) {
    entities.push({ apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: `cell-${c}` }, spec: { owner: `group:team-${c}`, cell: {} } });
    // The owner is a Group of the catalog: it becomes the subject of the cell's RoleBinding.
    entities.push({ apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: `team-${c}` }, spec: { type: 'team', children: [] } });
  }
  for (let i = 0; i < components; i++) {
    const cell = Math.floor(i / perCell);
    const sameCell = cell * perCell + ((i + 1) % perCell);
    const targets = [Math.min(sameCell, components - 1), (i + 17) % components, (i + 331) % components];
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: name(i) },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: `group:team-${cell}`,
        system: `cell-${cell}`,
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }],
        connections: targets.map((t, k) => ({ to: name(t), endpoint: 'http', methods: ['GET', 'POST'].slice(0, 1 + (k % 2)), paths: [`/api/v${k}/*`] })),
      },
    });
  }
  return entities;
}
