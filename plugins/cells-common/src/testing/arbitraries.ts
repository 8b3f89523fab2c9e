import { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';
import fc from 'fast-check';

const VISIBILITIES = ['project', 'organization', 'public'] as const;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
const PATHS = ['/a', '/a/*', '/b', '*.json', '/status'] as const;

/** A random but valid catalog: cells, components with endpoints, connections and allowFrom. */
export interface RandomCatalogShape {
  cells: number;
  components: { cell: number; visibility: (typeof VISIBILITIES)[number]; protocol: 'HTTP' | 'GRPC' | 'TCP' }[];
  calls: { from: number; to: number; methods?: string[]; paths?: string[]; viaAllowFrom: boolean; cellWide: boolean }[];
}

export const randomCatalogShape: fc.Arbitrary<RandomCatalogShape> = fc.integer({ min: 1, max: 4 }).chain(cells =>
  fc
    .array(
      fc.record({
        cell: fc.integer({ min: 0, max: cells - 1 }),
        visibility: fc.constantFrom(...VISIBILITIES),
        protocol: fc.constantFrom('HTTP' as const, 'GRPC' as const, 'TCP' as const),
      }),
      { minLength: 1, maxLength: 8 },
    )
    .chain(components =>
      fc.record({
        cells: fc.constant(cells),
        components: fc.constant(components),
        calls: fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: components.length - 1 }),
            to: fc.integer({ min: 0, max: components.length - 1 }),
            methods: fc.option(fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1, maxLength: 2 }), { nil: undefined }),
            paths: fc.option(fc.uniqueArray(fc.constantFrom(...PATHS), { minLength: 1, maxLength: 2 }), { nil: undefined }),
            viaAllowFrom: fc.boolean(),
            cellWide: fc.boolean(),
          }),
          { maxLength: 12 },
        ),
      }),
    ),
);

/**
 * Turns a shape into catalog entities, dropping the calls the visibility rules
 * forbid (those are validation errors, tested elsewhere) and L7 fields on TCP.
 */
export function catalogOf(shape: RandomCatalogShape): Entity[] {
  const cellName = (i: number) => `cell-${i}`;
  const compName = (i: number) => `svc-${i}`;
  const specs = shape.components.map((c, i) => ({
    type: 'service',
    lifecycle: 'production',
    owner: `group:team-${c.cell}`,
    system: cellName(c.cell),
    endpoints: [
      {
        name: 'main',
        port: 8000 + (i % 3),
        protocol: c.protocol,
        visibility: c.protocol !== 'HTTP' && c.visibility === 'public' ? 'organization' : c.visibility,
        // Open on purpose: the settings of these catalogs define no identity provider.
        ...(c.protocol === 'HTTP' && c.visibility === 'public' ? { auth: 'none' } : {}),
      },
    ],
    connections: [] as JsonObject[],
    allowFrom: [] as JsonObject[],
  }));
  for (const call of shape.calls) {
    const from = shape.components[call.from];
    const to = shape.components[call.to];
    const visibility = specs[call.to].endpoints[0].visibility;
    if (visibility === 'project' && from.cell !== to.cell) continue;
    const l7 = to.protocol === 'TCP' ? {} : { ...(call.methods ? { methods: call.methods } : {}), ...(call.paths ? { paths: call.paths } : {}) };
    if (call.viaAllowFrom) {
      specs[call.to].allowFrom.push(call.cellWide ? { system: cellName(from.cell), ...l7 } : { component: compName(call.from), ...l7 });
    } else {
      specs[call.from].connections.push({ to: compName(call.to), endpoint: 'main', ...l7 });
    }
  }
  const cells: Entity[] = Array.from({ length: shape.cells }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: cellName(i) },
    spec: { owner: `group:team-${i}`, cell: {} },
  }));
  const components: Entity[] = specs.map((spec, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: compName(i) },
    spec,
  }));
  // The owners are registered Groups, as in a portal: a cell's owner becomes its RoleBinding's subject.
  const groups: Entity[] = Array.from({ length: shape.cells }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: `team-${i}` },
    spec: { type: 'team', children: [] },
  }));
  return [...cells, ...components, ...groups];
}
