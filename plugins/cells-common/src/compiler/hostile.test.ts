import { Entity } from '@backstage/catalog-model';
import { buildCellModel, modelOptions } from '../validation/catalog';
import { CellsSettings, DEFAULT_SETTINGS } from '../settings/settings';
import { readCellsSettings } from '../settings/read';
import { cell, component, owner, withOwners } from '../testing/entities';
import { compileCells, KubeObject } from './index';
import { compiledObjectRole, duplicateObjects } from './names';
import { routesOverlap } from './routes';

/*
 * The hostile catalog: entities written by careless or hostile teams (issue 18).
 * No entity may widen, merge, freeze or break another team's cell.
 */

const CILIUM: CellsSettings = { ...DEFAULT_SETTINGS, environments: [{ name: 'development', networkPolicy: 'cilium' }] };
const NO_MESH: CellsSettings = { ...DEFAULT_SETTINGS, mesh: { ...DEFAULT_SETTINGS.mesh, enabled: false } };

function build(entities: Entity[], settings: CellsSettings = DEFAULT_SETTINGS) {
  return buildCellModel(entities, modelOptions(settings));
}

function compile(entities: Entity[], settings: CellsSettings = DEFAULT_SETTINGS, options: Parameters<typeof compileCells>[2] = {}) {
  const { model, problems } = build(entities, settings);
  return { model, modelProblems: problems, ...compileCells(model, settings, options) };
}

const inNamespace = (ns: string, name: string): Entity => ({
  ...cell(name),
  metadata: { name, namespace: ns },
  spec: { owner: `group:${ns}/${name}-team`, cell: {} },
});
const componentIn = (ns: string, name: string, system: string, spec: Record<string, unknown> = {}): Entity => {
  const c = component(name, system, { owner: `group:${ns}/${name}-team`, ...spec });
  return { ...c, metadata: { name, namespace: ns } };
};
const publicHttp = (name: string, port = 8080) => ({ name, port, protocol: 'HTTP', visibility: 'public', auth: 'none' });

describe('hostile catalog: object names cannot collide (finding 1)', () => {
  it.each([
    ['kubernetes', DEFAULT_SETTINGS, 'NetworkPolicy'],
    ['cilium', CILIUM, 'CiliumNetworkPolicy'],
    ['no mesh', NO_MESH, 'NetworkPolicy'],
  ])('a component named default-deny or allow-dns never replaces the cell-wide policies (%s)', (_t, settings, kind) => {
    const result = compile(withOwners([cell('shop'), component('default-deny', 'shop'), component('allow-dns', 'shop'), component('cell', 'shop')]), settings);
    expect(result.modelProblems).toEqual([]);
    expect(result.problems).toEqual([]);
    const objects = result.cells[0].objects;
    expect(duplicateObjects(objects)).toEqual([]);
    const denies = objects.filter(o => o.kind === kind && compiledObjectRole(o) === 'default-deny');
    expect(denies).toHaveLength(1);
    const namespaceWide =
      kind === 'NetworkPolicy'
        ? { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }
        : { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [{}], egress: [{}] };
    expect(denies[0].spec).toEqual(namespaceWide);
    // The components' own policies exist too, under their own names.
    expect(
      objects
        .filter(o => o.kind === kind && compiledObjectRole(o) === 'component-l4')
        .map(o => o.metadata.name)
        .sort(),
    ).toEqual(['allow-dns', 'cell', 'default-deny']);
  });

  it('gives shop+web-ui and shop-web+ui two HTTPRoutes', () => {
    const result = compile(
      withOwners([cell('a'), component('shop', 'a', { endpoints: [publicHttp('web-ui')] }), component('shop-web', 'a', { endpoints: [publicHttp('ui')] })]),
    );
    expect(result.problems).toEqual([]);
    const routes = result.cells[0].objects.filter(o => o.kind === 'HTTPRoute');
    expect(routes.map(o => o.metadata.name).sort()).toEqual(['shop-web.ui', 'shop.web-ui']);
    expect(duplicateObjects(result.cells[0].objects)).toEqual([]);
  });

  it("refuses a component named default (the namespace's shared service account) or like the waypoint", () => {
    const { model, problems } = build(withOwners([cell('a'), component('default', 'a'), component('waypoint', 'a'), component('ok', 'a')]));
    expect(problems).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/default',
        field: 'metadata.name',
        holds: 'system:default/a',
        fix: expect.stringMatching(/rename/),
      }),
      expect.objectContaining({
        entityRef: 'component:default/waypoint',
        field: 'metadata.name',
        holds: 'system:default/a',
        fix: expect.stringMatching(/waypointName/),
      }),
    ]);
    expect(model.components.map(c => c.name)).toEqual(['ok']);
    // Without the mesh there is no waypoint: only `default` stays reserved.
    expect(build(withOwners([cell('a'), component('waypoint', 'a')]), NO_MESH).problems).toEqual([]);
  });

  it('finds two objects of one kind, namespace and name', () => {
    const o = (kind: string, name: string, namespace = 'ns'): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace } });
    expect(duplicateObjects([o('NetworkPolicy', 'a'), o('Service', 'a'), o('NetworkPolicy', 'a', 'other'), o('NetworkPolicy', 'b')])).toEqual([]);
    expect(duplicateObjects([o('NetworkPolicy', 'a'), o('Service', 'a'), o('NetworkPolicy', 'a')])).toEqual(['NetworkPolicy ns/a']);
  });
});

describe('hostile catalog: namespaces cannot collide (finding 2)', () => {
  it('gives default-ops/core and default/ops-core two namespaces', () => {
    const result = compile(withOwners([inNamespace('default-ops', 'core'), inNamespace('default', 'ops-core')]));
    expect(result.problems).toEqual([]);
    const namespaces = result.cells.map(c => c.namespace);
    expect(new Set(namespaces).size).toBe(2);
    // The default catalog namespace keeps OpenChoreo's name (goldens and running clusters do not move).
    expect(result.cells.find(c => c.cell === 'system:default/ops-core')!.namespace).toBe('dp-default-ops-core-development-a61d5ede');
  });

  const cellEnv: CellsSettings = { ...DEFAULT_SETTINGS, naming: { scheme: 'cell-env' } };
  const twins = () => withOwners([inNamespace('default', 'core'), inNamespace('ops', 'core')]);

  it('lets the cell that holds a contested namespace keep it; the newcomer gets the error', () => {
    for (const holder of ['system:default/core', 'system:ops/core']) {
      const newcomer = holder === 'system:default/core' ? 'system:ops/core' : 'system:default/core';
      const result = compile(twins(), cellEnv, { namespaceHolders: new Map([['core-development', holder]]) });
      expect(result.cells.map(c => c.cell)).toEqual([holder]);
      expect(result.problems).toEqual([
        expect.objectContaining({ entityRef: newcomer, field: 'metadata.name', holds: newcomer, message: expect.stringContaining(`held by ${holder}`) }),
      ]);
    }
  });

  it('refuses every contender when nobody holds the namespace yet', () => {
    const result = compile(twins(), cellEnv);
    expect(result.cells).toEqual([]);
    expect(result.problems.map(p => [p.entityRef, p.holds])).toEqual([
      ['system:default/core', 'system:default/core'],
      ['system:ops/core', 'system:ops/core'],
    ]);
  });
});

describe('hostile catalog: only invited components join a cell (finding 3)', () => {
  const houston = () => [cell('houston'), component('capcom', 'houston'), owner('group:evil/spies')];
  const spy = (spec: Record<string, unknown> = {}) => componentIn('evil', 'spy', 'system:default/houston', { owner: 'group:evil/spies', ...spec });

  it('refuses a component of another catalog namespace; houston keeps compiling', () => {
    const { model, modelProblems, cells, problems } = compile(withOwners([...houston(), spy({ connections: [{ to: 'component:default/capcom' }] })]));
    expect(modelProblems).toEqual([
      expect.objectContaining({
        entityRef: 'component:evil/spy',
        field: 'spec.system',
        message: expect.stringMatching(/may not join/),
        fix: expect.stringMatching(/spec\.cell\.members/),
      }),
    ]);
    expect(modelProblems[0].holds).toBeUndefined();
    expect(model.cells[0].components).toEqual(['component:default/capcom']);
    expect(model.grants).toEqual([]);
    expect(problems).toEqual([]);
    expect(JSON.stringify(cells[0].objects)).not.toContain('spy');
  });

  it('does not let an intruder pick up grants made to the whole cell', () => {
    const other = [cell('vault'), component('safe', 'vault', { allowFrom: [{ system: 'houston' }] })];
    const { model } = compile(withOwners([...houston(), ...other, spy()]));
    expect(model.grants.map(g => (g.caller as { ref: string }).ref)).toEqual(['component:default/capcom']);
  });

  it("admits the namespaces and owners the cell's owner names in spec.cell.members", () => {
    for (const members of [[{ namespace: 'evil' }], [{ owner: 'group:evil/spies' }], [{ namespace: 'evil', owner: 'group:evil/spies' }]]) {
      const { model, modelProblems } = compile(
        withOwners([cell('houston', { cell: { members } }), component('capcom', 'houston'), owner('group:evil/spies'), spy()]),
      );
      expect(modelProblems).toEqual([]);
      expect(model.cells[0].components).toEqual(['component:default/capcom', 'component:evil/spy']);
    }
    const { modelProblems } = compile(
      withOwners([
        cell('houston', { cell: { members: [{ namespace: 'evil', owner: 'group:evil/others' }] } }),
        component('capcom', 'houston'),
        owner('group:evil/spies'),
        spy(),
      ]),
    );
    expect(modelProblems.map(p => p.field)).toEqual(['spec.system']);
  });

  it.each([
    [[{}], 'spec.cell.members[0]'],
    [[{ namespace: 'Bad_NS' }], 'spec.cell.members[0].namespace'],
    [[{ owner: 'not a ref:' }], 'spec.cell.members[0].owner'],
    [[{ namespace: 'x', team: 'y' }], 'spec.cell.members[0].team'],
    ['evil', 'spec.cell.members'],
  ])('refuses a malformed members entry %j', (members, field) => {
    const { modelProblems } = compile(withOwners([cell('houston', { cell: { members } }), component('capcom', 'houston')]));
    expect(modelProblems).toEqual([expect.objectContaining({ entityRef: 'system:default/houston', field, holds: 'system:default/houston' })]);
  });

  it('refuses a misspelled key of spec.cell', () => {
    const { modelProblems } = compile(withOwners([cell('houston', { cell: { member: [{ namespace: 'evil' }] } })]));
    expect(modelProblems).toEqual([expect.objectContaining({ field: 'spec.cell.member', message: expect.stringMatching(/unknown field/) })]);
  });
});

describe('hostile catalog: owners that become RBAC subjects (finding 4)', () => {
  const bindingOf = (objects: KubeObject[]) => objects.find(o => o.kind === 'RoleBinding') as any;

  it.each([
    ['group:default/system:authenticated', /system:/],
    ['user:default/system:anonymous', /system:/],
    ['group:default/nobody-knows', /not in the catalog/],
    ['component:default/capcom', /not a Group or User/],
  ])('refuses owner %s: no RoleBinding, a problem on spec.owner', (ownerRef, message) => {
    // The catalog holds the names an attacker could register; the owner check must still refuse them.
    const entities = [
      cell('houston', { owner: ownerRef }),
      ...withOwners([component('capcom', 'houston')]),
      owner('group:default/system:authenticated'),
      owner('user:default/system:anonymous'),
    ];
    const { modelProblems, cells } = compile(entities);
    expect(modelProblems).toEqual([
      expect.objectContaining({
        entityRef: 'system:default/houston',
        field: 'spec.owner',
        message: expect.stringMatching(message),
        fix: expect.stringMatching(/Group or User/),
      }),
    ]);
    expect(cells).toHaveLength(1);
    expect(bindingOf(cells[0].objects)).toBeUndefined();
  });

  it("binds a known group; the platform's patterns (cells.rbac.subjects) narrow who may be bound", () => {
    const entities = withOwners([cell('houston', { owner: 'user:default/alice' }), owner('user:default/alice')]);
    expect(bindingOf(compile(entities).cells[0].objects).subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);
    const groupsOnly = readCellsSettings({ rbac: { subjects: ['group:default/*'] } });
    const refused = compile(entities, groupsOnly);
    expect(refused.modelProblems).toEqual([expect.objectContaining({ field: 'spec.owner', message: expect.stringMatching(/cells\.rbac\.subjects/) })]);
    expect(bindingOf(refused.cells[0].objects)).toBeUndefined();
  });

  it('binds owners of one name in two catalog namespaces to two subjects: <name> in default, <namespace>/<name> elsewhere', () => {
    const entities = withOwners([
      cell('a', { owner: 'group:default/ops' }),
      { ...inNamespace('team-a', 'b'), spec: { owner: 'group:team-a/ops', cell: {} } },
      owner('group:default/ops'),
      owner('group:team-a/ops'),
    ]);
    const { modelProblems, cells } = compile(entities);
    expect(modelProblems).toEqual([]);
    const subjects = Object.fromEntries(cells.map(c => [c.cell, bindingOf(c.objects).subjects]));
    expect(subjects).toEqual({
      'system:default/a': [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'ops' }],
      'system:team-a/b': [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team-a/ops' }],
    });
  });

  it('does not check owners when RBAC is off', () => {
    const off = readCellsSettings({ rbac: { enabled: false } });
    expect(compile([cell('houston', { owner: 'group:default/system:masters' })], off).modelProblems).toEqual([]);
  });
});

describe('hostile catalog: public routes never shadow each other (finding 5)', () => {
  const routeOf = (objects: KubeObject[]) => objects.find(o => o.kind === 'HTTPRoute') as any;

  // Two cells with a public component web each, in two catalog namespaces.
  const twins = () =>
    withOwners([
      cell('a'),
      componentIn('default', 'web', 'a', { endpoints: [publicHttp('http')] }),
      inNamespace('ops', 'b'),
      componentIn('ops', 'web', 'b', { endpoints: [publicHttp('http')] }),
    ]);

  it('gives every public endpoint its own path on the shared Gateway, the prefix stripped', () => {
    const result = compile(twins());
    expect(result.modelProblems).toEqual([]);
    expect(result.problems).toEqual([]);
    const [a, b] = result.cells.map(c => routeOf(c.objects).spec.rules[0]);
    expect(a.matches).toEqual([{ path: { type: 'PathPrefix', value: '/default/a/web/http' } }]);
    expect(b.matches).toEqual([{ path: { type: 'PathPrefix', value: '/ops/b/web/http' } }]);
    expect(a.filters).toEqual([{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }]);
  });

  const byComponent = readCellsSettings({ gateway: { routes: { hostname: '{component}.apps.example.com' } } });

  it('uses the hostname template; two routes that would shadow each other are an error for the newcomer', () => {
    const key = 'development web.apps.example.com /';
    const held = compile(twins(), byComponent, { routeHolders: new Map([[key, 'system:ops/b']]) });
    expect(held.cells.map(c => c.cell)).toEqual(['system:ops/b']);
    expect(routeOf(held.cells[0].objects).spec.hostnames).toEqual(['web.apps.example.com']);
    expect(routeOf(held.cells[0].objects).spec.rules[0].filters).toBeUndefined();
    expect(held.problems).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/web',
        holds: 'system:default/a',
        field: 'spec.endpoints[0].visibility',
        message: expect.stringMatching(/system:ops\/b/),
      }),
    ]);
    // Nobody holds it: both are refused.
    expect(compile(twins(), byComponent).problems.map(p => p.holds)).toEqual(['system:default/a', 'system:ops/b']);
  });

  it('refuses two routes of one cell on the same path', () => {
    const sameForEveryEndpoint = readCellsSettings({ gateway: { routes: { pathPrefix: '/{component}' } } });
    const result = compile(
      withOwners([cell('a'), component('web', 'a', { endpoints: [publicHttp('http'), publicHttp('admin', 8081)] })]),
      sameForEveryEndpoint,
    );
    expect(result.cells).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/web',
        holds: 'system:default/a',
        field: 'spec.endpoints[0].visibility',
        message: expect.stringMatching(/route \/web of endpoint http/),
      }),
      expect.objectContaining({
        entityRef: 'component:default/web',
        holds: 'system:default/a',
        field: 'spec.endpoints[1].visibility',
        message: expect.stringMatching(/route \/web of endpoint admin/),
      }),
    ]);
  });

  it('counts a route as shadowing another when hosts meet and one path contains the other, element by element', () => {
    const r = (hostname: string | undefined, path: string) => ({ hostname, path });
    expect(routesOverlap(r(undefined, '/a'), r(undefined, '/a/b'))).toBe(true);
    expect(routesOverlap(r(undefined, '/a'), r(undefined, '/ab'))).toBe(false);
    expect(routesOverlap(r('x.example.com', '/'), r(undefined, '/a'))).toBe(true);
    expect(routesOverlap(r('x.example.com', '/'), r('y.example.com', '/'))).toBe(false);
    expect(routesOverlap(r('x.example.com', '/a'), r('x.example.com', '/a'))).toBe(true);
    expect(routesOverlap(r(undefined, '/'), r(undefined, '/anything'))).toBe(true);
  });
});
