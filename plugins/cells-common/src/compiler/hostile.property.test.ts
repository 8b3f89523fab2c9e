import fc from 'fast-check';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { buildCellModel, modelOptions } from '../validation/catalog';
import { CellsSettings, DEFAULT_SETTINGS } from '../settings/settings';
import { readCellsSettings } from '../settings/read';
import { subjectMatches } from '../settings/templates';
import { rbacSubjectName } from '../validation/owner';
import { holdersOf } from './claims';
import { compileCells, CompiledCell, KubeObject } from './index';
import { duplicateObjects } from './names';
import { routesOverlap } from './routes';

/*
 * Random hostile catalogs: names drawn from a pool of reserved and colliding
 * ones, components that try to join cells of other catalog namespaces, owners
 * that are Kubernetes' own groups or nobody. Whatever the catalog, the output
 * never has two objects of one name, a cell without its namespace-wide
 * default-deny, two cells in one namespace, an intruder in a cell, a
 * RoleBinding to a subject the catalog and the platform do not allow, or two
 * public routes that shadow each other.
 */

const NAMES = ['default', 'default-deny', 'allow-dns', 'cell', 'waypoint', 'shop', 'shop-web'];
const NAMESPACES = ['default', 'ops', 'default-ops', 'team-a', 'team'];
/** Cells, as catalog namespace and name: pairs whose names OpenChoreo's join could not tell apart. */
const CELLS = [
  ['default', 'ops-core'],
  ['default-ops', 'core'],
  ['team', 'a-b'],
  ['team-a', 'b'],
  ['default', 'core'],
  ['ops', 'core'],
  ['default', 'default'],
  ['default', 'a'],
  ['team', 'a'],
];
const ENDPOINTS = ['web-ui', 'ui'];
const OWNERS = [
  'group:default/team',
  'group:ops/team',
  'user:default/alice',
  'group:default/ghost',
  'group:default/system:authenticated',
  'user:default/system:anonymous',
  'group:default/system:masters',
  'component:default/web',
];
/** Registered in the catalog (an attacker can register a Group named like Kubernetes' own). */
const REGISTERED = ['group:default/team', 'group:ops/team', 'user:default/alice', 'group:default/system:masters'];

const SETTINGS: CellsSettings[] = [
  DEFAULT_SETTINGS,
  {
    ...DEFAULT_SETTINGS,
    environments: [
      { name: 'development', networkPolicy: 'cilium' },
      { name: 'dev', networkPolicy: 'kubernetes' },
    ],
  },
  { ...DEFAULT_SETTINGS, mesh: { ...DEFAULT_SETTINGS.mesh, enabled: false } },
  {
    ...DEFAULT_SETTINGS,
    naming: { scheme: 'cell-env' },
    environments: [
      { name: 'b', networkPolicy: 'kubernetes' },
      { name: 'a-b', networkPolicy: 'kubernetes' },
    ],
  },
  { ...DEFAULT_SETTINGS, naming: { scheme: 'openchoreo', controlPlaneNamespace: 'default' } },
  readCellsSettings({ gateway: { routes: { hostname: '{component}.apps.example.com' } }, rbac: { subjects: ['group:default/*'] } }),
  readCellsSettings({ gateway: { routes: { pathPrefix: '/{cell}' } }, mesh: { waypointName: 'web' } }),
];

const entityArb = fc.record({
  cells: fc.uniqueArray(
    fc.record({ at: fc.constantFrom(...CELLS), owner: fc.constantFrom(...OWNERS), members: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }) }),
    {
      minLength: 1,
      maxLength: 5,
      selector: c => c.at.join('/'),
    },
  ),
  components: fc.uniqueArray(
    fc.record({
      // Mostly its cell's own catalog namespace (undefined), sometimes another: an intruder.
      namespace: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined, freq: 3 }),
      name: fc.constantFrom(...NAMES),
      cell: fc.nat(4),
      owner: fc.constantFrom(...OWNERS),
      endpoints: fc.uniqueArray(fc.record({ name: fc.constantFrom(...ENDPOINTS), public: fc.boolean() }), { maxLength: 2, selector: e => e.name }),
    }),
    { maxLength: 10, selector: c => `${c.namespace}/${c.name}/${c.cell}` },
  ),
});

type Shape = typeof entityArb extends fc.Arbitrary<infer T> ? T : never;

function catalogOf(shape: Shape): Entity[] {
  const cells: Entity[] = shape.cells.map(c => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: c.at[1], namespace: c.at[0] },
    spec: { owner: c.owner, cell: c.members ? { members: [{ namespace: c.members }] } : {} },
  }));
  const byRef = new Map<string, Entity>();
  shape.components.forEach(c => {
    const [namespace, name] = shape.cells[c.cell % shape.cells.length].at;
    byRef.set(`${c.namespace ?? namespace}/${c.name}`, {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: c.name, namespace: c.namespace ?? namespace },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: c.owner,
        system: `system:${namespace}/${name}`,
        endpoints: c.endpoints.map((e, i) => ({ name: e.name, port: 8080 + i, protocol: 'HTTP', visibility: e.public ? 'public' : 'organization' })),
      },
    });
  });
  const components = [...byRef.values()];
  const owners: Entity[] = REGISTERED.map(ref => {
    const { kind, namespace, name } = parseEntityRef(ref);
    return { apiVersion: 'backstage.io/v1alpha1', kind: kind === 'user' ? 'User' : 'Group', metadata: { name, namespace }, spec: {} };
  });
  return [...cells, ...components, ...owners];
}

function violations(entities: Entity[], settings: CellsSettings, compiled: CompiledCell[]): string[] {
  const out: string[] = [];
  const all = compiled.flatMap(c => c.objects);
  out.push(...duplicateObjects(all).map(d => `duplicate ${d}`));
  const namespaces = compiled.map(c => c.namespace);
  namespaces.filter((n, i) => namespaces.indexOf(n) !== i).forEach(n => out.push(`shared namespace ${n}`));
  const byRef = new Map(entities.map(e => [`${e.kind.toLowerCase()}:${e.metadata.namespace}/${e.metadata.name}`, e]));
  for (const cell of compiled) {
    const flavour = settings.environments.find(e => e.name === cell.environment)!.networkPolicy;
    const isDeny = (o: KubeObject) => {
      const spec = o.spec as any;
      return flavour === 'cilium'
        ? o.kind === 'CiliumNetworkPolicy' &&
            JSON.stringify(spec) === JSON.stringify({ endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [{}], egress: [{}] })
        : o.kind === 'NetworkPolicy' && JSON.stringify(spec) === JSON.stringify({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    };
    if (!cell.objects.some(o => isDeny(o) && o.metadata.namespace === cell.namespace))
      out.push(`${cell.cell} in ${cell.environment}: no namespace-wide default-deny`);
    const system = byRef.get(cell.cell)!;
    const members = ((system.spec as any).cell.members ?? []).map((m: any) => m.namespace);
    for (const sa of cell.objects.filter(o => o.kind === 'ServiceAccount')) {
      const source = parseEntityRef(sa.metadata.annotations!['cellplane.io/source']);
      if (source.namespace !== system.metadata.namespace && !members.includes(source.namespace))
        out.push(`${cell.cell}: intruder ${sa.metadata.annotations!['cellplane.io/source']}`);
      if (sa.metadata.name === 'default') out.push(`${cell.cell}: a component took the default service account`);
    }
    for (const binding of cell.objects.filter(o => o.kind === 'RoleBinding')) {
      for (const subject of (binding as any).subjects) {
        // The subject names exactly one registered, admitted Group or User, and it is the cell's owner.
        const named = REGISTERED.filter(ref => {
          const { kind, namespace, name } = parseEntityRef(ref);
          return kind.toLowerCase() === subject.kind.toLowerCase() && rbacSubjectName(namespace, name) === subject.name;
        });
        const allowed = named.length === 1 && named[0] === (system.spec as any).owner && settings.rbac.subjects.some(p => subjectMatches(p, named[0]));
        if (!allowed || subject.name.startsWith('system:')) out.push(`${cell.cell}: RoleBinding to ${subject.kind} ${subject.name}`);
      }
    }
  }
  const routes = all
    .filter(o => o.kind === 'HTTPRoute')
    .map(o => ({
      env: o.metadata.labels!['cellplane.io/environment'],
      id: `${o.metadata.namespace}/${o.metadata.name}`,
      hostname: (o.spec as any).hostnames?.[0],
      path: (o.spec as any).rules[0].matches[0].path.value,
    }));
  routes.forEach((a, i) =>
    routes.slice(i + 1).forEach(b => a.env === b.env && routesOverlap(a, b) && out.push(`routes ${a.id} and ${b.id} shadow each other`)),
  );
  return out;
}

/** The catalogs of issue 18, always among the runs. */
const ISSUE_18: Shape[] = [
  {
    cells: [
      { at: ['default', 'ops-core'], owner: 'group:default/team', members: undefined },
      { at: ['default-ops', 'core'], owner: 'group:default/system:authenticated', members: undefined },
    ],
    components: [
      { namespace: undefined, name: 'default-deny', cell: 0, owner: 'group:default/team', endpoints: [] },
      { namespace: undefined, name: 'shop', cell: 0, owner: 'group:default/team', endpoints: [{ name: 'web-ui', public: true }] },
      { namespace: undefined, name: 'shop-web', cell: 0, owner: 'group:default/team', endpoints: [{ name: 'ui', public: true }] },
      { namespace: 'ops', name: 'cell', cell: 0, owner: 'group:ops/team', endpoints: [{ name: 'ui', public: true }] },
    ],
  },
];

describe('hostile catalogs, at random', () => {
  it('never give duplicate objects, a cell without default-deny, a shared namespace, an intruder, a wide RoleBinding or shadowed routes', () => {
    let compiledCells = 0;
    fc.assert(
      fc.property(entityArb, fc.constantFrom(...SETTINGS), fc.nat(), (shape, settings, newcomers) => {
        // First the catalog without some of its cells; then those arrive, and the cells compiled first hold what they had.
        const isNewcomer = (i: number) => (newcomers >> i) % 2 === 1;
        const before = catalogOf(shape).filter(
          e => !shape.cells.some((c, i) => isNewcomer(i) && e.kind === 'System' && e.metadata.name === c.at[1] && e.metadata.namespace === c.at[0]),
        );
        const first = compileCells(buildCellModel(before, modelOptions(settings)).model, settings);
        expect(violations(before, settings, first.cells)).toEqual([]);
        const entities = catalogOf(shape);
        const second = compileCells(buildCellModel(entities, modelOptions(settings)).model, settings, holdersOf(first.cells));
        expect(violations(entities, settings, second.cells)).toEqual([]);
        // Names and the default encodings are collision-free by construction: nothing left for the checks to refuse.
        const refusals = [...first.problems, ...second.problems].map(p => p.message);
        expect(refusals.filter(m => m.includes('internal error'))).toEqual([]);
        const hashedNames = settings.naming.scheme === 'openchoreo' && !settings.naming.controlPlaneNamespace;
        expect(refusals.filter(m => hashedNames && m.includes('its namespace'))).toEqual([]);
        const defaultRoutes = settings.gateway.routes === DEFAULT_SETTINGS.gateway.routes;
        expect(refusals.filter(m => defaultRoutes && m.includes('would shadow'))).toEqual([]);
        // A newcomer never takes what an earlier cell held.
        first.cells.forEach(h => expect(second.cells.some(c => c.cell === h.cell && c.environment === h.environment)).toBe(true));
        compiledCells += second.cells.length;
      }),
      { numRuns: 300, examples: ISSUE_18.map(shape => [shape, DEFAULT_SETTINGS, 0]) },
    );
    // The property saw real output, not only refusals.
    expect(compiledCells).toBeGreaterThan(300);
  });
});
